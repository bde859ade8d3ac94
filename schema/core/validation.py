"""One declarative input-validation layer for every argument of every field, in every domain.

`install(graphql_schema)` (called by `build_schema`) wraps the resolver (and subscriber) of each
field that takes arguments, so the arguments are checked after GraphQL coerced them and before
any permission class, resolver or service sees them. A new area inherits it without a line of
code. The rules follow the argument's declared GraphQL type, through input objects and lists:

- every String and ID: no NUL character, no unpaired surrogate (neither can be stored in
  PostgreSQL text), and at most `DEFAULT_MAX_LENGTH` characters unless the input field or
  argument declares another limit: `strawberry.field(metadata=constraint(max_length=254))`,
  or `Annotated[str, strawberry.argument(metadata=...)]`; `EMAIL` is the one for addresses;
- every Decimal: finite, below 10^15 in magnitude and with at most 12 decimal places, so that
  `1e999999`, `NaN` or `1e-999999` never reach arithmetic or a DECIMAL column;
- every Float: finite.

A violation is a BAD_USER_INPUT GraphQL error whose `extensions.field` is the path of the
offending value in GraphQL names (`input.items[2].name`), also named in the message.

`with_code` gives GraphQL's own errors (syntax, document validation, variable coercion) their
`extensions.code`, so that every error a client sees carries one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
)
from graphql.execution import default_field_resolver
from graphql.pyutils import Undefined

from schema.core.errors import BadUserInputError

VALIDATION = "scanbase.validation"
DEFINITION = "strawberry-definition"  # Strawberry's back-reference from graphql-core objects
DEFAULT_MAX_LENGTH = 1000
DECIMAL_MAX = Decimal(10) ** 15
DECIMAL_MAX_PLACES = 12


@dataclass(frozen=True, slots=True)
class Constraint:
    """Declared limits of one input field or argument (strings: characters)."""

    max_length: int = DEFAULT_MAX_LENGTH


def constraint(*, max_length: int = DEFAULT_MAX_LENGTH) -> dict[str, Constraint]:
    """Field metadata declaring limits other than the defaults."""
    return {VALIDATION: Constraint(max_length=max_length)}


# RFC 5321: a path (and so an address) is at most 254 characters.
EMAIL = constraint(max_length=254)
DEFAULT = Constraint()


class InvalidInputError(BadUserInputError):
    """BAD_USER_INPUT naming the offending value's path in `extensions.field`."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.extensions = {**(self.extensions or {}), "field": field}


def _constraint_of(argument_or_field: Any) -> Constraint:
    """What the Strawberry definition behind a graphql-core argument or input field declares."""
    extensions = getattr(argument_or_field, "extensions", None) or {}
    definition = extensions.get(DEFINITION)
    metadata = getattr(definition, "metadata", None) or {}
    return metadata.get(VALIDATION, DEFAULT)


def _check_text(value: str, path: str, rule: Constraint) -> None:
    if "\x00" in value:
        raise InvalidInputError(path, "must not contain NUL characters.")
    if len(value) > rule.max_length:
        raise InvalidInputError(path, f"must have at most {rule.max_length} characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(path, "must be valid Unicode text.") from exc


def _check_decimal(value: Decimal, path: str) -> None:
    if not value.is_finite():
        raise InvalidInputError(path, "must be a finite number.")
    if abs(value) >= DECIMAL_MAX:
        raise InvalidInputError(path, "must be below 10^15 in magnitude.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DECIMAL_MAX_PLACES:
        raise InvalidInputError(path, f"must have at most {DECIMAL_MAX_PLACES} decimal places.")


def check_value(value: Any, graphql_type: Any, path: str, rule: Constraint = DEFAULT) -> None:
    """Check one coerced value against the rules of its declared type (see module docstring)."""
    if value is None or value is Undefined:
        return
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if isinstance(graphql_type, GraphQLList):
        for index, item in enumerate(value):
            check_value(item, graphql_type.of_type, f"{path}[{index}]", rule)
        return
    if isinstance(graphql_type, GraphQLInputObjectType):
        for name, field in graphql_type.fields.items():
            key = field.out_name or name
            # A dict as graphql-core coerces it; an object for a type with its own out_type.
            item = value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)
            check_value(item, field.type, f"{path}.{name}", _constraint_of(field))
        return
    if isinstance(value, str):
        _check_text(value, path, rule)
    elif isinstance(value, Decimal):
        _check_decimal(value, path)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(path, "must be a finite number.")


def check_arguments(args: dict[str, GraphQLArgument], values: dict[str, Any]) -> None:
    for name, argument in args.items():
        key = argument.out_name or name
        if key in values:
            check_value(values[key], argument.type, name, _constraint_of(argument))


def _validating(function: Callable[..., Any], args: dict[str, GraphQLArgument]) -> Callable:
    def validating(source: Any, info: Any, **kwargs: Any) -> Any:
        check_arguments(args, kwargs)
        return function(source, info, **kwargs)

    # A plain wrapper serves async resolvers too: graphql-core awaits whatever it returns.
    validating.__wrapped__ = function  # type: ignore[attr-defined]
    return validating


def install(schema: GraphQLSchema) -> GraphQLSchema:
    """Wrap every field that takes arguments (queries, mutations, subscriptions and nested
    fields alike) so its arguments are validated first. Idempotent."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            _install_field(field)
    return schema


def _install_field(field: GraphQLField) -> None:
    if not field.args or getattr(field, "_scanbase_validated", False):
        return
    field.resolve = _validating(field.resolve or default_field_resolver, field.args)
    if field.subscribe is not None:
        field.subscribe = _validating(field.subscribe, field.args)
    field._scanbase_validated = True  # type: ignore[attr-defined]


def with_code(error: GraphQLError) -> GraphQLError:
    """The error with an `extensions.code`: GRAPHQL_PARSE_FAILED for syntax errors, BAD_USER_INPUT
    for values that do not fit their type (variables and literals), GRAPHQL_VALIDATION_FAILED
    for the other document errors. Errors that have a code keep it."""
    if (error.extensions or {}).get("code") or (
        error.original_error is not None and not isinstance(error.original_error, GraphQLError)
    ):
        return error
    message = error.message
    if isinstance(error, GraphQLSyntaxError) or message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif message.startswith(("Variable '$", "Expected value of type")):
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    error.extensions = {**(error.extensions or {}), "code": code}
    return error
