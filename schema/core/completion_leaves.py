"""Compiled completion, leaves: how a *basic* field (no resolver, no extension, so no
permission: it only reads an attribute) of leaf type is read and serialised without graphql-core's
per-field machinery, and which fields a parent resolver may have prefetched.

A leaf plan is `(attribute, serialize)`, cached per GraphQLField; String and ID values that are
already `str` skip the serialiser call. Used by `schema.core.compiled_completion`.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLScalarType
from graphql.pyutils import Undefined
from graphql.type.scalars import serialize_id, serialize_string

NO_PLAN = object()
# id(GraphQLField) -> (the field, kept alive so its id is never reused; (attribute, serialize)
# or NO_PLAN).
_leaf_plans: dict[int, tuple[Any, Any]] = {}

PREFETCHED = "scanbase.prefetched"


def prefetched(attribute: str) -> dict[str, str]:
    """Field metadata: a parent resolver may load this list into `attribute` beforehand; the
    fast path then serves it from there, skipping the resolver *and its permission classes*.
    So only a resolver that enforced the same permission may fill the attribute; while it is
    None the resolver runs as usual."""
    return {PREFETCHED: attribute}


def is_text(graphql_type: Any) -> bool:
    """String, ID (Strawberry's own ID scalar too): serialising a str returns it unchanged."""
    serialize = getattr(graphql_type, "serialize", None)
    return serialize is serialize_string or serialize is serialize_id


def unwrap(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def basic_field(field_def: Any) -> Any:
    """The Strawberry field behind `field_def` when it only reads an attribute, else None."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or field_def.args or not definition.is_basic_field:
        return None
    return definition


def prefetched_attribute(field_def: Any) -> str | None:
    """The attribute a parent resolver may have prefetched this field into, else None."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or field_def.args:
        return None
    return (definition.metadata or {}).get(PREFETCHED)


def _serializer(scalar: Any) -> Any:
    """The scalar's serialize; for String and ID, a str is returned as is without the call."""
    serialize = scalar.serialize
    if not is_text(scalar):
        return serialize

    def serialize_text(value: Any) -> Any:
        return value if value.__class__ is str else serialize(value)

    return serialize_text


def _list_serializer(scalar: Any) -> Any:
    """Serialise a list of non-null leaves; Undefined (graphql-core then reports it) for
    anything else than a list, or for a null item."""
    serialize = scalar.serialize
    text = is_text(scalar)

    def serialize_list(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            return Undefined
        if text:  # serialize_string and serialize_id never return None: they raise
            return [value if value.__class__ is str else serialize(value) for value in values]
        out = [serialize(value) for value in values]
        return Undefined if any(item is None or item is Undefined for item in out) else out

    return serialize_list


def leaf_plan(field_def: Any) -> Any:
    """(attribute, serialize) for a basic field of leaf type (or list of leaves), else NO_PLAN."""
    cached = _leaf_plans.get(id(field_def))
    if cached is not None:
        return cached[1]
    plan: Any = NO_PLAN
    definition = basic_field(field_def)
    if definition is not None:
        leaf = unwrap(field_def.type)
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            plan = (definition.python_name, _serializer(leaf))
        elif isinstance(leaf, GraphQLList):
            item = leaf.of_type
            # a list of non-null leaves (e.g. `scopes: [String!]!`): serialise each item
            if isinstance(item, GraphQLNonNull) and isinstance(
                item.of_type, GraphQLScalarType | GraphQLEnumType
            ):
                plan = (definition.python_name, _list_serializer(item.of_type))
    _leaf_plans[id(field_def)] = (field_def, plan)
    return plan
