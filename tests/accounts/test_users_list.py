"""Admin user list with nested API keys: batched, a constant number of SQL statements."""

from __future__ import annotations

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
