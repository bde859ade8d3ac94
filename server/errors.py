"""The base of every domain's expected failures.

Services raise a subclass of `DomainError` with a code from the domain's enum; resolvers turn it
into the payload's `errors` list. Authentication and permission failures are not domain errors:
they are GraphQL errors with `extensions.code` (see `schema.core.permissions`).
"""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    def __init__(
        self,
        code: StrEnum,
        message: str,
        *,
        field: str | None = None,
        **details: object,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details


class NotAuthenticated(Exception):
    """No valid credentials for an operation that needs them."""


class Forbidden(Exception):
    """Valid credentials that may not do this."""
