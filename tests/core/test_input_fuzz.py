"""Fuzz every argument of every mutation and query, found by walking the schema.

For each root field and each leaf reachable through its arguments (strings, ids, decimals,
numbers, dates, enums, through input objects and lists), the test sends hostile values (NUL
bytes, 10,000-character strings, `1e999999`, NaN, negative and out-of-range numbers, malformed
ids) with every other argument valid, as an administrator (so permissions let it through to the
resolvers). A new mutation is fuzzed the day it is added.

Every answer must be data (with or without payload errors) or errors that each carry an
`extensions.code`; never "Internal server error.". Values no field may accept (NUL, too long,
non-finite or absurd decimals) must be refused, by a BAD_USER_INPUT naming the field or by a
payload error.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

from schema import schema
from schema.core.relay import global_id
from tests.factories import make_admin
from tests.receipts.factories import Item, make_receipt

NUL = "fu\x00zz"
LONG = "x" * 10_000


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Values each kind of leaf is fuzzed with; `True`: no field may accept it.
STRING_VARIANTS = [(NUL, True), ("\x00", True), (LONG, True), ("", False), ("💥" * 300, False)]
ID_VARIANTS = [
    (NUL, True),
    (LONG, True),
    ("", False),
    ("not-a-global-id", False),
    (b64("Receipt:not-a-uuid"), False),
    (b64(f"Nope:{uuid.uuid4()}"), False),
    (b64(f"User:{uuid.uuid4()}"), False),
    ("%%%", False),
]
DECIMAL_VARIANTS = [
    ("1e999999", True),
    ("-1e999999", True),
    ("NaN", True),
    ("Infinity", True),
    ("1e-999999", True),
    ("-1", False),
    ("0", False),
    ("99999999999999.99", False),
    ("abc", True),
    (1e308, True),
]
INT_VARIANTS = [(-1, False), (0, False), (2**31 - 1, False), (-(2**31), False), (2**31, True)]
FLOAT_VARIANTS = [(1e308, False), (-1e308, False), (0.0, False)]
DATE_VARIANTS = [("0000-00-00", True), ("9999-12-31", False), (LONG, True), (NUL, True)]
DATETIME_VARIANTS = [("0001-01-01T00:00:00", False), ("not a time", True), (LONG, True)]
BIGINT_VARIANTS = [("9" * 5000, True), (-(2**63), False), ("1e999999", True)]


def variants_for(scalar: Any) -> list[tuple[Any, bool]]:
    if isinstance(scalar, GraphQLEnumType):
        return [("NOT_A_VALUE", True), (LONG, True)]
    name = scalar.name
    return {
        "String": STRING_VARIANTS,
        "ID": ID_VARIANTS,
        "Decimal": DECIMAL_VARIANTS,
        "Int": INT_VARIANTS,
        "Float": FLOAT_VARIANTS,
        "Date": DATE_VARIANTS,
        "DateTime": DATETIME_VARIANTS,
        "BigInt": BIGINT_VARIANTS,
    }.get(name, [])


def unwrap(graphql_type: Any) -> Any:
    return graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type


def leaves(graphql_type: Any, path: tuple[Any, ...], depth: int = 0) -> Iterator[tuple]:
    """(path, scalar or enum type) of every leaf reachable from this type."""
    inner = unwrap(graphql_type)
    if isinstance(inner, GraphQLList):
        yield from leaves(inner.of_type, (*path, 0), depth)
    elif isinstance(inner, GraphQLInputObjectType):
        if depth > 3:
            return
        for name, field in inner.fields.items():
            yield from leaves(field.type, (*path, name), depth + 1)
    else:
        yield path, inner


class Baseline:
    """Valid values for required arguments: real objects of the administrator where ids are."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def scalar(self, scalar: Any, field_name: str, root: str) -> Any:
        if isinstance(scalar, GraphQLEnumType):
            return next(iter(scalar.values))
        name = scalar.name
        if name == "ID":
            for kind, value in self.ids.items():
                if kind.lower() in root.lower():
                    return value
            return self.ids["User"]
        return {
            "String": "fuzz@example.com" if "email" in field_name.lower() else "fuzz value",
            "Decimal": "1.00",
            "Int": 1,
            "BigInt": 1,
            "Float": 1.0,
            "Boolean": False,
            "Date": "2025-01-01",
            "DateTime": "2030-01-01T00:00:00+00:00",
        }.get(name)

    def value(self, graphql_type: Any, field_name: str, root: str) -> Any:
        inner = unwrap(graphql_type)
        if isinstance(inner, GraphQLList):
            return [self.value(inner.of_type, field_name, root)]
        if isinstance(inner, GraphQLInputObjectType):
            return {
                name: self.value(field.type, name, root)
                for name, field in inner.fields.items()
                if isinstance(field.type, GraphQLNonNull) and field.default_value is None
            }
        return self.scalar(inner, field_name, root)


def with_value(base: Any, path: tuple[Any, ...], value: Any, graphql_type: Any, baseline, root):
    """A copy of `base` with `value` at `path`, creating what the path goes through."""
    if not path:
        return value
    inner = unwrap(graphql_type)
    head, rest = path[0], path[1:]
    if isinstance(inner, GraphQLList):
        item = base[0] if base else baseline.value(inner.of_type, "", root)
        return [with_value(item, rest, value, inner.of_type, baseline, root)]
    assert isinstance(inner, GraphQLInputObjectType)
    current = dict(base or {})
    field = inner.fields[head]
    child = current.get(head)
    if child is None and rest:
        child = baseline.value(field.type, head, root)
    current[head] = with_value(child, rest, value, field.type, baseline, root)
    return current


def operation(kind: str, name: str, field: Any) -> str:
    definitions = ", ".join(f"${arg}: {field.args[arg].type}" for arg in field.args)
    arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    selection = " { __typename }" if isinstance(_named(field.type), GraphQLObjectType) else ""
    if _is_abstract(field.type):
        selection = " { __typename }"
    return f"{kind} Fuzz({definitions}) {{ {name}({arguments}){selection} }}"


def _named(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _is_abstract(graphql_type: Any) -> bool:
    named = _named(graphql_type)
    return not isinstance(named, GraphQLScalarType | GraphQLEnumType | GraphQLObjectType)


def cases() -> Iterator[tuple[str, str, Any]]:
    graphql_schema = schema._schema
    for kind, root in (
        ("mutation", graphql_schema.mutation_type),
        ("query", graphql_schema.query_type),
    ):
        assert root is not None
        for name, field in root.fields.items():
            if field.args:
                yield kind, name, field


def refused(body: dict[str, Any], name: str) -> bool:
    if body.get("errors"):
        return True
    payload = (body.get("data") or {}).get(name)
    return isinstance(payload, dict) and bool(payload.get("errors"))


@pytest.mark.parametrize(
    ("kind", "name", "field"), list(cases()), ids=lambda v: v if isinstance(v, str) else ""
)
async def test_hostile_values_in_every_argument_are_answered_with_a_code(
    client, restore_default_rules, kind, name, field
):
    # given: an administrator with a receipt, a brand and an API key to aim at
    admin = await make_admin()
    receipt = await make_receipt(admin, items=[Item("MILK", "1.20")])
    ids: dict[str, str] = {
        "Receipt": global_id("Receipt", receipt.id),
        "ApiKey": global_id("ApiKey", uuid.uuid4()),
        "Brand": global_id("Brand", uuid.uuid4()),
        "Job": global_id("Job", uuid.uuid4()),
        "User": global_id("User", admin.user.id),
    }
    baseline = Baseline(ids)
    query = operation(kind, name, field)
    base = {arg: baseline.value(a.type, arg, name) for arg, a in field.args.items()}
    headers = {"Authorization": f"Bearer {admin.token}"}
    problems: list[str] = []
    # when: each leaf of each argument gets each hostile value in turn
    for arg, argument in field.args.items():
        for path, leaf in leaves(argument.type, ()):
            if getattr(leaf, "name", "") == "Upload":
                continue
            for value, must_refuse in variants_for(leaf):
                variables = dict(base)
                variables[arg] = with_value(base[arg], path, value, argument.type, baseline, name)
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                where = f"{name}({arg}{''.join(f'.{p}' for p in path)}={str(value)[:20]!r})"
                if response.status_code not in (200, 400):
                    problems.append(f"{where}: HTTP {response.status_code}")
                    continue
                body = response.json()
                for error in body.get("errors") or []:
                    if error["message"] == "Internal server error.":
                        problems.append(f"{where}: internal error")
                    elif not (error.get("extensions") or {}).get("code"):
                        problems.append(f"{where}: no code: {error['message'][:120]}")
                if must_refuse and not refused(body, name):
                    problems.append(f"{where}: accepted")
    # then
    assert problems == []
