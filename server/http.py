"""One pure-ASGI middleware for every HTTP request: client address, request id, access log,
security headers, CORS, body-size cap and HTTP metrics.

Pure ASGI (not BaseHTTPMiddleware) because it sits on the hot path of every request.

The client address: behind a load balancer every connection comes from the balancer, so the
address that login throttling and logs use is read from X-Forwarded-For, but only the hops that
TRUSTED_PROXIES lists are believed: the header is read from the right (each proxy appends the
address it saw), skipping trusted hops, and the first untrusted one is the client. Anything a
client writes further left is ignored. `scope["client"]` is rewritten here, before anything
reads it (Context.ip, logs), for HTTP and websockets alike; uvicorn's own proxy-header handling
is off so that this setting is the only one.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http.websocket_origin import normalize_allowed_origins, normalize_origin

from server.logging_setup import request_id_var
from server.metrics import HTTP_REQUESTS, labelled

log = logging.getLogger("scanbase.http")

_REQUEST_ID_RE = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# JSON and file responses never run scripts; GraphiQL (HTML) sets its own CSP (server/graphiql.py).
STRICT_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_STRICT_CSP = (STRICT_CSP,)
# What browsers may send cross-origin: ours, plus what Apollo Client and urql add.
CORS_ALLOW_HEADERS = b", ".join(
    (
        b"authorization",
        b"content-type",
        b"x-api-key",
        b"x-request-id",
        b"graphql-preflight",
        b"apollo-require-preflight",
        b"x-apollo-operation-name",
        b"apollographql-client-name",
        b"apollographql-client-version",
    )
)
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class PayloadTooLarge(Exception):
    pass


def route_label(path: str) -> str:
    if path.startswith("/files/"):
        return "/files"
    if path in ("/graphql", "/health", "/health/ping", "/metrics"):
        return path
    return "other"


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES entries (addresses or CIDRs) as networks; ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or CIDR") from exc
    return tuple(networks)


class TrustedProxies:
    """Who the client is, given the peer address and X-Forwarded-For (see the module doc)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = parse_networks(entries)
        self.trusts = lru_cache(maxsize=4096)(self._trusts)

    def _trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address: the rightmost X-Forwarded-For hop that is not a trusted proxy
        (or the leftmost when every hop is trusted), when `peer` itself is trusted."""
        if not self.networks or not forwarded_for or not self.trusts(peer):
            return peer
        hops = [_host_only(hop) for hop in forwarded_for.split(",")]
        hops = [hop for hop in hops if hop]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer


def _host_only(hop: str) -> str:
    """An X-Forwarded-For entry without its port: "1.2.3.4:5", "[::1]:5", "::1" -> the address."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1 : hop.find("]")] if "]" in hop else ""
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop[:64]


@dataclass(frozen=True)
class Shortcut:
    """A request `accepts` takes (for `path`, served at the root) goes straight to `app`, not
    through the rest of the stack (Starlette's exception middleware and router): for the hot
    path (JSON POSTs to /graphql), whose app raises no HTTPException for those to handle and is
    the app the router would pick. Everything this middleware does applies to it as before."""

    path: str
    accepts: Callable[[Scope], bool]
    app: ASGIApp


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cors_origins: Sequence[str],
        max_body_bytes: int,
        max_multipart_bytes: int,
        trusted_proxies: Sequence[str] = ("127.0.0.1", "::1"),
        shortcut: Shortcut | None = None,
    ) -> None:
        self.app = app
        self.shortcut = shortcut
        # Normalised as browsers send Origin (lowercase, no default port); Strawberry's websocket
        # check is given the same list, so HTTP and subscriptions accept the same origins.
        self.cors_origins = normalize_allowed_origins(cors_origins)
        self.max_body_bytes = max_body_bytes
        self.max_multipart_bytes = max_multipart_bytes
        self.proxies = TrustedProxies(trusted_proxies)
        # Origins come from clients: a bounded cache of the verdicts.
        self._allowed_origin = lru_cache(maxsize=1024)(self._origin_allowed)
        # (path, status) -> the requests counter's child (a bounded cache, see _finish).
        self._counters: dict[tuple[str, int], Any] = {}

    def _resolve_client(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        client = scope.get("client")
        forwarded = headers.get(b"x-forwarded-for")
        if not client or forwarded is None or not self.proxies.trusts(client[0]):
            return
        host = self.proxies.client(client[0], forwarded.decode("latin-1"))
        if host != client[0]:
            scope["client"] = (host, 0)
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        if b"x-forwarded-for" in headers and self.proxies.networks:
            self._resolve_client(scope, headers)
        incoming = headers.get(b"x-request-id")
        if incoming is not None and _REQUEST_ID_RE.match(incoming):
            request_id = incoming.decode("latin-1")
        else:
            request_id = secrets.token_hex(16)
            incoming = request_id.encode()
        token = request_id_var.set(request_id)
        try:
            if kind == "websocket":
                await self.app(scope, receive, send)
                return
            await self._http(scope, receive, send, headers, incoming)
        finally:
            request_id_var.reset(token)

    def _cors_headers(self, origin: bytes | None) -> list[tuple[bytes, bytes]]:
        if not origin or not self.cors_origins:
            return []
        if "*" not in self.cors_origins and not self._allowed_origin(origin):
            return []
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]

    def _origin_allowed(self, origin: bytes) -> bool:
        return normalize_origin(origin.decode("latin-1")) in self.cors_origins

    async def _http(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        request_id: bytes,
    ) -> None:
        started = time.perf_counter()
        method: str = scope["method"]
        origin = headers.get(b"origin")
        cors = self._cors_headers(origin) if origin else []

        if method == "OPTIONS" and b"access-control-request-method" in headers:
            preflight = [
                *cors,
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", CORS_ALLOW_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
            await _plain(send, 204 if cors else 403, b"", preflight)
            self._finish(scope, method, 204 if cors else 403, started)
            return

        content_type = headers.get(b"content-type")
        if content_type is not None and content_type.startswith(b"multipart/"):
            limit = self.max_multipart_bytes
        else:
            limit = self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _json_error(send, 413, f"Request body is larger than {limit} bytes.", cors)
            self._finish(scope, method, 413, started)
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

        # Added to every response: the security headers, CORS, the request id (and the strict
        # CSP unless the response is HTML), after the response's own headers.
        extra = [*SECURITY_HEADERS, *cors, (b"x-request-id", request_id)]
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal response_started, status
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                own = message.get("headers") or []
                content_type = b""
                for name, value in own:
                    if name == b"content-type":
                        content_type = value  # the last one, as a dict of the headers keeps
                html = content_type.startswith(b"text/html")  # GraphiQL sets its own CSP
                message = {**message, "headers": [*own, *extra, *(() if html else _STRICT_CSP)]}
            await send(message)

        app = self.app
        shortcut = self.shortcut
        if (
            shortcut is not None
            and scope["path"] == shortcut.path
            and not scope.get("root_path")
            and shortcut.accepts(scope)
        ):
            app = shortcut.app
        try:
            await app(scope, limited_receive, send_wrapper)
        except PayloadTooLarge:
            if not response_started:
                await _json_error(send, 413, f"Request body is larger than {limit} bytes.", cors)
            status = 413
        finally:
            self._finish(scope, method, status, started)

    def _finish(self, scope: Scope, method: str, status: int, started: float) -> None:
        path: str = scope["path"]
        key = (path, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = labelled(HTTP_REQUESTS, route_label(path), str(status))
            if len(self._counters) < 1024:  # paths come from clients: a bounded cache
                self._counters[key] = counter
        counter.inc()
        if log.isEnabledFor(logging.INFO):
            client = scope.get("client")
            log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "client": client[0] if client else None,
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
