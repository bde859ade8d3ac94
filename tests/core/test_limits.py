"""Query cost limits, page size and the introspection switch."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from tests.conftest import GraphQLClient, data_of
from tests.factories import make_admin


@asynccontextmanager
async def client_with(settings, **overrides):
    """A second app on the same database with some settings changed."""
    from server.app import create_app

    app = create_app(settings.model_copy(update=overrides), init_database=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield GraphQLClient(http)


async def test_too_deep_query_is_refused(app, settings):
    admin = await make_admin()
    async with client_with(settings, max_query_depth=2) as gql:
        deep = await gql(
            "query Deep { apiKeys { edges { node { id } } pageInfo { endCursor } } }",
            token=admin.token,
        )
        shallow = await gql("query Shallow { apiKeys { edges { cursor } } }", token=admin.token)
    assert "exceeds maximum operation depth of 2" in deep["errors"][0]["message"]
    assert deep.get("data") is None
    assert data_of(shallow)["apiKeys"]["edges"] is not None


async def test_too_many_aliases_are_refused(gql):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    result = await gql(query)
    assert (
        "aliases found" in result["errors"][0]["message"].lower()
        or "alias" in result["errors"][0]["message"].lower()
    )


async def test_too_many_tokens_are_refused(gql):
    query = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    result = await gql(query)
    assert "token" in result["errors"][0]["message"].lower()


async def test_page_size_is_capped(gql):
    admin = await make_admin()
    result = await gql("{ apiKeys(first: 101) { totalCount } }", token=admin.token)
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 0 and 100" in result["errors"][0]["message"]
    ok = data_of(await gql("{ apiKeys(first: 100) { totalCount } }", token=admin.token))
    assert ok["apiKeys"]["totalCount"] >= 0
    bad_cursor = await gql('{ apiKeys(first: 1, after: "zzz") { totalCount } }', token=admin.token)
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_cursor_pagination_walks_every_item_once(gql):
    from server.accounts import services

    admin = await make_admin()
    for i in range(5):
        await services.create_api_key(
            owner=admin.user, name=f"k{i}", scopes=["cards"], expires_at=None
        )
    seen: list[str] = []
    after = None
    while True:
        page = data_of(
            await gql(
                "query P($after: String) { apiKeys(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
                {"after": after},
                token=admin.token,
            )
        )["apiKeys"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]


async def test_introspection_can_be_turned_off(app, settings):
    async with client_with(settings, introspection=False) as gql:
        result = await gql("{ __schema { types { name } } }")
        typename = await gql("{ __typename }")
    assert "introspection" in result["errors"][0]["message"].lower()
    assert typename["data"] == {"__typename": "Query"}
