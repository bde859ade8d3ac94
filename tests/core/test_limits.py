"""Query limits (depth, aliases, tokens, page size, input lists, response size) and the
introspection switch with its suggestions; each refusal carries `extensions.code`."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from server.accounts.models import ApiKey
from tests.conftest import GraphQLClient, data_of
from tests.factories import make_admin

CREATE_KEY = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { apiKey { scopes } errors { code } }
}"""


@asynccontextmanager
async def client_with(settings, **overrides):
    """A second app on the same database with some settings changed."""
    from server.app import create_app

    app = create_app(settings.model_copy(update=overrides), init_database=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield GraphQLClient(http)


async def get(gql: GraphQLClient, query: str, variables: str | None = None) -> dict:
    """The same operation through Strawberry's view (GET) instead of the lean JSON path."""
    params = {"query": query, **({"variables": variables} if variables else {})}
    response = await gql.http.get("/graphql", params=params, headers={"accept": "application/json"})
    return response.json()


def only_error(result: dict) -> dict:
    assert "data" not in result or result["data"] is None, result
    [error] = result["errors"]
    return error


async def test_too_deep_query_is_refused(app, settings, gql):
    admin = await make_admin()
    created = await gql(CREATE_KEY, {"input": {"name": "k", "scopes": ["jobs"]}}, token=admin.token)
    assert data_of(created)["createApiKey"]["errors"] == []
    shallow_query = "query Shallow { apiKeys(first: 100) { edges { cursor } } }"
    unlimited = data_of(await gql(shallow_query, token=admin.token))
    async with client_with(settings, max_query_depth=3) as limited:
        deep = await limited(
            "query Deep { apiKeys { edges { node { id } } pageInfo { endCursor } } }",
            token=admin.token,
        )
        shallow = await limited(shallow_query, token=admin.token)
    error = only_error(deep)
    assert error["message"] == "The query is 4 fields deep; the limit is 3."
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "found": 4, "limit": 3}
    # 3 deep, at the limit: answered in full, as without the limit (the new key included)
    assert data_of(shallow) == unlimited
    assert len(unlimited["apiKeys"]["edges"]) >= 1


async def test_too_many_aliases_are_refused(gql):
    allowed = data_of(await gql("{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"))
    result = await gql("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }")
    assert allowed == {f"a{i}": "Query" for i in range(30)}
    error = only_error(result)
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "found": 31, "limit": 30}
    assert "31 aliases" in error["message"] and "limit is 30" in error["message"]


async def test_too_many_tokens_are_refused(gql):
    query = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    for result in (await gql(query), await get(gql, query)):
        error = only_error(result)
        assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 2000}
        assert "more than 2000 tokens" in error["message"]


async def test_page_size_is_capped_before_execution(gql):
    admin = await make_admin()
    # a literal: refused before anything runs (no partial `me`)
    result = await gql("{ me { id } apiKeys(first: 101) { totalCount } }", token=admin.token)
    error = only_error(result)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert error["message"] == "'first' of 'apiKeys' must be between 0 and 100."
    # a variable, nested under another field
    nested = await gql(
        "query L($n: Int) { loyalty { entries(first: $n) { totalCount } } }",
        {"n": 1000},
        token=admin.token,
    )
    assert only_error(nested)["extensions"] == {"code": "BAD_USER_INPUT", "field": "n"}
    assert "'first' of 'entries' ($n) must be between 0 and 100" in nested["errors"][0]["message"]
    ok = data_of(await gql("{ apiKeys(first: 100) { totalCount } }", token=admin.token))
    assert ok["apiKeys"]["totalCount"] == await ApiKey.all().count()
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
    assert len(seen) == len(set(seen)) == page["totalCount"] >= 5


async def test_input_lists_are_capped(app, settings):
    admin = await make_admin()
    async with client_with(settings, max_input_list_length=3) as gql:
        # a variable: the list is named by its path in the variables
        too_long = await gql(
            CREATE_KEY, {"input": {"name": "k", "scopes": ["cards"] * 4}}, token=admin.token
        )
        # a literal: named by its argument
        literal = await gql(
            'mutation { createApiKey(input: {name: "k", scopes: ["a", "b", "c", "d"]}) { errors { code } } }',
            token=admin.token,
        )
        fits = await gql(
            CREATE_KEY, {"input": {"name": "k", "scopes": ["cards"] * 3}}, token=admin.token
        )
    error = only_error(too_long)
    assert error["message"] == "Variable '$input.scopes' has 4 items; at most 3 are allowed."
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "$input.scopes"}
    error = only_error(literal)
    assert error["message"] == (
        "The list at 'input.scopes' (argument 'input' of 'createApiKey') has 4 items;"
        " at most 3 are allowed."
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.scopes"}
    assert data_of(fits)["createApiKey"]["errors"] == []


async def test_response_size_is_capped(app, settings):
    query = "{ __schema { types { name description } } }"
    async with client_with(settings, max_response_bytes=500) as gql:
        results = [await gql(query), await get(gql, query)]
        small = await gql("{ __typename }")
    for result in results:
        error = only_error(result)
        assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE", "limit": 500}
        assert "the limit is 500" in error["message"]
    assert small == {"data": {"__typename": "Query"}}


async def test_introspection_can_be_turned_off_with_suggestions(app, settings, gql):
    typo = "{ mee { id } }"
    role_typo = "query R($role: Role) { users(role: $role) { totalCount } }"
    admin = await make_admin()
    # on: suggestions help
    assert "Did you mean 'me'?" in only_error(await gql(typo))["message"]
    async with client_with(settings, introspection=False) as closed:
        schema = await closed("{ __schema { types { name } } }")
        typename = await closed("{ __typename }")
        hidden = [await closed(typo), await get(closed, typo)]
        enum_json = await closed(role_typo, {"role": "ADMN"}, token=admin.token)
        enum_get = await get(closed, role_typo, '{"role": "ADMN"}')
    assert schema.get("data") is None
    assert "introspection" in schema["errors"][0]["message"].lower()
    assert {e["extensions"]["code"] for e in schema["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert typename["data"] == {"__typename": "Query"}
    for result in hidden:
        assert only_error(result)["message"] == "Cannot query field 'mee' on type 'Query'."
        assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for result in (enum_json, enum_get):
        message = result["errors"][0]["message"]
        assert "ADMN" in message and "Did you mean" not in message and "ADMIN" not in message


async def test_ten_thousand_receipt_items_are_refused_before_anything_runs(gql):
    # the reported abuse: 10,000 items in one validateReceipt call
    admin = await make_admin()
    items = [{"name": f"item {i}", "unitPrice": "1.00"} for i in range(10_000)]
    result = await gql(
        "mutation V($input: ValidateReceiptInput!) { validateReceipt(input: $input) { errors { code } } }",
        {"input": {"id": "UmVjZWlwdDox", "items": items}},
        token=admin.token,
    )
    error = only_error(result)
    assert error["message"] == "Variable '$input.items' has 10000 items; at most 500 are allowed."
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "$input.items"}
