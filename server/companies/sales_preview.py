"""previewSalesImport's service: what a sales file looks like and the mapping suggested, before
anything is written. The file is kept in the temporary store so that importSales can take its
id instead of a second upload.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from server.access import Actor
from server.companies.models import Company
from server.companies.sales_detection import Detected, SalesFileError
from server.companies.sales_import import import_owner
from server.companies.sales_inspection import file_error, inspect_file
from server.companies.sales_mapping import Layout, SalesMapping, suggest_mapping
from server.companies.sales_uploads import spool_upload, store_blob
from server.companies.sales_values import DateOrder, looks_numeric, neutralise
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store
from server.files.stores import StorePurpose
from server.queue import ensure_queue_available
from server.settings import get_settings


@dataclass(frozen=True)
class SalesPreview:
    """What previewSalesImport shows; `file` is kept in the temporary store for importSales."""

    file: StoredFile
    detected: Detected
    date_order: DateOrder
    date_order_source: str  # option, data, country
    rows: list[list[str]]
    layout: Layout
    mapping: SalesMapping | None
    numeric_columns: list[str] = field(default_factory=list)


async def preview_sales_import(
    *, actor: Actor, company_id: uuid.UUID, upload: UploadLike, date_order: DateOrder | None
) -> SalesPreview:
    """Detect a sales file's format and suggest a mapping; writes no sale. The file is kept in
    the temporary store (its id serves importSales). Raises EMPTY_FILE, NOT_A_SALES_FILE,
    FILE_TOO_LARGE, KEY_WITHOUT_OWNER."""
    await ensure_queue_available()
    company = await Company.get(id=company_id)
    owner = await import_owner(actor)
    spooled = await spool_upload(upload, max_bytes=get_settings().sales_import_max_bytes)
    try:
        try:
            detected, preview, samples, order, source = await asyncio.to_thread(
                inspect_file, spooled.path, None, date_order, company.country
            )
        except SalesFileError as exc:
            raise file_error(exc) from None
        layout, mapping = suggest_mapping(
            detected.columns, samples, decimal_comma=detected.decimal_comma
        )
        numeric = [
            name
            for name in detected.columns
            if looks_numeric(samples[name], decimal_comma=detected.decimal_comma)
        ]
        key = await store_blob(spooled, StorePurpose.TEMPORARY)
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
                expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
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
        rows=[[neutralise(cell) for cell in row.cells] for row in preview],
        layout=layout,
        mapping=mapping,
        numeric_columns=numeric,
    )
