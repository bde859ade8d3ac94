"""The typed per-request Context: who is calling, and the request-scoped DataLoaders.

Authentication is lazy: a request that never asks who the caller is (`{ __typename }`, GraphiQL
assets, introspection, public fields) pays no database round-trip, and the user is fetched at
most once per request. `actor()` is the caller as permission rules see it (server/access.py).
The Context is also what the websocket handler fills from `connection_init`
(`connection_params`). `queue` and `events` are this process's job queue and events broker, for
resolvers that enqueue or follow jobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from server.access import Actor, actor_for
from server.accounts import services as accounts
from server.accounts.models import ApiKey, User
from server.events import EventBroker
from server.queue import JobQueue
from server.settings import Settings

T = TypeVar("T")
_UNSET: Any = object()


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    connection_params: dict[str, Any] | None = None
    # This process's job queue and events broker (None when the app runs without its lifespan).
    queue: JobQueue | None = None
    events: EventBroker | None = None
    _user: Any = _UNSET
    _api_key: ApiKey | None = None
    _actor: Actor | None = None
    _auth_lock: asyncio.Lock | None = None
    _loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def ip(self) -> str:
        """The client's address, with X-Forwarded-For already resolved against TRUSTED_PROXIES
        by the HTTP middleware (server/http.py), so throttling counts the real client."""
        client = self.request.client
        return client.host if client else "unknown"

    def _credentials(self) -> tuple[str | None, str | None]:
        """(bearer token, api key) from HTTP headers, or from the websocket init payload."""
        if self.connection_params is not None:
            params = self.connection_params
            auth = str(params.get("Authorization") or params.get("authorization") or "")
            api_key = params.get("X-API-Key") or params.get("apiKey")
        else:
            auth = self.request.headers.get("authorization", "")
            api_key = self.request.headers.get("x-api-key")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        return token or None, (str(api_key) if api_key else None)

    async def user(self) -> User | None:
        """The authenticated user (a user's API key acts as its owner), or None (anonymous, or a
        company's key: see `actor()`); looked up once per request, also when sibling fields
        resolving concurrently ask at the same time."""
        if self._user is _UNSET:
            if self._auth_lock is None:
                self._auth_lock = asyncio.Lock()
            async with self._auth_lock:
                if self._user is _UNSET:
                    self._user = await self._authenticate()
        return self._user

    async def _authenticate(self) -> User | None:
        token, api_key = self._credentials()
        if token:
            return await accounts.user_for_access_token(token)
        if api_key:
            self._api_key = key = await accounts.api_key_for_header(api_key)
            # A company's key acts for the company, never as the user who created it.
            return key.owner if key is not None and key.company_id is None else None
        return None

    async def api_key(self) -> ApiKey | None:
        await self.user()
        return self._api_key

    async def actor(self) -> Actor:
        """Who is calling and with which scopes (anonymous when the credentials are missing or
        invalid: `has_credentials` tells the two apart); made once per request."""
        if self._actor is None:
            self._actor = actor_for(await self.user(), self._api_key)
        return self._actor

    async def is_signed_in(self) -> bool:
        """A valid user token or API key (a company's key included) came with the request."""
        return (await self.actor()).is_authenticated

    def has_credentials(self) -> bool:
        return any(self._credentials())

    def loader(self, name: str, factory: Callable[[], T]) -> T:
        """A DataLoader made once per request, so batching never leaks data across callers."""
        existing = self._loaders.get(name)
        if existing is None:
            existing = self._loaders[name] = factory()
        return existing
