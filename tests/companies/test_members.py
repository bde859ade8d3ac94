"""company(id:) { members }, changeMemberRole, removeMember, leaveCompany: the last ADMIN stays,
also under concurrency; a removed member loses access at once."""

from __future__ import annotations

import asyncio
from typing import Any

from schema.core.relay import global_id
from server.companies.models import CompanyRole, Membership
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

MEMBERS = """
query Members($id: ID!) {
  company(id: $id) { id name members { userId email role joinedAt } }
}"""
ROLE = """
mutation Role($input: ChangeMemberRoleInput!) {
  changeMemberRole(input: $input) { member { userId role } errors { code message } }
}"""
REMOVE = """
mutation Remove($companyId: ID!, $userId: ID!) {
  removeMember(companyId: $companyId, userId: $userId) { removedUserId errors { code } }
}"""
LEAVE = """
mutation Leave($companyId: ID!) {
  leaveCompany(companyId: $companyId) { leftCompanyId errors { code } }
}"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { user { id } companies { role company { id name } } errors { code } }
}"""


def ids(company, user=None):
    return global_id("Company", company.id), user and global_id("User", user.user.id)


async def role(gql, admin, company, member, new_role):
    company_id, user_id = ids(company, member)
    variables = {"input": {"companyId": company_id, "userId": user_id, "role": new_role}}
    return data_of(await gql(ROLE, variables, token=admin.token))["changeMemberRole"]


async def test_members_see_each_other_strangers_do_not(gql):
    # given: Alice (ADMIN) and Mia (MEMBER); Bob elsewhere
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company = await make_company(alice, name="Atelier")
    await join(company, mia)
    await make_company(bob)
    company_id, _ = ids(company)
    # when
    seen = data_of(await gql(MEMBERS, {"id": company_id}, token=mia.token))["company"]
    # then: ADMINs first
    assert seen["name"] == "Atelier"
    assert [(m["email"], m["role"]) for m in seen["members"]] == [
        (alice.email, "ADMIN"),
        (mia.email, "MEMBER"),
    ]
    assert seen["members"][1]["userId"] == global_id("User", mia.user.id)
    # a company's key reads its company; a stranger is refused, never answered
    key = await company_key(company, alice, ["companies"])
    assert data_of(await gql(MEMBERS, {"id": company_id}, api_key=key))["company"]["id"] == (
        company_id
    )
    refused = await gql(MEMBERS, {"id": company_id}, token=bob.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["data"] is None or refused["data"]["company"] is None


async def test_members_of_several_companies_cost_one_query(gql):
    # given: Alice belongs to three companies of three members each
    alice = await make_user()
    companies = [await make_company(alice) for _ in range(3)]
    for company in companies:
        for _ in range(2):
            await join(company, await make_user())
    query = "query { myCompanies { company { members { email } } } }"
    # when
    with count_sql() as statements:
        data = data_of(await gql(query, token=alice.token))
    # then
    assert [len(m["company"]["members"]) for m in data["myCompanies"]] == [3, 3, 3]
    member_reads = [s for s in statements if "memberships" in s and "users" in s]
    assert len(member_reads) == 1, member_reads


async def test_last_admin_cannot_leave_be_demoted_or_removed(gql):
    # given
    alice, mia = await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    company_id, alice_id = ids(company, alice)
    # when / then
    assert (await role(gql, alice, company, alice, "MEMBER"))["errors"][0]["code"] == "LAST_ADMIN"
    left = data_of(await gql(LEAVE, {"companyId": company_id}, token=alice.token))
    assert left["leaveCompany"]["errors"] == [{"code": "LAST_ADMIN"}]
    removed = data_of(
        await gql(REMOVE, {"companyId": company_id, "userId": alice_id}, token=alice.token)
    )
    assert removed["removeMember"]["errors"] == [{"code": "LAST_ADMIN"}]
    # once Mia is ADMIN too, Alice may leave; then Mia is the last
    assert (await role(gql, alice, company, mia, "ADMIN"))["member"]["role"] == "ADMIN"
    left = data_of(await gql(LEAVE, {"companyId": company_id}, token=alice.token))
    assert left["leaveCompany"] == {"leftCompanyId": company_id, "errors": []}
    assert (await role(gql, mia, company, mia, "MEMBER"))["errors"][0]["code"] == "LAST_ADMIN"
    assert await Membership.filter(company_id=company.id).count() == 1


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(gql):
    # given
    alice, bob = await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, bob, CompanyRole.ADMIN)

    async def demote(admin: Any, member: Any) -> dict[str, Any] | None:
        """The payload, or None when the caller was refused FORBIDDEN (no longer an ADMIN by
        the time its request was checked: the other demotion had committed first)."""
        company_id, user_id = ids(company, member)
        variables = {"input": {"companyId": company_id, "userId": user_id, "role": "MEMBER"}}
        answer = await gql(ROLE, variables, token=admin.token)
        if answer.get("errors"):
            assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]
            return None
        return answer["data"]["changeMemberRole"]

    # when
    results = await asyncio.gather(demote(alice, bob), demote(bob, alice))
    # then: one succeeded; the other was refused (LAST_ADMIN in its payload, or FORBIDDEN when
    # it was checked after the first committed), never both
    admins = await Membership.filter(company_id=company.id, role=CompanyRole.ADMIN).count()
    assert admins == 1
    assert sum(1 for r in results if r is not None and r["member"] is not None) == 1, results


async def test_a_removed_member_loses_access_and_a_member_cannot_remove(gql):
    # given
    alice, mia, max_ = await make_user(), await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    await join(company, max_)
    company_id, mia_id = ids(company, mia)
    # a MEMBER cannot remove anyone
    refused = await gql(REMOVE, {"companyId": company_id, "userId": mia_id}, token=max_.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # when
    done = data_of(
        await gql(REMOVE, {"companyId": company_id, "userId": mia_id}, token=alice.token)
    )["removeMember"]
    # then
    assert done == {"removedUserId": mia_id, "errors": []}
    gone = await gql(MEMBERS, {"id": company_id}, token=mia.token)
    assert gone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    node = "query N($id: ID!) { node(id: $id) { id } }"
    assert data_of(await gql(node, {"id": company_id}, token=mia.token))["node"] is None
    again = data_of(
        await gql(REMOVE, {"companyId": company_id, "userId": mia_id}, token=alice.token)
    )["removeMember"]
    assert again["errors"] == [{"code": "NOT_A_MEMBER"}]


async def test_login_returns_the_users_companies(gql):
    # given
    alice = await make_user()
    company = await make_company(alice, name="Zed")
    # when
    payload = data_of(
        await gql(LOGIN, {"input": {"email": alice.email, "password": alice.password}})
    )["login"]
    # then
    assert payload["companies"] == [
        {"role": "ADMIN", "company": {"id": global_id("Company", company.id), "name": "Zed"}}
    ]
