"""A faster execution of plain fields: leaves, and whole subtrees of plain objects.

graphql-core executes every field alone: it builds a ResolveInfo, calls the resolver, completes
the value and, for objects, collects and executes each subfield again, ~10 µs per field. On a
50x5 page that is most of the request. Strawberry marks a field *basic* when it has no resolver
and no extension (so no permission): it only reads an attribute. This execution context:

- serialises a basic leaf field (scalar, enum, or list of them) straight from the attribute,
  and answers `__typename` without a resolver;
- completes an object, or a list of objects, whose selected fields are all basic (leaves and,
  recursively, such objects) with one compiled plan per selection: a generated Python function
  that reads the attributes and builds the result dict, without per-field machinery. Functions
  are cached by the selection's *shape* (type, response keys, fields, sub-shapes), so a query
  seen before reuses them whatever its variables.

A field with a resolver runs through graphql-core, except a list of objects marked
`prefetched(attribute)`: when a parent resolver has already loaded it into that attribute (after
checking the field's permission itself), the plan reads the attribute like a basic field.

Anything it is not sure of (a null in a non-null position, a serialisation error, an object of
another class than the type's own, a field with a resolver or a permission) makes it fall back to
graphql-core's own path for that field, list or object, so results and errors stay graphql-core's.
Reading attributes of Strawberry objects has no side effects, so redoing the work is safe.
"""

from __future__ import annotations

import keyword
from typing import Any, NamedTuple

from graphql import (
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined
from graphql.type.scalars import serialize_id, serialize_string
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_NO_PLAN = object()
# id(GraphQLField) -> (the field, kept alive so its id is never reused; (attribute, serialize)
# or _NO_PLAN).
_leaf_plans: dict[int, tuple[Any, Any]] = {}

# Kinds of field in an object plan.
_TYPENAME, _LEAF, _TEXT, _OBJECT, _OBJECT_LIST = range(5)

# shape -> generated run function; shapes are bounded by the schema and the documents served,
# the cap is only a safety net.
_run_functions: dict[Any, Any] = {}
_MAX_RUN_FUNCTIONS = 4096


PREFETCHED = "scanbase.prefetched"


def prefetched(attribute: str) -> dict[str, str]:
    """Field metadata: a parent resolver may load this list into `attribute` beforehand; the
    fast path then serves it from there, skipping the resolver *and its permission classes*.
    So only a resolver that enforced the same permission may fill the attribute; while it is
    None the resolver runs as usual."""
    return {PREFETCHED: attribute}


def _is_text(graphql_type: Any) -> bool:
    """String, ID (Strawberry's own ID scalar too): serialising a str returns it unchanged."""
    serialize = getattr(graphql_type, "serialize", None)
    return serialize is serialize_string or serialize is serialize_id


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


def _serializer(scalar: Any) -> Any:
    """The scalar's serialize; for String and ID, a str is returned as is without the call."""
    serialize = scalar.serialize
    if not _is_text(scalar):
        return serialize

    def serialize_text(value: Any) -> Any:
        return value if value.__class__ is str else serialize(value)

    return serialize_text


def _list_serializer(scalar: Any) -> Any:
    """Serialise a list of non-null leaves; Undefined (graphql-core then reports it) for
    anything else than a list, or for a null item."""
    serialize = scalar.serialize
    text = _is_text(scalar)

    def serialize_list(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            return Undefined
        if text:  # serialize_string and serialize_id never return None: they raise
            return [value if value.__class__ is str else serialize(value) for value in values]
        out = [serialize(value) for value in values]
        return Undefined if any(item is None or item is Undefined for item in out) else out

    return serialize_list


def _leaf_plan(field_def: Any) -> Any:
    """(attribute, serialize) for a basic field of leaf type (or list of leaves), else _NO_PLAN."""
    cached = _leaf_plans.get(id(field_def))
    if cached is not None:
        return cached[1]
    plan: Any = _NO_PLAN
    definition = _is_basic(field_def)
    if definition is not None:
        leaf = _unwrap(field_def.type)
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


class _ObjectPlan(NamedTuple):
    """The compiled completion of one selection on one object type: `run(source)` returns the
    result dict, or raises (_Fallback or a serialisation error) for graphql-core to redo it."""

    shape: tuple[Any, ...]
    run: Any


def _run_list(run: Any, values: Any, items_non_null: bool) -> list[Any]:
    if not isinstance(values, list | tuple):
        raise _Fallback
    if items_non_null:
        return [run(value) for value in values]
    return [None if value is None else run(value) for value in values]


def _is_attribute_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _list_runner(run: Any, items_non_null: bool) -> Any:
    def run_list(values: Any) -> list[Any]:
        return _run_list(run, values, items_non_null)

    return run_list


def _generate(name: str, classes: frozenset[type], steps: list[tuple[Any, ...]]) -> Any:
    """Write the run function of one plan: for each step, read the attribute, check null, then
    serialise it (leaf) or hand it to the sub-plan (object, list of objects). Response keys go
    in as repr() literals, attributes only when they are identifiers (checked by the caller)."""
    env: dict[str, Any] = {"classes": classes, "Fallback": _Fallback, "Undefined": Undefined}
    lines = [
        "def run(source):",
        "    if source.__class__ not in classes:",
        "        raise Fallback",
        "    out = {}",
    ]
    for i, (key, kind, attribute, how, non_null) in enumerate(steps):
        target = f"out[{key!r}]"
        if kind == _TYPENAME:
            lines.append(f"    {target} = {attribute!r}")
            continue
        env[f"h{i}"] = how
        lines += [f"    value = source.{attribute}", "    if value is None:"]
        lines.append("        raise Fallback" if non_null else f"        {target} = None")
        if kind == _TEXT:  # String and ID: a str is its own serialisation
            lines += [
                "    elif value.__class__ is str:",
                f"        {target} = value",
                "    else:",
                f"        {target} = h{i}(value)",
            ]
        elif kind == _LEAF:
            lines += [
                "    else:",
                f"        value = h{i}(value)",
                "        if value is None or value is Undefined:",
                "            raise Fallback",
                f"        {target} = value",
            ]
        else:
            lines += ["    else:", f"        {target} = h{i}(value)"]
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<plan {name}>", "exec"), env)
    return env["run"]


# (id(type), ids of the field nodes) -> ((the type and nodes, kept alive so ids stay unique),
# plan or None): plans of selections free of directives, shared by every execution of a cached
# document (`{ me { id email } }` compiled once, not per request).
_shared_plans: dict[tuple[int, ...], tuple[Any, Any]] = {}
# id(node) -> (node, whether its selections, fragments included, carry no directive)
_static_nodes: dict[int, tuple[Any, bool]] = {}


def _static(node: Any, fragments: Any) -> bool:
    cached = _static_nodes.get(id(node))
    if cached is not None:
        return cached[1]
    static = _no_directives(node.selection_set, fragments, set())
    if len(_static_nodes) >= _MAX_RUN_FUNCTIONS:
        _static_nodes.clear()
    _static_nodes[id(node)] = (node, static)
    return static


def _no_directives(selection_set: Any, fragments: Any, seen: set[str]) -> bool:
    if selection_set is None:
        return True
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None:
                return False
            if getattr(fragment, "variable_signatures", None):
                return False  # fragment arguments: per request
            definition = getattr(fragment, "definition", fragment)
            if definition.directives or not _no_directives(
                definition.selection_set, fragments, seen
            ):
                return False
        elif not _no_directives(selection.selection_set, fragments, seen):
            return False
    return True


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
        shared_key = self._shared_key(object_type, field_details_list)
        shared = _shared_plans.get(shared_key) if shared_key is not None else None
        if shared is not None:
            plan = shared[1]
        else:
            plan = self._compile(object_type, field_details_list)
            if shared_key is not None:
                if len(_shared_plans) >= _MAX_RUN_FUNCTIONS:
                    _shared_plans.clear()
                nodes = tuple(details.node for details in field_details_list)
                _shared_plans[shared_key] = ((object_type, nodes), plan)
        self._object_plans[key] = (field_details_list, plan)
        return plan

    def _shared_key(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """A key valid across requests for this selection, or None: only when nothing under it
        depends on the request (no directive, no @defer, no fragment variables), its plan is
        the same for every execution of the (cached, so identical) document."""
        for details in field_details_list:
            if details.defer_usage is not None or details.fragment_variable_values is not None:
                return None
            if not _static(details.node, self.fragments):
                return None
        return (id(object_type), *(id(details.node) for details in field_details_list))

    def _compile(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        definition = (object_type.extensions or {}).get("strawberry-definition")
        if definition is None:
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        steps: list[tuple[Any, ...]] = []
        # The type itself (alive as long as the key is, with its fields: their ids stay unique).
        shape: list[Any] = [object_type]
        for response_key, sub_details in grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                steps.append((response_key, _TYPENAME, object_type.name, None, True))
                shape.append((response_key, _TYPENAME))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or sub_details[0].node.arguments:
                return None
            non_null = isinstance(field_def.type, GraphQLNonNull)
            leaf = _leaf_plan(field_def)
            if leaf is not _NO_PLAN:
                attribute, serialize = leaf
                kind = _TEXT if _is_text(_unwrap(field_def.type)) else _LEAF
                steps.append((response_key, kind, attribute, serialize, non_null))
                shape.append((response_key, id(field_def)))
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
                steps.append((response_key, _OBJECT, attribute, sub.run, non_null))
            elif isinstance(inner, GraphQLList) and isinstance(
                _unwrap(inner.of_type), GraphQLObjectType
            ):
                sub = self._object_plan(_unwrap(inner.of_type), sub_details)
                if sub is None:
                    return None
                items_non_null = isinstance(inner.of_type, GraphQLNonNull)
                run_list = _list_runner(sub.run, items_non_null)
                # Not yet prefetched (None): fall back, so that the resolver runs.
                strict = non_null or field is None
                steps.append((response_key, _OBJECT_LIST, attribute, run_list, strict))
            else:
                return None  # interfaces, unions: their runtime type is resolved per object
            shape.append((response_key, id(field_def), sub.shape))
        if not all(_is_attribute_name(step[2]) for step in steps if step[1] != _TYPENAME):
            return None
        key = tuple(shape)
        run = _run_functions.get(key)
        if run is None:
            # A generic type's specialisation (`Edge[UserType]`) is built from the generic class.
            classes = {definition.origin}
            if definition.concrete_of is not None:
                classes.add(definition.concrete_of.origin)
            if len(_run_functions) >= _MAX_RUN_FUNCTIONS:
                _run_functions.clear()
            run = _run_functions[key] = _generate(object_type.name, frozenset(classes), steps)
        return _ObjectPlan(key, run)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        if name == "__typename":  # clients add it to every selection: no resolver call for it
            return parent_type.name
        field_def = self.schema.get_field(parent_type, name)
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
                    return _run_list(plan.run, result, isinstance(item_type, GraphQLNonNull))
                except Exception:  # any surprise: graphql-core's path decides
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )
