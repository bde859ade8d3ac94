"""Permission classes for fields: authenticated, admin, API-key scope."""

from __future__ import annotations

from typing import Any

from strawberry import Info
from strawberry.permission import BasePermission

from schema.core.errors import ForbiddenError, UnauthenticatedError


class IsAuthenticated(BasePermission):
    message = "Authentication required."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return await current_user(info) is not None


class IsAdmin(BasePermission):
    message = "Administrators only."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = await require_user(info)
        # An API key never carries admin rights, whatever its owner's role.
        return user.is_admin and await info.context.api_key() is None


async def current_user(info: Info) -> Any:
    """The caller or None when anonymous; credentials that are present but invalid (expired,
    tampered, revoked) raise UNAUTHENTICATED so the client knows to refresh or sign in again."""
    user = await info.context.user()
    if user is None and info.context.has_credentials():
        raise UnauthenticatedError("Invalid or expired credentials.")
    return user


async def require_user(info: Info) -> Any:
    """The caller, or an UNAUTHENTICATED error; for resolvers that need the user object."""
    user = await current_user(info)
    if user is None:
        raise UnauthenticatedError()
    return user


async def require_scope(info: Info, scope: str) -> Any:
    """The caller; an API key must carry `scope` (a user's own token may do everything)."""
    user = await require_user(info)
    key = await info.context.api_key()
    if key is not None and scope not in key.scopes:
        raise ForbiddenError(f"This API key lacks the '{scope}' scope.")
    return user
