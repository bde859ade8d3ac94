"""updateCompany and deleteCompany: ADMINs only; deletion takes the company's data and blobs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from schema.core.relay import global_id
from server.accounts.models import ApiKey
from server.companies.models import (
    Company,
    Invitation,
    Membership,
    Product,
    Sale,
    SalesImport,
    StockMovement,
    StockMovementKind,
)
from server.files.models import StoredFile
from server.files.services import get_blob_store, store_generated_file
from server.jobs.models import Job
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_user

UPDATE = """
mutation Update($input: UpdateCompanyInput!) {
  updateCompany(input: $input) {
    company { id name currency timezone country }
    errors { field code }
  }
}"""
DELETE = """
mutation Delete($companyId: ID!, $confirmName: String!) {
  deleteCompany(companyId: $companyId, confirmName: $confirmName) {
    deletedCompanyId errors { field code }
  }
}"""


async def test_an_admin_updates_only_what_is_sent(gql):
    # given
    alice = await make_user()
    company = await make_company(alice, name="Old name")
    gid = global_id("Company", company.id)
    # when
    variables = {"input": {"companyId": gid, "name": " New   name ", "currency": "usd"}}
    payload = data_of(await gql(UPDATE, variables, token=alice.token))["updateCompany"]
    # then
    expected = {"id": gid, "name": "New name", "currency": "USD", "timezone": "Europe/Paris"}
    assert payload == {"company": {**expected, "country": "FR"}, "errors": []}
    assert (await Company.get(id=company.id)).name == "New name"
    bad = {"input": {"companyId": gid, "timezone": "Mars/Olympus"}}
    refused = data_of(await gql(UPDATE, bad, token=alice.token))["updateCompany"]
    assert refused["errors"] == [{"field": "timezone", "code": "INVALID_TIMEZONE"}]


async def test_members_keys_and_strangers_cannot_update_or_delete(gql):
    # given
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company = await make_company(alice, name="Kept")
    await join(company, mia)
    gid = global_id("Company", company.id)
    key = await company_key(company, alice, ["companies"])
    # when / then
    for who in ({"token": mia.token}, {"token": bob.token}, {"api_key": key}):
        update = await gql(UPDATE, {"input": {"companyId": gid, "name": "X"}}, **who)
        assert update["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        delete = await gql(DELETE, {"companyId": gid, "confirmName": "Kept"}, **who)
        assert delete["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Company.get(id=company.id)).name == "Kept"


async def test_delete_needs_the_name_and_takes_everything_the_company_owns(gql):
    # given: a company with members, an invitation, products, stock, sales, an import,
    # a key, a job and a file; and another company that must not be touched
    alice, mia = await make_user(), await make_user()
    company = await make_company(alice, name="Doomed Ltd")
    other = await make_company(alice, name="Survivor")
    await join(company, mia)
    gid = global_id("Company", company.id)
    for owner in (company, other):
        product = await Product.create(company=owner, sku="SKU-1", name="Flour")
        await StockMovement.create(
            company=owner, product=product, sequence=1, kind=StockMovementKind.RECEIPT,
            quantity=Decimal(5), balance_after=Decimal(5), occurred_at=datetime.now(UTC),
        )  # fmt: skip
        upload = await SalesImport.create(company=owner, filename="s.csv", sha256="0" * 64)
        for day in range(3):
            await Sale.create(
                company=owner, product=product, sold_on=date(2026, 1, 1 + day),
                quantity=Decimal(2), sales_import=upload,
            )  # fmt: skip
    await Invitation.create(
        company=company, email="x@example.com", token_hash="f" * 64,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    await company_key(company, alice, ["companies"])
    await Job.create(owner=alice.user, company=company, kind="access-matrix")
    file = await store_generated_file(
        b"report", content_type="text/csv", filename="r.csv", owner=alice.user, company=company
    )
    store = get_blob_store(file.store)
    assert await store.exists(file.blob_key)
    # when: the wrong name is refused
    wrong = data_of(
        await gql(DELETE, {"companyId": gid, "confirmName": "doomed"}, token=alice.token)
    )
    assert wrong["deleteCompany"]["errors"] == [
        {"field": "confirmName", "code": "CONFIRMATION_MISMATCH"}
    ]
    assert await Product.filter(company_id=company.id).count() == 1
    # and the right one deletes
    done = data_of(
        await gql(DELETE, {"companyId": gid, "confirmName": " Doomed Ltd "}, token=alice.token)
    )["deleteCompany"]
    # then
    assert done == {"deletedCompanyId": gid, "errors": []}
    assert not await Company.exists(id=company.id)
    for model in (Membership, Invitation, Product, StockMovement, Sale, SalesImport, ApiKey,
                  Job, StoredFile):  # fmt: skip
        assert await model.filter(company_id=company.id).count() == 0, model.__name__
    assert not await store.exists(file.blob_key)
    # the other company keeps everything
    assert await Product.filter(company_id=other.id).count() == 1
    assert await Sale.filter(company_id=other.id).count() == 3
    assert await StockMovement.filter(company_id=other.id).count() == 1
    # and Mia no longer sees the company
    assert data_of(await gql("{ myCompanies { company { id } } }", token=mia.token)) == {
        "myCompanies": []
    }
