"""create_app(): the Starlette application: /graphql, /health, /health/ping, /metrics."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from tortoise import connections

from schema.core.http_executor import JsonPostExecutor, RequestError
from server import metrics
from server.context import Context
from server.db import close_db, init_db
from server.files.download import download
from server.files.services import blob_stores, close_blob_store
from server.graphiql import ASSETS_PATH, graphiql_assets, graphiql_page
from server.http import HttpMiddleware, Shortcut
from server.jobs.runtime import job_runtime
from server.logging_setup import configure_logging
from server.security.throttle import close_attempt_counters
from server.settings import VERSION, Settings, get_settings

log = logging.getLogger("scanbase.app")


PREFLIGHT_HEADERS = ("graphql-preflight", "apollo-require-preflight", "x-apollo-operation-name")


def tune_gc() -> None:
    """Once started: move everything alive (modules, schema, ORM metadata: most objects the
    process will ever hold) out of the collector's sight with gc.freeze(), and collect the
    youngest generation every 10,000 allocations instead of 700. A list page allocates tens of
    thousands of short-lived objects; with the defaults the collector ran dozens of times per
    page and rescanned the whole heap in full collections (a fifth of the CPU of a 50x5 page)."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(10_000, gen1, gen2)


def encode_json(body: Any) -> bytes:
    """A response body: orjson (several times faster on list pages), json for what it refuses
    (integers beyond 64 bits); any other type as its str(), as before."""
    try:
        return orjson.dumps(body, default=str, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(body, default=str).encode()


def capped_response(payload: bytes, limit: int) -> bytes:
    """A response body over MAX_RESPONSE_BYTES is replaced by a RESPONSE_TOO_LARGE error: the
    cost limit bounds how many values a query asks for, this bounds how big they may be."""
    if len(payload) <= limit:
        return payload
    message = (
        f"The response would be {len(payload)} bytes; the limit is {limit}."
        " Ask for fewer items (smaller `first`) or fewer fields."
    )
    error = {"message": message, "extensions": {"code": "RESPONSE_TOO_LARGE", "limit": limit}}
    return orjson.dumps({"data": None, "errors": [error]})


def _content_type(scope: Scope) -> bytes:
    """The request's (first) Content-Type header, as Starlette's `request.headers` reads it."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value
    return b""


async def read_body(receive: Receive) -> bytes:
    """The whole request body, as Starlette's `request.body()` reads it (ClientDisconnect when
    the client goes away), without its async generator."""
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        return message.get("body", b"")  # the usual case: one message
    chunks: list[bytes] = []
    while True:
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()
        message = await receive()


def _bad_request(message: str, code: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=400
    )


class GraphQLApp(GraphQL):
    """Strawberry's ASGI app with our Context, websocket auth and JSON error bodies."""

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=15,
            multipart_uploads_enabled=True,
            # Subscriptions accept the origins HTTP does (CORS_ORIGINS); same-origin pages and
            # non-browser clients (no Origin header) always may connect.
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.executor = JsonPostExecutor(schema._schema, settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self.lean(scope):
            await self.json_post(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        if request.headers.get("content-type", "").startswith("multipart/"):
            refusal = await self._check_multipart(request)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # Strawberry answers protocol errors in plain text; clients parse JSON.
            response = JSONResponse(
                {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_REQUEST"}}]},
                status_code=exc.status_code,
            )
        await response(scope, receive, send)

    def lean(self, scope: Scope) -> bool:
        """An HTTP request the lean path serves: a JSON POST (with FAST_EXECUTION)."""
        return (
            self.settings.fast_execution
            and scope["method"] == "POST"
            and _content_type(scope).startswith(b"application/json")
        )

    async def _check_multipart(self, request: Request) -> Response | None:
        """Uploads: a preflight header is required (a plain HTML form cannot set one, so a
        cross-site form post cannot upload: CSRF), and the form is parsed here with the
        files-per-request cap; Strawberry then reuses the parsed form."""
        headers = request.headers
        if not any(headers.get(name) for name in PREFLIGHT_HEADERS):
            return _bad_request(
                "Multipart requests need a 'graphql-preflight: 1' (or 'apollo-require-preflight') header.",
                "CSRF_PREFLIGHT_REQUIRED",
            )
        try:
            await request.form(max_files=self.settings.max_files_per_request, max_fields=100)
        except (MultiPartException, StarletteHTTPException) as exc:
            message = (
                getattr(exc, "message", None)
                or str(getattr(exc, "detail", ""))
                or "malformed multipart body"
            )
            code = "TOO_MANY_FILES" if "files" in message.lower() else "BAD_REQUEST"
            return _bad_request(f"Invalid upload request: {message}", code)
        return None

    async def json_post(self, scope: Scope, receive: Receive, send: Send) -> None:
        """JSON POSTs (queries and mutations; subscriptions are refused: websocket only).
        The hot path: the body is read and the response sent here, without Starlette's body
        stream or Response objects (same messages, same headers)."""
        request = Request(scope=scope, receive=receive)
        request._body = body = await read_body(receive)  # request.body() still answers it
        status = 200
        try:
            query, variables, operation_name = self.executor.parse_body(body)
            context = await self.get_context(request, None)
            result = await self.executor.run(query, variables, operation_name, context)
        except RequestError as exc:
            error = {"errors": [{"message": str(exc), "extensions": {"code": "BAD_REQUEST"}}]}
            payload = json.dumps(error).encode()
            status = 400
        else:
            payload = capped_response(encode_json(result), self.settings.max_response_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def encode_json(self, data: object) -> str | bytes:
        """Strawberry's path (GET, multipart): the same response size cap as the JSON path.
        Text stays text: websocket messages go out as text frames only when this returns str
        (browsers' graphql-ws cannot read binary frames)."""
        encoded = super().encode_json(data)
        if isinstance(encoded, str):
            return capped_response(encoded.encode(), self.settings.max_response_bytes).decode()
        return capped_response(encoded, self.settings.max_response_bytes)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page: every asset from this server (see server/graphiql.py)."""
        return graphiql_page()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        # Starlette's State keeps its values in a dict; reading it directly spares two
        # __getattr__ calls per request (the lifespan sets both; a bare app has neither).
        values: dict[str, Any] = request.app.state._state
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            queue=values.get("queue"),
            events=values.get("events"),
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate from the connection_init payload; wrong credentials close with 4403."""
        if context.connection_params is not None and not isinstance(
            context.connection_params, dict
        ):
            raise ConnectionRejectionError({"message": "connection_init payload must be an object"})
        if context.has_credentials() and not await context.is_signed_in():
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


async def ocr_health() -> dict[str, str | None]:
    """Each OCR engine with its version; an engine that is not installed reports null."""
    from server.ocr import available_engines

    engines = available_engines()
    if not any(engines.values()):
        raise RuntimeError("no OCR engine available")
    return engines


async def ping(request: Request) -> PlainTextResponse:
    """Liveness: the process answers; no dependency is touched."""
    return PlainTextResponse("ok")


async def metrics_endpoint(request: Request) -> Response:
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def create_app(settings: Settings | None = None, *, init_database: bool = True) -> Starlette:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)

    # app.py is the composition root: the one server module that sees schema.
    from schema import build_schema

    graphql_app = GraphQLApp(build_schema(settings), settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if init_database:
            await init_db(settings.database_url)
        try:
            # In-process mode this process runs the jobs, so it also recovers them after a crash;
            # with REDIS_URL the workers do.
            recover = init_database and not settings.redis_url
            async with job_runtime(settings, recover=recover) as jobs:
                app.state.queue, app.state.events = jobs.queue, jobs.events
                app.state.health_probes.update(
                    queue=jobs.queue.ping,
                    events=jobs.events.ping,
                    storage=blob_stores().health,  # every named store answers
                    ocr=ocr_health,
                )
                log.info("scanbase %s started (jobs: %s)", VERSION, jobs.queue.name)
                for warning in settings.deployment_warnings():
                    log.warning(warning)
                tune_gc()
                yield
        finally:
            await close_attempt_counters()
            if init_database:
                await close_blob_store()
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
                trusted_proxies=settings.trusted_proxies,
                # JSON POSTs to /graphql skip Starlette's routing: the route's app serves them.
                shortcut=Shortcut("/graphql", graphql_app.lean, graphql_app.json_post),
            )
        ],
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            *([Mount(ASSETS_PATH, graphiql_assets())] if settings.graphiql else []),
            Route("/health", health),
            Route("/health/ping", ping),
            Route("/metrics", metrics_endpoint),
            Route("/files/{token}", download, methods=["GET", "HEAD"]),
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
