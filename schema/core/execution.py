"""A faster execution of plain leaf fields.

graphql-core builds a ResolveInfo, resolves and completes every field separately, ~10 µs each:
on a 50x5 page that is most of the request. A field that Strawberry itself marks as basic (no
resolver, no permission, no extension), of scalar or enum type, only reads an attribute and
serialises it; this execution context does exactly that for those fields, and falls back to the
full path for everything else, including a null in a non-null field or a serialisation error,
so results and errors stay those of graphql-core.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_NO_PLAN = object()
# id(GraphQLField) -> (attribute name, serialize) or _NO_PLAN; fields live as long as the schema.
_plans: dict[int, Any] = {}


def _unwrap(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def _list_serializer(serialize: Any) -> Any:
    def serialize_list(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            return Undefined
        out = [serialize(value) for value in values]
        # a null item in a list of non-null items is an error: let graphql-core report it
        return Undefined if any(item is None or item is Undefined for item in out) else out

    return serialize_list


def _plan_for(field_def: Any) -> Any:
    plan = _plans.get(id(field_def))
    if plan is not None:
        return plan
    plan = _NO_PLAN
    resolve = field_def.resolve
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if (
        resolve is not None
        and getattr(resolve, "_is_default", False)
        and definition is not None
        and not field_def.args
    ):
        leaf = _unwrap(field_def.type)
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            plan = (definition.python_name, leaf.serialize)
        elif isinstance(leaf, GraphQLList):
            item = leaf.of_type
            # a list of non-null leaves (e.g. `scopes: [String!]!`): serialise each item
            if isinstance(item, GraphQLNonNull) and isinstance(
                item.of_type, GraphQLScalarType | GraphQLEnumType
            ):
                plan = (definition.python_name, _list_serializer(item.of_type.serialize))
    _plans[id(field_def)] = plan
    return plan


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        if field_def is not None:
            plan = _plan_for(field_def)
            if plan is not _NO_PLAN:
                value = getattr(source, plan[0], None)
                if value is not None:
                    try:
                        serialized = plan[1](value)
                    except Exception:
                        serialized = Undefined
                    if serialized is not Undefined and serialized is not None:
                        return serialized
                elif not isinstance(field_def.type, GraphQLNonNull):
                    return None
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
