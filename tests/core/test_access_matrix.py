"""Who may call what, generated from the schema, so a field or Node type added later is covered
the day it is added.

- Every root field (Query, Mutation, Subscription) declares an access rule; a public one says so
  with `Public()` and is listed in PUBLIC_FIELDS here, so making a field public is a visible
  decision.
- Each non-public root field is called by an anonymous caller and a revoked key
  (UNAUTHENTICATED), by an API key holding every scope but the one it needs (FORBIDDEN: an admin's
  key included), by a user's token when it needs `admin` (FORBIDDEN), and by a key holding just
  the scopes it needs, which the rule lets through.
- Every Node type declares a read rule, and `node(id:)` on one of its objects answers null to
  another user, a key without the type's scope, an admin's key without `admin`, anonymous, and
  UNAUTHENTICATED to a revoked key, while its natural reader sees it.
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
from schema.core.permissions import AccessRule, HasScope, Public, UserSession, declared_rules
from schema.core.relay import NODE_TYPES, global_id
from server.access import ADMIN, SCOPES
from server.accounts import services as accounts
from server.context import Context
from server.settings import get_settings
from tests.conftest import data_of
from tests.factories import Account, make_admin, make_user

# Fields anyone may call: the per-type rules of `node` apply inside it (see the node tests).
PUBLIC_FIELDS = {"node", "nodes", "me", "signup", "login", "refreshToken", "logout"}

ROOTS = {
    "query": schema._schema.query_type,
    "mutation": schema._schema.mutation_type,
    "subscription": schema._schema.subscription_type,
}
ROOT_FIELDS = [
    (operation, name) for operation, root in ROOTS.items() if root for name in sorted(root.fields)
]
# What a key may be given (legacy names are stored as their replacements).
ALL_SCOPES = frozenset(SCOPES)


def rules_of(operation: str, name: str) -> list[AccessRule]:
    field = ROOTS[operation].fields[name]
    return declared_rules(field.extensions["strawberry-definition"])


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


def value_for(graphql_type: Any) -> Any:
    """A value of `graphql_type` that passes GraphQL's validation (required parts only)."""
    if isinstance(graphql_type, GraphQLNonNull):
        return value_for(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return [value_for(graphql_type.of_type)]
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: value_for(field.type)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    assert isinstance(graphql_type, GraphQLScalarType)
    assert graphql_type.name in SCALAR_VALUES, f"add a value for scalar {graphql_type.name}"
    if graphql_type.name == "ID":
        return global_id("Nothing", uuid.uuid4())
    return SCALAR_VALUES[graphql_type.name]


def operation_for(operation: str, name: str) -> tuple[str, dict[str, Any]]:
    """A document calling only `name` with its required arguments, and their variables."""
    field = ROOTS[operation].fields[name]
    required = {
        arg: spec
        for arg, spec in field.args.items()
        if isinstance(spec.type, GraphQLNonNull) and spec.default_value is Undefined
    }
    declared = "".join(f"${arg}: {spec.type} " for arg, spec in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    document = (
        f"{operation} Probe{'(' + declared + ')' if declared else ''} "
        f"{{ {name}{'(' + passed + ')' if passed else ''}{selection} }}"
    )
    return document, {arg: value_for(spec.type) for arg, spec in required.items()}


async def call(
    gql: Any, operation: str, name: str, *, token: str | None = None, api_key: str | None = None
) -> dict[str, Any]:
    document, variables = operation_for(operation, name)
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
    """An admin, a user and a revoked key with every scope; made once (the test database lives
    for the whole session)."""
    if not _callers:
        admin, user = await make_admin(), await make_user()
        key, secret = await accounts.create_api_key(
            owner=admin.user, name="revoked", scopes=sorted(ALL_SCOPES), expires_at=None
        )
        await accounts.revoke_api_key(key_id=key.id)
        _callers.update(admin=admin, user=user, revoked=secret)
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
    needed = frozenset(rule.scope for rule in rules if rule.scope)
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
    if ADMIN in needed:
        assert codes(await call(gql, operation, name, token=user.token), name) == {"FORBIDDEN"}
    # and the rule lets through who holds what it needs (the resolver then answers with dummy
    # arguments: NOT_FOUND, BAD_USER_INPUT... but never an access error)
    if session_only:
        allowed = await call(gql, operation, name, token=(admin if ADMIN in needed else user).token)
    else:
        allowed = await call(gql, operation, name, api_key=await key_with(admin, needed))
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
    return (await ReceiptItem.filter(receipt_id=receipt.id).first()).id


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
    return (await LoyaltyEntry.filter(receipt_id=receipt.id).first()).id


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
    needed = frozenset(rule.scope for rule in rules if rule.scope)
    admin_only = ADMIN in needed
    alice, bob = await make_user(), await make_user()
    admin = (await callers())["admin"]
    gid = global_id(type_name, await NODE_FACTORIES[type_name](alice))
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
