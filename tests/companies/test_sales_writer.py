"""SalesWriter, the batched writes of an import, on SQLite and PostgreSQL (the `db` marker): a row
already stored, or twice in one batch, is skipped and counted whichever insert the batch took
(on PostgreSQL a plain INSERT first, ON CONFLICT DO NOTHING after a conflict)."""

from __future__ import annotations

from decimal import Decimal

from server.companies.models import Sale, SalesImport
from server.companies.sales_mapping import ImportOptions
from server.companies.sales_records import SaleRow
from server.companies.sales_writer import SalesWriter
from tests.companies.factories import make_company, make_product
from tests.factories import make_user


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
