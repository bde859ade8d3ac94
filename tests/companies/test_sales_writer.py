"""SalesWriter, the batched writes of an import, on SQLite and PostgreSQL (the `db` marker): a row
already stored, or twice in one batch, is skipped and counted whichever insert the batch took
(on PostgreSQL a plain INSERT first, ON CONFLICT DO NOTHING after a conflict); deleteProduct
and a batch of the same product serialise, in either order, so no sale is left without its
product (`sales` has no foreign key)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from server.companies import products
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, Product, Sale, SalesImport
from server.companies.products import delete_product
from server.companies.sales_mapping import ImportOptions, UnknownSkus
from server.companies.sales_records import SaleRow
from server.companies.sales_writer import SalesWriter
from tests.companies.factories import make_company, make_product
from tests.factories import make_user


async def _writer(company: Company, unknown_skus: UnknownSkus = UnknownSkus.REJECT) -> SalesWriter:
    row = await SalesImport.create(
        company=company, filename="s.csv", sha256="0" * 64, mapping={}, options={}
    )
    options = ImportOptions(unknown_skus=unknown_skus)
    return SalesWriter(company_id=company.id, import_id=row.id, options=options)


async def _orphans(company: Company) -> int:
    """The company's sales whose product is gone."""
    kept = await Product.filter(company_id=company.id).values_list("id", flat=True)
    return await Sale.filter(company_id=company.id).exclude(product_id__in=list(kept)).count()


def sale(sku: str, day: str, quantity: str, external_id: str, line: int) -> SaleRow:
    return (sku, day, quantity, None, "", external_id, line)


async def test_stored_and_repeated_rows_are_skipped_batch_after_batch(app):
    # given: a company with two products and an import writing to it
    company = await make_company(await make_user())
    await make_product(company, sku="A")
    await make_product(company, sku="B")
    row = await SalesImport.create(
        company=company, filename="s.csv", sha256="0" * 64, mapping={}, options={}
    )
    writer = SalesWriter(company_id=company.id, import_id=row.id, options=ImportOptions())

    # when: new rows; then one stored row, one new and that new one twice; then new rows twice
    first = await writer.write(
        [sale("A", "2024-01-01", "1", "i1", 2), sale("B", "2024-01-01", "2", "i2", 3)]
    )
    second = await writer.write(
        [
            sale("A", "2024-01-01", "5", "i1", 4),
            sale("A", "2024-01-02", "1", "i3", 5),
            sale("A", "2024-01-02", "1", "i3", 6),
        ]
    )
    after_conflict = writer.plain_insert
    third = await writer.write([sale("B", "2024-01-03", "1", "i4", 7)])
    after_clean_batch = writer.plain_insert
    fourth = await writer.write([sale("B", "2024-01-04", "3", "i5", 8)])

    # then: each batch counts what it wrote and skipped, and the stored row kept its quantity
    assert (first, second, third, fourth) == ((2, 0, []), (1, 2, []), (1, 0, []), (1, 0, []))
    if writer.postgres:
        assert (after_conflict, after_clean_batch) == (False, True)
    stored = await Sale.filter(company_id=company.id).order_by("sold_on", "external_id")
    assert [(str(s.sold_on), s.external_id, s.quantity) for s in stored] == [
        ("2024-01-01", "i1", Decimal("1.000")),
        ("2024-01-01", "i2", Decimal("2.000")),
        ("2024-01-02", "i3", Decimal("1.000")),
        ("2024-01-03", "i4", Decimal("1.000")),
        ("2024-01-04", "i5", Decimal("3.000")),
    ]


@pytest.mark.parametrize("unknown_skus", [UnknownSkus.CREATE, UnknownSkus.REJECT])
async def test_a_product_deleted_after_its_sku_was_resolved_is_resolved_again(app, unknown_skus):
    # given: an import that resolved SKU A (no sale yet), then A deleted (it had no history)
    company = await make_company(await make_user())
    first = await make_product(company, sku="A")
    writer = await _writer(company, unknown_skus)
    await writer.write([sale("A", "2024-01-01", "1", "i1", 2)])
    await Sale.filter(company_id=company.id).delete()
    await delete_product(company_id=company.id, product_id=first.id)

    # when: the next batch sells A
    written = await writer.write([sale("A", "2024-01-02", "4", "i2", 3)])

    # then: A is created again or its row rejected, as for a new SKU; no sale lost its product
    if unknown_skus is UnknownSkus.CREATE:
        again = await Product.get(company_id=company.id, sku="A")
        assert (written, again.id != first.id) == ((1, 0, []), True)
    else:
        assert written[:2] == (0, 0)
        assert [(p.line, p.column, p.reason) for p in written[2]] == [
            (3, "sku", "unknown SKU (unknown SKUs are rejected)")
        ]
    assert await _orphans(company) == 0


async def test_delete_product_waits_for_a_batch_of_its_sales_and_is_refused(app, monkeypatch):
    # given: a batch selling product A holds its products, paused before it inserts
    company = await make_company(await make_user())
    product = await make_product(company, sku="A")
    writer = await _writer(company)
    held, release = asyncio.Event(), asyncio.Event()
    hold = SalesWriter._hold_products

    async def hold_then_pause(self: SalesWriter, raw: Any, sales: list[SaleRow]) -> None:
        await hold(self, raw, sales)
        held.set()
        await release.wait()

    monkeypatch.setattr(SalesWriter, "_hold_products", hold_then_pause)
    importing = asyncio.create_task(writer.write([sale("A", "2024-01-01", "2", "i1", 2)]))
    await held.wait()

    # when: deleteProduct of A starts while the batch is open, then the batch goes on
    deleting = asyncio.create_task(delete_product(company_id=company.id, product_id=product.id))
    await asyncio.sleep(0.2)  # room for the delete to run as far as it can
    deleted_meanwhile = deleting.done()
    release.set()

    # then: the delete waited for the batch, saw its sale and refused; nothing is orphaned
    assert await importing == (1, 0, [])
    with pytest.raises(CompaniesError) as refused:
        await deleting
    assert (deleted_meanwhile, refused.value.code) == (False, CompaniesErrorCode.PRODUCT_IN_USE)
    assert await Product.filter(id=product.id).exists()
    assert await _orphans(company) == 0


@pytest.mark.parametrize("unknown_skus", [UnknownSkus.CREATE, UnknownSkus.REJECT])
async def test_a_batch_waits_for_a_delete_product_under_way(app, monkeypatch, unknown_skus):
    # given: an import that resolved SKU A, and deleteProduct of A holding its lock, paused
    company = await make_company(await make_user())
    product = await make_product(company, sku="A")
    writer = await _writer(company, unknown_skus)
    await writer._resolve({"A"})
    locked, release = asyncio.Event(), asyncio.Event()
    lock = products._locked

    async def lock_then_pause(company_id: Any, product_id: Any) -> Product:
        found = await lock(company_id, product_id)
        locked.set()
        await release.wait()
        return found

    monkeypatch.setattr(products, "_locked", lock_then_pause)
    deleting = asyncio.create_task(delete_product(company_id=company.id, product_id=product.id))
    await locked.wait()

    # when: a batch selling A starts while the delete is open, then the delete goes on
    importing = asyncio.create_task(writer.write([sale("A", "2024-01-01", "2", "i1", 2)]))
    await asyncio.sleep(0.2)  # room for the batch to run as far as it can
    release.set()

    # then: the product is deleted, and the batch wrote its sale for A created again, or
    # rejected it as an unknown SKU; nothing is orphaned
    assert await deleting == product.id
    written = await importing
    if unknown_skus is UnknownSkus.CREATE:
        assert written == (1, 0, [])
        assert await Product.filter(company_id=company.id, sku="A").exclude(id=product.id).exists()
    else:
        assert (written[0], written[1], len(written[2])) == (0, 0, 1)
    assert await _orphans(company) == 0
