"""Shared enums/scalars exposure and the helper that maps domain errors to payload errors."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, NewType, TypeVar

import strawberry

from schema.core.names import public_name, public_text
from server.errors import DomainError

ErrorT = TypeVar("ErrorT")
EnumT = TypeVar("EnumT", bound=type[Enum])


def described_enum(
    enum_class: EnumT, *, name: str, description: str, values: Mapping[str, str]
) -> EnumT:
    """Expose a service's enum (which knows nothing of GraphQL) with a description for the type
    and for each value, by member name; `strawberry.enum_value` needs the enum's own class body."""
    exposed = strawberry.enum(enum_class, name=name, description=description)
    definition = exposed.__strawberry_definition__  # type: ignore[attr-defined]
    unknown = set(values) - {value.name for value in definition.values}
    if unknown:
        raise ValueError(f"{name} has no value {', '.join(sorted(unknown))}")
    for value in definition.values:
        value.description = values.get(value.name)
    return exposed


def _big_int(value: Any) -> int:
    """A 64-bit signed integer from a JSON number or a string of digits."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt takes a whole number.")
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError("BigInt is out of the 64-bit range.")
    return number


# Counters that may outgrow GraphQL's Int (32-bit): loyalty points and balances. Strawberry's
# documented NewType scalar; pyright takes a NewType for a function here, hence the ignore.
BigInt = strawberry.scalar(  # pyright: ignore[reportCallIssue]
    NewType("BigInt", int),  # pyright: ignore[reportArgumentType]
    name="BigInt",
    description="A whole number up to 64 bits (GraphQL's Int stops at 2^31 - 1), sent as a JSON "
    "number: JavaScript clients read it exactly up to 2^53.",
    serialize=int,
    parse_value=_big_int,
)


def payload_error(error_type: type[ErrorT], exc: DomainError) -> ErrorT:
    """Build a domain's GraphQL error object from the service's exception."""
    fields: dict[str, Any] = {
        "field": public_name(exc.field),
        "code": exc.code,
        "message": public_text(exc.message),
    }
    for name in getattr(error_type, "__annotations__", {}):
        if name in exc.details:
            fields[name] = exc.details[name]
    return error_type(**fields)
