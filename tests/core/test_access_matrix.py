"""Who may call what, generated from the schema, so a field or Node type added later is covered
the day it is added.

- Every root field (Query, Mutation, Subscription) declares an access rule; a public one says so
  with `Public()` and is listed in PUBLIC_FIELDS here, so making a field public is a visible
  decision.
- Each non-public root field is called by an anonymous caller and a revoked key
  (UNAUTHENTICATED), by an API key holding every scope but the one it needs (FORBIDDEN: an admin's
  key included), by a user's token when it needs `admin` (FORBIDDEN), and by a key holding just
  the scopes it needs, which the rule lets through.
- A company's key (which acts for its company, never as a user) is refused (FORBIDDEN) by every
  root field that needs a scope it lacks or a user session; a revoked one is UNAUTHENTICATED.
- A root field declaring `IsCompanyMember` is called with the `companyId` of Alice's company:
  FORBIDDEN to another company's member (and to a plain member when it needs an ADMIN), let
  through for Alice, its ADMIN.
- Every Node type declares a read rule, and `node(id:)` on one of its objects answers null to
  another user (a member of another company), a key without the type's scope, an admin's key
  without `admin`, another company's key, anonymous, and UNAUTHENTICATED to a revoked key,
  while its natural reader sees it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from graphql import (
    ExecutionResult,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_composite_type,
)
from graphql.pyutils import Undefined
from starlette.requests import Request

from schema import schema
from schema.core.permissions import (
    AccessRule,
    HasScope,
    IsCompanyMember,
    Public,
    UserSession,
    declared_rules,
)
from schema.core.relay import NODE_TYPES, global_id
from server.access import ADMIN, COMPANY_KEY_SCOPES, SCOPES
from server.accounts import services as accounts
from server.companies.models import CompanyRole
from server.context import Context
from server.settings import get_settings
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import Account, make_admin, make_user

# Fields anyone may call: the per-type rules of `node` apply inside it (see the node tests).
PUBLIC_FIELDS = {"node", "nodes", "me", "signup", "login", "refreshToken", "logout"}

ROOTS = {
    operation: root
    for operation, root in (
        ("query", schema._schema.query_type),
        ("mutation", schema._schema.mutation_type),
        ("subscription", schema._schema.subscription_type),
    )
    if root is not None
}
ROOT_FIELDS = [
    (operation, name) for operation, root in ROOTS.items() if root for name in sorted(root.fields)
]
# What a key may be given (legacy names are stored as their replacements).
ALL_SCOPES = frozenset(SCOPES)


def rules_of(operation: str, name: str) -> list[AccessRule]:
    field = ROOTS[operation].fields[name]
    return declared_rules(field.extensions["strawberry-definition"])


def needed_scopes(rules: list[AccessRule]) -> frozenset[str]:
    """The scopes the rules need when no company is named (an IsCompanyMember's `otherwise`)."""
    flat = [*rules, *(r.otherwise for r in rules if isinstance(r, IsCompanyMember) and r.otherwise)]
    return frozenset(rule.scope for rule in flat if rule.scope)


def company_rule(rules: list[AccessRule]) -> IsCompanyMember | None:
    return next((r for r in rules if isinstance(r, IsCompanyMember)), None)


# ---- requests built from the schema ----------------------------------------------------------

SCALAR_VALUES: dict[str, Any] = {
    "ID": None,  # a fresh global id per call
    "String": "",
    "Int": 1,
    "BigInt": 1,
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1",
    "Date": "2025-01-01",
    "DateTime": "2025-01-01T00:00:00+00:00",
    "Time": "12:00:00",
    "JSON": {},
    "Upload": "",  # never read: the field's rule runs before its resolver
}


def value_for(graphql_type: Any, company: str | None = None) -> Any:
    """A value of `graphql_type` that passes GraphQL's validation (required parts only, and a
    `companyId` field when `company` is given)."""
    if isinstance(graphql_type, GraphQLNonNull):
        return value_for(graphql_type.of_type, company)
    if isinstance(graphql_type, GraphQLList):
        return [value_for(graphql_type.of_type, company)]
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: company if name == "companyId" and company else value_for(field.type, company)
            for name, field in graphql_type.fields.items()
            if (isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined)
            or (name == "companyId" and company)
        }
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    assert isinstance(graphql_type, GraphQLScalarType)
    assert graphql_type.name in SCALAR_VALUES, f"add a value for scalar {graphql_type.name}"
    if graphql_type.name == "ID":
        return global_id("Nothing", uuid.uuid4())
    return SCALAR_VALUES[graphql_type.name]


def operation_for(
    operation: str, name: str, company: str | None = None
) -> tuple[str, dict[str, Any]]:
    """A document calling only `name` with its required arguments (and `companyId` naming
    `company`, as an argument or an input field), and their variables."""
    field = ROOTS[operation].fields[name]
    rule = company_rule(rules_of(operation, name))
    # The argument naming the company: `companyId`, or the rule's own (`company(id:)`).
    naming = "companyId" if rule is None or rule.argument == "company_id" else rule.argument
    required = {
        arg: spec
        for arg, spec in field.args.items()
        if (isinstance(spec.type, GraphQLNonNull) and spec.default_value is Undefined)
        or (arg == naming and company)
    }
    declared = "".join(f"${arg}: {spec.type} " for arg, spec in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    document = (
        f"{operation} Probe{'(' + declared + ')' if declared else ''} "
        f"{{ {name}{'(' + passed + ')' if passed else ''}{selection} }}"
    )
    return document, {
        arg: company if arg == naming and company else value_for(spec.type, company)
        for arg, spec in required.items()
    }


async def call(
    gql: Any,
    operation: str,
    name: str,
    *,
    token: str | None = None,
    api_key: str | None = None,
    company: str | None = None,
) -> dict[str, Any]:
    document, variables = operation_for(operation, name, company)
    if operation != "subscription":
        return await gql(document, variables, token=token, api_key=api_key)
    # Subscriptions run as over a websocket: credentials from the connection_init payload.
    params: dict[str, Any] = {}
    if token:
        params["Authorization"] = f"Bearer {token}"
    if api_key:
        params["X-API-Key"] = api_key
    request = Request({"type": "http", "headers": [], "client": ("127.0.0.1", 1)})
    context = Context(
        request=request, response=None, settings=get_settings(), connection_params=params
    )
    result = await schema.subscribe(document, variable_values=variables, context_value=context)
    if not isinstance(result, ExecutionResult):
        stream = result
        try:
            result = await anext(stream)
        finally:
            await stream.aclose()
    return {"data": result.data, "errors": [error.formatted for error in result.errors or ()]}


def codes(result: dict[str, Any], name: str) -> set[str]:
    return {
        (error.get("extensions") or {}).get("code", "")
        for error in result.get("errors") or ()
        if (error.get("path") or [name])[0] == name
    }


# ---- callers ---------------------------------------------------------------------------------

_callers: dict[str, Any] = {}


async def callers() -> dict[str, Any]:
    """An admin, a user and a revoked key with every scope; Alice, ADMIN of company A where
    Mia is a MEMBER, Bob, ADMIN of company B, and a revoked key of company A; made once (the
    test database lives for the whole session)."""
    if not _callers:
        admin, user = await make_admin(), await make_user()
        key, secret = await accounts.create_api_key(
            owner=admin.user, name="revoked", scopes=sorted(ALL_SCOPES), expires_at=None
        )
        await accounts.revoke_api_key(key_id=key.id)
        alice, mia, bob = await make_user(), await make_user(), await make_user()
        company_a, company_b = await make_company(alice), await make_company(bob)
        await join(company_a, mia)
        _callers.update(
            admin=admin,
            user=user,
            revoked=secret,
            alice=alice,
            mia=mia,
            bob=bob,
            company_a=company_a,
            company_b=company_b,
            revoked_company_key=await company_key(
                company_a, alice, COMPANY_KEY_SCOPES, revoked=True
            ),
        )
    return _callers


async def key_with(owner: Account, scopes: frozenset[str]) -> str:
    _key, secret = await accounts.create_api_key(
        owner=owner.user, name="probe", scopes=sorted(scopes), expires_at=None
    )
    return secret


# ---- root fields -----------------------------------------------------------------------------


def test_every_root_field_declares_an_access_rule():
    undeclared = [f"{op}.{name}" for op, name in ROOT_FIELDS if not rules_of(op, name)]
    public = {
        name for op, name in ROOT_FIELDS if any(isinstance(r, Public) for r in rules_of(op, name))
    }
    assert undeclared == []
    assert public == PUBLIC_FIELDS


@pytest.mark.parametrize(("operation", "name"), ROOT_FIELDS, ids=[n for _, n in ROOT_FIELDS])
async def test_root_field_refuses_who_its_rule_refuses(gql, operation, name):
    # given: the field's rule, and callers who must be refused
    rules = rules_of(operation, name)
    if any(isinstance(rule, Public) for rule in rules):
        pytest.skip("public (listed in PUBLIC_FIELDS)")
    needed = needed_scopes(rules)
    session_only = any(isinstance(rule, UserSession) for rule in rules)
    people = await callers()
    admin, user = people["admin"], people["user"]
    # a key without the needed scope (an admin's, holding `admin` unless that is what it needs);
    # for a session-only field, any key at all
    lacking = await key_with(admin, ALL_SCOPES if session_only else ALL_SCOPES - needed)
    # when / then
    assert codes(await call(gql, operation, name), name) == {"UNAUTHENTICATED"}
    assert codes(await call(gql, operation, name, api_key=people["revoked"]), name) == {
        "UNAUTHENTICATED"
    }
    refused = await call(gql, operation, name, api_key=lacking)
    assert codes(refused, name) == {"FORBIDDEN"}, refused
    # a company's key: revoked, or holding every scope such a key may carry but the needed one
    assert codes(await call(gql, operation, name, api_key=people["revoked_company_key"]), name) == {
        "UNAUTHENTICATED"
    }
    if needed or session_only:
        company_lacking = await company_key(
            people["company_a"], people["alice"], COMPANY_KEY_SCOPES - needed
        )
        refused = await call(gql, operation, name, api_key=company_lacking)
        assert codes(refused, name) == {"FORBIDDEN"}, refused
    if ADMIN in needed:
        assert codes(await call(gql, operation, name, token=user.token), name) == {"FORBIDDEN"}
    # and the rule lets through who holds what it needs (the resolver then answers with dummy
    # arguments: NOT_FOUND, BAD_USER_INPUT... but never an access error); a field about a
    # company (no `otherwise`) is called about company A by Alice, its ADMIN, and its key
    rule = company_rule(rules)
    about_company = rule is not None and rule.otherwise is None
    company = global_id("Company", people["company_a"].id) if about_company else None
    reader = people["alice"] if about_company else None
    if session_only:
        who = reader or (admin if ADMIN in needed else user)
        allowed = await call(gql, operation, name, token=who.token, company=company)
    else:
        secret = await key_with(reader or admin, needed)
        allowed = await call(gql, operation, name, api_key=secret, company=company)
    assert not codes(allowed, name) & {"FORBIDDEN", "UNAUTHENTICATED"}, allowed
    key_may = rule is None or rule.role != CompanyRole.ADMIN  # a company key is a MEMBER
    if needed and needed <= COMPANY_KEY_SCOPES and not session_only and key_may:
        with_scope = await company_key(people["company_a"], people["alice"], needed)
        allowed = await call(gql, operation, name, api_key=with_scope, company=company)
        assert not codes(allowed, name) & {"FORBIDDEN", "UNAUTHENTICATED"}, allowed


COMPANY_FIELDS = [(op, name) for op, name in ROOT_FIELDS if company_rule(rules_of(op, name))]


@pytest.mark.parametrize(("operation", "name"), COMPANY_FIELDS, ids=[n for _, n in COMPANY_FIELDS])
async def test_company_field_refuses_other_companies_members(gql, operation, name):
    # given: a field about a company, called about Alice's company A
    rules = rules_of(operation, name)
    rule = company_rule(rules)
    assert rule is not None
    people = await callers()
    company = global_id("Company", people["company_a"].id)
    session_only = any(isinstance(r, UserSession) for r in rules)
    scopes = frozenset(r.scope for r in rules if r.scope and r is not rule.otherwise)

    async def as_(account: Account) -> dict[str, Any]:
        if session_only:
            return await call(gql, operation, name, token=account.token, company=company)
        secret = await key_with(account, scopes or frozenset({"companies"}))
        return await call(gql, operation, name, api_key=secret, company=company)

    # when / then: Bob, ADMIN of another company, is refused; so is a site admin
    assert codes(await as_(people["bob"]), name) == {"FORBIDDEN"}
    assert codes(await as_(people["admin"]), name) == {"FORBIDDEN"}
    # a plain member, when the field needs a company ADMIN
    if rule.role == CompanyRole.ADMIN:
        assert codes(await as_(people["mia"]), name) == {"FORBIDDEN"}
    # a malformed or foreign companyId names no company of anyone's
    foreign = global_id("Company", uuid.uuid4())
    refused = await call(gql, operation, name, token=people["alice"].token, company=foreign)
    assert codes(refused, name) == {"FORBIDDEN"}, refused
    # and Alice, its ADMIN, passes the rule
    allowed = await as_(people["alice"])
    assert not codes(allowed, name) & {"FORBIDDEN", "UNAUTHENTICATED"}, allowed


def test_scopes_are_declared_once_per_field():
    """A field needs at most one scope besides `admin`: one place says what it needs."""
    for operation, name in ROOT_FIELDS:
        scoped = [
            r for r in rules_of(operation, name) if isinstance(r, HasScope) and r.scope != ADMIN
        ]
        assert len(scoped) <= 1, (operation, name, scoped)


# ---- node(id:) -------------------------------------------------------------------------------


async def _job(owner: Account) -> Any:
    from server.jobs.models import Job

    return (await Job.create(owner=owner.user, kind="access-matrix")).id


async def _receipt(owner: Account) -> Any:
    from tests.receipts.factories import Item, make_receipt

    return await make_receipt(owner, items=[Item("MILK", "1.20")])


async def _receipt_id(owner: Account) -> Any:
    return (await _receipt(owner)).id


async def _item(owner: Account) -> Any:
    from server.receipts.models import ReceiptItem

    receipt = await _receipt(owner)
    item = await ReceiptItem.filter(receipt_id=receipt.id).first()
    assert item is not None
    return item.id


async def _correction(owner: Account) -> Any:
    from server.receipts.models import CorrectionAction, ReceiptCorrection

    receipt = await _receipt(owner)
    correction = await ReceiptCorrection.create(
        receipt=receipt, user=owner.user, action=next(iter(CorrectionAction)), field="store"
    )
    return correction.id


async def _loyalty_entry(owner: Account) -> Any:
    from server.receipts.models import LoyaltyEntry

    receipt = await _receipt(owner)
    entry = await LoyaltyEntry.filter(receipt_id=receipt.id).first()
    assert entry is not None
    return entry.id


async def _file(owner: Account) -> Any:
    from tests.receipts.factories import stored_file

    return (await stored_file(owner)).id


async def _brand(owner: Account) -> Any:
    from server.receipts.models import Brand

    name = f"Brand {uuid.uuid4().hex[:8]}"
    return (await Brand.create(name=name, key=name.lower(), aliases=[])).id


async def _api_key(owner: Account) -> Any:
    key, _secret = await accounts.create_api_key(
        owner=owner.user, name="victim", scopes=["jobs"], expires_at=None
    )
    return key.id


async def _user(owner: Account) -> Any:
    return owner.user.id


async def _company(owner: Account) -> Any:
    return (await make_company(owner)).id


async def _product(owner: Account) -> Any:
    from tests.companies.factories import make_product

    return (await make_product(await make_company(owner))).id


async def _stock_movement(owner: Account) -> Any:
    from tests.companies.factories import make_product, receive

    return (await receive(await make_product(await make_company(owner)), "3")).id


async def _sales_import(owner: Account) -> Any:
    from server.companies.models import SalesImport

    company = await make_company(owner)
    return (await SalesImport.create(company=company, filename="s.csv", sha256="0" * 64)).id


async def _invitation(owner: Account) -> Any:
    from datetime import UTC, datetime, timedelta

    from server.companies.models import Invitation

    invitation = await Invitation.create(
        company=await make_company(owner),
        email=f"invited-{uuid.uuid4().hex[:8]}@example.com",
        token_hash=uuid.uuid4().hex * 2,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    return invitation.id


async def _forecast_run(owner: Account) -> Any:
    from tests.companies.factories import make_forecast, make_product

    product = await make_product(await make_company(owner))
    return (await make_forecast(product, [])).run_id


async def _product_forecast(owner: Account) -> Any:
    from tests.companies.factories import make_forecast, make_product

    return (await make_forecast(await make_product(await make_company(owner)), [])).id


# Node type -> a builder of one of its objects owned by (or, for shared ones, made for) `owner`.
NODE_FACTORIES: dict[str, Callable[[Account], Awaitable[Any]]] = {
    "User": _user,
    "ApiKey": _api_key,
    "Job": _job,
    "File": _file,
    "Receipt": _receipt_id,
    "ReceiptItem": _item,
    "ReceiptCorrection": _correction,
    "LoyaltyEntry": _loyalty_entry,
    "Brand": _brand,
    "Company": _company,
    "Invitation": _invitation,
    "Product": _product,
    "StockMovement": _stock_movement,
    "SalesImport": _sales_import,
    "ForecastRun": _forecast_run,
    "ProductForecast": _product_forecast,
}
NODE = "query N($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query N($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def test_every_node_type_declares_a_read_rule_and_has_a_factory():
    undeclared = [
        name
        for name, node_type in NODE_TYPES.items()
        if not node_type.read_permissions
        or not all(isinstance(r, AccessRule) for r in node_type.read_permissions)
    ]
    assert undeclared == []
    assert sorted(NODE_TYPES) == sorted(NODE_FACTORIES), "add a factory for each Node type"


@pytest.mark.parametrize("type_name", sorted(NODE_TYPES))
async def test_node_applies_the_types_read_rule(gql, type_name):
    # given: an object of that type, owned by Alice
    rules = NODE_TYPES[type_name].read_permissions
    needed = needed_scopes(list(rules))
    admin_only = ADMIN in needed
    alice, bob = await make_user(), await make_user()
    admin = (await callers())["admin"]
    gid = global_id(type_name, await NODE_FACTORIES[type_name](alice))
    # Bob is a member of another company; Alice is ADMIN of a company of her own (besides the
    # object's, when the object is a company), whose key holds every scope a company key may
    bobs_company = await make_company(bob)
    alices_company = await make_company(alice)
    other_company_key = await company_key(bobs_company, bob, COMPANY_KEY_SCOPES)
    alices_company_key = await company_key(alices_company, alice, COMPANY_KEY_SCOPES)
    alices_key_without = await key_with(alice, (ALL_SCOPES - {ADMIN}) - needed)
    admins_key_without_admin = await key_with(admin, ALL_SCOPES - {ADMIN})
    revoked = await key_with(alice, ALL_SCOPES - {ADMIN})
    await accounts.revoke_api_key(key_id=(await _key_id(revoked)))

    async def node(**who: Any) -> Any:
        """What `node` answers, checked to be what `nodes` answers for the same id."""
        one = data_of(await gql(NODE, {"id": gid}, **who))["node"]
        many = data_of(await gql(NODES, {"ids": [gid, gid]}, **who))["nodes"]
        assert many == [one, one]
        return one

    # then: its natural reader sees it, with a token and with a key holding the type's scope
    reader = admin if admin_only else alice
    assert await node(token=reader.token) == {"__typename": type_name, "id": gid}
    assert await node(api_key=await key_with(reader, needed or frozenset({"jobs"}))) is not None
    # and nobody else does
    assert await node(token=bob.token) is None
    assert await node() is None
    assert await node(api_key=admins_key_without_admin) is None
    assert await node(api_key=other_company_key) is None
    if type_name != "Company":
        # a company's key never reads its creator's (or anyone's) user-owned rows
        assert await node(api_key=alices_company_key) is None
    if needed:
        assert await node(api_key=alices_key_without) is None
    if admin_only:
        assert await node(token=alice.token) is None
    refused = await gql(NODE, {"id": gid}, api_key=revoked)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _key_id(secret: str) -> Any:
    from server.accounts.models import ApiKey

    return (await ApiKey.get(prefix=secret.split("_", 2)[1])).id


async def test_visible_is_nothing_for_anonymous_and_refuses_undeclared_models(gql):
    from server.access import ANONYMOUS, actor_for, visible
    from server.accounts.models import RefreshToken
    from server.jobs.models import Job

    # given: a job of a user
    owner = await make_user()
    await _job(owner)
    # then
    assert await visible(ANONYMOUS, Job).count() == 0
    assert await visible(actor_for(owner.user), Job).count() == 1
    with pytest.raises(LookupError):
        visible(actor_for(owner.user), RefreshToken)


async def test_nodes_answers_in_order_across_types_and_caps_the_ids(gql):
    # given: Alice's job and receipt, Bob's job, a malformed id
    alice, bob = await make_user(), await make_user()
    job, receipt = (
        global_id("Job", await _job(alice)),
        global_id("Receipt", await _receipt_id(alice)),
    )
    bobs = global_id("Job", await _job(bob))
    jobs_only = await key_with(alice, frozenset({"jobs"}))
    ids = [receipt, "garbage", bobs, job]
    # when
    as_alice = data_of(await gql(NODES, {"ids": ids}, token=alice.token))["nodes"]
    as_key = data_of(await gql(NODES, {"ids": ids}, api_key=jobs_only))["nodes"]
    too_many = await gql(
        NODES, {"ids": [job] * (get_settings().max_page_size + 1)}, token=alice.token
    )
    # then
    assert [n and n["id"] for n in as_alice] == [receipt, None, None, job]
    assert [n and n["id"] for n in as_key] == [None, None, None, job]
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
