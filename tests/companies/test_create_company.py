"""createCompany and myCompanies: validated fields, the creator becomes ADMIN, members only."""

from __future__ import annotations

import pytest

from schema.core.relay import global_id
from server.companies.models import Company, CompanyRole, Membership
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_user

CREATE = """
mutation Create($input: CreateCompanyInput!) {
  createCompany(input: $input) {
    company { id name currency timezone country }
    errors { field code message }
  }
}"""
MINE = "query Mine { myCompanies { role company { id name } } }"
NODE = "query N($id: ID!) { node(id: $id) { ... on Company { id name currency } } }"
VALID = {"name": "  Boulangerie   Dupont ", "currency": "eur", "timezone": "Europe/Paris",
         "country": "fr"}  # fmt: skip


async def test_creator_becomes_admin_and_sees_the_company(gql):
    # given
    alice = await make_user()
    # when
    payload = data_of(await gql(CREATE, {"input": VALID}, token=alice.token))["createCompany"]
    # then
    assert payload["errors"] == []
    company = payload["company"]
    assert company["name"] == "Boulangerie Dupont"
    assert (company["currency"], company["timezone"], company["country"]) == (
        "EUR",
        "Europe/Paris",
        "FR",
    )
    stored = await Company.get(name="Boulangerie Dupont", memberships__user_id=alice.user.id)
    assert company["id"] == global_id("Company", stored.id)
    membership = await Membership.get(company_id=stored.id)
    assert (membership.user_id, membership.role) == (alice.user.id, CompanyRole.ADMIN)
    mine = data_of(await gql(MINE, token=alice.token))["myCompanies"]
    assert mine == [{"role": "ADMIN", "company": {"id": company["id"], "name": company["name"]}}]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "   ", "INVALID_NAME"),
        ("currency", "EUX", "INVALID_CURRENCY"),
        ("currency", "EURO", None),  # longer than the input allows: BAD_USER_INPUT
        ("timezone", "Europe/Atlantis", "INVALID_TIMEZONE"),
        ("country", "XX", "INVALID_COUNTRY"),
    ],
)
async def test_invalid_fields_are_payload_errors_naming_the_field(gql, field, value, code):
    # given
    alice = await make_user()
    before = await Company.all().count()
    # when
    result = await gql(CREATE, {"input": {**VALID, field: value}}, token=alice.token)
    # then: nothing was made
    if code is None:
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    else:
        errors = data_of(result)["createCompany"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert await Company.all().count() == before


async def test_my_companies_lists_only_mine_with_my_role(gql):
    # given: Alice runs A and is a member of B; Bob runs C
    alice, bob = await make_user(), await make_user()
    a = await make_company(alice, name="A company")
    b = await make_company(bob, name="B company")
    await join(b, alice)
    await make_company(bob, name="C company")
    # when
    mine = data_of(await gql(MINE, token=alice.token))["myCompanies"]
    # then
    assert [(m["company"]["name"], m["role"]) for m in mine] == [
        ("A company", "ADMIN"),
        ("B company", "MEMBER"),
    ]
    assert mine[0]["company"]["id"] == global_id("Company", a.id)


async def test_a_company_node_is_seen_by_its_members_and_its_keys_only(gql):
    # given
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    await make_company(bob)
    gid = global_id("Company", company.id)
    own_key = await company_key(company, alice, ["companies"])
    # when / then
    assert data_of(await gql(NODE, {"id": gid}, token=mia.token))["node"]["id"] == gid
    assert data_of(await gql(NODE, {"id": gid}, api_key=own_key))["node"]["id"] == gid
    assert data_of(await gql(NODE, {"id": gid}, token=bob.token))["node"] is None
    mine = data_of(await gql(MINE, api_key=own_key))["myCompanies"]
    assert mine == [{"role": "MEMBER", "company": {"id": gid, "name": company.name}}]
