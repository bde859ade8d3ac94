"""One pure-ASGI middleware for every HTTP request: request id, access log, security headers,
CORS, body-size cap and HTTP metrics.

Pure ASGI (not BaseHTTPMiddleware) because it sits on the hot path of every request.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logging_setup import request_id_var
from server.metrics import HTTP_REQUESTS, labelled

log = logging.getLogger("scanbase.http")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# JSON and file responses never run scripts; GraphiQL (HTML) needs its CDN, so it is left alone.
STRICT_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
CORS_ALLOW_HEADERS = b"authorization, content-type, x-api-key, x-request-id, apollo-require-preflight, graphql-preflight"


class PayloadTooLarge(Exception):
    pass


def route_label(path: str) -> str:
    if path.startswith("/files/"):
        return "/files"
    if path in ("/graphql", "/health", "/health/ping", "/metrics"):
        return path
    return "other"


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cors_origins: Sequence[str],
        max_body_bytes: int,
        max_multipart_bytes: int,
    ) -> None:
        self.app = app
        self.cors_origins = {o.rstrip("/") for o in cors_origins}
        self.max_body_bytes = max_body_bytes
        self.max_multipart_bytes = max_multipart_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else secrets.token_hex(16)
        token = request_id_var.set(request_id)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
                return
            await self._http(scope, receive, send, headers, request_id)
        finally:
            request_id_var.reset(token)

    def _cors_headers(self, origin: bytes | None) -> list[tuple[bytes, bytes]]:
        if not origin or origin.decode("latin-1").rstrip("/") not in self.cors_origins:
            return []
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]

    async def _http(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        request_id: str,
    ) -> None:
        started = time.perf_counter()
        path: str = scope["path"]
        method: str = scope["method"]
        cors = self._cors_headers(headers.get(b"origin"))
        status_holder = [500]

        if method == "OPTIONS" and b"access-control-request-method" in headers:
            preflight = [
                *cors,
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", CORS_ALLOW_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
            await _plain(send, 204 if cors else 403, b"", preflight)
            self._finish(path, method, 204 if cors else 403, started)
            return

        is_multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_multipart_bytes if is_multipart else self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _json_error(send, 413, f"Request body is larger than {limit} bytes.", cors)
            self._finish(path, method, 413, started)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge()
            return message

        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder[0] = message["status"]
                extra = list(SECURITY_HEADERS) + cors + [(b"x-request-id", request_id.encode())]
                content_type = dict(message.get("headers") or []).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    extra.append(STRICT_CSP)
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except PayloadTooLarge:
            if not response_started:
                await _json_error(send, 413, f"Request body is larger than {limit} bytes.", cors)
            status_holder[0] = 413
        finally:
            self._finish(path, method, status_holder[0], started)

    @staticmethod
    def _finish(path: str, method: str, status: int, started: float) -> None:
        labelled(HTTP_REQUESTS, route_label(path), str(status)).inc()
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


async def _plain(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [*SECURITY_HEADERS, *headers]}
    )
    await send({"type": "http.response.body", "body": body})


async def _json_error(
    send: Send, status: int, message: str, cors: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps(
        {"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
    ).encode()
    await _plain(
        send,
        status,
        body,
        [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *cors,
        ],
    )
