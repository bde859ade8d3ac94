"""API keys: created by admins, shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schema.core.relay import global_id
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure
from server.accounts.models import ApiKey, Role, User
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.sql import count_sql

CREATE = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey { id name prefix scopes expiresAt revokedAt lastUsedAt }
    errors { field code message }
  }
}"""
REVOKE = """
mutation Revoke($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id revokedAt } errors { code } } }"""
ME = "query Me { me { email } }"
KEYS = "query Keys { apiKeys(first: 50) { totalCount edges { node { id name lastUsedAt } } } }"


async def _create(gql, token, **input_fields):
    variables = {"input": {"name": "kiosk 12", "scopes": ["captures"], **input_fields}}
    return data_of(await gql(CREATE, variables, token=token))["createApiKey"]


async def test_admin_creates_a_key_shown_once_and_stored_hashed(gql):
    # given
    admin = await make_admin()
    # when
    payload = await _create(gql, admin.token, scopes=["captures", "invoices"])
    # then
    assert payload["errors"] == []
    secret = payload["secret"]
    assert secret.startswith(f"sbk_{payload['apiKey']['prefix']}_")
    assert payload["apiKey"]["scopes"] == ["captures", "invoices"]
    stored = await ApiKey.get(prefix=payload["apiKey"]["prefix"])
    assert secret.split("_", 2)[2] not in (stored.secret_hash, stored.name)
    assert len(stored.secret_hash) == 64
    listed = data_of(await gql(KEYS, token=admin.token))["apiKeys"]
    assert payload["apiKey"]["id"] in [e["node"]["id"] for e in listed["edges"]]
    assert "secret" not in str(listed)


async def test_key_authenticates_as_its_owner_and_records_last_use(gql):
    admin = await make_admin()
    payload = await _create(gql, admin.token)
    me = data_of(await gql(ME, api_key=payload["secret"]))["me"]
    assert me["email"] == admin.email
    stored = await ApiKey.get(prefix=payload["apiKey"]["prefix"])
    assert stored.last_used_at is not None
    assert datetime.now(UTC) - stored.last_used_at < timedelta(minutes=1)


async def test_revoked_expired_and_wrong_keys_are_refused(gql):
    admin = await make_admin()
    revoked = await _create(gql, admin.token)
    expiring = await _create(
        gql, admin.token, expiresAt=(datetime.now(UTC) + timedelta(seconds=60)).isoformat()
    )
    # revoke one, age the other past its expiry
    data_of(await gql(REVOKE, {"id": revoked["apiKey"]["id"]}, token=admin.token))
    await ApiKey.filter(prefix=expiring["apiKey"]["prefix"]).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    prefix = revoked["apiKey"]["prefix"]
    for key in (
        revoked["secret"],
        expiring["secret"],
        f"sbk_{prefix}_wrongsecret",
        "sbk_nope_nope",
        "garbage",
    ):
        result = await gql(ME, api_key=key)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", key


async def test_create_validates_scopes_name_and_expiry(gql):
    admin = await make_admin()
    bad_scope = await _create(gql, admin.token, scopes=["everything"])
    no_scope = await _create(gql, admin.token, scopes=[])
    blank = await _create(gql, admin.token, name="   ")
    past = await _create(gql, admin.token, expiresAt="2020-01-01T00:00:00+00:00")
    assert [
        (p["errors"][0]["code"], p["errors"][0]["field"])
        for p in (bad_scope, no_scope, blank, past)
    ] == [
        ("INVALID_INPUT", "scopes"),
        ("INVALID_INPUT", "scopes"),
        ("INVALID_INPUT", "name"),
        ("INVALID_INPUT", "expiresAt"),
    ]
    assert all(p["secret"] is None for p in (bad_scope, no_scope, blank, past))


async def test_only_admins_with_a_token_manage_keys(gql):
    user = await make_user()
    admin = await make_admin()
    key = await _create(gql, admin.token, scopes=["invoices"])
    as_user = await gql(CREATE, {"input": {"name": "x", "scopes": ["cards"]}}, token=user.token)
    as_anonymous = await gql(CREATE, {"input": {"name": "x", "scopes": ["cards"]}})
    as_key = await gql(CREATE, {"input": {"name": "x", "scopes": ["cards"]}}, api_key=key["secret"])
    assert as_user["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert as_anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert as_key["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await gql(KEYS, token=user.token)
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_revoke_unknown_key(gql):
    admin = await make_admin()
    result = data_of(
        await gql(
            REVOKE,
            {"id": global_id("ApiKey", "00000000-0000-0000-0000-000000000000")},
            token=admin.token,
        )
    )
    assert result["revokeApiKey"]["errors"][0]["code"] == "NOT_FOUND"
    malformed = await gql(REVOKE, {"id": "bm9wZQ=="}, token=admin.token)
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# ---- scopes: a key gets at most what it was given (issue 10, items 3 and 4) ------------------

NODE = "query N($id: ID!) { node(id: $id) { __typename ... on User { email } ... on ApiKey { name } } }"
USERS = "query { users(first: 5) { totalCount } }"


async def test_an_admins_key_acts_as_admin_only_with_the_admin_scope(gql):
    # given: another user with a key, and two keys of an admin, with and without `admin`
    admin, alice = await make_admin(), await make_user()
    alices_key, _ = await services.create_api_key(
        owner=alice.user, name="alice's", scopes=["jobs"], expires_at=None
    )
    _, plain = await services.create_api_key(
        owner=admin.user,
        name="plain",
        scopes=["receipts:read", "receipts:write", "jobs", "files", "ocr"],
        expires_at=None,
    )
    _, powered = await services.create_api_key(
        owner=admin.user, name="admin", scopes=["admin"], expires_at=None
    )
    alice_id, key_id = global_id("User", alice.user.id), global_id("ApiKey", alices_key.id)
    # when / then: without `admin`, the admin's key sees neither Alice nor her key
    assert data_of(await gql(NODE, {"id": alice_id}, api_key=plain))["node"] is None
    assert data_of(await gql(NODE, {"id": key_id}, api_key=plain))["node"] is None
    refused = await gql(USERS, api_key=plain)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "'admin' scope" in refused["errors"][0]["message"]
    # with it, it does
    assert data_of(await gql(NODE, {"id": alice_id}, api_key=powered))["node"] == {
        "__typename": "User",
        "email": alice.email,
    }
    assert data_of(await gql(NODE, {"id": key_id}, api_key=powered))["node"] == {
        "__typename": "ApiKey",
        "name": "alice's",
    }
    assert data_of(await gql(USERS, api_key=powered))["users"]["totalCount"] >= 2


async def test_only_an_admins_key_carries_admin_and_never_mints_keys(gql):
    # given
    admin, user = await make_admin(), await make_user()
    # when: a key for a non-admin asks for `admin`
    with pytest.raises(AccountsFailure) as refused:
        await services.create_api_key(owner=user.user, name="x", scopes=["admin"], expires_at=None)
    # then
    assert (refused.value.code, refused.value.field) == ("INVALID_INPUT", "scopes")
    # an admin gives one to their own key, which still cannot create or revoke keys
    created = await _create(gql, admin.token, scopes=["admin"])
    assert created["errors"] == [] and created["apiKey"]["scopes"] == ["admin"]
    minted = await gql(
        CREATE, {"input": {"name": "x", "scopes": ["jobs"]}}, api_key=created["secret"]
    )
    assert minted["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    revoked = await gql(REVOKE, {"id": created["apiKey"]["id"]}, api_key=created["secret"])
    assert revoked["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_admin_scope_lapses_when_the_owner_is_no_longer_an_admin(gql):
    # given: an admin's admin-scoped key, then the admin is demoted
    admin, alice = await make_admin(), await make_user()
    _, secret = await services.create_api_key(
        owner=admin.user, name="admin", scopes=["admin"], expires_at=None
    )
    await User.filter(id=admin.user.id).update(role=Role.USER)
    # when
    seen = await gql(NODE, {"id": global_id("User", alice.user.id)}, api_key=secret)
    listed = await gql(USERS, api_key=secret)
    # then
    assert data_of(seen)["node"] is None
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_legacy_receipts_scope_still_reads_and_writes_receipts(gql):
    # given: a key created with the old name, and one stored with it before scopes were split
    admin = await make_admin()
    created = await _create(gql, admin.token, scopes=["receipts"])
    old, old_secret = await services.create_api_key(
        owner=admin.user, name="old", scopes=["jobs"], expires_at=None
    )
    await ApiKey.filter(id=old.id).update(scopes=["receipts"])
    _, read_only = await services.create_api_key(
        owner=admin.user, name="ro", scopes=["receipts:read"], expires_at=None
    )
    receipt_id = global_id("Receipt", "00000000-0000-0000-0000-000000000000")
    delete = 'mutation { deleteReceipt(input: {id: "RID"}) { errors { code } } }'.replace(
        "RID", receipt_id
    )
    # then: the old name is stored as what it stands for
    assert created["apiKey"]["scopes"] == ["receipts:read", "receipts:write"]
    for secret in (created["secret"], old_secret):
        assert data_of(await gql("{ receipts { totalCount } }", api_key=secret))
        written = data_of(await gql(delete, api_key=secret))["deleteReceipt"]
        assert written["errors"] == [{"code": "NOT_FOUND"}]
    # and reading does not allow writing
    assert data_of(await gql("{ receipts { totalCount } }", api_key=read_only))
    refused = await gql(delete, api_key=read_only)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_authentication_stays_lazy_and_fetches_the_user_once(gql):
    # given
    admin = await make_admin()
    _, secret = await services.create_api_key(
        owner=admin.user, name="k", scopes=["jobs", "receipts:read"], expires_at=None
    )
    await gql(ME, api_key=secret)  # records last use now, so the next requests write nothing
    # when
    with count_sql() as bare:
        data_of(await gql("{ __typename }", api_key=secret))
    with count_sql() as checked:
        data_of(
            await gql(
                "{ me { email } a: myJobs { totalCount } b: myJobs { totalCount } }", api_key=secret
            )
        )
    # then: no query without a field that asks who calls; one for the key and its owner
    assert bare == []
    assert [s for s in checked if "api_keys" in s or 'FROM "users"' in s] == checked[:1]
