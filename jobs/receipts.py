"""The receipts job handlers, registered for the API's in-process runner and the arq worker
(`server.jobs.registry.HANDLER_MODULES` names this module). Thin: the work is in
`server.receipts.extraction_job`."""

from __future__ import annotations

from server.documents.job import register_document_job
from server.jobs.registry import on_job_end, register_reconciler
from server.receipts.extraction_job import (
    EXTRACT_RECEIPT,
    RECEIPT_AREA,
    reconcile_receipts,
    settle_extraction,
)

register_document_job(EXTRACT_RECEIPT, RECEIPT_AREA)
on_job_end(EXTRACT_RECEIPT)(settle_extraction)
register_reconciler(EXTRACT_RECEIPT, reconcile_receipts)
