"""Every GraphQL operation the test suite sends, through the fast path and the plain one.

The fast path (FAST_EXECUTION=true: the lean JSON POST executor and compiled completion)
re-implements what Strawberry's view does around graphql-core: limits, masking, metrics. So the
corpus is collected statically, every string constant under tests/ (and bench/api.py's
scenarios) that parses as a GraphQL document, and each operation runs as an admin, a user and
anonymous against a second app built with FAST_EXECUTION=false on the same database. Each run
is wrapped in a transaction that is rolled back, so both paths see the same rows, mutations
included. Bodies (data and errors: messages, paths, extensions) and the GRAPHQL_REQUESTS metric
must match; values made fresh by a mutation (ids, tokens, timestamps) are compared by position.
A new test's query joins the corpus the day it is written.
"""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
)
from tortoise.transactions import in_transaction

from schema import build_schema
from schema.core.relay import global_id
from server.metrics import GRAPHQL_REQUESTS
from tests.factories import make_admin, make_user

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = re.compile(
    r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+"  # JWT
    r"|sbk_\w+"  # API key
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # uuid
    r"|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?"  # timestamp
    r"|[A-Za-z0-9+/]{20,}={0,2}"  # global id, opaque token, cursor
    r"|https?://\S+/files/\S+"  # signed file URL
    r"|[\w-]{32,})$"
)


class Rollback(Exception):
    pass


def _documents() -> list[tuple[str, str]]:
    """(where, query text) of every string constant in tests/ and bench/api.py that parses as a
    GraphQL document with at least one query or mutation."""
    found: dict[str, str] = {}
    files = [*sorted((ROOT / "tests").rglob("*.py")), ROOT / "bench" / "api.py"]
    for path in files:
        if "node_modules" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value.strip()
            if not text.startswith(("{", "query", "mutation", "fragment")) or text in found:
                continue
            try:
                document = parse(text)
            except Exception:
                continue
            if any(
                isinstance(d, OperationDefinitionNode) and d.operation != OperationType.SUBSCRIPTION
                for d in document.definitions
            ):
                found[text] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return sorted((where, text) for text, where in found.items())


CORPUS = _documents()


def _value(graphql_type: Any, ids: dict[str, str], depth: int = 0) -> Any:
    """A plausible value for a variable: seeded ids for ID, small scalars, required input fields."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _value(graphql_type.of_type, ids, depth)
    if isinstance(graphql_type, GraphQLList):
        return [_value(graphql_type.of_type, ids, depth)]
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        if depth > 3:
            return None
        return {
            name: _value(field.type, ids, depth + 1)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is not None
        }
    return {
        "ID": ids["user"],
        "Int": 2,
        "Float": 1.5,
        "Boolean": True,
        "String": "x",
        "Upload": None,  # files only come in multipart requests
    }.get(graphql_type.name, "x")


def _variables(schema: GraphQLSchema, document: DocumentNode, ids: dict[str, str]) -> dict:
    variables: dict[str, Any] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for var in definition.variable_definitions or ():
                graphql_type = type_from_ast(schema, var.type)
                if graphql_type is not None and var.default_value is None:
                    variables[var.variable.name.value] = _value(graphql_type, ids)
    return variables


def _operations(document: DocumentNode) -> list[str | None]:
    names = [
        d.name.value if d.name else None
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.operation != OperationType.SUBSCRIPTION
    ]
    return names if len(names) > 1 else [None]


def _normalise(value: Any, seen: dict[str, str]) -> Any:
    """Volatile strings replaced by their order of first appearance in the response."""
    if isinstance(value, dict):
        return {key: _normalise(item, seen) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item, seen) for item in value]
    if isinstance(value, str) and VOLATILE.match(value):
        return seen.setdefault(value, f"<volatile {len(seen)}>")
    if isinstance(value, str):
        # messages quoting a fresh id or timestamp
        return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>", value)
    return value


def _requests_metric() -> dict[tuple[str, ...], float]:
    return {
        tuple(sample.labels.values()): sample.value
        for metric in GRAPHQL_REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }


def _delta(before: dict, after: dict) -> dict:
    return {
        key: value - before.get(key, 0)
        for key, value in after.items()
        if value != before.get(key, 0)
    }


@pytest_asyncio.fixture
async def plain_client(settings: Any, app: Any) -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app

    plain = create_app(settings.model_copy(update={"fast_execution": False}), init_database=False)
    async with LifespanManager(plain, startup_timeout=60, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def _run(http: httpx.AsyncClient, body: dict, headers: dict) -> tuple[Any, dict]:
    """Status, body and the metric's change for one request, in a rolled-back transaction."""
    outcome: dict[str, Any] = {}
    before = _requests_metric()
    try:
        async with in_transaction():
            response = await http.post("/graphql", json=body, headers=headers)
            outcome["status"] = response.status_code
            outcome["body"] = _normalise(response.json(), {})
            raise Rollback
    except Rollback:
        pass
    return outcome, _delta(before, _requests_metric())


def test_the_corpus_is_the_suites():
    assert len(CORPUS) >= 60, CORPUS  # the suite's documents were found
    assert any("mutation" in text for _, text in CORPUS)


async def test_every_operation_gives_the_same_answer_on_both_paths(settings, client, plain_client):
    # given: an admin, a user with a key, and the schema to invent variables from
    admin, user = await make_admin(), await make_user()
    schema = build_schema(settings)._schema
    ids: dict[str, str] = {"user": global_id("User", user.user.id)}
    callers = {
        "admin": {"Authorization": f"Bearer {admin.token}"},
        "user": {"Authorization": f"Bearer {user.token}"},
        "anonymous": {},
    }
    differences: list[str] = []
    runs = 0
    for where, text in CORPUS:
        document = parse(text)
        variables = _variables(schema, document, ids)
        for operation_name in _operations(document):
            body = {"query": text, "variables": variables, "operationName": operation_name}
            for who, headers in callers.items():
                # when
                fast = await _run(client, body, headers)
                plain = await _run(plain_client, body, headers)
                if fast != plain:
                    # An admin-wide answer (an export of every receipt) also sees rows that
                    # background jobs of earlier tests settle meanwhile: a real divergence
                    # between the paths survives a second pair of runs, a moving database not.
                    fast = await _run(client, body, headers)
                    plain = await _run(plain_client, body, headers)
                runs += 1
                # then
                if fast != plain:
                    differences.append(
                        f"{where} {operation_name or ''} as {who}:\n  fast  {fast}\n  plain {plain}"
                    )
    assert runs >= 180
    assert not differences, "\n".join(differences[:10]) + f"\n({len(differences)} in all)"
