"""Compiled completion, objects: one generated Python function per selection *shape* on an
object type, which reads the attributes and builds the result dict (leaves serialised, nested
objects and lists of objects handed to their own run functions), and the check that lets a plan
be shared by every execution of a cached document (no directive under it).

A run function raises `Fallback` (or a serialisation error) on anything it is not sure of;
`schema.core.compiled_completion` then lets graphql-core redo that object or list.
"""

from __future__ import annotations

import keyword
from typing import Any, NamedTuple

from graphql import FragmentSpreadNode
from graphql.pyutils import Undefined

# Kinds of field in an object plan.
TYPENAME, LEAF, TEXT, OBJECT, OBJECT_LIST = range(5)

# shape -> generated run function; shapes are bounded by the schema and the documents served,
# the cap is only a safety net (also for the other caches of compiled completion).
run_functions: dict[Any, Any] = {}
MAX_RUN_FUNCTIONS = 4096


class Fallback(Exception):
    """The compiled path met something only graphql-core's full path handles correctly."""


class ObjectPlan(NamedTuple):
    """The compiled completion of one selection on one object type: `run(source)` returns the
    result dict, or raises (Fallback or a serialisation error) for graphql-core to redo it."""

    shape: tuple[Any, ...]
    run: Any


def run_list_of(run: Any, values: Any, items_non_null: bool) -> list[Any]:
    if not isinstance(values, list | tuple):
        raise Fallback
    if items_non_null:
        return [run(value) for value in values]
    return [None if value is None else run(value) for value in values]


def is_attribute_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def list_runner(run: Any, items_non_null: bool) -> Any:
    def run_list(values: Any) -> list[Any]:
        return run_list_of(run, values, items_non_null)

    return run_list


def generate(name: str, classes: frozenset[type], steps: list[tuple[Any, ...]]) -> Any:
    """Write the run function of one plan: for each step, read the attribute, check null, then
    serialise it (leaf) or hand it to the sub-plan (object, list of objects). Response keys go
    in as repr() literals, attributes only when they are identifiers (checked by the caller)."""
    env: dict[str, Any] = {"classes": classes, "Fallback": Fallback, "Undefined": Undefined}
    lines = [
        "def run(source):",
        "    if source.__class__ not in classes:",
        "        raise Fallback",
        "    out = {}",
    ]
    for i, (key, kind, attribute, how, non_null) in enumerate(steps):
        target = f"out[{key!r}]"
        if kind == TYPENAME:
            lines.append(f"    {target} = {attribute!r}")
            continue
        env[f"h{i}"] = how
        lines += [f"    value = source.{attribute}", "    if value is None:"]
        lines.append("        raise Fallback" if non_null else f"        {target} = None")
        if kind == TEXT:  # String and ID: a str is its own serialisation
            lines += [
                "    elif value.__class__ is str:",
                f"        {target} = value",
                "    else:",
                f"        {target} = h{i}(value)",
            ]
        elif kind == LEAF:
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
shared_plans: dict[tuple[int, ...], tuple[Any, Any]] = {}
# id(node) -> (node, whether its selections, fragments included, carry no directive)
_static_nodes: dict[int, tuple[Any, bool]] = {}


def static_selection(node: Any, fragments: Any) -> bool:
    cached = _static_nodes.get(id(node))
    if cached is not None:
        return cached[1]
    static = no_directives(node.selection_set, fragments, set())
    if len(_static_nodes) >= MAX_RUN_FUNCTIONS:
        _static_nodes.clear()
    _static_nodes[id(node)] = (node, static)
    return static


def no_directives(selection_set: Any, fragments: Any, seen: set[str]) -> bool:
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
            if definition.directives or not no_directives(
                definition.selection_set, fragments, seen
            ):
                return False
        elif not no_directives(selection.selection_set, fragments, seen):
            return False
    return True
