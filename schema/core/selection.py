"""Look-ahead on the query: does it select a field below the current one?

A resolver uses it to fetch in one query what its children will need (see `prefetched` in
schema/core/compiled_completion.py), instead of letting each child load its own share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from strawberry import Info


def selects(info: Info, *path: str) -> bool:
    """Whether the current field's selection reaches `path` (GraphQL field names, not aliases),
    through fragments and inline fragments. @skip/@include are not evaluated: a field they drop
    only makes the caller fetch what nobody reads."""
    raw = info._raw_info
    nodes: list[FieldNode] = list(raw.field_nodes)
    for name in path:
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, raw.fragments)
            if child.name.value == name
        ]
        if not nodes:
            return False
    return True


def _fields(selection_set: Any, fragments: dict[str, Any]) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)
