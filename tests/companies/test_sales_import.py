"""previewSalesImport and importSales over HTTP, the job running in-process: each edge case with
its exact row errors and counts, on SQLite and PostgreSQL (the `db` marker)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from schema.core.relay import global_id
from server.companies.models import Company, Product, Sale, SalesImport
from server.jobs.models import JobStatus
from tests.companies.factories import make_company, make_product
from tests.conftest import data_of, shared_dataset
from tests.factories import Account, make_user
from tests.files.uploads import upload
from tests.jobs.conftest import wait_for
from tests.sql import count_sql

PREVIEW = """
mutation P($input: PreviewSalesImportInput!) {
  previewSalesImport(input: $input) {
    preview { fileId format encoding delimiter decimalComma dateOrder dateOrderSource columns
              numericColumns rows layout
              suggestedMapping { date sku quantity unitPrice store externalId skuColumns } }
    errors { field code message }
  }
}"""
IMPORT = """
mutation I($input: ImportSalesInput!) {
  importSales(input: $input) {
    salesImport { id status duplicateOf }
    job { id }
    errors { field code message }
  }
}"""
IMPORTS = """
query Q($id: ID!) {
  company(id: $id) {
    salesImports(first: 10) { edges { node {
      id filename status rowsRead rowsImported rowsSkipped rowsFailed productsCreated duplicateOf
      errors(first: 50) { line column value reason }
      job { id status }
    } } }
  }
}"""
LONG = {"date": "date", "sku": "sku", "quantity": "quantity"}


async def _setup() -> tuple[Account, Company]:
    alice = await make_user()
    return alice, await make_company(alice)


async def _send(
    client: Any,
    account: Account,
    company: Company,
    data: bytes,
    *,
    mapping: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    name: str = "sales.csv",
) -> dict[str, Any]:
    variables = {
        "input": {
            "companyId": global_id("Company", company.id),
            "file": None,
            "mapping": mapping or LONG,
            "options": options or {},
        }
    }
    response = await upload(
        client, IMPORT, {"variables.input.file": (name, data, "text/csv")}, variables,
        token=account.token,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return data_of(response.json())["importSales"]


async def _imported(
    client: Any, gql: Any, account: Account, company: Company, data: bytes, **kwargs: Any
) -> dict[str, Any]:
    """Import and wait for the job; the import as `company.salesImports` shows it."""
    payload = await _send(client, account, company, data, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    row = await SalesImport.get(company_id=company.id, filename=kwargs.get("name", "sales.csv"))
    if row.job_id is not None:  # type: ignore[attr-defined]
        await wait_for(row.job_id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=30)  # type: ignore[attr-defined]
    listed = data_of(
        await gql(IMPORTS, {"id": global_id("Company", company.id)}, token=account.token)
    )
    nodes = [e["node"] for e in listed["company"]["salesImports"]["edges"]]
    return next(n for n in nodes if n["id"] == payload["salesImport"]["id"])


async def _sales(company: Company) -> list[tuple[str, date, Decimal, Any, str, str]]:
    rows = await Sale.filter(company_id=company.id).prefetch_related("product")
    return sorted(
        (s.product.sku, s.sold_on, Decimal(s.quantity), s.unit_price, s.store, s.external_id)
        for s in rows
    )


def _counts(node: dict[str, Any]) -> tuple[str, int, int, int, int, int]:
    return (
        node["status"], node["rowsRead"], node["rowsImported"], node["rowsSkipped"],
        node["rowsFailed"], node["productsCreated"],
    )  # fmt: skip


async def test_a_bom_file_imports_with_its_first_column_named_plainly(client, gql):
    # given
    alice, company = await _setup()
    data = "\ufeffdate,sku,quantity\n2024-03-05,A,2\n2024-03-06,B,3\n".encode()
    # when
    node = await _imported(client, gql, alice, company, data, options={"unknownSkus": "CREATE"})
    # then
    assert _counts(node) == ("SUCCEEDED", 2, 2, 0, 0, 2)
    assert node["errors"] == [] and node["job"]["status"] == "SUCCEEDED"
    assert await _sales(company) == [
        ("A", date(2024, 3, 5), Decimal(2), None, "", ""),
        ("B", date(2024, 3, 6), Decimal(3), None, "", ""),
    ]


async def test_semicolons_and_decimal_commas_in_cp1252(client, gql):
    # given: a French export: ';', decimal commas, day first (FR company), cp1252 text
    alice, company = await _setup()
    await make_product(company, sku="CAFÉ")
    data = "date;sku;quantité;prix\n05/03/2024;CAFÉ;1,5;2,30\n06/03/2024;CAFÉ;1.234,5;\n"
    mapping = {"date": "date", "sku": "sku", "quantity": "quantité", "unitPrice": "prix"}
    # when
    node = await _imported(client, gql, alice, company, data.encode("cp1252"), mapping=mapping)
    # then
    assert _counts(node) == ("SUCCEEDED", 2, 2, 0, 0, 0)
    assert await _sales(company) == [
        ("CAFÉ", date(2024, 3, 5), Decimal("1.5"), Decimal("2.3"), "", ""),
        ("CAFÉ", date(2024, 3, 6), Decimal("1234.5"), None, "", ""),
    ]


async def test_preview_detects_and_suggests_writing_nothing(client, gql):
    # given
    alice, company = await _setup()
    data = b"Date;SKU;Qty;Store\n03/04/2024;A;1,5;Paris\n25/04/2024;B;2;Lyon\n"
    variables = {"input": {"companyId": global_id("Company", company.id), "file": None}}
    # when
    response = await upload(
        client, PREVIEW, {"variables.input.file": ("x.csv", data, "text/csv")}, variables,
        token=alice.token,
    )  # fmt: skip
    # then
    payload = data_of(response.json())["previewSalesImport"]
    assert payload["errors"] == []
    preview = payload["preview"]
    assert {k: preview[k] for k in ("format", "encoding", "delimiter", "decimalComma")} == {
        "format": "CSV", "encoding": "utf-8", "delimiter": ";", "decimalComma": True,
    }  # fmt: skip
    assert (preview["dateOrder"], preview["dateOrderSource"]) == ("DMY", "data")
    assert preview["columns"] == ["Date", "SKU", "Qty", "Store"]
    assert preview["rows"] == [
        ["03/04/2024", "A", "1,5", "Paris"],
        ["25/04/2024", "B", "2", "Lyon"],
    ]
    assert preview["layout"] == "LONG"
    assert preview["suggestedMapping"] == {
        "date": "Date", "sku": "SKU", "quantity": "Qty", "unitPrice": None, "store": "Store",
        "externalId": None, "skuColumns": None,
    }  # fmt: skip
    assert await Sale.filter(company_id=company.id).count() == 0
    # the kept file serves importSales
    mapping = {"date": "Date", "sku": "SKU", "quantity": "Qty", "store": "Store"}
    result = data_of(
        await gql(IMPORT, {"input": {
            "companyId": global_id("Company", company.id), "fileId": preview["fileId"],
            "mapping": mapping, "options": {"unknownSkus": "CREATE"}}}, token=alice.token)
    )["importSales"]  # fmt: skip
    assert result["errors"] == [] and result["salesImport"]["status"] == "QUEUED"
    row = await SalesImport.get(company_id=company.id)
    await wait_for(row.job_id, JobStatus.SUCCEEDED, within=30)  # type: ignore[attr-defined]
    assert await _sales(company) == [
        ("A", date(2024, 4, 3), Decimal("1.5"), None, "Paris", ""),
        ("B", date(2024, 4, 25), Decimal(2), None, "Lyon", ""),
    ]


async def test_ambiguous_dates_follow_the_country_then_the_option(client, gql):
    # given: only ambiguous a/b/Y dates, a French company: day first
    alice, company = await _setup()
    data = b"date,sku,quantity\n03/04/2024,A,1\n"
    # when
    await _imported(client, gql, alice, company, data, options={"unknownSkus": "CREATE"})
    again = data + b"05/06/2024,A,1\n"
    await _imported(
        client, gql, alice, company, again, name="b.csv",
        options={"unknownSkus": "CREATE", "dateOrder": "MDY"},
    )  # fmt: skip
    # then
    assert [s[1] for s in await _sales(company)] == [
        date(2024, 3, 4),  # 03/04 as M/D/Y (the option)
        date(2024, 4, 3),  # 03/04 as D/M/Y (the country)
        date(2024, 5, 6),
    ]


async def test_empty_lines_are_skipped_and_lines_keep_their_numbers(client, gql):
    # given
    alice, company = await _setup()
    data = b"date,sku,quantity\n\n2024-03-05,A,1\n\n\n2024-03-06,A,x\n,,\n2024-03-07,A,2\n"
    # when
    node = await _imported(client, gql, alice, company, data, options={"unknownSkus": "CREATE"})
    # then
    assert _counts(node) == ("SUCCEEDED", 3, 2, 0, 1, 1)
    assert node["errors"] == [
        {"line": 6, "column": "quantity", "value": "x", "reason": "not a number"}
    ]


async def test_a_missing_column(client, gql):
    # given
    alice, company = await _setup()
    data = b"date,sku,quantity\n2024-03-05,A,1\n2024-03-06,A\n"
    # when: the mapping names a column the file lacks
    payload = await _send(
        client, alice, company, data, mapping={"date": "date", "sku": "sku", "quantity": "qty"}
    )
    # then
    assert payload["salesImport"] is None
    assert payload["errors"] == [
        {"field": "mapping", "code": "MISSING_COLUMN",
         "message": "The file has no column 'qty' (mapped as quantity)."}
    ]  # fmt: skip
    assert await SalesImport.filter(company_id=company.id).count() == 0
    # when: a line lacks the quantity field
    node = await _imported(client, gql, alice, company, data, options={"unknownSkus": "CREATE"})
    # then
    assert _counts(node) == ("SUCCEEDED", 2, 1, 0, 1, 1)
    assert node["errors"] == [
        {"line": 3, "column": "quantity", "value": "",
         "reason": "missing: the line has 2 fields, the header 3"}
    ]  # fmt: skip


async def test_a_binary_file_named_csv_is_refused(client):
    # given
    alice, company = await _setup()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    # when
    payload = await _send(client, alice, company, png, name="sales.csv")
    # then
    assert payload["errors"] == [
        {"field": "file", "code": "NOT_A_SALES_FILE",
         "message": "The file is binary, not CSV text or XLSX (whatever its name says)."}
    ]  # fmt: skip
    assert await SalesImport.filter(company_id=company.id).count() == 0


async def test_formula_cells_are_refused_and_never_stored_as_formulas(client, gql):
    # given
    alice, company = await _setup()
    data = (
        b"date,sku,quantity,store,invoice\n"
        b'2024-03-05,"=HYPERLINK(""http://x"")",1,,\n'
        b"2024-03-05,A,1,+cmd,\n"
        b"2024-03-05,A,1,,@SUM(A1)\n"
        b"2024-03-05,A,=1+2,,\n"
        b"2024-03-05,A,-3,,R1\n"
    )
    mapping = {**LONG, "store": "store", "externalId": "invoice"}
    # when
    node = await _imported(
        client, gql, alice, company, data, mapping=mapping, options={"unknownSkus": "CREATE"}
    )
    # then: "-3" is a number (a return); the formulas are row errors, echoed neutralised
    assert _counts(node) == ("SUCCEEDED", 5, 1, 0, 4, 1)
    formula = "starts with a formula character (= + - @): refused"
    assert node["errors"] == [
        {"line": 2, "column": "sku", "value": '\'=HYPERLINK("http://x")', "reason": formula},
        {"line": 3, "column": "store", "value": "'+cmd", "reason": formula},
        {"line": 4, "column": "invoice", "value": "'@SUM(A1)", "reason": formula},
        {"line": 5, "column": "quantity", "value": "'=1+2", "reason": "a formula, not a number"},
    ]
    assert await _sales(company) == [("A", date(2024, 3, 5), Decimal(-3), None, "", "R1")]
    assert [p.sku for p in await Product.filter(company_id=company.id)] == ["A"]


async def test_the_same_file_again_is_duplicate_without_a_job(client, gql):
    # given
    alice, company = await _setup()
    data = b"date,sku,quantity\n2024-03-05,A,1\n"
    first = await _imported(client, gql, alice, company, data, options={"unknownSkus": "CREATE"})
    # when
    again = await _send(client, alice, company, data, name="again.csv")
    # then
    assert again["errors"] == [] and again["job"] is None
    assert again["salesImport"]["status"] == "DUPLICATE"
    assert again["salesImport"]["duplicateOf"] == first["id"]
    assert await Sale.filter(company_id=company.id).count() == 1


async def test_overlapping_rows_are_skipped_and_cancellations_are_returns(client, gql):
    # given
    alice, company = await _setup()
    head = b"date,sku,quantity,invoice\n"
    one = head + b"2024-03-05,A,1,I1\n2024-03-06,A,2,I2\n2024-03-07,A,3,I3\n"
    two = head + b"2024-03-06,A,2,I2\n2024-03-07,A,3,I3\n2024-03-08,A,2,C9\n2024-03-08,A,-1,R1\n"
    mapping = {**LONG, "externalId": "invoice"}
    options = {"unknownSkus": "CREATE"}
    await _imported(client, gql, alice, company, one, mapping=mapping, options=options)
    # when
    node = await _imported(
        client, gql, alice, company, two, mapping=mapping, options=options, name="two.csv"
    )
    # then
    assert _counts(node) == ("SUCCEEDED", 4, 2, 2, 0, 0)
    assert [(s[1].day, s[2], s[5]) for s in await _sales(company)] == [
        (5, Decimal(1), "I1"), (6, Decimal(2), "I2"), (7, Decimal(3), "I3"),
        (8, Decimal(-2), "C9"),  # a cancelled invoice: a return whatever the sign
        (8, Decimal(-1), "R1"),
    ]  # fmt: skip


async def test_unknown_skus_created_or_rejected(client, gql):
    # given
    alice, company = await _setup()
    await make_product(company, sku="KNOWN")
    data = b"date,sku,quantity\n2024-03-05,KNOWN,1\n2024-03-05,NEW,2\n2024-03-06,NEW,1\n"
    # when
    rejected = await _imported(client, gql, alice, company, data, options={"unknownSkus": "REJECT"})
    # then
    assert _counts(rejected) == ("SUCCEEDED", 3, 1, 0, 2, 0)
    reason = "unknown SKU (unknown SKUs are rejected)"
    assert rejected["errors"] == [
        {"line": 3, "column": "sku", "value": "NEW", "reason": reason},
        {"line": 4, "column": "sku", "value": "NEW", "reason": reason},
    ]
    # when: the same rows from another file, creating
    created = await _imported(
        client, gql, alice, company, data + b"\n", name="b.csv", options={"unknownSkus": "CREATE"}
    )
    # then
    assert _counts(created) == ("SUCCEEDED", 3, 2, 1, 0, 1)
    new = await Product.get(company_id=company.id, sku="NEW")
    assert new.name == "NEW"


async def test_all_or_nothing_writes_nothing_when_a_row_fails(client, gql):
    # given
    alice, company = await _setup()
    data = b"date,sku,quantity\n2024-03-05,A,1\n2024-02-30,A,1\n2024-03-06,B,1\n"
    # when
    node = await _imported(
        client, gql, alice, company, data,
        options={"unknownSkus": "CREATE", "allOrNothing": True},
    )  # fmt: skip
    # then
    assert _counts(node) == ("FAILED", 3, 0, 0, 1, 0)
    assert node["errors"] == [
        {"line": 3, "column": "date", "value": "2024-02-30",
         "reason": "not a valid date in D/M/Y order"}
    ]  # fmt: skip
    assert await Sale.filter(company_id=company.id).count() == 0
    assert await Product.filter(company_id=company.id).count() == 0
    # a FAILED import is no reason for DUPLICATE: fixed or not, the file may come again
    again = await _send(client, alice, company, data, name="again.csv")
    assert again["salesImport"]["status"] == "QUEUED"


async def test_an_xlsx_workbook_streams_its_first_sheet(client, gql):
    # given
    from openpyxl import Workbook

    alice, company = await _setup()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sales")
    sheet.append(["Date", "SKU", "Qty", "Price"])
    sheet.append([datetime(2024, 3, 5), "A", 2, 1.25])
    sheet.append(["06/03/2024", "B", 3.5, None])
    sheet.append([datetime(2024, 3, 7), "A", "=B2*2", None])
    out = io.BytesIO()
    book.save(out)
    mapping = {"date": "Date", "sku": "SKU", "quantity": "Qty", "unitPrice": "Price"}
    # when
    node = await _imported(
        client, gql, alice, company, out.getvalue(), name="sales.xlsx", mapping=mapping,
        options={"unknownSkus": "CREATE"},
    )  # fmt: skip
    # then
    assert _counts(node) == ("SUCCEEDED", 3, 2, 0, 1, 2)
    assert node["filename"] == "sales.xlsx"
    assert node["errors"] == [
        {"line": 4, "column": "Qty", "value": "'=B2*2", "reason": "a formula, not a number"}
    ]
    assert await _sales(company) == [
        ("A", date(2024, 3, 5), Decimal(2), Decimal("1.25"), "", ""),
        ("B", date(2024, 3, 6), Decimal("3.5"), None, "", ""),
    ]


async def test_the_real_weekly_file_imports_through_a_wide_mapping(client, gql):
    # given
    data = (shared_dataset("sales") / "salesweekly.csv").read_bytes()
    alice, company = await _setup()
    # when: SKU columns left out: every numeric column but the date
    node = await _imported(
        client, gql, alice, company, data, name="salesweekly.csv",
        mapping={"date": "datum"}, options={"unknownSkus": "CREATE", "layout": "WIDE"},
    )  # fmt: skip
    # then
    assert _counts(node) == ("SUCCEEDED", 302, 302 * 8, 0, 0, 8)
    skus = sorted(p.sku for p in await Product.filter(company_id=company.id))
    assert skus == ["M01AB", "M01AE", "N02BA", "N02BE", "N05B", "N05C", "R03", "R06"]
    first = await Sale.get(company_id=company.id, product__sku="N02BE", sold_on=date(2014, 1, 5))
    assert Decimal(first.quantity) == Decimal("185.95")  # 1/5/2014: month first, from the data
    assert await Sale.filter(company_id=company.id, sold_on=date(2019, 10, 13)).count() == 8


async def test_sales_imports_list_in_a_fixed_number_of_queries(client, gql):
    # given
    alice, company = await _setup()
    for n in range(3):
        data = f"date,sku,quantity\n2024-03-0{n + 1},A,x\n".encode()
        await _imported(
            client, gql, alice, company, data, name=f"{n}.csv", options={"unknownSkus": "CREATE"}
        )
    # when
    with count_sql() as statements:
        listed = data_of(
            await gql(IMPORTS, {"id": global_id("Company", company.id)}, token=alice.token)
        )
    # then
    edges = listed["company"]["salesImports"]["edges"]
    assert [len(e["node"]["errors"]) for e in edges] == [1, 1, 1]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects


async def test_another_company_cannot_import_or_list(client, gql):
    # given
    _alice, company = await _setup()
    bob = await make_user()
    # when
    payload = await upload(
        client, IMPORT, {"variables.input.file": ("s.csv", b"date,sku,quantity\n", "text/csv")},
        {"input": {"companyId": global_id("Company", company.id), "file": None, "mapping": LONG}},
        token=bob.token,
    )  # fmt: skip
    # then
    body = payload.json()
    assert body["data"] is None or body["data"]["importSales"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.slow
async def test_a_50_mb_file_imports_in_batches(gql, tmp_path):
    # given: about 50 MB of long rows, through the service (HTTP bodies are capped lower)
    from server.access import Actor
    from server.companies import sales_import as service
    from server.companies.sales_mapping import ImportOptions, SalesMapping, UnknownSkus

    alice, company = await _setup()
    path = tmp_path / "big.csv"
    pad = "x" * 40
    with path.open("w") as out:
        out.write("date,sku,quantity,store,invoice\n")
        rows = 0
        while out.tell() < 50_000_000:
            for i in range(10_000):
                n = rows + i
                out.write(f"2024-{1 + n % 12:02d}-{1 + n % 28:02d},S{n % 200},{n % 7},{pad},I{n}\n")
            rows += 10_000

    class File:
        filename: str | None = "big.csv"

        def __init__(self) -> None:
            self.handle = path.open("rb")

        async def read(self, size: int = -1) -> bytes:
            return self.handle.read(size)

        async def seek(self, offset: int) -> None:
            self.handle.seek(offset)

    mapping = SalesMapping(date="date", sku="sku", quantity="quantity", store="store",
                           external_id="invoice")  # fmt: skip
    # when
    row, job = await service.import_sales(
        actor=Actor(user=alice.user), company_id=company.id, upload=File(), file_id=None,
        mapping=mapping, options=ImportOptions(unknown_skus=UnknownSkus.CREATE),
    )  # fmt: skip
    assert job is not None
    await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=600)
    # then
    done = await SalesImport.get(id=row.id)
    assert (done.status, done.rows_read, done.rows_imported, done.rows_failed) == (
        "SUCCEEDED", rows, rows, 0,
    )  # fmt: skip
    assert done.products_created == 200


async def test_a_company_key_imports_for_its_company(client):
    # given
    from tests.companies.factories import company_key

    alice, company = await _setup()
    secret = await company_key(company, alice, ["companies", "jobs"])
    variables = {
        "input": {
            "companyId": global_id("Company", company.id),
            "file": None,
            "mapping": LONG,
            "options": {"unknownSkus": "CREATE"},
        }
    }
    # when
    response = await upload(
        client, IMPORT, {"variables.input.file": ("k.csv", b"date,sku,quantity\n2024-03-05,A,1\n",
                                                  "text/csv")},
        variables, headers={"X-API-Key": secret},
    )  # fmt: skip
    # then
    payload = data_of(response.json())["importSales"]
    assert payload["errors"] == []
    row = await SalesImport.get(company_id=company.id).prefetch_related("job")
    assert row.created_by_id is None  # type: ignore[attr-defined]
    assert (row.job.owner_id, row.job.company_id) == (alice.user.id, company.id)  # type: ignore[attr-defined]
    await wait_for(row.job.id, JobStatus.SUCCEEDED, within=30)  # type: ignore[attr-defined]
    assert await Sale.filter(company_id=company.id).count() == 1


async def test_a_file_gone_before_the_job_fails_the_import(client, gql):
    # given: the job held until the blob is gone
    from server.files.models import StoredFile
    from server.files.services import get_blob_store
    from server.jobs.models import Job
    from server.jobs.runtime import using
    from server.queue import current_queue
    from tests.jobs.conftest import GatedQueue

    alice, company = await _setup()
    gated = GatedQueue(current_queue())
    with using(queue=gated):
        payload = await _send(client, alice, company, b"date,sku,quantity\n2024-03-05,A,1\n")
    assert payload["errors"] == []
    row = await SalesImport.get(company_id=company.id)
    file = await StoredFile.get(id=row.file_id)  # type: ignore[attr-defined]
    await get_blob_store(file.store).delete(file.blob_key)
    # when
    await gated.release()
    job = await wait_for(row.job_id, JobStatus.FAILED, within=30)  # type: ignore[attr-defined]
    # then: the end hook settles the import with the job
    assert (job.error_code, job.attempts) == ("FILE_MISSING", 1)
    done = await SalesImport.get(id=row.id)
    assert done.status == "FAILED" and done.finished_at is not None
    assert await Job.filter(id=job.id, status=JobStatus.FAILED).count() == 1
