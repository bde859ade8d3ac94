"""GraphQL errors with `extensions.code`, for what is not a domain error (auth, limits, input)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class UnauthenticatedError(GraphQLError):
    def __init__(self, message: str = "Authentication required.") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class ForbiddenError(GraphQLError):
    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class BadUserInputError(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


SERVICE_UNAVAILABLE_MESSAGE = "A service this request needs is unavailable; retry in a moment."


class ServiceUnavailableError(GraphQLError):
    """A dependency (database, Redis) is down: the same request may succeed in a moment."""

    def __init__(self, message: str = SERVICE_UNAVAILABLE_MESSAGE, **kwargs: Any) -> None:
        super().__init__(
            message, extensions={"code": "SERVICE_UNAVAILABLE", "retryable": True}, **kwargs
        )


# Error classes whose messages are safe to show even when internal errors are masked.
PUBLIC_ERRORS = (UnauthenticatedError, ForbiddenError, BadUserInputError)
