"""A faster execution of plain fields: leaves, and whole subtrees of plain objects.

graphql-core executes every field alone: it builds a ResolveInfo, calls the resolver, completes
the value and, for objects, collects and executes each subfield again, ~10 µs per field. On a
50x5 page that is most of the request. Strawberry marks a field *basic* when it has no resolver
and no extension (so no permission): it only reads an attribute. This execution context:

- serialises a basic leaf field (scalar, enum, or list of them) straight from the attribute;
- completes an object, or a list of objects, whose selected fields are all basic (leaves and,
  recursively, such objects) with one compiled plan per selection: a loop that reads attributes
  and builds the result dicts, without per-field machinery.

A field with a resolver runs through graphql-core, except a list of objects marked
`prefetched(attribute)`: when a parent resolver has already loaded it into that attribute (after
checking the field's permission itself), the plan reads the attribute like a basic field.

Anything it is not sure of (a null in a non-null position, a serialisation error, an object of
another class than the type's own, a field with a resolver or a permission) makes it fall back to
graphql-core's own path for that field, list or object, so results and errors stay graphql-core's.
Reading attributes of Strawberry objects has no side effects, so redoing the work is safe.
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
_leaf_plans: dict[int, Any] = {}

# Kinds of field in an object plan.
_TYPENAME, _LEAF, _OBJECT, _OBJECT_LIST = range(4)


PREFETCHED = "scanbase.prefetched"


def prefetched(attribute: str) -> dict[str, str]:
    """Field metadata: a parent resolver may load this list into `attribute` beforehand; the
    fast path then serves it from there, skipping the resolver *and its permission classes*.
    So only a resolver that enforced the same permission may fill the attribute; while it is
    None the resolver runs as usual."""
    return {PREFETCHED: attribute}


class _Fallback(Exception):
    """The compiled path met something only graphql-core's full path handles correctly."""


def _unwrap(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def _is_basic(field_def: Any) -> Any:
    """The Strawberry field behind `field_def` when it only reads an attribute, else None."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or field_def.args or not definition.is_basic_field:
        return None
    return definition


def _prefetched(field_def: Any) -> str | None:
    """The attribute a parent resolver may have prefetched this field into, else None."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or field_def.args:
        return None
    return (definition.metadata or {}).get(PREFETCHED)


def _list_serializer(serialize: Any) -> Any:
    def serialize_list(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            return Undefined
        out = [serialize(value) for value in values]
        # a null item in a list of non-null items is an error: let graphql-core report it
        return Undefined if any(item is None or item is Undefined for item in out) else out

    return serialize_list


def _leaf_plan(field_def: Any) -> Any:
    """(attribute, serialize) for a basic field of leaf type (or list of leaves), else _NO_PLAN."""
    plan = _leaf_plans.get(id(field_def))
    if plan is not None:
        return plan
    plan = _NO_PLAN
    definition = _is_basic(field_def)
    if definition is not None:
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
    _leaf_plans[id(field_def)] = plan
    return plan


class _ObjectPlan:
    """How to complete one selection on objects of one class: a tuple of field steps
    (response key, kind, attribute, serialize or sub-plan, non-null, items non-null)."""

    __slots__ = ("classes", "steps")

    def __init__(self, classes: frozenset[type], steps: tuple[Any, ...]) -> None:
        self.classes = classes
        self.steps = steps

    def run(self, source: Any) -> dict[str, Any]:
        if source.__class__ not in self.classes:
            raise _Fallback
        out: dict[str, Any] = {}
        for key, kind, attr, how, non_null, items_non_null in self.steps:
            if kind is _TYPENAME:
                out[key] = attr
                continue
            value = getattr(source, attr)
            if value is None:
                if non_null:
                    raise _Fallback
                out[key] = None
            elif kind is _LEAF:
                serialized = how(value)
                if serialized is None or serialized is Undefined:
                    raise _Fallback
                out[key] = serialized
            elif kind is _OBJECT:
                out[key] = how.run(value)
            else:
                out[key] = how.run_list(value, items_non_null)
        return out

    def run_list(self, values: Any, items_non_null: bool) -> list[Any]:
        if not isinstance(values, list | tuple):
            raise _Fallback
        run = self.run
        if items_non_null:
            return [run(value) for value in values]
        return [None if value is None else run(value) for value in values]


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (id(object type), id(field details list)) -> (the list, kept alive, plan or None);
        # per execution, because @skip/@include may depend on this request's variables.
        self._object_plans: dict[tuple[int, int], tuple[Any, _ObjectPlan | None]] = {}

    def _object_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        key = (id(object_type), id(field_details_list))
        cached = self._object_plans.get(key)
        if cached is not None:
            return cached[1]
        plan = self._compile(object_type, field_details_list)
        self._object_plans[key] = (field_details_list, plan)
        return plan

    def _compile(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        definition = (object_type.extensions or {}).get("strawberry-definition")
        if definition is None:
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        steps = []
        for response_key, sub_details in grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                steps.append((response_key, _TYPENAME, object_type.name, None, True, True))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or sub_details[0].node.arguments:
                return None
            non_null = isinstance(field_def.type, GraphQLNonNull)
            leaf = _leaf_plan(field_def)
            if leaf is not _NO_PLAN:
                steps.append((response_key, _LEAF, leaf[0], leaf[1], non_null, True))
                continue
            field = _is_basic(field_def)
            attribute = field.python_name if field is not None else _prefetched(field_def)
            if attribute is None:
                return None
            inner = _unwrap(field_def.type)
            if field is None and not isinstance(inner, GraphQLList):
                return None  # only lists are prefetched: None there means "not loaded"
            if isinstance(inner, GraphQLObjectType):
                sub = self._object_plan(inner, sub_details)
                if sub is None:
                    return None
                steps.append((response_key, _OBJECT, attribute, sub, non_null, True))
            elif isinstance(inner, GraphQLList) and isinstance(
                _unwrap(inner.of_type), GraphQLObjectType
            ):
                sub = self._object_plan(_unwrap(inner.of_type), sub_details)
                if sub is None:
                    return None
                items_non_null = isinstance(inner.of_type, GraphQLNonNull)
                # Not yet prefetched (None): fall back, so that the resolver runs.
                strict = non_null or field is None
                steps.append((response_key, _OBJECT_LIST, attribute, sub, strict, items_non_null))
            else:
                return None  # interfaces, unions: their runtime type is resolved per object
        # A generic type's specialisation (`Edge[UserType]`) is built from the generic class.
        classes = {definition.origin}
        if definition.concrete_of is not None:
            classes.add(definition.concrete_of.origin)
        return _ObjectPlan(frozenset(classes), tuple(steps))

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
            plan = _leaf_plan(field_def)
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

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._object_plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan.run(result)
            except Exception:  # any surprise: graphql-core's path decides
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        item_type = return_type.of_type
        object_type = _unwrap(item_type)
        if isinstance(object_type, GraphQLObjectType):
            plan = self._object_plan(object_type, field_details_list)
            if plan is not None:
                try:
                    return plan.run_list(result, isinstance(item_type, GraphQLNonNull))
                except Exception:  # any surprise: graphql-core's path decides
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )
