"""SalesWriter, the batched writes of an import, on SQLite and PostgreSQL (the `db` marker): a row
already stored, or twice in one batch, is skipped and counted whichever insert the batch took
(on PostgreSQL a plain INSERT first, ON CONFLICT DO NOTHING after a conflict); deleteProduct
and a batch of the same product serialise, in either order, so no sale is left without its
product (`sales` has no foreign key), and neither does an all-or-nothing import's clean-up.
Product edits against a batch: test_sales_locks.py."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from server.companies import products, sales_import_job
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Product, Sale, SalesImport
from server.companies.products import delete_product
from server.companies.sales_mapping import ImportOptions, SalesMapping, UnknownSkus
from server.companies.sales_records import SaleRow
from server.companies.sales_writer import SalesWriter
from tests.companies.factories import make_company, make_product
from tests.companies.sales_helpers import orphans, pause_holding_batches, sale, writer_for
from tests.factories import make_user


def _record_sales_inserts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sales INSERTs run on PostgreSQL from now on, in order: "plain", "on conflict", and
    "undone" for a rollback to the plain INSERT's savepoint."""
    statements: list[str] = []
    execute = asyncpg.connection.Connection.execute

    async def recording(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if query.startswith('INSERT INTO "sales"'):
            statements.append("on conflict" if "ON CONFLICT" in query else "plain")
        elif query == "ROLLBACK TO SAVEPOINT sales_plain_insert":
            statements.append("undone")
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.connection.Connection, "execute", recording)
    return statements


async def test_stored_and_repeated_rows_are_skipped_batch_after_batch(app, monkeypatch):
    # given: a company with two products and an import writing to it
    company = await make_company(await make_user())
    await make_product(company, sku="A")
    await make_product(company, sku="B")
    row = await SalesImport.create(
        company=company, filename="s.csv", sha256="0" * 64, mapping={}, options={}
    )
    writer = SalesWriter(company_id=company.id, import_id=row.id, options=ImportOptions())
    statements = _record_sales_inserts(monkeypatch)
    paths: list[list[str]] = []

    async def write(rows: list[SaleRow]) -> tuple[int, int, list[Any]]:
        written = await writer.write(rows)
        paths.append(statements[:])
        statements.clear()
        return written

    # when: new rows; then one stored row, one new and that new one twice; then new rows twice
    first = await write(
        [sale("A", "2024-01-01", "1", "i1", 2), sale("B", "2024-01-01", "2", "i2", 3)]
    )
    second = await write(
        [
            sale("A", "2024-01-01", "5", "i1", 4),
            sale("A", "2024-01-02", "1", "i3", 5),
            sale("A", "2024-01-02", "1", "i3", 6),
        ]
    )
    third = await write([sale("B", "2024-01-03", "1", "i4", 7)])
    fourth = await write([sale("B", "2024-01-04", "3", "i5", 8)])

    # then: each batch counts what it wrote and skipped, and the stored row kept its quantity;
    # on PostgreSQL the plain INSERT went through where nothing was stored yet, was undone for
    # ON CONFLICT on a conflict, and the batch after a conflict went straight to ON CONFLICT
    assert (first, second, third, fourth) == ((2, 0, []), (1, 2, []), (1, 0, []), (1, 0, []))
    if writer.postgres:
        assert paths == [
            ["plain"],
            ["plain", "undone", "on conflict"],
            ["on conflict"],
            ["plain"],
        ]
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
    writer = await writer_for(company, unknown_skus)
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
    assert await orphans(company) == 0


async def test_a_product_created_then_deleted_before_it_was_read_back_is_created_again(
    app, monkeypatch
):
    # given: an import creating SKU A, whose new product is deleted before the import reads the
    # products back (right after its bulk insert)
    company = await make_company(await make_user())
    writer = await writer_for(company, UnknownSkus.CREATE)
    bulk_create, deleted = Product.bulk_create, []

    async def create_then_lose(objects: list[Product], **kwargs: Any) -> Any:
        created = await bulk_create(objects, **kwargs)
        if not deleted:
            deleted.extend(o.id for o in objects)
            await Product.filter(id__in=deleted).delete()
        return created

    monkeypatch.setattr(Product, "bulk_create", create_then_lose)

    # when: a batch sells A
    written = await writer.write([sale("A", "2024-01-01", "3", "i1", 2)])

    # then: A is taken as gone and created again, once; its sale went to the product there is
    again = await Product.get(company_id=company.id, sku="A")
    assert (written, again.id in deleted) == ((1, 0, []), False)
    assert (writer.created, writer.created_ids) == (1, [again.id])
    assert await Sale.filter(company_id=company.id).values_list("product_id", flat=True) == [
        again.id
    ]


async def test_a_product_it_created_deleted_before_its_batch_counts_once(app):
    # given: an import that created SKU A, then A deleted (it had no history yet)
    company = await make_company(await make_user())
    writer = await writer_for(company, UnknownSkus.CREATE)
    await writer._resolve({"A"})
    first = await Product.get(company_id=company.id, sku="A")
    await delete_product(company_id=company.id, product_id=first.id)

    # when: a batch sells A
    written = await writer.write([sale("A", "2024-01-01", "3", "i1", 2)])

    # then: A was created again and the import counts one product created, the one there is
    again = await Product.get(company_id=company.id, sku="A")
    assert (written, again.id != first.id) == ((1, 0, []), True)
    assert (writer.created, writer.created_ids) == (1, [again.id])


async def test_all_or_nothing_keeps_a_product_it_created_that_another_import_sold(
    app, monkeypatch, tmp_path: Path
):
    # given: an all-or-nothing import creating X and Y, one of its rows failing; once it wrote
    # its batch, another import resolves X (the product the first one created) and commits a sale
    company = await make_company(await make_user())
    other = await writer_for(company)

    class Meanwhile(SalesWriter):
        async def write(self, sales: list[SaleRow]) -> tuple[int, int, list[Any]]:
            written = await super().write(sales)
            assert await other.write([sale("X", "2024-03-07", "5", "o1", 2)]) == (1, 0, [])
            return written

    monkeypatch.setattr(sales_import_job, "SalesWriter", Meanwhile)
    path = tmp_path / "sales.csv"
    path.write_bytes(b"date,sku,quantity\n2024-03-05,X,1\n2024-02-30,X,1\n2024-03-06,Y,1\n")
    options = ImportOptions(unknown_skus=UnknownSkus.CREATE, all_or_nothing=True)
    mapping = SalesMapping(date="date", sku="sku", quantity="quantity")
    row = await SalesImport.create(
        company=company, filename="sales.csv", sha256="1" * 64,
        mapping=mapping.as_dict(), options=options.as_dict(),
    )  # fmt: skip

    async def report(progress: float, stage: str, message: str | None = None) -> None:
        return None

    # when: the first import ends, failed, and removes what it wrote
    counts = await sales_import_job.import_file(
        path=path, sales_import=row, company=company, report=report
    )

    # then: its sales and Y (no other history) are gone; X stays with the other import's sale,
    # and is counted as a product it created that is left
    assert (counts.read, counts.failed, counts.imported, counts.created) == (3, 1, 0, 1)
    finished = await sales_import_job._finish(row, counts)
    assert (finished["status"], finished["products_created"]) == ("FAILED", 1)
    assert await Product.filter(company_id=company.id).values_list("sku", flat=True) == ["X"]
    stored = await Sale.filter(company_id=company.id)
    assert [(s.sales_import_id, s.external_id) for s in stored] == [(other.import_id, "o1")]  # type: ignore[attr-defined]
    assert await orphans(company) == 0


async def test_delete_product_waits_for_a_batch_of_its_sales_and_is_refused(app, monkeypatch):
    # given: a batch selling product A holds its products, paused before it inserts
    company = await make_company(await make_user())
    product = await make_product(company, sku="A")
    writer = await writer_for(company)
    held, release = pause_holding_batches(monkeypatch)
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
    assert await orphans(company) == 0


@pytest.mark.parametrize("unknown_skus", [UnknownSkus.CREATE, UnknownSkus.REJECT])
async def test_a_batch_waits_for_a_delete_product_under_way(app, monkeypatch, unknown_skus):
    # given: an import that resolved SKU A, and deleteProduct of A holding its lock, paused
    company = await make_company(await make_user())
    product = await make_product(company, sku="A")
    writer = await writer_for(company, unknown_skus)
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
    assert await orphans(company) == 0
