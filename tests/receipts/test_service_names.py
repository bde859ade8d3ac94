"""Receipts services speak plain Python and snake_case; GraphQL's camelCase is the schema's, made in
one place (`schema.core.names`). These fail on the services as they were (one module returning
`receiptId`/`possibleDuplicateOf` and raising `dateTo`, `items.0.unitPrice`...)."""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.core.names import public_keys, public_name, public_text
from schema.jobs.types import public_result
from schema.receipts.types import ReceiptError, receipt_error
from server.global_ids import encode_global_id
from server.receipts.errors import ReceiptsError
from server.receipts.extraction_job import job_result
from server.receipts.reading import ReceiptFilter, receipts_of
from tests.factories import make_user
from tests.receipts.factories import make_receipt

RECEIPTS = Path(__file__).parents[2] / "server" / "receipts"
_CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
# Keys of the extraction snapshot stored on every receipt (`Receipt.extraction`) and of the
# points breakdown in the ledger: a stored format, read back by rows written long ago.
STORED_FORMAT = {"receiptNumber", "paymentMethod", "unitPrice", "needsReview", "strategicUnits"}


def test_no_receipts_service_spells_a_graphql_name():
    # given: every module of the receipts domain
    found: dict[str, set[str]] = {}
    for path in sorted(RECEIPTS.glob("*.py")):
        tree = ast.parse(path.read_text())
        # when: its string constants and imports are read
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
        if (camel - STORED_FORMAT) or imported:
            found[path.name] = (camel - STORED_FORMAT) | imported
    # then
    assert found == {}
    assert not (RECEIPTS / "services.py").exists()


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
        "status": "NEEDS_REVIEW",
        "points": 0,
        "possible_duplicate_of": str(first.id),
    }
    assert public_result(stored) == {
        "receiptId": encode_global_id("Receipt", second.id),
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
