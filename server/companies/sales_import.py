"""Sales import: preview a file, start an import (a SalesImport and its job, one transaction),
and the job that streams the rows into `sales` in batches.

Rules (README "Companies: sales import"):
- The same file (SHA-256) imported again into a company that already has a SUCCEEDED import of
  it is DUPLICATE at once (no job, the file is not read again).
- Rows are validated one by one; a failed row is a SalesImportRowError (the first
  SALES_IMPORT_MAX_ERRORS are stored, all are counted) and the good rows are written in batches
  of SALES_IMPORT_BATCH_ROWS: PostgreSQL COPYs them into a temporary table then
  INSERT ... ON CONFLICT DO NOTHING; SQLite runs INSERT OR IGNORE with executemany. A row whose
  (product, day, external id, store) is already stored is skipped and counted as such.
- Each batch commits on its own. With all_or_nothing, any failed row makes the import FAILED and
  the rows it wrote are deleted again (by their sales_import_id), so nothing of it stays.
- Unknown SKUs: CREATE makes the products (name = SKU) in batch; REJECT fails those rows.
- Returns: a negative quantity is a return and stays negative; an external id starting with
  `C` and a digit (a cancelled invoice, the Online Retail convention) is stored as a negative
  quantity whatever its sign in the file.
- Without an external id column, a date with a time of day uses that time (`08:00`) as the
  external id, so the hourly rows of one day stay distinct.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from server.access import Actor
from server.accounts.models import User
from server.companies import sales_files as sf
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import (
    Company,
    Product,
    Sale,
    SalesImport,
    SalesImportRowError,
    SalesImportStatus,
)
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store
from server.files.stores import KEY_PREFIXES, StorePurpose
from server.jobs.errors import JobFailed, JobsError
from server.jobs.models import Job, JobStatus
from server.jobs.registry import ProgressReporter
from server.jobs.services import job_owner, prepare_job, submit_job
from server.queue import ensure_queue_available
from server.settings import get_settings
from server.storage import BlobTooLarge
from server.storage.errors import BlobNotFound

IMPORT_SALES = "companies.import_sales"
CHUNK = 1024 * 1024
REPORT_EVERY_SECONDS = 0.5
_FILE_CODES = {
    "EMPTY_FILE": CompaniesErrorCode.EMPTY_FILE,
    "NOT_A_SALES_FILE": CompaniesErrorCode.NOT_A_SALES_FILE,
    "MISSING_COLUMN": CompaniesErrorCode.MISSING_COLUMN,
}


class UnknownSkus(StrEnum):
    CREATE = "CREATE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class ImportOptions:
    unknown_skus: UnknownSkus = UnknownSkus.REJECT
    all_or_nothing: bool = False
    date_order: sf.DateOrder | None = None
    layout: sf.Layout = sf.Layout.LONG

    def as_dict(self) -> dict[str, Any]:
        return {
            "unknown_skus": self.unknown_skus,
            "all_or_nothing": self.all_or_nothing,
            "date_order": None if self.date_order is None else self.date_order.value,
            "layout": self.layout.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportOptions:
        order = data.get("date_order")
        return cls(
            unknown_skus=UnknownSkus(data.get("unknown_skus", UnknownSkus.REJECT)),
            all_or_nothing=bool(data.get("all_or_nothing")),
            date_order=None if order is None else sf.DateOrder(order),
            layout=sf.Layout(data.get("layout", sf.Layout.LONG)),
        )


@dataclass(frozen=True)
class SalesPreview:
    """What previewSalesImport shows; `file` is kept in the temporary store for importSales."""

    file: StoredFile
    detected: sf.Detected
    date_order: sf.DateOrder
    date_order_source: str  # option, data, country
    rows: list[list[str]]
    layout: sf.Layout
    mapping: sf.SalesMapping | None
    numeric_columns: list[str] = field(default_factory=list)


def _error(code: CompaniesErrorCode, message: str, field: str | None = None) -> CompaniesError:
    return CompaniesError(code, message, field=field)


def _file_error(exc: sf.SalesFileError, field: str = "file") -> CompaniesError:
    code = _FILE_CODES.get(exc.code, CompaniesErrorCode.NOT_A_SALES_FILE)
    return _error(
        code, exc.message, "mapping" if code is CompaniesErrorCode.MISSING_COLUMN else field
    )


# --- files ---------------------------------------------------------------------------------------


@dataclass
class Spooled:
    path: Path
    sha256: str
    size: int
    kind: sf.FileKind
    filename: str

    @property
    def content_type(self) -> str:
        return sf.XLSX_TYPE if self.kind is sf.FileKind.XLSX else sf.CSV_TYPE

    def remove(self) -> None:
        _remove(self.path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _filename(name: str | None, kind: sf.FileKind) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(c if c.isprintable() else "_" for c in base).strip(" .").rsplit(".", 1)[0]
    return f"{stem[:200] or 'sales'}.{'xlsx' if kind is sf.FileKind.XLSX else 'csv'}"


async def spool_upload(upload: UploadLike, *, max_bytes: int) -> Spooled:
    """Copy an upload to a local temporary file (hashing it, checking size and type). Raises
    CompaniesError EMPTY_FILE, NOT_A_SALES_FILE, FILE_TOO_LARGE."""
    await upload.seek(0)
    digest = hashlib.sha256()
    handle, name = tempfile.mkstemp(prefix="scanbase-sales-")
    path, size, head = Path(name), 0, b""
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := await upload.read(CHUNK):
                if not head:
                    head = chunk[: sf.SAMPLE_BYTES]
                size += len(chunk)
                if size > max_bytes:
                    raise _error(
                        CompaniesErrorCode.FILE_TOO_LARGE,
                        f"The file is larger than {max_bytes:,} bytes.",
                        "file",
                    )
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        try:
            kind = sf.sniff_kind(head)
        except sf.SalesFileError as exc:
            raise _file_error(exc) from None
    except BaseException:
        _remove(path)
        raise
    return Spooled(path, digest.hexdigest(), size, kind, _filename(upload.filename, kind))


async def _chunks_of(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, CHUNK):
            yield chunk


async def _store_blob(spooled: Spooled, purpose: StorePurpose) -> str:
    store = get_blob_store(purpose)
    key = f"{KEY_PREFIXES[purpose]}{uuid.uuid4().hex}"
    try:
        info = await store.put(_chunks_of(spooled.path), content_type=spooled.content_type, key=key)
    except BlobTooLarge as exc:  # pragma: no cover - the spool checked the size
        raise _error(CompaniesErrorCode.FILE_TOO_LARGE, "The file is too large.", "file") from exc
    return info.key


async def download(file: StoredFile) -> Path:
    """The file's blob copied to a local temporary file. Raises BlobNotFound."""
    chunks = await get_blob_store(file.store).open(file.blob_key)
    handle, name = tempfile.mkstemp(prefix="scanbase-sales-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        _remove(path)
        raise
    return path


def _inspect(path: Path, date_column: str | None, option: sf.DateOrder | None, country: str):
    """(detected, 20 preview rows, column samples, date order, its source) — in a thread."""
    detected = sf.detect(path)
    stream = sf.open_rows(path, detected)
    samples: dict[str, list[Any]] = {name: [] for name in detected.columns}
    preview: list[sf.Row] = []
    rows = stream.rows()
    for count, row in enumerate(rows):
        if count < sf.PREVIEW_ROWS:
            preview.append(row)
        for name, value in zip(detected.columns, row.cells, strict=False):
            samples[name].append(value)
        if count + 1 >= sf.SAMPLE_ROWS:
            break
    rows.close()
    column = date_column
    if column is None:
        _layout, guess = sf.suggest_mapping(
            detected.columns, samples, decimal_comma=detected.decimal_comma
        )
        column = guess.date if guess else None
    order, source = sf.decide_date_order(
        samples.get(column or "", []), option=option, country=country
    )
    return detected, preview, samples, order, source


async def _owner_of(actor: Actor) -> User:
    """The user the import's job and file belong to (a company key's: its creating ADMIN)."""
    try:
        return (await job_owner(actor)).user
    except JobsError as exc:
        raise _error(CompaniesErrorCode.KEY_WITHOUT_OWNER, exc.message) from None


# --- preview -------------------------------------------------------------------------------------


async def preview_sales_import(
    *, actor: Actor, company_id: uuid.UUID, upload: UploadLike, date_order: sf.DateOrder | None
) -> SalesPreview:
    """Detect a sales file's format and suggest a mapping; writes no sale. The file is kept in
    the temporary store (its id serves importSales). Raises EMPTY_FILE, NOT_A_SALES_FILE,
    FILE_TOO_LARGE, KEY_WITHOUT_OWNER."""
    await ensure_queue_available()
    company = await Company.get(id=company_id)
    owner = await _owner_of(actor)
    spooled = await spool_upload(upload, max_bytes=get_settings().sales_import_max_bytes)
    try:
        try:
            detected, preview, samples, order, source = await asyncio.to_thread(
                _inspect, spooled.path, None, date_order, company.country
            )
        except sf.SalesFileError as exc:
            raise _file_error(exc) from None
        layout, mapping = sf.suggest_mapping(
            detected.columns, samples, decimal_comma=detected.decimal_comma
        )
        numeric = [
            name
            for name in detected.columns
            if sf.looks_numeric(samples[name], decimal_comma=detected.decimal_comma)
        ]
        key = await _store_blob(spooled, StorePurpose.TEMPORARY)
        ttl = get_settings().storage_temporary_ttl_seconds
        try:
            file = await StoredFile.create(
                owner=owner,
                company=company,
                store=StorePurpose.TEMPORARY.value,
                blob_key=key,
                sha256=spooled.sha256,
                size=spooled.size,
                content_type=spooled.content_type,
                filename=spooled.filename,
                expires_at=datetime.now(UTC) + _seconds(ttl),
            )
        except BaseException:
            await get_blob_store(StorePurpose.TEMPORARY).delete(key)
            raise
    finally:
        spooled.remove()
    return SalesPreview(
        file=file,
        detected=detected,
        date_order=order,
        date_order_source=source,
        rows=[[sf.neutralise(cell) for cell in row.cells] for row in preview],
        layout=layout,
        mapping=mapping,
        numeric_columns=numeric,
    )


def _seconds(value: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)


# --- starting an import --------------------------------------------------------------------------


def _check_mapping(mapping: sf.SalesMapping, options: ImportOptions) -> None:
    if options.unknown_skus not in (UnknownSkus.CREATE, UnknownSkus.REJECT):
        raise _error(CompaniesErrorCode.INVALID_INPUT, "unknown_skus is CREATE or REJECT.")
    if not mapping.date:
        raise _error(
            CompaniesErrorCode.INVALID_INPUT, "The mapping needs a date column.", "mapping"
        )
    if options.layout is sf.Layout.LONG and not (mapping.sku and mapping.quantity):
        raise _error(
            CompaniesErrorCode.INVALID_INPUT,
            "A LONG mapping needs date, sku and quantity columns.",
            "mapping",
        )


async def import_sales(
    *,
    actor: Actor,
    company_id: uuid.UUID,
    upload: UploadLike | None,
    file_id: uuid.UUID | None,
    mapping: sf.SalesMapping,
    options: ImportOptions,
) -> tuple[SalesImport, Job | None]:
    """Start importing a sales file (an upload, or a previewed file's id): a SalesImport and its
    job, or at once a DUPLICATE import (no job) when the company already imported this file.
    Raises INVALID_INPUT, NOT_FOUND (file_id), EMPTY_FILE, NOT_A_SALES_FILE, FILE_TOO_LARGE,
    MISSING_COLUMN, KEY_WITHOUT_OWNER."""
    _check_mapping(mapping, options)
    if (upload is None) == (file_id is None):
        raise _error(CompaniesErrorCode.INVALID_INPUT, "Give either a file or a file_id.", "file")
    await ensure_queue_available()
    company = await Company.get(id=company_id)
    owner = await _owner_of(actor)
    stored: StoredFile | None = None
    if upload is not None:
        spooled = await spool_upload(upload, max_bytes=get_settings().sales_import_max_bytes)
        local, sha256, filename = spooled.path, spooled.sha256, spooled.filename
    else:
        stored = await StoredFile.get_or_none(id=file_id, company_id=company.id)
        if stored is None:
            raise _error(CompaniesErrorCode.NOT_FOUND, "No such file.", "file_id")
        spooled = None
        sha256, filename = stored.sha256, stored.filename
        local = None
    try:
        earlier = await SalesImport.filter(
            company_id=company.id, sha256=sha256, status=SalesImportStatus.SUCCEEDED
        ).first()
        if earlier is not None:
            duplicate = await SalesImport.create(
                company=company,
                created_by=actor.user,
                file=stored,
                filename=filename,
                sha256=sha256,
                mapping=mapping.as_dict(),
                options=options.as_dict(),
                status=SalesImportStatus.DUPLICATE,
                duplicate_of_id=earlier.id,
                finished_at=datetime.now(UTC),
            )
            return duplicate, None
        if local is None:
            assert stored is not None
            try:
                local = await download(stored)
            except BlobNotFound:
                raise _error(
                    CompaniesErrorCode.NOT_FOUND, "The file has expired.", "file_id"
                ) from None
        await _check_columns(local, mapping, options, company.country)
        key = None
        if spooled is not None:
            key = await _store_blob(spooled, StorePurpose.ORIGINALS)
        try:
            async with in_transaction():
                if spooled is not None and key is not None:
                    stored = await StoredFile.create(
                        owner=owner,
                        company=company,
                        store=StorePurpose.ORIGINALS.value,
                        blob_key=key,
                        sha256=spooled.sha256,
                        size=spooled.size,
                        content_type=spooled.content_type,
                        filename=spooled.filename,
                    )
                import_id = uuid.uuid4()
                job = await prepare_job(
                    owner=owner,
                    company=company,
                    kind=IMPORT_SALES,
                    payload={"sales_import_id": str(import_id)},
                )
                created = await SalesImport.create(
                    id=import_id,
                    company=company,
                    created_by=actor.user,
                    file=stored,
                    job=job,
                    filename=filename,
                    sha256=sha256,
                    mapping=mapping.as_dict(),
                    options=options.as_dict(),
                )
        except BaseException:
            if key is not None:
                await get_blob_store(StorePurpose.ORIGINALS).delete(key)
            raise
    finally:
        if local is not None:
            _remove(local)
    await submit_job(job)
    return created, job


async def _check_columns(
    path: Path, mapping: sf.SalesMapping, options: ImportOptions, country: str
) -> None:
    try:
        detected, _p, samples, order, _s = await asyncio.to_thread(
            _inspect, path, mapping.date, options.date_order, country
        )
        _converter(detected, mapping, options, order, samples)
    except sf.SalesFileError as exc:
        raise _file_error(exc) from None


def _converter(
    detected: sf.Detected,
    mapping: sf.SalesMapping,
    options: ImportOptions,
    order: sf.DateOrder,
    samples: dict[str, list[Any]],
) -> sf.RowConverter:
    if options.layout is sf.Layout.WIDE and mapping.sku_columns is None:
        numeric = {
            name
            for name in detected.columns
            if sf.looks_numeric(samples.get(name, []), decimal_comma=detected.decimal_comma)
        }
        columns = sf.wide_sku_columns(detected.columns, mapping.date, numeric)
        mapping = sf.SalesMapping(
            date=mapping.date, store=mapping.store, sku_columns=tuple(columns)
        )
    return sf.RowConverter(
        columns=detected.columns,
        mapping=mapping,
        layout=options.layout,
        order=order,
        decimal_comma=detected.decimal_comma,
    )


# --- the job -------------------------------------------------------------------------------------


@dataclass
class _Batch:
    sales: list[sf.SaleRow]
    problems: list[sf.RowProblem]
    rows: int
    position: float


def _batches(stream: sf.RowStream, converter: sf.RowConverter, size: int) -> Generator[_Batch]:
    for sales, problems, rows in converter.batches(stream.cells(), size):
        yield _Batch(sales, problems, rows, stream.position())


@dataclass
class _Counts:
    read: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    created: int = 0
    errors: list[sf.RowProblem] = field(default_factory=list)


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
        _remove(path)
    return await _finish(row, counts)


async def import_file(
    *, path: Path, sales_import: SalesImport, company: Company, report: ProgressReporter
) -> _Counts:
    """Read the file at `path` into `sales` for this import (the job's body; the benchmark
    calls it too)."""
    settings = get_settings()
    options = ImportOptions.from_dict(sales_import.options)
    mapping = sf.SalesMapping.from_dict(sales_import.mapping)
    await report(0.0, "reading", None)
    try:
        detected, _p, samples, order, _s = await asyncio.to_thread(
            _inspect, path, mapping.date, options.date_order, company.country
        )
        converter = _converter(detected, mapping, options, order, samples)
    except sf.SalesFileError as exc:
        raise JobFailed(exc.code, exc.message) from exc
    stream = sf.open_rows(path, detected)
    batches = _batches(stream, converter, settings.sales_import_batch_rows)
    writer = SalesWriter(company_id=company.id, import_id=sales_import.id, options=options)
    counts = _Counts()
    started = last_report = time.monotonic()
    # The next batch is read (in a thread) while this one is written: parsing and the
    # database work overlap.
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while True:
            try:
                batch = await pending
            except sf.SalesFileError as exc:
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
    counts.created = writer.created
    if options.all_or_nothing and counts.failed:
        await Sale.filter(sales_import_id=sales_import.id).delete()
        await Product.filter(id__in=writer.created_ids).delete()
        counts.imported = counts.skipped = 0
    return counts


async def _finish(row: SalesImport, counts: _Counts) -> dict[str, Any]:
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
            products_created=0 if failed else counts.created,
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
    """End hook: an import whose job ended without finishing it becomes FAILED (an
    all_or_nothing import's rows go)."""
    if job.status == JobStatus.SUCCEEDED:
        return
    import_id = (job.payload or {}).get("sales_import_id")
    if not import_id:
        return
    row = await SalesImport.get_or_none(id=import_id)
    if row is None or row.status not in (SalesImportStatus.QUEUED, SalesImportStatus.RUNNING):
        return
    if ImportOptions.from_dict(row.options).all_or_nothing:
        await Sale.filter(sales_import_id=row.id).delete()
    await SalesImport.filter(id=row.id).update(
        status=SalesImportStatus.FAILED, finished_at=datetime.now(UTC)
    )


# --- batched writes ------------------------------------------------------------------------------


class SalesWriter:
    """Resolves SKUs (cached; unknown ones created in batch or rejected) and writes sales in
    batches with the backend's fast path."""

    def __init__(self, *, company_id: uuid.UUID, import_id: uuid.UUID, options: ImportOptions):
        self.company_id, self.import_id, self.options = company_id, import_id, options
        self.products: dict[str, uuid.UUID] = {}
        self.rejected: set[str] = set()
        self.created = 0
        self.created_ids: list[uuid.UUID] = []
        self.postgres = connections.get("default").capabilities.dialect == "postgres"

    async def _resolve(self, skus: set[str]) -> None:
        missing = skus - self.products.keys() - self.rejected
        if not missing:
            return
        for product in await Product.filter(company_id=self.company_id, sku__in=missing).only(
            "id", "sku"
        ):
            self.products[product.sku] = product.id
        missing -= self.products.keys()
        if not missing:
            return
        if self.options.unknown_skus != UnknownSkus.CREATE:
            self.rejected |= missing
            return
        new = [
            Product(id=uuid.uuid4(), company_id=self.company_id, sku=sku, name=sku)
            for sku in sorted(missing)
        ]
        await Product.bulk_create(new, ignore_conflicts=True)
        for product in await Product.filter(company_id=self.company_id, sku__in=missing).only(
            "id", "sku"
        ):
            self.products[product.sku] = product.id
            if product.id in {p.id for p in new}:
                self.created += 1
                self.created_ids.append(product.id)

    async def write(self, sales: list[sf.SaleRow]) -> tuple[int, int, list[sf.RowProblem]]:
        """(imported, skipped as already present, problems for rejected SKUs)."""
        await self._resolve({sale[0] for sale in sales})
        problems: list[sf.RowProblem] = []
        rejected = self.rejected
        if rejected:
            kept = []
            for sale in sales:
                if sale[0] in rejected:
                    problems.append(
                        sf.problem(
                            sale[6], "sku", sale[0], "unknown SKU (unknown SKUs are rejected)"
                        )
                    )
                else:
                    kept.append(sale)
            sales = kept
        if not sales:
            return 0, 0, problems
        inserted = await (self._copy(sales) if self.postgres else self._executemany(sales))
        return inserted, len(sales) - inserted, problems

    async def _copy(self, sales: list[sf.SaleRow]) -> int:
        """COPY (binary; every value text but the line) into a temporary table, then one
        INSERT ... SELECT: the database casts the values and finds the product ids by SKU, and
        the rows go in the unique index's order (its pages are touched once, not at random);
        work_mem is raised for this transaction so that sort stays in memory."""
        async with in_transaction() as conn, conn.acquire_connection() as raw:
            await raw.execute("SET LOCAL work_mem = '64MB'")
            await raw.execute(
                "CREATE TEMP TABLE sales_batch (sku text, sold_on text, quantity text, "
                "unit_price text, store text, external_id text, line integer) ON COMMIT DROP"
            )
            await raw.copy_records_to_table("sales_batch", records=sales)
            status = await raw.execute(
                'INSERT INTO "sales" (company_id, sales_import_id, product_id, sold_on, quantity, '
                "unit_price, store, external_id) "
                "SELECT $1, $2, p.id, b.sold_on::date, b.quantity::numeric(16,3), "
                "b.unit_price::numeric(14,4), b.store, b.external_id "
                "FROM sales_batch b JOIN products p ON p.company_id = $1 AND p.sku = b.sku "
                "ORDER BY p.id, 4, b.external_id, b.store "
                "ON CONFLICT (product_id, sold_on, external_id, store) DO NOTHING",
                self.company_id,
                self.import_id,
            )
        return int(status.rsplit(" ", 1)[-1])

    async def _executemany(self, sales: list[sf.SaleRow]) -> int:
        company, import_id = str(self.company_id), str(self.import_id)
        products = {sku: str(product_id) for sku, product_id in self.products.items()}
        values = [
            (company, import_id, products[sku], day, quantity, price, store, external)
            for sku, day, quantity, price, store, external, _line in sales
        ]
        values.sort(key=_index_order)  # the unique index's pages touched once, not at random
        async with in_transaction() as conn, conn.acquire_connection() as raw:
            cursor = await raw.executemany(
                'INSERT OR IGNORE INTO "sales" (company_id, sales_import_id, product_id, sold_on, '
                "quantity, unit_price, store, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            inserted = cursor.rowcount
            await cursor.close()
        return inserted


def _index_order(value: tuple[Any, ...]) -> tuple[Any, ...]:
    """A SQLite row's key in the unique index (product, day, external id, store)."""
    return value[2], value[3], value[7], value[6]


# --- reading -------------------------------------------------------------------------------------


def sales_imports_of(*, company_id: uuid.UUID):
    """A company's imports (for paging)."""
    return SalesImport.filter(company_id=company_id)


def sales_of(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """A company's sales, optionally one product's, within [since, until]."""
    query = Sale.filter(company_id=company_id)
    if product_id is not None:
        query = query.filter(product_id=product_id)
    if since is not None:
        query = query.filter(sold_on__gte=since)
    if until is not None:
        query = query.filter(sold_on__lte=until)
    return query
