"""What a failed sales import leaves, on SQLite and PostgreSQL (the `db` marker): an all-or-nothing
import whose job ended without finishing it (a lost worker, a timeout, attempts exhausted) is
settled by the job's end hook from what its row recorded, not from a process that may be gone:
its sales and the products it created go, unless another import uses them by now, and
`productsCreated` counts the products it created that are left. Two imports creating the same
new SKU at once make one product that both imports' sales go to."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from server.companies import sales_import_job, sales_writer
from server.companies.models import Company, Product, Sale, SalesImport, SalesImportStatus
from server.companies.sales_import import IMPORT_SALES
from server.companies.sales_import_job import import_file, settle_sales_import
from server.companies.sales_mapping import ImportOptions, SalesMapping, UnknownSkus
from server.companies.sales_writer import SalesWriter
from server.jobs.models import Job, JobStatus
from tests.companies.factories import make_company, make_product
from tests.companies.sales_helpers import orphans, sale
from tests.factories import make_user

MAPPING = SalesMapping(date="date", sku="sku", quantity="quantity", external_id="id")


async def _import(company: Company, name: str, *, all_or_nothing: bool = True) -> SalesImport:
    options = ImportOptions(unknown_skus=UnknownSkus.CREATE, all_or_nothing=all_or_nothing)
    return await SalesImport.create(
        company=company, filename=name, sha256=name.encode().hex().ljust(64, "0")[:64],
        mapping=MAPPING.as_dict(), options=options.as_dict(), status=SalesImportStatus.RUNNING,
    )  # fmt: skip


def _writer(row: SalesImport) -> SalesWriter:
    options = ImportOptions.from_dict(row.options)
    return SalesWriter(company_id=row.company_id, import_id=row.id, options=options)


def _ended(row: SalesImport, status: JobStatus = JobStatus.FAILED) -> Job:
    """The import's job as its end hook sees it once it ended without finishing the import."""
    return Job(kind=IMPORT_SALES, status=status, payload={"sales_import_id": str(row.id)})


async def _nothing(progress: float, stage: str, message: str | None = None) -> None:
    return None


async def _skus(company: Company) -> list[str]:
    return sorted(
        str(s) for s in await Product.filter(company_id=company.id).values_list("sku", flat=True)
    )


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELLED])
async def test_an_all_or_nothing_import_whose_job_died_leaves_nothing(app, status):
    # given: an all-or-nothing import that created X and Y and wrote sales of them and of the
    # existing product P, then its worker died (nothing of its process is left)
    company = await make_company(await make_user())
    await make_product(company, sku="P")
    row = await _import(company, "dead.csv")
    written = await _writer(row).write(
        [sale("X", "2024-03-05", "1", "a", 2), sale("Y", "2024-03-05", "2", "b", 3),
         sale("P", "2024-03-05", "3", "c", 4)]
    )  # fmt: skip
    assert (written, await _skus(company)) == ((3, 0, []), ["P", "X", "Y"])

    # when: the job ends without finishing the import
    await settle_sales_import(_ended(row, status))

    # then: its sales and the products it created are gone, the existing product stays
    done = await SalesImport.get(id=row.id)
    assert (done.status, done.products_created, done.finished_at is not None) == (
        SalesImportStatus.FAILED, 0, True,
    )  # fmt: skip
    assert await _skus(company) == ["P"]
    assert await Sale.filter(company_id=company.id).count() == 0


async def test_a_settled_import_keeps_and_counts_a_product_another_import_sold(app):
    # given: an all-or-nothing import that created X and Y, whose worker died; meanwhile
    # another import resolved X (the product the first one created) and committed a sale
    company = await make_company(await make_user())
    row = await _import(company, "dead.csv")
    assert await _writer(row).write(
        [sale("X", "2024-03-05", "1", "a", 2), sale("Y", "2024-03-05", "2", "b", 3)]
    ) == (2, 0, [])
    other = await _import(company, "other.csv", all_or_nothing=False)
    assert await _writer(other).write([sale("X", "2024-03-06", "5", "o", 2)]) == (1, 0, [])

    # when: the first import's job ends, failed
    await settle_sales_import(_ended(row))

    # then: Y is gone, X stays with the other import's sale and is counted as created and left
    done = await SalesImport.get(id=row.id)
    assert (done.status, done.products_created) == (SalesImportStatus.FAILED, 1)
    assert await _skus(company) == ["X"]
    stored = await Sale.filter(company_id=company.id)
    assert [(s.sales_import_id, s.external_id) for s in stored] == [(other.id, "o")]  # type: ignore[attr-defined]
    assert await orphans(company) == 0


async def test_a_settled_import_that_was_not_all_or_nothing_keeps_and_counts_its_products(app):
    # given: an import (not all-or-nothing) that created X and wrote a sale, then its job died
    company = await make_company(await make_user())
    row = await _import(company, "partial.csv", all_or_nothing=False)
    assert await _writer(row).write([sale("X", "2024-03-05", "1", "a", 2)]) == (1, 0, [])

    # when
    await settle_sales_import(_ended(row))

    # then: what it wrote stays, and its product counts
    done = await SalesImport.get(id=row.id)
    assert (done.status, done.products_created) == (SalesImportStatus.FAILED, 1)
    assert (await _skus(company), await Sale.filter(company_id=company.id).count()) == (["X"], 1)


async def test_a_retry_that_fails_removes_the_products_an_earlier_attempt_created(
    app, tmp_path: Path
):
    # given: an all-or-nothing import whose first attempt created Z and wrote its sale, then died
    company = await make_company(await make_user())
    row = await _import(company, "retried.csv")
    assert await _writer(row).write([sale("Z", "2024-03-05", "1", "a", 2)]) == (1, 0, [])
    await Sale.filter(sales_import_id=row.id).delete()  # the retry starts clean

    # when: the retry reads the file, Z (there already) and a row that fails
    path = tmp_path / "retried.csv"
    path.write_bytes(b"date,sku,quantity,id\n2024-03-05,Z,1,a\n2024-02-30,Z,1,b\n")
    counts = await import_file(path=path, sales_import=row, company=company, report=_nothing)

    # then: the import removed Z, which the earlier attempt created
    assert (counts.read, counts.imported, counts.failed, counts.created) == (2, 0, 1, 0)
    assert (await _skus(company), await Sale.filter(company_id=company.id).count()) == ([], 0)


async def test_two_imports_creating_the_same_new_sku_at_once_make_one_product(
    app, monkeypatch, tmp_path: Path
):
    # given: two imports of one company, each with the new SKU N in its file (spelled N and n),
    # both past their first look-up of SKUs (N unknown to both) before either creates it; they
    # share one sale (same day and external id) and have one each of their own
    company = await make_company(await make_user())
    files = {
        "one.csv": b"date,sku,quantity,id\n2024-03-05,N,1,same\n2024-03-06,N,2,one\n",
        "two.csv": b"date,sku,quantity,id\n2024-03-05,n,1,same\n2024-03-07,n,3,two\n",
    }
    runs = []
    for name, data in files.items():
        (path := tmp_path / name).write_bytes(data)
        runs.append((await _import(company, name, all_or_nothing=False), path))
    match_skus, both_looked, first_looks = sales_writer.match_skus, asyncio.Barrier(2), []

    async def look_up_together(company_id: Any, spellings: Any) -> Any:
        found = await match_skus(company_id, spellings)
        if len(first_looks) < 2:  # each import's first look-up
            first_looks.append({sku: m.product_id for sku, m in found.items()})
            await asyncio.wait_for(both_looked.wait(), 30)
        return found

    monkeypatch.setattr(sales_writer, "match_skus", look_up_together)

    async def run(row: SalesImport, path: Path) -> dict[str, Any]:
        counts = await import_file(path=path, sales_import=row, company=company, report=_nothing)
        return await sales_import_job._finish(row, counts)

    # when: both run at once (on PostgreSQL each in its own transactions and connections)
    results = await asyncio.gather(*(run(row, path) for row, path in runs))

    # then: N is one product; both imports' sales went to it, the shared one once; one import
    # counts N as created
    assert sorted(first_looks, key=str) == [{"N": None}, {"n": None}]
    product = await Product.get(company_id=company.id)
    assert product.sku in ("N", "n")
    stored = await Sale.filter(company_id=company.id).order_by("external_id")
    assert [(s.product_id, s.external_id) for s in stored] == [
        (product.id, "one"), (product.id, "same"), (product.id, "two"),
    ]  # fmt: skip
    by_import = {s.external_id: s.sales_import_id for s in stored}  # type: ignore[attr-defined]
    assert (by_import["one"], by_import["two"]) == (runs[0][0].id, runs[1][0].id)
    # the import that stored the shared sale first wrote 2, the other skipped it
    outcomes = {
        r["sales_import_id"]: (r["status"], r["rows_read"], r["rows_imported"], r["rows_skipped"],
                               r["rows_failed"])
        for r in results
    }  # fmt: skip
    first = str(by_import["same"])
    second = next(i for i in outcomes if i != first)
    assert (outcomes[first], outcomes[second]) == (
        ("SUCCEEDED", 2, 2, 0, 0), ("SUCCEEDED", 2, 1, 1, 0),
    )  # fmt: skip
    assert sorted(r["products_created"] for r in results) == [0, 1]
    assert await orphans(company) == 0


async def test_an_import_whose_attempts_all_died_is_settled_by_its_job_with_nothing_left(
    client, monkeypatch
):
    # given: an all-or-nothing import of X then Y (one row a batch) whose every attempt dies
    # (an unexpected error, retried) after the batch of X, which it created
    from server.settings import get_settings
    from tests.companies.test_sales_import import _send
    from tests.jobs.conftest import wait_for

    settings = get_settings()
    monkeypatch.setattr(settings, "sales_import_batch_rows", 1)
    monkeypatch.setattr(settings, "job_retry_delay_seconds", 0.01)

    class Dying(SalesWriter):
        async def write(self, sales: list[Any]) -> tuple[int, int, list[Any]]:
            if getattr(self, "wrote", False):
                raise RuntimeError("the worker died")
            self.wrote = True
            return await super().write(sales)

    monkeypatch.setattr(sales_import_job, "SalesWriter", Dying)
    alice = await make_user()
    company = await make_company(alice)
    options = {"unknownSkus": "CREATE", "allOrNothing": True}
    data = b"date,sku,quantity\n2024-03-05,X,1\n2024-03-06,Y,1\n"

    # when: the import runs until its job fails
    payload = await _send(client, alice, company, data, options=options)
    assert payload["errors"] == []
    row = await SalesImport.get(company_id=company.id)
    job = await wait_for(row.job_id, JobStatus.FAILED, within=30)  # type: ignore[attr-defined]

    # then: the job's end hook removed X and the import's sales
    assert job.attempts == 3
    done = await SalesImport.get(id=row.id)
    assert (done.status, done.products_created) == (SalesImportStatus.FAILED, 0)
    assert (await _skus(company), await Sale.filter(company_id=company.id).count()) == ([], 0)
