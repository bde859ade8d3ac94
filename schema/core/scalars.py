"""Shared enums/scalars exposure and the helper that maps domain errors to payload errors."""

from __future__ import annotations

from typing import Any, TypeVar

from server.errors import DomainError

ErrorT = TypeVar("ErrorT")


def payload_error(error_type: type[ErrorT], exc: DomainError) -> ErrorT:
    """Build a domain's GraphQL error object from the service's exception."""
    fields: dict[str, Any] = {"field": exc.field, "code": exc.code, "message": exc.message}
    for name in getattr(error_type, "__annotations__", {}):
        if name in exc.details:
            fields[name] = exc.details[name]
    return error_type(**fields)
