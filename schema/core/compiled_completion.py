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

Leaf plans and `prefetched` live in `schema.core.completion_leaves`, the generated run functions
of object plans and their caches in `schema.core.completion_objects`; this module is the
execution context that uses them.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core.completion_leaves import (
    NO_PLAN,
    PREFETCHED,
    basic_field,
    is_text,
    leaf_plan,
    prefetched,
    prefetched_attribute,
    unwrap,
)
from schema.core.completion_objects import (
    LEAF,
    MAX_RUN_FUNCTIONS,
    OBJECT,
    OBJECT_LIST,
    TEXT,
    TYPENAME,
    ObjectPlan,
    generate,
    is_attribute_name,
    list_runner,
    run_functions,
    run_list_of,
    shared_plans,
    static_selection,
)

__all__ = ["PREFETCHED", "FastLeafExecutionContext", "prefetched"]


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (id(object type), id(field details list)) -> (the list, kept alive, plan or None);
        # per execution, because @skip/@include may depend on this request's variables.
        self._object_plans: dict[tuple[int, int], tuple[Any, ObjectPlan | None]] = {}

    def _object_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        key = (id(object_type), id(field_details_list))
        cached = self._object_plans.get(key)
        if cached is not None:
            return cached[1]
        shared_key = self._shared_key(object_type, field_details_list)
        shared = shared_plans.get(shared_key) if shared_key is not None else None
        if shared is not None:
            plan = shared[1]
        else:
            plan = self._compile(object_type, field_details_list)
            if shared_key is not None:
                if len(shared_plans) >= MAX_RUN_FUNCTIONS:
                    shared_plans.clear()
                nodes = tuple(details.node for details in field_details_list)
                shared_plans[shared_key] = ((object_type, nodes), plan)
        self._object_plans[key] = (field_details_list, plan)
        return plan

    def _shared_key(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """A key valid across requests for this selection, or None: only when nothing under it
        depends on the request (no directive, no @defer, no fragment variables), its plan is
        the same for every execution of the (cached, so identical) document."""
        for details in field_details_list:
            if details.defer_usage is not None or details.fragment_variable_values is not None:
                return None
            if not static_selection(details.node, self.fragments):
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
                steps.append((response_key, TYPENAME, object_type.name, None, True))
                shape.append((response_key, TYPENAME))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or sub_details[0].node.arguments:
                return None
            non_null = isinstance(field_def.type, GraphQLNonNull)
            leaf = leaf_plan(field_def)
            if leaf is not NO_PLAN:
                attribute, serialize = leaf
                kind = TEXT if is_text(unwrap(field_def.type)) else LEAF
                steps.append((response_key, kind, attribute, serialize, non_null))
                shape.append((response_key, id(field_def)))
                continue
            field = basic_field(field_def)
            attribute = field.python_name if field is not None else prefetched_attribute(field_def)
            if attribute is None:
                return None
            inner = unwrap(field_def.type)
            if field is None and not isinstance(inner, GraphQLList):
                return None  # only lists are prefetched: None there means "not loaded"
            if isinstance(inner, GraphQLObjectType):
                sub = self._object_plan(inner, sub_details)
                if sub is None:
                    return None
                steps.append((response_key, OBJECT, attribute, sub.run, non_null))
            elif isinstance(inner, GraphQLList) and isinstance(
                unwrap(inner.of_type), GraphQLObjectType
            ):
                sub = self._object_plan(unwrap(inner.of_type), sub_details)
                if sub is None:
                    return None
                items_non_null = isinstance(inner.of_type, GraphQLNonNull)
                run_list = list_runner(sub.run, items_non_null)
                # Not yet prefetched (None): fall back, so that the resolver runs.
                strict = non_null or field is None
                steps.append((response_key, OBJECT_LIST, attribute, run_list, strict))
            else:
                return None  # interfaces, unions: their runtime type is resolved per object
            shape.append((response_key, id(field_def), sub.shape))
        if not all(is_attribute_name(step[2]) for step in steps if step[1] != TYPENAME):
            return None
        key = tuple(shape)
        run = run_functions.get(key)
        if run is None:
            # A generic type's specialisation (`Edge[UserType]`) is built from the generic class.
            classes = {definition.origin}
            if definition.concrete_of is not None:
                classes.add(definition.concrete_of.origin)
            if len(run_functions) >= MAX_RUN_FUNCTIONS:
                run_functions.clear()
            run = run_functions[key] = generate(object_type.name, frozenset(classes), steps)
        return ObjectPlan(key, run)

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
            plan = leaf_plan(field_def)
            if plan is not NO_PLAN:
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
        object_type = unwrap(item_type)
        if isinstance(object_type, GraphQLObjectType):
            plan = self._object_plan(object_type, field_details_list)
            if plan is not None:
                try:
                    return run_list_of(plan.run, result, isinstance(item_type, GraphQLNonNull))
                except Exception:  # any surprise: graphql-core's path decides
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )
