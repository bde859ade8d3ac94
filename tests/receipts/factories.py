"""Builders for receipts tests: receipts as the extraction job would leave them (without OCR),
uploads through GraphQL, and blob counting."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.receipts.extraction import ExtractedField, LineItem, ReceiptExtraction
from server.receipts.extraction_record import record_extraction
from server.receipts.models import Receipt
from server.settings import get_settings
from tests.conftest import data_of
from tests.factories import Account
from tests.files.uploads import text_image, upload

BOX = (10, 10, 200, 40)

UPLOAD = """
mutation Upload($input: UploadReceiptInput!) {
  uploadReceipt(input: $input) {
    receipt { id status }
    job { id kind status }
    errors { field code message existingReceiptId }
  }
}"""


@dataclass(frozen=True)
class Item:
    name: str
    total: str
    quantity: str | None = None
    unit_price: str | None = None
    category: str | None = None


def extraction(
    *,
    store: str | None = "SUPER U",
    day: date | None = date(2025, 3, 18),
    total: str | None = "20.00",
    currency: str | None = "EUR",
    items: Sequence[Item] = (),
    needs_review: bool = False,
    confidence: float = 0.95,
) -> ReceiptExtraction:
    """What `extract_receipt` would return for a receipt printing these values."""

    def found(value: Any) -> ExtractedField[Any]:
        return ExtractedField(value=value, confidence=confidence, box=BOX)

    return ReceiptExtraction(
        merchant=found(store) if store else None,
        date=found(day) if day else None,
        total=found(Decimal(total)) if total else None,
        currency=found(currency) if currency else None,
        items=[
            found(
                LineItem(
                    name=i.name,
                    quantity=Decimal(i.quantity) if i.quantity else None,
                    unit_price=Decimal(i.unit_price) if i.unit_price else None,
                    total=Decimal(i.total),
                    category=i.category,
                )
            )
            for i in items
        ],
        needs_review=needs_review,
    )


async def stored_file(account: Account, data: bytes | None = None) -> StoredFile:
    """A PNG in the blob store, owned by `account`."""
    # A distinct image each time (the token fits in the picture), so a distinct sha256.
    data = data or text_image([secrets.token_hex(3)], size=(240, 80))
    info = await get_blob_store().put(
        data, content_type="image/png", key=f"uploads/{uuid.uuid4().hex}"
    )
    return await StoredFile.create(
        owner=account.user,
        blob_key=info.key,
        sha256=info.sha256,
        size=info.size,
        content_type="image/png",
        filename="receipt.png",
        width=240,
        height=80,
    )


async def processing_receipt(account: Account) -> Receipt:
    """A receipt just uploaded (PROCESSING), with its file, and no job."""
    file = await stored_file(account)
    return await Receipt.create(
        owner=account.user,
        file=file,
        sha256=file.sha256,
        dedup_key=file.sha256,
        sort_date=datetime.now(UTC),
    )


async def make_receipt(account: Account, **values: Any) -> Receipt:
    """A receipt read by the extraction job (through `record_extraction`, which also awards)."""
    receipt = await processing_receipt(account)
    saved = await record_extraction(
        receipt_id=receipt.id, extraction=extraction(**values), engine="test"
    )
    assert saved is not None
    return saved


def blob_count() -> int:
    root = Path(get_settings().storage_url.removeprefix("file:"))
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def upload_receipt(
    client: Any, account: Account, data: bytes, name: str = "receipt.png", mime: str = "image/png"
) -> dict[str, Any]:
    response = await upload(
        client,
        UPLOAD,
        {"variables.input.file": (name, data, mime)},
        {"input": {"file": None}},
        token=account.token,
    )
    assert response.status_code == 200, response.text
    return data_of(response.json())["uploadReceipt"]
