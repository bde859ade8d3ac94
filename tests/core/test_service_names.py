"""Services speak plain Python and snake_case; GraphQL's camelCase is the schema's, made in one
place (`schema.core.names`). The scan fails on the services as they were (receipts returning
`receiptId`/`possibleDuplicateOf` and raising `dateTo`, `items.0.unitPrice`; the OCR job returning
`fileId`; accounts naming `currentPassword`, `newPassword`, `expiresAt`; jobs `maxAttempts`)."""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.accounts.types import AccountsError
from schema.core.names import public_keys, public_name, public_text
from schema.core.scalars import payload_error
from schema.jobs.types import public_result
from schema.receipts.types import ReceiptError, receipt_error
from server.accounts.errors import AccountsError as AccountsFailure
from server.accounts.errors import AccountsErrorCode
from server.global_ids import encode_global_id
from server.ocr.services import result_payload
from server.ocr.types import OcrLine, OcrPage, OcrResult
from server.receipts.errors import ReceiptsError
from server.receipts.extraction_job import job_result
from server.receipts.reading import ReceiptFilter, receipts_of
from tests.factories import make_user
from tests.receipts.factories import make_receipt

SERVER = Path(__file__).parents[2] / "server"
# A camelCase name: a lowercase word, then capitalised words ("fileId"; not "hH" nor "eyJ").
_CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]+)+$")
# camelCase names a module may hold, by path under server/, each for a reason:
ALLOWED_NAMES: dict[str, set[str]] = {
    # Stored formats, read back by rows written long ago (renaming them needs a data migration):
    # the extraction snapshot on every receipt (`Receipt.extraction`) and its field names...
    "receipts/extraction_record.py": {"receiptNumber", "paymentMethod", "unitPrice", "needsReview"},
    "receipts/values.py": {"receiptNumber", "paymentMethod"},
    # ... and the points breakdown in the ledger.
    "receipts/points.py": {"strategicUnits"},
    # Formats that are not ours: GridFS's files collection and MongoDB's $lookup...
    "storage/gridfs.py": {"contentType", "uploadDate", "localField", "foreignField"},
    # ... and the websocket connection_init payload clients send their API key in.
    "context.py": {"apiKey"},
}
# Modules that may import strawberry, graphql or schema: the process's wiring, not services.
WIRING: dict[str, set[str]] = {
    "__main__.py": {"schema"},  # export-schema
    "app.py": {"schema", "schema.core.http_executor", "strawberry.asgi", "strawberry.exceptions"},
    "http.py": {"strawberry.http.websocket_origin"},  # the websocket Origin check
}


def _names_of(path: Path) -> tuple[set[str], set[str]]:
    """(camelCase string constants, imported strawberry/graphql/schema modules) of a module."""
    tree = ast.parse(path.read_text())
    camel = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _CAMEL.match(node.value)
    }
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in [getattr(node, "module", None) or "", *(a.name for a in node.names)]
        if name.split(".")[0] in {"strawberry", "schema", "graphql"}
    }
    return camel, imported


def test_no_service_spells_a_graphql_name_or_imports_the_schema():
    # given: every module under server/
    found: dict[str, set[str]] = {}
    for path in sorted(SERVER.rglob("*.py")):
        name = path.relative_to(SERVER).as_posix()
        # when: its string constants and imports are read
        camel, imported = _names_of(path)
        extra = (camel - ALLOWED_NAMES.get(name, set())) | (imported - WIRING.get(name, set()))
        if extra:
            found[name] = extra
    # then
    assert found == {}
    assert not (SERVER / "receipts" / "services.py").exists()


def test_the_allow_lists_hold_nothing_stale():
    # every allowed name is still there (a name renamed or gone leaves the list)
    for name, allowed in [*ALLOWED_NAMES.items(), *WIRING.items()]:
        camel, imported = _names_of(SERVER / name)
        assert allowed <= camel | imported, name


def test_public_names_are_made_in_one_place():
    assert public_name("items.0.unit_price") == "items.0.unitPrice"
    assert public_name("date_to") == "dateTo"
    assert public_name("items.0.unitPrice") == "items.0.unitPrice"  # rows written before
    assert public_name(None) is None
    assert public_text("min_total is above max_total.") == "minTotal is above maxTotal."
    assert public_keys({"unit_price": "1.00", "lines": [{"mean_confidence": 1}]}) == {
        "unitPrice": "1.00",
        "lines": [{"meanConfidence": 1}],
    }


async def test_the_extraction_result_is_snake_case_and_public_camel_case(app):
    # given: a receipt read twice (the second a possible duplicate of the first)
    account = await make_user()
    first = await make_receipt(account, store="CASINO", day=date(2025, 3, 1), total="9.00")
    second = await make_receipt(account, store="CASINO", day=date(2025, 3, 1), total="9.00")
    # when
    stored = job_result(second)
    # then: the service's keys, then the client's
    assert stored == {
        "receipt_id": str(second.id),
        "receipt_ids": [str(second.id)],
        "status": "NEEDS_REVIEW",
        "points": 0,
        "possible_duplicate_of": str(first.id),
    }
    assert public_result(stored) == {
        "receiptId": encode_global_id("Receipt", second.id),
        "receiptIds": [encode_global_id("Receipt", second.id)],
        "status": "NEEDS_REVIEW",
        "points": 0,
        "possibleDuplicateOf": encode_global_id("Receipt", first.id),
    }


def test_a_service_error_names_its_field_in_snake_case_and_the_payload_in_camel_case():
    # given / when
    with pytest.raises(ReceiptsError) as raised:
        receipts_of(owner=None, filter=ReceiptFilter(min_total=Decimal(2), max_total=Decimal(1)))
    # then
    assert (raised.value.field, raised.value.message) == (
        "max_total",
        "min_total is above max_total.",
    )
    shown = receipt_error(raised.value)
    assert isinstance(shown, ReceiptError)
    assert (shown.field, shown.message) == ("maxTotal", "minTotal is above maxTotal.")


def test_the_ocr_text_result_is_snake_case_and_public_camel_case():
    # given: what the OCR read
    line = OcrLine(text="TOTAL 3.00", box=(1, 2, 3, 4), confidence=0.91234)
    page = OcrPage(index=0, width=10, height=20, source="rapidocr", lines=[line])
    stored = {
        "file_id": "6f1d5a8e-0000-4000-8000-000000000001",
        **result_payload(OcrResult(engine="rapidocr", pages=[page])),
    }
    # when / then: stored in snake_case, shown in camelCase with the file's global id
    assert "mean_confidence" in stored["pages"][0]
    shown = public_result(stored)
    assert shown["fileId"] == encode_global_id("File", "6f1d5a8e-0000-4000-8000-000000000001")
    assert "meanConfidence" in shown["pages"][0] and "mean_confidence" not in shown["pages"][0]


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ("current_password", "currentPassword"),
        ("new_password", "newPassword"),
        ("expires_at", "expiresAt"),
    ],
)
def test_an_accounts_error_field_is_shown_in_camel_case(field: str, shown: str):
    error = payload_error(
        AccountsError, AccountsFailure(AccountsErrorCode.INVALID_INPUT, "No.", field=field)
    )
    assert error.field == shown
