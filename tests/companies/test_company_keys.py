"""Company API keys: made and revoked by the company's ADMINs, acting for the company only,
never as a user; memberships read at most once per request, and never when no company is
involved."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from strawberry.exceptions import ConnectionRejectionError

from schema.core.relay import global_id
from server.access import actor_for
from server.accounts.models import ApiKey
from server.app import GraphQLApp
from server.companies.models import CompanyRole
from server.context import Context
from server.settings import get_settings
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

CREATE = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id scopes companyId } errors { field code } }
}"""
REVOKE = """
mutation Revoke($input: RevokeApiKeyInput!) {
  revokeApiKey(input: $input) { apiKey { id revokedAt } errors { code } }
}"""
KEYS = """
query Keys($id: ID!) { node(id: $id) { ... on Company { apiKeys { id companyId } } } }"""
ME = "query Me { me { email } }"
MINE = "query Mine { myCompanies { role company { id } } }"
RECEIPTS = "query R { receipts(first: 5) { totalCount } }"


async def test_a_company_admin_creates_a_key_acting_for_the_company(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    # when
    variables = {"input": {"name": "till", "scopes": ["companies"], "companyId": gid}}
    payload = data_of(await gql(CREATE, variables, token=alice.token))["createApiKey"]
    # then
    assert payload["errors"] == []
    assert payload["apiKey"]["companyId"] == gid
    secret = payload["secret"]
    stored = await ApiKey.get(prefix=secret.split("_", 2)[1]).select_related("company")
    assert (stored.company_id, stored.owner_id) == (company.id, alice.user.id)
    actor = actor_for(None, stored)
    assert actor.owner == company and actor.user is None
    # it is not Alice: no `me`, no user session, none of her receipts
    assert data_of(await gql(ME, api_key=secret))["me"] is None
    refused = await gql(RECEIPTS, api_key=secret)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    again = await gql(CREATE, variables, api_key=secret)
    assert again["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mine = data_of(await gql(MINE, api_key=secret))["myCompanies"]
    assert mine == [{"role": "MEMBER", "company": {"id": gid}}]
    keys = data_of(await gql(KEYS, {"id": gid}, token=alice.token))["node"]["apiKeys"]
    assert keys == [{"id": payload["apiKey"]["id"], "companyId": gid}]


async def test_only_the_companys_admins_make_its_keys_with_company_scopes(gql):
    # given: Alice runs the company, Mia is a member, Bob runs another
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    await make_company(bob)
    gid = global_id("Company", company.id)
    variables = {"input": {"name": "till", "scopes": ["invoices"], "companyId": gid}}
    # when / then
    for stranger in (mia, bob):
        refused = await gql(CREATE, variables, token=stranger.token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    too_much = {"input": {**variables["input"], "scopes": ["invoices", "receipts:read"]}}
    errors = data_of(await gql(CREATE, too_much, token=alice.token))["createApiKey"]["errors"]
    assert errors == [{"field": "scopes", "code": "INVALID_INPUT"}]
    assert await ApiKey.filter(company_id=company.id).count() == 0


async def test_a_company_key_never_gains_more_than_its_scopes(gql):
    # given: a key stored with a user-area scope (written around the service's checks)
    alice = await make_user()
    company = await make_company(alice)
    secret = await company_key(company, alice, ["invoices"])
    await ApiKey.filter(company_id=company.id).update(scopes=["invoices", "receipts:read", "admin"])
    # when
    refused = await gql(RECEIPTS, api_key=secret)
    mine = await gql(MINE, api_key=secret)
    # then: only `invoices` counts
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert mine["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_company_admins_revoke_their_companys_keys_only(gql):
    # given: a key of Alice's company, a key of Bob's
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company, other = await make_company(alice), await make_company(bob)
    await join(company, mia, CompanyRole.MEMBER)
    secret = await company_key(company, alice, ["companies"])
    others = await company_key(other, bob, ["companies"])
    key_id = global_id("ApiKey", (await ApiKey.get(prefix=secret.split("_", 2)[1])).id)
    others_id = global_id("ApiKey", (await ApiKey.get(prefix=others.split("_", 2)[1])).id)
    gid = global_id("Company", company.id)
    # when / then: Bob's key is not one of Alice's company's
    wrong = await gql(REVOKE, {"input": {"id": others_id, "companyId": gid}}, token=alice.token)
    assert data_of(wrong)["revokeApiKey"]["errors"] == [{"code": "NOT_FOUND"}]
    # a member is no ADMIN; nor is Bob of Alice's company
    for stranger in (mia, bob):
        refused = await gql(
            REVOKE, {"input": {"id": key_id, "companyId": gid}}, token=stranger.token
        )
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    done = await gql(REVOKE, {"input": {"id": key_id, "companyId": gid}}, token=alice.token)
    assert data_of(done)["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    gone = await gql(MINE, api_key=secret)
    assert gone["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert data_of(await gql(MINE, api_key=others))["myCompanies"] != []


async def test_memberships_are_read_once_per_request_and_only_when_needed(gql):
    # given: Alice, ADMIN of two companies
    alice = await make_user()
    first, second = await make_company(alice), await make_company(alice)
    a, b = global_id("Company", first.id), global_id("Company", second.id)
    two_keys_lists = """
    query Two($a: ID!, $b: ID!) {
      a: node(id: $a) { ... on Company { apiKeys { id } } }
      b: node(id: $b) { ... on Company { apiKeys { id } } }
    }"""
    # when
    with count_sql() as statements:
        data_of(await gql(two_keys_lists, {"a": a, "b": b}, token=alice.token))
    with count_sql() as plain:
        data_of(await gql(ME, token=alice.token))
    # then: one membership query for both IsCompanyMember checks; none for `me`
    assert sum('"memberships"' in s and "SELECT" in s.upper() and "companies" not in s.split(
        "FROM", 1)[1].split("WHERE", 1)[0] for s in statements) == 1, statements  # fmt: skip
    assert not any("memberships" in s for s in plain), plain


async def test_a_company_key_opens_a_websocket_and_a_revoked_one_does_not(gql):
    # given: a live and a revoked key of a company, sent in connection_init
    alice = await make_user()
    company = await make_company(alice)
    live = await company_key(company, alice, ["companies"])
    revoked = await company_key(company, alice, ["companies"], revoked=True)

    def context(secret: str) -> Context:
        request = Request({"type": "http", "headers": [], "client": ("127.0.0.1", 1)})
        return Context(
            request=request,
            response=None,
            settings=get_settings(),
            connection_params={"X-API-Key": secret},
        )

    # when / then: the handler uses nothing of the app instance
    assert await GraphQLApp.on_ws_connect(None, context(live)) is None  # type: ignore[arg-type]
    with pytest.raises(ConnectionRejectionError):
        await GraphQLApp.on_ws_connect(None, context(revoked))  # type: ignore[arg-type]


async def test_a_company_key_outlives_its_creators_account_a_users_key_does_not(gql):
    # given: Alice created a key for her company and one of her own; Mia also runs the company
    alice, mia = await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia, CompanyRole.ADMIN)
    gid = global_id("Company", company.id)
    companys = await company_key(company, alice, ["companies"])
    hers = await company_key(company, alice, ["companies"])
    hers_row = await ApiKey.get(prefix=hers.split("_", 2)[1])
    await ApiKey.filter(id=hers_row.id).update(company_id=None)  # made a user's key
    # when: Alice's account is deleted
    await alice.user.delete()
    # then: the company's key still acts for the company, its creator forgotten
    mine = data_of(await gql(MINE, api_key=companys))["myCompanies"]
    assert mine == [{"role": "MEMBER", "company": {"id": gid}}]
    stored = await ApiKey.get(prefix=companys.split("_", 2)[1])
    assert (stored.company_id, stored.owner_id) == (company.id, None)
    keys = data_of(await gql(KEYS, {"id": gid}, token=mia.token))["node"]["apiKeys"]
    assert [k["companyId"] for k in keys] == [gid]
    # and Alice's own key died with her account: refused, ownerless (seen by no user)
    refused = await gql(MINE, api_key=hers)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await ApiKey.get(id=hers_row.id)).owner_id is None
