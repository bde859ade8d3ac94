"""IsCompanyMember on a company-owned object: the object's company decides (a `companyId`
argument naming another is refused), and `node(id:)` checks the role the type's read rule
needs, as the rule does on a field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import strawberry
from starlette.requests import Request

from schema.companies.types import CompanyType
from schema.core.permissions import HasScope, IsAuthenticated, IsCompanyMember
from schema.core.relay import NODE_TYPES, Node, global_id, register_node
from server.companies.models import CompanyRole
from server.context import Context
from server.settings import get_settings
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_admin, make_user


# A throwaway company-owned type with fields taking `companyId`, as a future one may.
@strawberry.type
class Probe:
    company_pk: strawberry.Private[uuid.UUID | None]

    @strawberry.field(permission_classes=[IsCompanyMember()])
    def secret(self, company_id: strawberry.ID | None = None) -> str:
        return f"secret of {self.company_pk}"

    @strawberry.field(permission_classes=[IsCompanyMember(otherwise=IsAuthenticated())])
    def note(self, company_id: strawberry.ID | None = None) -> str:
        return "note"


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def probe(self, pk: str | None = None) -> Probe:
        """The object of the company `pk` (a UUID), or of none."""
        return Probe(company_pk=uuid.UUID(pk) if pk else None)


PROBE_SCHEMA = strawberry.Schema(query=ProbeQuery)


async def probe(document: str, token: str) -> dict[str, Any]:
    request = Request({"type": "http", "headers": [], "client": ("127.0.0.1", 1)})
    context = Context(
        request=request,
        response=None,
        settings=get_settings(),
        connection_params={"Authorization": f"Bearer {token}"},
    )
    result = await PROBE_SCHEMA.execute(document, context_value=context)
    return {"data": result.data, "errors": [error.formatted for error in result.errors or ()]}


def code(result: dict[str, Any]) -> str | None:
    errors = result["errors"]
    return errors[0]["extensions"]["code"] if errors else None


async def test_the_objects_company_decides_not_the_companyid_argument(gql):
    # given: Alice is a member of A only, Bob of B only; an object of B
    alice, bob = await make_user(), await make_user()
    a, b = await make_company(alice), await make_company(bob)
    ga, gb = global_id("Company", a.id), global_id("Company", b.id)

    def of(company: Any, field: str) -> str:
        return f'{{ probe(pk: "{company.id}") {{ {field} }} }}'

    # when / then: Alice naming her own company on B's object is refused, not answered
    named_a = await probe(of(b, f'secret(companyId: "{ga}")'), alice.token)
    assert (code(named_a), named_a["data"]) == ("FORBIDDEN", None)
    assert code(await probe(of(b, "secret"), alice.token)) == "FORBIDDEN"
    # Bob, B's member, reads it, but not while naming another company (or a malformed one)
    assert data_of(await probe(of(b, "secret"), bob.token)) == {
        "probe": {"secret": f"secret of {b.id}"}
    }
    assert data_of(await probe(of(b, f'secret(companyId: "{gb}")'), bob.token)) is not None
    assert code(await probe(of(b, f'secret(companyId: "{ga}")'), bob.token)) == "FORBIDDEN"
    assert code(await probe(of(b, 'secret(companyId: "garbage")'), bob.token)) == "FORBIDDEN"
    # an object of no company: `otherwise` applies, unless a company is named
    assert data_of(await probe("{ probe { note } }", alice.token)) == {"probe": {"note": "note"}}
    refused = await probe(f'{{ probe {{ note(companyId: "{ga}") }} }}', alice.token)
    assert code(refused) == "FORBIDDEN"


NODE = "query N($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query N($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def test_node_checks_the_role_the_types_read_rule_needs(gql, monkeypatch):
    # given: Alice runs A, Mia is a plain MEMBER of it; A's own key is a MEMBER too
    alice, mia = await make_user(), await make_user()
    a = await make_company(alice)
    await join(a, mia)
    key = await company_key(a, alice, ["companies"])
    gid = global_id("Company", a.id)

    async def read(**who: Any) -> Any:
        one = data_of(await gql(NODE, {"id": gid}, **who))["node"]
        many = data_of(await gql(NODES, {"ids": [gid]}, **who))["nodes"]
        assert many == [one and {"id": one["id"]}]
        return one

    # a MEMBER rule: every member reads it
    assert await read(token=mia.token) == {"__typename": "Company", "id": gid}
    assert await read(api_key=key) is not None
    # when: the type is read by company ADMINs only
    admins_only = (HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN))
    monkeypatch.setattr(CompanyType, "read_permissions", admins_only)
    # then: node(id:) and nodes refuse the plain members (null), as the field rule would
    assert await read(token=mia.token) is None
    assert await read(api_key=key) is None
    assert await read(token=alice.token) == {"__typename": "Company", "id": gid}


async def test_node_refuses_a_site_admin_who_is_not_a_member(gql):
    # given: a company and a site admin who does not belong to it
    alice, admin = await make_user(), await make_admin()
    gid = global_id("Company", (await make_company(alice)).id)
    # then: the Company type is read by its members (the same rule as its fields)
    assert data_of(await gql(NODE, {"id": gid}, token=admin.token))["node"] is None


def test_register_node_refuses_a_company_rule_it_cannot_check():
    # given: a Node type read under a company rule that does not carry its company
    @strawberry.type(name="Companyless")
    class Companyless(Node):
        read_permissions = (IsCompanyMember(role=CompanyRole.ADMIN),)

    # then
    with pytest.raises(TypeError, match="company_pk"):
        register_node(Companyless)
    assert "Companyless" not in NODE_TYPES
