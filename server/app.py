"""create_app(): the Starlette application: /graphql, /health, /health/ping, /metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from tortoise import connections

from server import metrics
from server.context import Context
from server.db import close_db, init_db
from server.http import HttpMiddleware
from server.logging_setup import configure_logging
from server.settings import VERSION, Settings, get_settings

log = logging.getLogger("scanbase.app")


class GraphQLApp(GraphQL):
    """Strawberry's ASGI app with our Context, websocket auth and JSON error bodies."""

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=15,
            multipart_uploads_enabled=False,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # Strawberry answers protocol errors in plain text; clients parse JSON.
            response = JSONResponse(
                {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_REQUEST"}}]},
                status_code=exc.status_code,
            )
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(request=request, response=response, settings=self.settings)

    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate from the connection_init payload; wrong credentials close with 4403."""
        if context.connection_params is not None and not isinstance(
            context.connection_params, dict
        ):
            raise ConnectionRejectionError({"message": "connection_init payload must be an object"})
        if context.has_credentials() and await context.user() is None:
            raise ConnectionRejectionError({"message": "Invalid credentials."})
        return None


async def health(request: Request) -> JSONResponse:
    """Readiness: each dependency is checked for real; 503 when one is down."""
    checks: dict[str, Any] = {}
    ok = True
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # report, don't crash the probe
        checks["database"] = f"error: {type(exc).__name__}"
        ok = False
    for name, probe in request.app.state.health_probes.items():
        try:
            checks[name] = await probe()
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
            ok = False
    body = {"status": "ok" if ok else "degraded", "version": VERSION, "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


async def ping(request: Request) -> PlainTextResponse:
    """Liveness: the process answers; no dependency is touched."""
    return PlainTextResponse("ok")


async def metrics_endpoint(request: Request) -> Response:
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def create_app(settings: Settings | None = None, *, init_database: bool = True) -> Starlette:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)

    from schema import build_schema  # the app assembles the layers; server modules never do

    graphql_app = GraphQLApp(build_schema(settings), settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if init_database:
            await init_db(settings.database_url)
        log.info("scanbase %s started", VERSION)
        try:
            yield
        finally:
            if init_database:
                await close_db()

    max_multipart = (
        settings.max_upload_bytes * settings.max_files_per_request + settings.max_body_bytes
    )
    app = Starlette(
        debug=settings.debug,
        middleware=[
            Middleware(
                HttpMiddleware,
                cors_origins=settings.cors_origins,
                max_body_bytes=settings.max_body_bytes,
                max_multipart_bytes=max_multipart,
            )
        ],
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            Route("/health", health),
            Route("/health/ping", ping),
            Route("/metrics", metrics_endpoint),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.health_probes = {}
    return app


def __getattr__(name: str) -> Any:
    """`uvicorn server.app:app` builds the app on first access, not at import time."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
