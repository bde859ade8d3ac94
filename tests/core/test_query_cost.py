"""Query cost analysis: documents built to be expensive are refused before execution, with a code,
on every transport, while the server keeps answering everyone else."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
import websockets
from websockets.typing import Subprotocol

from schema.core import cost as cost_module
from schema.core.limits import QueryGate
from tests.conftest import data_of
from tests.core.test_limits import client_with
from tests.factories import make_user


def fragment_bomb(levels: int = 10, spreads: int = 10) -> str:
    """Each fragment spreads the next one `spreads` times: spreads^levels fields once expanded."""
    fragments = "".join(
        f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * spreads)} }}\n"
        for i in range(levels)
    )
    return f"query Bomb {{ ...F0 }}\n{fragments}fragment F{levels} on Query {{ __typename }}"


def alias_bomb_through_fragments() -> str:
    """10 aliases in a fragment, spread 10 times per level over 3 levels: 10,000 aliases."""
    leaf = " ".join(f"a{i}: __typename" for i in range(10))
    levels = "".join(
        f"fragment L{i} on Query {{ {' '.join([f'...L{i + 1}'] * 10)} }}\n" for i in range(3)
    )
    return f"{{ ...L0 }}\n{levels}fragment L3 on Query {{ {leaf} }}"


DIRECTIVE_FLOOD_FRAGMENTS = (
    "{ ...D ...D2 } fragment D on Query { __typename "
    + " ".join(["@include(if: true)"] * 40)
    + " } fragment D2 on Query { ...D }"
)
CYCLE = "query Cycle { ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }"
RECEIPT_DETAIL = """
  id status store total currency
  items { name quantity unitPrice total category }
  fields { name value confidence box { x0 y0 x1 y1 } }
"""
NESTED_LISTS = f"""
query Nested($first: Int) {{
  receipts(first: $first) {{
    edges {{ node {{ {RECEIPT_DETAIL} possibleDuplicateOf {{ {RECEIPT_DETAIL} }} }} }}
  }}
}}"""
USERS_PAGE = """
query Users($first: Int) {
  users(first: $first, role: USER) { totalCount edges { node { email apiKeys { name scopes } } } }
}"""

USERS_PAGE_50 = """
{ users(first: 50, role: USER) { totalCount edges { node { email apiKeys { name scopes } } } } }"""


def codes(result: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in result["errors"]}


async def refused_while_others_are_served(gql, query: str) -> dict[str, Any]:
    """Send `query` and `{ __typename }` at the same time; the probe must be answered."""
    refused, probe = await asyncio.gather(gql(query), gql("{ __typename }"))
    assert probe == {"data": {"__typename": "Query"}}
    assert "data" not in refused or refused["data"] is None
    return refused


async def test_fragment_bomb_is_refused_before_execution(gql):
    result = await refused_while_others_are_served(gql, fragment_bomb())
    assert codes(result) == {"TOO_MANY_FIELDS", "QUERY_TOO_COMPLEX"}
    complex_error = next(
        e for e in result["errors"] if e["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    )
    assert complex_error["extensions"]["found"] == 10**10
    assert complex_error["extensions"]["limit"] == 50_000
    assert "10000000000" in complex_error["message"] and "50000" in complex_error["message"]


async def test_alias_bombs_are_refused(gql):
    flat = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    for query, found in ((flat, 200), (alias_bomb_through_fragments(), 10_000)):
        result = await refused_while_others_are_served(gql, query)
        aliases = next(e for e in result["errors"] if e["extensions"]["code"] == "TOO_MANY_ALIASES")
        assert aliases["extensions"] == {"code": "TOO_MANY_ALIASES", "found": found, "limit": 30}


async def test_directive_floods_are_refused(app, settings, gql):
    # through fragments, within the token limit: 80 directives once expanded
    result = await refused_while_others_are_served(gql, DIRECTIVE_FLOOD_FRAGMENTS)
    assert codes(result) == {"TOO_MANY_DIRECTIVES"}
    assert result["errors"][0]["extensions"]["found"] == 80
    # thousands on one field: the token limit stops them first...
    flood = "{ __typename " + " ".join(["@include(if: true)"] * 3000) + " }"
    assert codes(await refused_while_others_are_served(gql, flood)) == {"TOO_MANY_TOKENS"}
    # ...and the directive count when the token limit is raised
    async with client_with(settings, max_tokens=100_000) as lax:
        result = await refused_while_others_are_served(lax, flood)
    assert codes(result) == {"TOO_MANY_DIRECTIVES"}
    assert result["errors"][0]["extensions"]["found"] == 3000


async def test_deep_and_nested_lists_are_refused(gql):
    account = await make_user()
    # lists inside lists at full page size: 100 receipts x (items + fields) twice over
    big = await gql(NESTED_LISTS, {"first": 100}, token=account.token)
    assert codes(big) == {"QUERY_TOO_COMPLEX"}
    assert big["errors"][0]["extensions"]["found"] == 61_301
    # the same document with a small page runs: the cost follows the variable
    small = data_of(await gql(NESTED_LISTS, {"first": 20}, token=account.token))
    assert small == {"receipts": {"edges": []}}
    # a receipt's duplicate of its duplicate...: too deep
    chain = '{ receipt(id: "x") { ' + "possibleDuplicateOf { " * 12 + "id" + " }" * 13 + " }"
    deep = await refused_while_others_are_served(gql, chain)
    assert codes(deep) == {"QUERY_TOO_DEEP"}
    assert deep["errors"][0]["extensions"] == {"code": "QUERY_TOO_DEEP", "found": 14, "limit": 12}
    # introspection lists inside introspection lists
    introspection = (
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    )
    assert codes(await refused_while_others_are_served(gql, introspection)) == {"QUERY_TOO_DEEP"}


async def test_cyclic_and_undefined_fragments_are_refused_without_hanging(gql):
    cycle = await refused_while_others_are_served(gql, CYCLE)
    assert codes(cycle) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "Cannot spread fragment 'A' within itself via 'B'." in cycle["errors"][0]["message"]
    undefined = await refused_while_others_are_served(gql, "{ ...Nowhere }")
    assert undefined["errors"][0]["message"] == "Unknown fragment 'Nowhere'."
    assert codes(undefined) == {"GRAPHQL_VALIDATION_FAILED"}


def test_cost_of_a_real_list_query(settings):
    from schema.build import build_schema

    gate = QueryGate(build_schema(settings)._schema, settings)
    # users: 1 + totalCount 1 + edges 50 x (edge 1 + node (1 + email 1 + apiKeys 20 x (1 + 2)))
    prepared = gate.prepare(USERS_PAGE_50)
    assert prepared.errors == []
    assert prepared.analysis is not None
    [operation] = prepared.analysis.operations
    assert (operation.cost, operation.depth, operation.fields) == (2 + 50 * (1 + 1 + 1 + 60), 5, 8)
    # with a variable page size: MAX_PAGE_SIZE is assumed until the value is known
    with_variable = gate.prepare(USERS_PAGE)
    assert with_variable.analysis is not None
    assert with_variable.analysis.operations[0].cost == 2 + 100 * 63
    assert with_variable.analysis.page_variables == {"first": "'first' of 'users'"}
    assert with_variable.recheck_cost is False


def test_a_cached_document_is_analysed_once(settings, monkeypatch):
    from schema.build import build_schema

    gate = QueryGate(build_schema(settings)._schema, settings)
    runs: list[int] = []
    original = cost_module.CostAnalyser.run

    def counting_run(self):
        runs.append(1)
        return original(self)

    monkeypatch.setattr(cost_module.CostAnalyser, "run", counting_run)
    first, second = gate.prepare(fragment_bomb()), gate.prepare(fragment_bomb())
    assert first is second and len(runs) == 1
    assert {(e.extensions or {}).get("code") for e in second.errors} == {
        "TOO_MANY_FIELDS",
        "QUERY_TOO_COMPLEX",
    }
    ok = gate.prepare(USERS_PAGE)
    assert gate.check_request(ok, {"first": 5}) == [] and len(runs) == 2  # no recheck needed


async def test_strawberry_http_path_refuses_the_same_way(client):
    # GET goes through Strawberry's view and the QueryLimits extension
    response, probe = await asyncio.gather(
        client.get(
            "/graphql", params={"query": fragment_bomb()}, headers={"accept": "application/json"}
        ),
        client.get(
            "/graphql", params={"query": "{ __typename }"}, headers={"accept": "application/json"}
        ),
    )
    assert probe.json() == {"data": {"__typename": "Query"}}
    assert codes(response.json()) == {"TOO_MANY_FIELDS", "QUERY_TOO_COMPLEX"}
    tokens = await client.get(
        "/graphql",
        params={"query": "{ " + "__typename " * 2100 + "}"},
        headers={"accept": "application/json"},
    )
    assert codes(tokens.json()) == {"TOO_MANY_TOKENS"}


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest_asyncio.fixture
async def ws_url(app: Any) -> AsyncIterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = _Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert not task.done() and time.monotonic() < deadline
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "subscription S { ...F0 } "
            + fragment_bomb().split("\n", 1)[1].replace(" on Query ", " on Subscription "),
            {"TOO_MANY_FIELDS", "QUERY_TOO_COMPLEX"},
        ),
        ('subscription S { jobUpdated(id: "x") { ...C } } fragment C on Job { ...C }', None),
    ],
)
async def test_websocket_subscriptions_are_checked(ws_url, query, expected):
    async with websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "error"
    found = {error["extensions"]["code"] for error in message["payload"]}
    assert found == (expected or {"GRAPHQL_VALIDATION_FAILED"})
