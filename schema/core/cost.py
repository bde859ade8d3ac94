"""Static cost analysis of a GraphQL document, done before validation and execution.

One pass over the document bounds the work a query can cause without expanding it: each fragment
definition is summarised once (memoised) and a spread adds that summary, so ten levels of ten
spreads cost ten summaries, not 10^10 visits. The summary holds:

- cost: an upper bound on the number of values in the response. Every field counts 1; a field
  taking `first`/`last` multiplies the list directly below it (a connection's `edges`) by that
  page size (the default page size when absent, MAX_PAGE_SIZE for a variable whose value is not
  known yet); a list of objects whose field declares its largest length (`max_items(n)` in the
  Strawberry field's metadata: a forecast's points, one per period of a bounded horizon) is
  multiplied by that length, or by its `first` when smaller; any other list of objects by the
  default page size. A list of
  leaves counts 1. Introspection fields count 1 each without multipliers: their size is the schema's,
  and graphql-core's MaxIntrospectionDepthRule bounds their nesting.
- depth: fields on the longest path (a root field is 1; introspection subtrees do not count).
- fields, aliases, directives: after fragment expansion, without list multipliers.

Cycles and undefined fragments count as empty (validation reports them). Literal list arguments
longer than the input limit and literal page sizes out of range are reported on the way, each
fragment once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_introspection_type,
    is_list_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef

PAGE_ARGUMENTS = ("first", "last")
# The metadata key of a list field's declared largest length (see `max_items`).
MAX_ITEMS = "max_items"
# Where Strawberry keeps its field definition in a GraphQL field's extensions.
STRAWBERRY_DEFINITION = "strawberry-definition"
INTROSPECTION_ROOTS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True, slots=True)
class Limits:
    max_cost: int
    max_depth: int
    max_aliases: int
    max_fields: int
    max_directives: int
    max_page_size: int
    default_page_size: int
    max_input_list_length: int


class Summary(NamedTuple):
    """What a selection set adds to its parent field: `fixed` is cost counted once, `per_item` the
    cost of its list fields per item (the parent decides how many items: its page size or the
    default)."""

    fixed: int = 0
    per_item: int = 0
    fields: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0

    def __add__(self, other: tuple[int, ...]) -> Summary:  # type: ignore[override]
        return Summary(
            self.fixed + other[0],
            self.per_item + other[1],
            self.fields + other[2],
            self.aliases + other[3],
            self.directives + other[4],
            max(self.depth, other[5]),
        )


EMPTY = Summary()


@dataclass(slots=True)
class OperationCost:
    name: str | None
    cost: int
    depth: int
    fields: int
    aliases: int
    directives: int


@dataclass(slots=True)
class Analysis:
    operations: list[OperationCost]
    # BAD_USER_INPUT found in literals (list lengths, page sizes), each reported once.
    input_errors: list[GraphQLError]
    # Variables used as a page size: name -> "'first' of 'users'".
    page_variables: dict[str, str]
    # Whether some page size came from a variable whose value was not given (an upper bound).
    used_upper_bound: bool


def max_items(length: int) -> dict[str, int]:
    """Metadata declaring that a list field (without `first`/`last`) never holds more than
    `length` items, so the cost analysis prices it at that length rather than the default page
    size: `strawberry.field(description=..., metadata=max_items(104))`. The resolver must keep
    that promise (a fixed-length list: one item per period of a bounded horizon, per level)."""
    if length < 0:
        raise ValueError("max_items must be 0 or more")
    return {MAX_ITEMS: length}


def declared_max_items(definition: GraphQLField) -> int | None:
    """The largest length a field declared with `max_items`, or None."""
    strawberry_field = (definition.extensions or {}).get(STRAWBERRY_DEFINITION)
    metadata = getattr(strawberry_field, "metadata", None) or {}
    length = metadata.get(MAX_ITEMS)
    return length if isinstance(length, int) and not isinstance(length, bool) else None


def bad_input(message: str, node: Any = None, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "BAD_USER_INPUT", **extensions})


@dataclass
class CostAnalyser:
    """One analysis of one document. `variables` given: page sizes from variables are their
    values; None: unknown, MAX_PAGE_SIZE is assumed."""

    schema: GraphQLSchema
    document: DocumentNode
    limits: Limits
    variables: dict[str, Any] | None = None
    _fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    _memo: dict[str, Summary] = field(default_factory=dict)
    _defaults: dict[str, ValueNode] = field(default_factory=dict)
    _input_errors: list[GraphQLError] = field(default_factory=list)
    _page_variables: dict[str, str] = field(default_factory=dict)
    _upper_bound: bool = False

    def run(self) -> Analysis:
        operations: list[OperationDefinitionNode] = []
        for definition in self.document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self._fragments.setdefault(definition.name.value, definition)
            elif isinstance(definition, OperationDefinitionNode):
                operations.append(definition)
                for var in definition.variable_definitions or ():
                    if var.default_value is not None:
                        self._defaults.setdefault(var.variable.name.value, var.default_value)
                        name = f"${var.variable.name.value}"
                        self._check_literal(var.default_value, name, f"the default of '{name}'")
        results = []
        for operation in operations:
            root = self.schema.get_root_type(operation.operation)
            summary = self._selection_set(operation.selection_set, root, False)
            directives = summary.directives + len(operation.directives or ())
            cost = summary.fixed + self.limits.default_page_size * summary.per_item
            name = operation.name.value if operation.name else None
            results.append(
                OperationCost(
                    name, cost, summary.depth, summary.fields, summary.aliases, directives
                )
            )
        return Analysis(results, self._input_errors, self._page_variables, self._upper_bound)

    def _fragment(self, name: str) -> Summary:
        summary = self._memo.get(name)
        if summary is not None:
            return summary
        definition = self._fragments.get(name)
        self._memo[name] = EMPTY  # a cycle back here counts as empty; validation rejects it
        if definition is None:
            return EMPTY
        type_ = self.schema.get_type(definition.type_condition.name.value)
        summary = self._selection_set(
            definition.selection_set, type_, type_ is not None and is_introspection_type(type_)
        )
        self._memo[name] = summary
        return summary

    def _selection_set(
        self, selection_set: SelectionSetNode, parent: Any, introspection: bool
    ) -> Summary:
        total = EMPTY
        for selection in selection_set.selections:
            directives = len(selection.directives or ())
            if isinstance(selection, FieldNode):
                part = self._field(selection, parent, introspection)
            elif isinstance(selection, InlineFragmentNode):
                type_ = parent
                if selection.type_condition is not None:
                    type_ = self.schema.get_type(selection.type_condition.name.value)
                part = self._selection_set(
                    selection.selection_set,
                    type_,
                    introspection or (type_ is not None and is_introspection_type(type_)),
                )
            elif isinstance(selection, FragmentSpreadNode):
                part = self._fragment(selection.name.value)
            else:  # pragma: no cover - no other selection kinds exist
                continue
            total = total + part + (0, 0, 0, 0, directives, 0)
        return total

    def _field(self, node: FieldNode, parent: Any, introspection: bool) -> Summary:
        name = node.name.value
        alias = 1 if node.alias else 0
        definition: GraphQLField | None = None
        if name in INTROSPECTION_ROOTS:
            definition = INTROSPECTION_ROOTS[name]
            introspection = True
        elif name != "__typename":
            definition = getattr(parent, "fields", {}).get(name)
        if node.arguments:
            self._check_arguments(node, name)
        if node.selection_set is None:
            return Summary(1, 0, 1, alias, 0, 0 if introspection else 1)
        child = get_named_type(definition.type) if definition is not None else None
        sub = self._selection_set(node.selection_set, child, introspection)
        fields, aliases, directives = 1 + sub.fields, alias + sub.aliases, sub.directives
        depth = 0 if introspection else 1 + sub.depth
        is_list = (
            definition is not None
            and not introspection
            and is_list_type(get_nullable_type(definition.type))
        )
        page = None
        if definition is not None and not introspection:
            declared = declared_max_items(definition) if is_list else None
            page = self._page_size(node, definition, declared)
        default = self.limits.default_page_size
        if page is not None and is_list:
            cost = page * (1 + sub.fixed + default * sub.per_item)
        elif page is not None:
            cost = 1 + sub.fixed + page * sub.per_item
        else:
            cost = 1 + sub.fixed + default * sub.per_item
            if is_list:
                return Summary(0, cost, fields, aliases, directives, depth)
        return Summary(cost, 0, fields, aliases, directives, depth)

    def _page_size(
        self, node: FieldNode, definition: GraphQLField, declared: int | None = None
    ) -> int | None:
        """The page size this field's list has: `first`/`last` when given, capped by the length
        the field declares (`declared`, from `max_items`), else that length, else the default
        page size; None for a field taking no `first`/`last` and declaring no length."""
        if not any(arg in definition.args for arg in PAGE_ARGUMENTS):
            return declared
        sizes: list[int] = []
        for argument in node.arguments or ():
            arg = argument.name.value
            if arg not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            where = f"'{arg}' of '{node.name.value}'"
            if isinstance(value, VariableNode):
                sizes.append(self._variable_page_size(value.name.value, where))
            elif isinstance(value, IntValueNode):
                size = int(value.value)
                if not 0 <= size <= self.limits.max_page_size:
                    self._input_errors.append(
                        bad_input(
                            f"{where} must be between 0 and {self.limits.max_page_size}.",
                            argument,
                            field=arg,
                        )
                    )
                sizes.append(size)
        if not sizes:
            return self.limits.default_page_size if declared is None else declared
        size = max(0, min(max(sizes), self.limits.max_page_size))
        return size if declared is None else min(size, declared)

    def _variable_page_size(self, name: str, where: str) -> int:
        self._page_variables.setdefault(name, where)
        if self.variables is None:
            self._upper_bound = True
            return self.limits.max_page_size
        value = self.variables.get(name)
        if value is None and name in self._defaults:
            default = self._defaults[name]
            value = int(default.value) if isinstance(default, IntValueNode) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return self.limits.default_page_size

    def _check_arguments(self, node: FieldNode, field_name: str) -> None:
        for argument in node.arguments or ():
            name = argument.name.value
            self._check_literal(argument.value, name, f"argument '{name}' of '{field_name}'")

    def _check_literal(self, value: ValueNode, path: str, context: str) -> None:
        """Literal lists longer than the input limit, nested ones included."""
        limit = self.limits.max_input_list_length
        stack: list[tuple[ValueNode, str]] = [(value, path)]
        while stack:
            value, path = stack.pop()
            if isinstance(value, ListValueNode):
                if len(value.values) > limit:
                    self._input_errors.append(
                        bad_input(
                            f"The list at '{path}' ({context}) has {len(value.values)} items;"
                            f" at most {limit} are allowed.",
                            value,
                            field=path,
                        )
                    )
                    continue
                stack.extend((item, f"{path}.{i}") for i, item in enumerate(value.values))
            elif isinstance(value, ObjectValueNode):
                stack.extend((f.value, f"{path}.{f.name.value}") for f in value.fields)


def list_too_long(variables: dict[str, Any], limit: int) -> GraphQLError | None:
    """The first list longer than `limit` anywhere in the variables (walked without recursion:
    JSON may nest deeper than Python's stack)."""
    stack: list[tuple[Any, str]] = [(value, f"${name}") for name, value in variables.items()]
    while stack:
        value, path = stack.pop()
        if isinstance(value, list):
            if len(value) > limit:
                return bad_input(
                    f"Variable '{path}' has {len(value)} items; at most {limit} are allowed.",
                    field=path,
                )
            stack.extend((item, f"{path}.{i}") for i, item in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((item, f"{path}.{key}") for key, item in value.items())
    return None
