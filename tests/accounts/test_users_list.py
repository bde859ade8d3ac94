"""Admin user list with nested API keys: batched, a constant number of SQL statements."""

from __future__ import annotations

import pytest

from server.accounts import services
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.sql import count_sql

USERS = """
query Users($first: Int) {
  users(first: $first, role: USER) {
    totalCount
    edges { node { email apiKeys { name scopes } } }
  }
}"""


async def test_nested_api_keys_load_without_n_plus_one(gql):
    # given: 6 users with 3 keys each
    admin = await make_admin()
    for _ in range(6):
        account = await make_user()
        for i in range(3):
            await services.create_api_key(
                owner=account.user, name=f"key {i}", scopes=["cards"], expires_at=None
            )
    # when
    with count_sql() as small_page:
        small = data_of(await gql(USERS, {"first": 2}, token=admin.token))["users"]
    with count_sql() as big_page:
        big = data_of(await gql(USERS, {"first": 6}, token=admin.token))["users"]
    # then: same statement count for 2 or 6 parents (auth + page + keys + count)
    assert [len(e["node"]["apiKeys"]) for e in big["edges"]] == [3] * 6
    assert {k["name"] for k in big["edges"][0]["node"]["apiKeys"]} == {"key 0", "key 1", "key 2"}
    assert len(small["edges"]) == 2
    assert len(big_page) == len(small_page) <= 4, big_page


async def test_users_list_is_admin_only(gql):
    user = await make_user()
    result = await gql(USERS, {"first": 2}, token=user.token)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


PAGE = """
query Page($first: Int, $after: String) {
  users(first: $first, after: $after) {
    edges { cursor node { email } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_pages_follow_each_other_without_overlap(gql):
    admin = await make_admin()
    for _ in range(4):
        await make_user()

    async def walk(size: int) -> list[str]:
        seen, after = [], None
        while True:
            variables = {"first": size, "after": after}
            page = data_of(await gql(PAGE, variables, token=admin.token))["users"]
            seen += [edge["node"]["email"] for edge in page["edges"]]
            assert page["pageInfo"]["endCursor"] == (
                page["edges"][-1]["cursor"] if page["edges"] else None
            )
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    # the whole list in pages of 2 is the whole list in pages of 100 (however many users the
    # session's database holds by now)
    seen = await walk(2)
    assert seen == await walk(100)
    assert len(seen) == len(set(seen)) >= 5


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",  # not base64 of anything useful
        "bm8tc2VwYXJhdG9y",  # "no-separator"
        "MjAyNi0wMS0wMXxub3QtYS11dWlk",  # "2026-01-01|not-a-uuid"
        "bm90LWEtZGF0ZXwwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA",  # "not-a-date|<uuid>"
        "_-8",  # bytes that are not UTF-8
    ],
)
async def test_a_malformed_cursor_is_bad_user_input(gql, cursor):
    admin = await make_admin()
    result = await gql(PAGE, {"first": 2, "after": cursor}, token=admin.token)
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["message"] == "'after' is not a cursor of this list."


NESTED = "{ users(first: 5, role: USER) { edges { node { email apiKeys { name } } } } }"


async def test_nested_keys_cost_three_statements_without_total_count(gql):
    admin = await make_admin()
    for _ in range(3):
        account = await make_user()
        await services.create_api_key(
            owner=account.user, name="k", scopes=["jobs"], expires_at=None
        )
    with count_sql() as statements:
        result = data_of(await gql(NESTED, token=admin.token))
    assert all(edge["node"]["apiKeys"] for edge in result["users"]["edges"][:3])
    assert len(statements) == 3, statements  # the caller, the page, every page's keys


async def test_the_prefetch_sees_through_fragments_and_aliases(gql):
    admin = await make_admin()
    for _ in range(2):
        account = await make_user()
        await services.create_api_key(
            owner=account.user, name="k", scopes=["jobs"], expires_at=None
        )
    query = """
    query { users(first: 5, role: USER) { edges { ... on UserEdge { node { ...U } } } } }
    fragment U on User { email keys: apiKeys { name } }"""
    with count_sql() as statements:
        result = data_of(await gql(query, token=admin.token))
    assert [edge["node"]["keys"] for edge in result["users"]["edges"][:2]] == [[{"name": "k"}]] * 2
    assert len(statements) == 3, statements


async def test_keys_through_me_and_node_load_on_demand(gql):
    # given: an admin with a key; `me` and `node` build a User that nobody prefetched for
    admin = await make_admin()
    await services.create_api_key(owner=admin.user, name="mine", scopes=["cards"], expires_at=None)
    # when
    me = data_of(await gql("{ me { id apiKeys { name scopes } } }", token=admin.token))["me"]
    node = data_of(
        await gql(
            "query($id: ID!) { node(id: $id) { ... on User { apiKeys { name } } } }",
            {"id": me["id"]},
            token=admin.token,
        )
    )["node"]
    # then
    assert me["apiKeys"] == [{"name": "mine", "scopes": ["cards"]}]
    assert node["apiKeys"] == [{"name": "mine"}]


async def test_keys_through_me_stay_admin_only(gql):
    user = await make_user()
    await services.create_api_key(owner=user.user, name="mine", scopes=["jobs"], expires_at=None)
    result = await gql("{ me { email apiKeys { name } } }", token=user.token)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert result["errors"][0]["path"] == ["me", "apiKeys"]
