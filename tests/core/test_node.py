"""`node(id:)` returns your own objects and null for anyone else's (no leak, no error)."""

from __future__ import annotations

from schema.core.relay import global_id
from tests.conftest import data_of
from tests.factories import make_admin, make_user

NODE = "query N($id: ID!) { node(id: $id) { __typename id ... on User { email } } }"


async def test_node_returns_own_user_and_null_for_others(gql):
    alice = await make_user()
    bob = await make_user()
    alice_id = global_id("User", alice.user.id)
    own = data_of(await gql(NODE, {"id": alice_id}, token=alice.token))["node"]
    foreign = data_of(await gql(NODE, {"id": alice_id}, token=bob.token))["node"]
    anonymous = data_of(await gql(NODE, {"id": alice_id}))["node"]
    assert own == {"__typename": "User", "id": alice_id, "email": alice.email}
    assert foreign is None
    assert anonymous is None


async def test_admin_sees_any_user_and_malformed_ids_give_null(gql):
    admin = await make_admin()
    alice = await make_user()
    seen = data_of(await gql(NODE, {"id": global_id("User", alice.user.id)}, token=admin.token))[
        "node"
    ]
    assert seen["email"] == alice.email
    for bad in ("", "garbage", global_id("Nope", alice.user.id), global_id("User", "not-a-uuid")):
        assert data_of(await gql(NODE, {"id": bad}, token=admin.token))["node"] is None, bad


async def test_api_key_node_is_admin_only(gql):
    from server.accounts import services

    admin = await make_admin()
    user = await make_user()
    key, _secret = await services.create_api_key(
        owner=admin.user, name="k", scopes=["cards"], expires_at=None
    )
    key_id = global_id("ApiKey", key.id)
    query = "query N($id: ID!) { node(id: $id) { ... on ApiKey { name } } }"
    assert data_of(await gql(query, {"id": key_id}, token=admin.token))["node"] == {"name": "k"}
    assert data_of(await gql(query, {"id": key_id}, token=user.token))["node"] is None
