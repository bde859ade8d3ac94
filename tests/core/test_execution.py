"""The fast execution context against graphql-core's own: same data, same errors, fewer steps.

Each case runs one query through Strawberry's graphql-core execution context (the reference)
and through FastLeafExecutionContext, on a small schema built for the purpose, and compares the
whole results; then checks that the compiled plans did take over where they should.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import pytest
import strawberry
from graphql import parse
from graphql.execution import execute_sync
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core.compiled_completion import FastLeafExecutionContext, prefetched

T = TypeVar("T")
calls: dict[str, int] = {}


class Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    tags: list[str]
    color: Color
    score: float | None = None
    # a plain attribute with a permission: Strawberry still calls it "default-resolved"
    secret: str | None = strawberry.field(default="s3cret", permission_classes=[Deny])


@strawberry.type
class Box(Generic[T]):
    item: T
    label: str


@strawberry.type
class Parent:
    title: str
    leaves: list[Leaf]
    first_leaf: Leaf | None
    _extra: strawberry.Private[list[Leaf] | None] = None

    @strawberry.field(metadata=prefetched("_extra"))
    def extra(self) -> list[Leaf]:
        calls["extra"] = calls.get("extra", 0) + 1
        if self._extra is not None:
            return self._extra
        return [Leaf(name=f"loaded-{self.title}", tags=[], color=Color.BLUE)]


def leaf(i: int, **kwargs: Any) -> Leaf:
    return Leaf(name=f"leaf{i}", tags=[f"t{i}", "x"], color=Color.RED, **kwargs)


def parents(n: int = 3, **overrides: Any) -> list[Parent]:
    return [
        Parent(title=f"p{i}", leaves=[leaf(j) for j in range(3)], first_leaf=leaf(0), **overrides)
        for i in range(n)
    ]


state: dict[str, Any] = {}


@strawberry.type
class Query:
    @strawberry.field
    def parents(self) -> list[Parent]:
        return state["parents"]

    @strawberry.field
    def boxes(self) -> list[Box[Leaf]]:
        return [Box(item=leaf(i), label=f"b{i}") for i in range(2)]

    @strawberry.field
    def anything(self) -> list[Leaf]:
        return state["anything"]


SCHEMA = strawberry.Schema(query=Query)._schema


class CountingContext(FastLeafExecutionContext):
    fields_executed = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingContext.fields_executed += 1
        return super().execute_field(*args, **kwargs)


def run(query: str, context_class: type, variables: dict[str, Any] | None = None) -> Any:
    result = execute_sync(
        SCHEMA, parse(query), variable_values=variables, executor_class=context_class
    )
    return result.data, sorted((e.message, tuple(e.path or ())) for e in result.errors or [])


def both(query: str, variables: dict[str, Any] | None = None) -> Any:
    """Run with both contexts; assert they agree; return the fast one's (data, errors)."""
    reference = run(query, StrawberryGraphQLCoreExecutionContext, variables)
    fast = run(query, FastLeafExecutionContext, variables)
    assert fast == reference
    return fast


@pytest.fixture(autouse=True)
def fresh_state():
    state["parents"] = parents()
    state["anything"] = [leaf(1)]
    calls.clear()
    CountingContext.fields_executed = 0


def test_a_nested_plain_selection_is_completed_by_one_plan():
    query = "{ parents { title t2: title leaves { __typename name tags color score } firstLeaf { name } } }"
    data, errors = both(query)
    assert errors == []
    assert data["parents"][1]["leaves"][2] == {
        "__typename": "Leaf",
        "name": "leaf2",
        "tags": ["t2", "x"],
        "color": "RED",
        "score": None,
    }
    assert data["parents"][0]["t2"] == "p0"
    run(query, CountingContext)
    assert CountingContext.fields_executed == 1  # only the root field: the rest is the plan


def test_fragments_and_generic_types_take_the_plan_too():
    query = """{ boxes { label item { ...L } } }
               fragment L on Leaf { name ... on Leaf { color } }"""
    data, errors = both(query)
    assert errors == []
    assert data["boxes"][1] == {"label": "b1", "item": {"name": "leaf1", "color": "RED"}}
    run(query, CountingContext)
    assert CountingContext.fields_executed == 1


def test_a_permission_on_a_plain_attribute_is_still_enforced():
    # Regression: this field has no resolver, but has a permission class; the fast path must
    # not read the attribute and skip the check.
    data, errors = both("{ parents { title leaves { name secret } } }")
    assert len(errors) == 9 and {message for message, _ in errors} == {"denied"}
    assert data["parents"][2]["leaves"][1] == {"name": "leaf1", "secret": None}


def test_null_in_a_non_null_field_gives_graphql_cores_error():
    state["parents"][1].leaves[0].name = None
    data, errors = both("{ parents { title leaves { name } } }")
    assert errors == [
        (
            "Cannot return null for non-nullable field Leaf.name.",
            ("parents", 1, "leaves", 0, "name"),
        )
    ]
    assert data is None  # the null propagates up through non-null fields to the root


def test_a_value_that_does_not_serialise_gives_graphql_cores_error():
    state["anything"] = [Leaf(name="ok", tags=["a"], color="not a color")]  # type: ignore[arg-type]
    _data, errors = both("{ anything { name color } }")
    assert len(errors) == 1 and errors[0][1] == ("anything", 0, "color")


def test_an_object_of_another_class_falls_back():
    class Impostor:
        name = "impostor"
        tags = ("a",)
        color = Color.BLUE

    state["anything"] = [Impostor()]
    data, errors = both("{ anything { name tags color } }")
    assert (data, errors) == (
        {"anything": [{"name": "impostor", "tags": ["a"], "color": "BLUE"}]},
        [],
    )


@pytest.mark.parametrize("show", [True, False])
def test_skip_and_include_follow_each_requests_variables(show):
    query = "query($show: Boolean!) { parents { title leaves @include(if: $show) { name } firstLeaf @skip(if: $show) { name } } }"
    data, errors = both(query, {"show": show})
    assert errors == []
    first = data["parents"][0]
    assert ("leaves" in first, "firstLeaf" in first) == (show, not show)


def test_a_prefetched_list_is_served_without_its_resolver():
    for parent in state["parents"]:
        parent._extra = [leaf(9)]
    data, errors = both("{ parents { extra { name } } }")
    assert errors == []
    assert data["parents"][0]["extra"] == [{"name": "leaf9"}]
    calls.clear()
    run("{ parents { extra { name } } }", FastLeafExecutionContext)
    assert calls == {}


def test_a_list_not_prefetched_runs_its_resolver():
    data, errors = both("{ parents { title extra { name } } }")
    assert errors == []
    assert data["parents"][2]["extra"] == [{"name": "loaded-p2"}]
    assert calls["extra"] == 6  # three parents, once per context


def test_a_plain_selection_is_compiled_once_across_executions(monkeypatch):
    # given: a document as the query gate caches it (one parsed document, executed again)
    compiled: list[str] = []
    original = FastLeafExecutionContext._compile

    def counting(self: Any, object_type: Any, field_details_list: Any) -> Any:
        compiled.append(object_type.name)
        return original(self, object_type, field_details_list)

    monkeypatch.setattr(FastLeafExecutionContext, "_compile", counting)
    document = parse("{ parents { title leaves { name } } }")
    # when
    first = execute_sync(SCHEMA, document, executor_class=FastLeafExecutionContext)
    after_first = len(compiled)
    second = execute_sync(SCHEMA, document, executor_class=FastLeafExecutionContext)
    # then: same answer, no compilation the second time
    assert first.data == second.data and first.errors is None
    assert after_first >= 1 and len(compiled) == after_first


def test_a_selection_with_directives_is_compiled_per_execution(monkeypatch):
    compiled: list[str] = []
    original = FastLeafExecutionContext._compile

    def counting(self: Any, object_type: Any, field_details_list: Any) -> Any:
        compiled.append(object_type.name)
        return original(self, object_type, field_details_list)

    monkeypatch.setattr(FastLeafExecutionContext, "_compile", counting)
    document = parse(
        "query($show: Boolean!) { parents { title leaves @include(if: $show) { name } } }"
    )
    shown = execute_sync(
        SCHEMA, document, variable_values={"show": True}, executor_class=FastLeafExecutionContext
    )
    hidden = execute_sync(
        SCHEMA, document, variable_values={"show": False}, executor_class=FastLeafExecutionContext
    )
    assert shown.data is not None and hidden.data is not None
    assert "leaves" in shown.data["parents"][0] and "leaves" not in hidden.data["parents"][0]
    assert compiled.count("Parent") == 2
