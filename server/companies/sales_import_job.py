"""The sales import job: streams a file's rows into `sales` in batches, counting rows read,
imported, skipped and failed, and keeps the first row errors. Parsing the next batch (in a
thread) overlaps writing this one. An all_or_nothing import that had a failed row removes what
it wrote: its sales, and the products it created that have no other history. An import whose
job ended without finishing becomes FAILED (`settle_sales_import`) and an all_or_nothing one
removes the same, by the products recorded on its row. `productsCreated` counts the products
an import created that are still there (a failed one's kept by another import's sales).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from server.companies.models import (
    Company,
    Product,
    Sale,
    SalesImport,
    SalesImportRowError,
    SalesImportStatus,
)
from server.companies.products import delete_unused_products
from server.companies.sales_conversion import RowConverter
from server.companies.sales_detection import SalesFileError
from server.companies.sales_inspection import converter_for, inspect_file
from server.companies.sales_mapping import ImportOptions, SalesMapping
from server.companies.sales_records import RowProblem, SaleRow
from server.companies.sales_rows import RowStream, open_rows
from server.companies.sales_uploads import download, remove_file
from server.companies.sales_writer import SalesWriter, created_products
from server.files.models import StoredFile
from server.jobs.errors import JobFailed
from server.jobs.models import Job, JobStatus
from server.jobs.registry import ProgressReporter
from server.settings import get_settings
from server.storage.errors import BlobNotFound

REPORT_EVERY_SECONDS = 0.5


@dataclass
class _Batch:
    sales: list[SaleRow]
    problems: list[RowProblem]
    rows: int
    position: float


def _batches(stream: RowStream, converter: RowConverter, size: int) -> Generator[_Batch]:
    for sales, problems, rows in converter.batches(stream.cells(), size):
        yield _Batch(sales, problems, rows, stream.position())


@dataclass
class ImportCounts:
    read: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    created: int = 0
    errors: list[RowProblem] = field(default_factory=list)


async def run_sales_import(job: Job, report: ProgressReporter) -> dict[str, Any]:
    """The job: stream the file's rows into `sales` (see the module docstring). Raises JobFailed
    FILE_MISSING, NOT_A_SALES_FILE, MISSING_COLUMN."""
    import_id = uuid.UUID(job.payload["sales_import_id"])
    row = await SalesImport.get_or_none(id=import_id)
    if row is None:
        raise JobFailed("NOT_FOUND", "The sales import is gone.")
    if row.status not in (SalesImportStatus.QUEUED, SalesImportStatus.RUNNING):
        return _result(row)
    # A new attempt starts clean: what an earlier, interrupted attempt wrote goes.
    await Sale.filter(sales_import_id=row.id).delete()
    await SalesImportRowError.filter(sales_import_id=row.id).delete()
    await SalesImport.filter(id=row.id).update(status=SalesImportStatus.RUNNING)
    file = await StoredFile.get_or_none(id=row.file_id) if row.file_id else None  # type: ignore[attr-defined]
    if file is None:
        raise JobFailed("FILE_MISSING", "The sales file is gone.")
    try:
        path = await download(file)
    except BlobNotFound as exc:
        raise JobFailed("FILE_MISSING", "The sales file is gone from its store.") from exc
    try:
        counts = await import_file(
            path=path,
            sales_import=row,
            company=await Company.get(id=row.company_id),
            report=report,
        )
    finally:
        remove_file(path)
    return await _finish(row, counts)


async def import_file(
    *, path: Path, sales_import: SalesImport, company: Company, report: ProgressReporter
) -> ImportCounts:
    """Read the file at `path` into `sales` for this import (the job's body; the benchmark
    calls it too)."""
    settings = get_settings()
    options = ImportOptions.from_dict(sales_import.options)
    mapping = SalesMapping.from_dict(sales_import.mapping)
    await report(0.0, "reading", None)
    try:
        detected, _p, samples, order, _s = await asyncio.to_thread(
            inspect_file, path, mapping.date, options.date_order, company.country
        )
        converter = converter_for(detected, mapping, options, order, samples)
    except SalesFileError as exc:
        raise JobFailed(exc.code, exc.message) from exc
    stream = open_rows(path, detected)
    batches = _batches(stream, converter, settings.sales_import_batch_rows)
    writer = SalesWriter(company_id=company.id, import_id=sales_import.id, options=options)
    counts = ImportCounts()
    started = last_report = time.monotonic()
    # The next batch is read (in a thread) while this one is written: parsing and the
    # database work overlap.
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while True:
            try:
                batch = await pending
            except SalesFileError as exc:
                raise JobFailed(exc.code, exc.message) from exc
            if batch is None:
                break
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            counts.read += batch.rows
            problems = list(batch.problems)
            if batch.sales:
                imported, skipped, rejected = await writer.write(batch.sales)
                counts.imported += imported
                counts.skipped += skipped
                problems.extend(rejected)
            counts.failed += len({p.line for p in problems})
            room = settings.sales_import_max_errors - len(counts.errors)
            if room > 0:
                counts.errors.extend(sorted(problems, key=lambda p: p.line)[:room])
            now = time.monotonic()
            if now - last_report >= REPORT_EVERY_SECONDS:
                last_report = now
                rate = counts.read / max(now - started, 1e-6)
                await report(
                    min(0.99, batch.position),
                    "importing",
                    f"{counts.read:,} rows read, {rate:,.0f} rows/s",
                )
    finally:
        if not pending.done():
            with contextlib.suppress(BaseException):
                await asyncio.shield(pending)
        batches.close()
    # The products recorded as created, by this attempt and any earlier one of the import.
    created = created_products((await SalesImport.get(id=sales_import.id)).options)
    if options.all_or_nothing and counts.failed:
        await _remove_written(company.id, sales_import.id, created)
        counts.imported = counts.skipped = 0
    counts.created = await _kept(company.id, created)
    return counts


async def _remove_written(
    company_id: uuid.UUID, import_id: uuid.UUID, created: list[uuid.UUID]
) -> None:
    """A failed all-or-nothing import's clean-up: its sales, then the products it created
    unless something else uses them by now (another import may have resolved a SKU this one
    created and committed sales to it)."""
    await Sale.filter(sales_import_id=import_id).delete()
    await delete_unused_products(company_id=company_id, product_ids=created)


async def _kept(company_id: uuid.UUID, created: list[uuid.UUID]) -> int:
    """How many of the products an import created are still there."""
    if not created:
        return 0
    return await Product.filter(company_id=company_id, id__in=created).count()


async def _finish(row: SalesImport, counts: ImportCounts) -> dict[str, Any]:
    options = ImportOptions.from_dict(row.options)
    failed = options.all_or_nothing and counts.failed > 0
    status = SalesImportStatus.FAILED if failed else SalesImportStatus.SUCCEEDED
    async with in_transaction():
        await SalesImportRowError.bulk_create(
            [
                SalesImportRowError(
                    sales_import_id=row.id,
                    line=p.line,
                    column=p.column,
                    value=p.value,
                    reason=p.reason,
                )
                for p in counts.errors
            ]
        )
        await SalesImport.filter(
            id=row.id, status__in=[SalesImportStatus.QUEUED, SalesImportStatus.RUNNING]
        ).update(
            status=status,
            rows_read=counts.read,
            rows_imported=counts.imported,
            rows_skipped=counts.skipped,
            rows_failed=counts.failed,
            products_created=counts.created,
            finished_at=datetime.now(UTC),
        )
    return _result(await SalesImport.get(id=row.id))


def _result(row: SalesImport) -> dict[str, Any]:
    return {
        "sales_import_id": str(row.id),
        "status": row.status.value,
        "rows_read": row.rows_read,
        "rows_imported": row.rows_imported,
        "rows_skipped": row.rows_skipped,
        "rows_failed": row.rows_failed,
        "products_created": row.products_created,
    }


async def settle_sales_import(job: Job) -> None:
    """End hook: an import whose job ended without finishing it (a lost worker, a timeout,
    attempts exhausted, a cancel) becomes FAILED. An all_or_nothing import's sales go, and the
    products it created (recorded with them, whichever process made them) unless something
    else uses them by now; `productsCreated` counts those still there."""
    if job.status == JobStatus.SUCCEEDED:
        return
    import_id = (job.payload or {}).get("sales_import_id")
    if not import_id:
        return
    row = await SalesImport.filter(id=import_id).select_for_update().first()
    if row is None or row.status not in (SalesImportStatus.QUEUED, SalesImportStatus.RUNNING):
        return
    created = created_products(row.options)
    if ImportOptions.from_dict(row.options).all_or_nothing:
        await _remove_written(row.company_id, row.id, created)
    await SalesImport.filter(id=row.id).update(
        status=SalesImportStatus.FAILED,
        products_created=await _kept(row.company_id, created),
        finished_at=datetime.now(UTC),
    )
