"""API keys: created by admins, shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.accounts.models import ApiKey
from tests.conftest import data_of
from tests.factories import make_admin, make_user

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
    from schema.core.relay import global_id

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
