"""Product edits and stock movements against a sales import batch holding its products (`sales` has
no foreign key, so the batch locks them FOR KEY SHARE): a product whose SKU changed since the
import resolved it is taken as gone, as a deleted one is, on SQLite and PostgreSQL alike; on
PostgreSQL a SKU change waits for the batch while a name or price edit and a stock movement
(FOR NO KEY UPDATE) do not. Not waiting is shown by lock_timeout (a wait fails at once), never
by timing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Product, Sale
from server.companies.products import (
    ProductFields,
    archive_product,
    create_product,
    delete_product,
    update_product,
)
from server.companies.sales_mapping import UnknownSkus
from server.companies.stock import adjust_stock
from tests.companies.factories import make_company, make_product
from tests.companies.sales_helpers import orphans, pause_holding_batches, sale, writer_for
from tests.conftest import TEST_DB_BACKEND
from tests.factories import make_user


async def _sales_by_product(company_id: Any) -> list[tuple[Any, str]]:
    rows = await Sale.filter(company_id=company_id).order_by("external_id")
    return [(s.product_id, s.external_id) for s in rows]


@pytest.mark.parametrize("unknown_skus", [UnknownSkus.CREATE, UnknownSkus.REJECT])
async def test_a_product_whose_sku_changed_is_taken_as_gone(app, unknown_skus):
    # given: an import that wrote a sale of A, then A renamed B between two batches
    company = await make_company(await make_user())
    renamed = await make_product(company, sku="A")
    writer = await writer_for(company, unknown_skus)
    first = await writer.write([sale("A", "2024-01-01", "1", "i1", 2)])
    await update_product(
        company_id=company.id, product_id=renamed.id, fields=ProductFields(sku="B")
    )

    # when: the next batch sells A
    written = await writer.write([sale("A", "2024-01-02", "4", "i2", 3)])

    # then: A is a new SKU, created or rejected; B keeps only the sale written while it was A
    if unknown_skus is UnknownSkus.CREATE:
        again = await Product.get(company_id=company.id, sku="A")
        assert (first, written, again.id != renamed.id) == ((1, 0, []), (1, 0, []), True)
        assert await _sales_by_product(company.id) == [(renamed.id, "i1"), (again.id, "i2")]
    else:
        assert (first, written[:2]) == ((1, 0, []), (0, 0))
        assert [(p.line, p.column, p.reason) for p in written[2]] == [
            (3, "sku", "unknown SKU (unknown SKUs are rejected)")
        ]
        assert await _sales_by_product(company.id) == [(renamed.id, "i1")]
    assert await orphans(company) == 0


async def test_a_sku_taken_by_a_new_product_is_locked_on_that_product(app, monkeypatch):
    # given: an import that resolved A; A renamed B, then a new product takes SKU A; the next
    # batch selling A holds its products, paused before it inserts
    company = await make_company(await make_user())
    renamed = await make_product(company, sku="A")
    writer = await writer_for(company)
    await writer._resolve({"A"})
    await update_product(
        company_id=company.id, product_id=renamed.id, fields=ProductFields(sku="B")
    )
    new = await create_product(company_id=company.id, fields=ProductFields(sku="A", name="New A"))
    held, release = pause_holding_batches(monkeypatch)
    importing = asyncio.create_task(writer.write([sale("A", "2024-01-01", "2", "i1", 2)]))
    await held.wait()

    # when: deleteProduct of the new A starts while the batch is open, then the batch goes on
    deleting = asyncio.create_task(delete_product(company_id=company.id, product_id=new.id))
    await asyncio.sleep(0.2)  # room for the delete to run as far as it can
    release.set()

    # then: the batch locked the new A and wrote to it; the delete waited and was refused
    assert await importing == (1, 0, [])
    with pytest.raises(CompaniesError) as refused:
        await deleting
    assert refused.value.code == CompaniesErrorCode.PRODUCT_IN_USE
    assert await _sales_by_product(company.id) == [(new.id, "i1")]
    assert await orphans(company) == 0


async def _at_once(call: Callable[[], Awaitable[Any]]) -> Any:
    """`call` in a transaction whose lock waits fail at once (lock_timeout): it either needs no
    lock that someone holds, or raises asyncpg's LockNotAvailableError."""
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL lock_timeout = '1ms'")
        return await call()


@pytest.mark.skipif(TEST_DB_BACKEND != "postgres", reason="PostgreSQL row locks")
async def test_edits_and_stock_movements_do_not_wait_for_a_batch_but_a_sku_change_does(
    app, monkeypatch
):
    # given: a batch selling A and B holds its products (FOR KEY SHARE), paused before it commits
    company = await make_company(await make_user())
    a = await make_product(company, sku="A")
    b = await make_product(company, sku="B")
    writer = await writer_for(company)
    held, release = pause_holding_batches(monkeypatch)
    rows = [sale("A", "2024-01-01", "2", "i1", 2), sale("B", "2024-01-01", "1", "i2", 3)]
    importing = asyncio.create_task(writer.write(rows))
    await held.wait()

    # when: while the batch is open, a name and price edit of A (repeating its SKU), archiving
    # and restoring B, a stock adjustment of A; then a SKU change of B and a delete of A
    edit = ProductFields(sku="A", name="Renamed", price="2.50")
    try:
        edited = await _at_once(
            lambda: update_product(company_id=company.id, product_id=a.id, fields=edit)
        )
        await _at_once(lambda: archive_product(company_id=company.id, product_id=b.id))
        await _at_once(
            lambda: archive_product(company_id=company.id, product_id=b.id, archived=False)
        )
        posted = await _at_once(
            lambda: adjust_stock(company_id=company.id, product_id=a.id, quantity="5", reason="x")
        )
        waited = []
        for change in (
            lambda: update_product(
                company_id=company.id, product_id=b.id, fields=ProductFields(sku="B2")
            ),
            lambda: delete_product(company_id=company.id, product_id=a.id),
        ):
            with pytest.raises(asyncpg.LockNotAvailableError) as timeout:
                await _at_once(change)
            waited.append(timeout.value.sqlstate)
    finally:
        release.set()

    # then: the edits and the movement went through at once, the SKU change and the delete
    # would have waited for the batch, which wrote both rows
    assert await importing == (2, 0, [])
    assert (edited.name, str(edited.price), str(posted.product.stock_on_hand)) == (
        "Renamed",
        "2.5000",
        "5.000",
    )
    assert waited == ["55P03", "55P03"]  # lock_not_available
    stored = await Product.filter(company_id=company.id).order_by("sku")
    assert [(p.sku, p.name, p.archived_at) for p in stored] == [
        ("A", "Renamed", None),
        ("B", b.name, None),
    ]
    assert await _sales_by_product(company.id) == [(a.id, "i1"), (b.id, "i2")]
