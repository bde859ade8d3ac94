"""The one input-validation layer (schema/core/validation.py) and the codes of GraphQL's own
errors: each bad value is BAD_USER_INPUT naming its field, whichever domain it goes to."""

from __future__ import annotations

import pytest
import strawberry

from schema.core.validation import EMAIL, constraint, install
from tests.factories import make_admin, make_user

SIGNUP = """
mutation Signup($input: SignupInput!) { signup(input: $input) { errors { code } } }"""
LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { accessToken errors { code } } }"""
RECEIPTS = """
query Receipts($filter: ReceiptFilter) { receipts(filter: $filter) { totalCount } }"""
CREATE_KEY = """
mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }"""
ME = "query Me { me { email } }"


def bad_input(result: dict, field: str) -> dict:
    """The one error of `result`, checked to be BAD_USER_INPUT about `field`."""
    assert result.get("data") in (None, {}) or all(v is None for v in result["data"].values())
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field
    assert error["message"].startswith(f"{field}: ")
    return error


async def test_a_nul_byte_in_any_string_is_bad_user_input_naming_the_field(gql):
    result = await gql(SIGNUP, {"input": {"email": "a\x00b@example.com", "password": "x" * 12}})
    error = bad_input(result, "input.email")
    assert "NUL" in error["message"]
    result = await gql(
        RECEIPTS, {"filter": {"store": "SUPER\x00U"}}, token=(await make_user()).token
    )
    bad_input(result, "filter.store")


UPLOAD_RECEIPT = """
mutation U($file: Upload!) { uploadReceipt(input: {file: $file}) { receipt { id } errors { code } } }
"""


@pytest.mark.parametrize("value", ["not a file", {"name": "x.jpg"}, 42])
async def test_an_upload_variable_that_is_not_a_multipart_file_is_bad_user_input(gql, value):
    # A JSON POST cannot carry a file: whatever stands in the Upload variable is refused by name,
    # never an internal error in the service that reads it.
    result = await gql(UPLOAD_RECEIPT, {"file": value}, token=(await make_user()).token)
    error = bad_input(result, "input.file")
    assert "multipart upload" in error["message"]


async def test_an_over_long_email_is_bad_user_input(gql):
    email = "a" * 250 + "@example.com"
    error = bad_input(
        await gql(LOGIN, {"input": {"email": email, "password": "x" * 12}}), "input.email"
    )
    assert "at most 254 characters" in error["message"]


async def test_strings_have_a_default_limit_and_inputs_may_declare_another(gql):
    admin = await make_admin()
    # the default (1000) on a field that declares nothing
    result = await gql(RECEIPTS, {"filter": {"store": "s" * 1001}}, token=admin.token)
    assert "at most 1000 characters" in bad_input(result, "filter.store")["message"]
    # a declared limit: API key names up to 100
    result = await gql(
        CREATE_KEY, {"input": {"name": "n" * 101, "scopes": ["receipts"]}}, token=admin.token
    )
    assert "at most 100 characters" in bad_input(result, "input.name")["message"]


@pytest.mark.parametrize("value", ["1e999999", "-1e999999", "NaN", "Infinity", "1e-999999"])
async def test_absurd_decimals_are_bad_user_input(gql, value):
    account = await make_user()
    result = await gql(RECEIPTS, {"filter": {"minTotal": value}}, token=account.token)
    bad_input(result, "filter.minTotal")


async def test_an_absurd_decimal_literal_is_bad_user_input(gql):
    account = await make_user()
    query = "{ receipts(filter: {minTotal: 1e999999}) { totalCount } }"
    bad_input(await gql(query, token=account.token), "filter.minTotal")


@pytest.mark.parametrize(
    "header",
    ["sbk_" + "f" * 2000 + "_secret", "sbk_zz'--_" + "s" * 43, "sbk__", "sbk_\u00e9\u00e9_x" * 50],
)
async def test_a_malformed_api_key_is_unauthenticated(client, header):
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"X-API-Key": header.encode()}
    )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_nul_in_an_api_key_never_reaches_the_database():
    from server.accounts import services

    assert await services.api_key_for_header("sbk_0123456789ab_\x00" + "s" * 40) is None
    assert await services.api_key_for_header("sbk_\x00\x00_" + "s" * 43) is None


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ me { email ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ me { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        (SIGNUP, {"input": {"email": 42}}, "BAD_USER_INPUT"),
        ("{ receipts(first: 99999999999) { totalCount } }", None, "BAD_USER_INPUT"),
    ],
)
async def test_graphql_own_errors_carry_a_code(client, query, variables, code):
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == [code] * len(errors)


@strawberry.input
class NoteInput:
    text: str
    title: str = strawberry.field(default="", metadata=constraint(max_length=5))
    email: str | None = strawberry.field(default=None, metadata=EMAIL)


@strawberry.type
class NotesQuery:
    @strawberry.field
    def echo(self, note: NoteInput, tags: list[str] | None = None) -> str:
        return note.text


def test_a_new_area_inherits_the_rules_without_code():
    # given: a field of a schema that knows nothing of the validation layer
    new_schema = strawberry.Schema(query=NotesQuery)
    install(new_schema._schema)
    query = "query($n: NoteInput!, $t: [String!]) { echo(note: $n, tags: $t) }"

    def run(note: dict, tags: list[str] | None = None) -> dict:
        result = new_schema.execute_sync(query, variable_values={"n": note, "t": tags})
        if not result.errors:
            return {"data": result.data}
        return {"error": result.errors[0].message, "ext": result.errors[0].extensions}

    # then
    assert run({"text": "hello"}) == {"data": {"echo": "hello"}}
    assert run({"text": "he\x00llo"})["ext"] == {"code": "BAD_USER_INPUT", "field": "note.text"}
    assert run({"text": "ok", "title": "too long"})["ext"]["field"] == "note.title"
    assert run({"text": "ok", "email": "e" * 255})["ext"]["field"] == "note.email"
    assert run({"text": "ok"}, ["fine", "x" * 1001])["ext"]["field"] == "tags[1]"


def test_every_field_with_arguments_of_the_schema_is_validated():
    # given: the served schema, every type included (roots, nested fields, subscriptions)
    from graphql import GraphQLObjectType

    from schema import schema

    unchecked = []
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            if not field.args:
                continue
            # then: its resolver, and its subscriber if any, check the arguments first
            functions = [field.resolve] + ([field.subscribe] if field.subscribe else [])
            if not all(getattr(f, "__name__", "") == "validating" for f in functions):
                unchecked.append(f"{named.name}.{name}")
    assert unchecked == []
    assert schema._schema.subscription_type is not None
    assert schema._schema.subscription_type.fields["jobUpdated"].subscribe.__name__ == "validating"
