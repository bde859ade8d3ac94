"""Review of issue 13: another company's objects named in inputs under a company of one's own,
removed members, MEMBERs doing ADMIN things, other companies' keys; and invitation emails whose
address would smuggle more recipients into the message."""

from __future__ import annotations

from typing import Any

from schema.core.relay import global_id
from server.companies.members import remove_member
from server.companies.models import CompanyRole, Invitation, Product
from tests.companies.factories import company_key, join, make_company, make_product
from tests.conftest import data_of
from tests.factories import make_user

REVOKE = """
mutation R($c: ID!, $i: ID!) {
  revokeInvitation(companyId: $c, invitationId: $i) { invitation { id } errors { code } } }"""
ADJUST = """
mutation A($input: AdjustStockInput!) {
  adjustStock(input: $input) { movement { id } errors { code field } } }"""
FORECAST = """
mutation F($input: ForecastDemandInput!) {
  forecastDemand(input: $input) { run { id } errors { code field } } }"""
UPDATE = """
mutation U($input: UpdateProductInput!) {
  updateProduct(input: $input) { product { id name } errors { code } } }"""
REMOVE = """
mutation M($c: ID!, $u: ID!) { removeMember(companyId: $c, userId: $u) { errors { code } } }"""
MEMBERS = "query Q($id: ID!) { company(id: $id) { members { email } } }"
PRODUCT = "query P($c: ID!, $p: ID!) { company(id: $c) { product(id: $p) { id name } } }"
INVITE = """
mutation I($c: ID!, $e: String!) {
  inviteMember(input: {companyId: $c, email: $e}) { errors { code field } } }"""


def codes(result: dict[str, Any], field: str) -> list[str]:
    return [e["code"] for e in data_of(result)[field]["errors"]]


def forbidden(result: dict[str, Any]) -> bool:
    return [e["extensions"]["code"] for e in result.get("errors") or []] == ["FORBIDDEN"]


async def two_companies() -> tuple[Any, Any, Any, Any]:
    alice, eve = await make_user(), await make_user()
    return alice, await make_company(alice), eve, await make_company(eve)


async def test_another_companys_objects_named_under_ones_own_company_are_not_found(gql):
    # given: Eve runs her company; Alice's has a product and a pending invitation
    _alice, theirs, eve, mine = await two_companies()
    product = await make_product(theirs, name="Secret")
    invitation = await Invitation.create(
        company=theirs,
        email="x@example.com",
        token_hash="0" * 64,
        role=CompanyRole.MEMBER,
        expires_at="2999-01-01T00:00:00+00:00",
    )
    c = global_id("Company", mine.id)
    p = global_id("Product", product.id)
    # when / then: Eve names them under her own company
    revoke = await gql(
        REVOKE, {"c": c, "i": global_id("Invitation", invitation.id)}, token=eve.token
    )
    assert codes(revoke, "revokeInvitation") == ["INVITATION_NOT_FOUND"]
    adjust = await gql(
        ADJUST,
        {"input": {"companyId": c, "productId": p, "quantity": "5", "reason": "x"}},
        token=eve.token,
    )
    assert codes(adjust, "adjustStock") == ["NOT_FOUND"]
    forecast = await gql(
        FORECAST, {"input": {"companyId": c, "productIds": [p], "horizon": 4}}, token=eve.token
    )
    assert codes(forecast, "forecastDemand") == ["NOT_FOUND"]
    update = await gql(
        UPDATE, {"input": {"companyId": c, "id": p, "name": "Mine now"}}, token=eve.token
    )
    assert codes(update, "updateProduct") == ["NOT_FOUND"]
    read = data_of(await gql(PRODUCT, {"c": c, "p": p}, token=eve.token))
    assert read == {"company": {"product": None}}
    # and nothing of Alice's changed
    assert (await Invitation.get(id=invitation.id)).revoked_at is None
    assert (await Product.get(id=product.id)).name == "Secret"
    assert (await Product.get(id=product.id)).stock_on_hand == 0


async def test_removed_members_members_and_other_companies_keys_are_refused(gql):
    # given: Mia was a member of Alice's company, then removed; Max is a plain MEMBER
    alice, theirs, eve, mine = await two_companies()
    mia, max_ = await make_user(), await make_user()
    await join(theirs, mia)
    await join(theirs, max_)
    await remove_member(company_id=theirs.id, user_id=mia.user.id)
    c = global_id("Company", theirs.id)
    eve_key = await company_key(mine, eve, ["companies"])
    # then
    assert forbidden(await gql(MEMBERS, {"id": c}, token=mia.token))
    assert forbidden(await gql(MEMBERS, {"id": c}, api_key=eve_key))
    assert forbidden(
        await gql(REMOVE, {"c": c, "u": global_id("User", alice.user.id)}, token=max_.token)
    )
    assert forbidden(await gql(INVITE, {"c": c, "e": "friend@example.com"}, token=max_.token))
    emails = [
        m["email"]
        for m in data_of(await gql(MEMBERS, {"id": c}, token=alice.token))["company"]["members"]
    ]
    assert sorted(emails) == sorted([alice.user.email, max_.user.email])


async def test_an_invited_address_cannot_carry_more_recipients(gql):
    # given: an ADMIN
    alice = await make_user()
    c = global_id("Company", (await make_company(alice)).id)
    # when: addresses an email's To header would read as several, or as a display name
    for email in (
        "root,victim@example.com",
        "a<b>@example.com",
        '"x"@example.com',
        "a;b@example.com",
        "a(b)@example.com",
    ):
        result = await gql(INVITE, {"c": c, "e": email}, token=alice.token)
        # then: refused as an invalid email
        assert codes(result, "inviteMember") == ["INVALID_EMAIL"], email
    # while an ordinary one with plus and dots passes
    ok = await gql(INVITE, {"c": c, "e": "first.last+tag@example.com"}, token=alice.token)
    assert codes(ok, "inviteMember") == []
