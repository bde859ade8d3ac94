"""Starting a sales import: a SalesImport and its job in one transaction, after the file and
the mapping were checked (so a bad mapping fails at once, not in the job). The job itself is
`sales_import_job`, its writes `sales_writer`.

Rules (README "Companies: sales import"):
- The same file (SHA-256) imported again into a company that already has a SUCCEEDED import of
  it is DUPLICATE at once (no job, the file is not read again).
- Rows are validated one by one; a failed row is a SalesImportRowError (the first
  SALES_IMPORT_MAX_ERRORS are stored, all are counted) and the good rows are written in batches
  of SALES_IMPORT_BATCH_ROWS: PostgreSQL COPYs them into a temporary table then INSERTs them
  (ON CONFLICT DO NOTHING once a row conflicts); SQLite runs INSERT OR IGNORE with executemany.
  A row whose (product, day, external id, store) is already stored is skipped and counted as
  such (`sales_writer`).
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

import uuid
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from server.access import Actor
from server.accounts.models import User
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, SalesImport, SalesImportStatus
from server.companies.sales_inspection import check_columns
from server.companies.sales_mapping import ImportOptions, Layout, SalesMapping, UnknownSkus
from server.companies.sales_uploads import download, remove_file, spool_upload, store_blob
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store
from server.files.stores import StorePurpose
from server.jobs.errors import JobsError
from server.jobs.models import Job
from server.jobs.services import job_owner, prepare_job, submit_job
from server.queue import ensure_queue_available
from server.settings import get_settings
from server.storage.errors import BlobNotFound

IMPORT_SALES = "companies.import_sales"


async def import_owner(actor: Actor) -> User:
    """The user the import's job and file belong to (a company key's: its creating ADMIN)."""
    try:
        return (await job_owner(actor)).user
    except JobsError as exc:
        raise CompaniesError(CompaniesErrorCode.KEY_WITHOUT_OWNER, exc.message) from None


def check_mapping(mapping: SalesMapping, options: ImportOptions) -> None:
    if options.unknown_skus not in (UnknownSkus.CREATE, UnknownSkus.REJECT):
        raise CompaniesError(CompaniesErrorCode.INVALID_INPUT, "unknown_skus is CREATE or REJECT.")
    if not mapping.date:
        raise CompaniesError(
            CompaniesErrorCode.INVALID_INPUT, "The mapping needs a date column.", field="mapping"
        )
    if options.layout is Layout.LONG and not (mapping.sku and mapping.quantity):
        raise CompaniesError(
            CompaniesErrorCode.INVALID_INPUT,
            "A LONG mapping needs date, sku and quantity columns.",
            field="mapping",
        )


async def import_sales(
    *,
    actor: Actor,
    company_id: uuid.UUID,
    upload: UploadLike | None,
    file_id: uuid.UUID | None,
    mapping: SalesMapping,
    options: ImportOptions,
) -> tuple[SalesImport, Job | None]:
    """Start importing a sales file (an upload, or a previewed file's id): a SalesImport and its
    job, or at once a DUPLICATE import (no job) when the company already imported this file.
    Raises INVALID_INPUT, NOT_FOUND (file_id), EMPTY_FILE, NOT_A_SALES_FILE, FILE_TOO_LARGE,
    MISSING_COLUMN, KEY_WITHOUT_OWNER."""
    check_mapping(mapping, options)
    if (upload is None) == (file_id is None):
        raise CompaniesError(
            CompaniesErrorCode.INVALID_INPUT, "Give either a file or a file_id.", field="file"
        )
    await ensure_queue_available()
    company = await Company.get(id=company_id)
    owner = await import_owner(actor)
    stored: StoredFile | None = None
    if upload is not None:
        spooled = await spool_upload(upload, max_bytes=get_settings().sales_import_max_bytes)
        local, sha256, filename = spooled.path, spooled.sha256, spooled.filename
    else:
        stored = await StoredFile.get_or_none(id=file_id, company_id=company.id)
        if stored is None:
            raise CompaniesError(CompaniesErrorCode.NOT_FOUND, "No such file.", field="file_id")
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
                raise CompaniesError(
                    CompaniesErrorCode.NOT_FOUND, "The file has expired.", field="file_id"
                ) from None
        await check_columns(local, mapping, options, company.country)
        key = None
        if spooled is not None:
            key = await store_blob(spooled, StorePurpose.ORIGINALS)
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
            remove_file(local)
    await submit_job(job)
    return created, job
