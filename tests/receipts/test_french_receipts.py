"""Today's extraction on the French/European test receipts, read from their ground-truth texts.

No OCR (``tests/data/receipts-fr/text/*.txt`` laid out on a monospace grid), so this is fast and
measures the rules alone. Every (receipt, field) that the rules get right today is asserted; the
ones they get wrong are strict xfails naming the issue-12 habit they miss, so the rule work turns
them into passes (and must then drop the mark: a strict xfail that passes fails the run).
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from bench.receipts import field_correct, field_value, text_ocr
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

DATA = Path(__file__).resolve().parents[1] / "data" / "receipts-fr"
FIELDS = ("company", "date", "address", "total", "currency", "items")

# (receipt, field) -> what today's rules do wrong (issue 12).
KNOWN_MISSES: dict[tuple[str, str], str] = {}


def receipt_ids() -> list[str]:
    return sorted(p.stem for p in (DATA / "key").glob("*.json"))


@cache
def extracted(name: str) -> ReceiptExtraction:
    return extract_receipt(text_ocr((DATA / "text" / f"{name}.txt").read_text(encoding="utf-8")))


def key(name: str) -> dict:
    return json.loads((DATA / "key" / f"{name}.json").read_text(encoding="utf-8"))


def cases() -> list:
    params = []
    for name in receipt_ids():
        for field in FIELDS:
            reason = KNOWN_MISSES.get((name, field))
            marks = [pytest.mark.xfail(strict=True, reason=f"issue 12: {reason}")] if reason else []
            params.append(pytest.param(name, field, marks=marks, id=f"{name}-{field}"))
    return params


def test_the_set_is_complete() -> None:
    """Every receipt has its text, its image and a key with the fields the tests read."""
    names = receipt_ids()
    assert len(names) == 16
    for name in names:
        assert (DATA / "text" / f"{name}.txt").exists()
        assert (DATA / "img" / f"{name}.jpg").exists()
        assert set(key(name)) >= set(FIELDS)
    assert not {n for n, _ in KNOWN_MISSES} - set(names)
    multi = sorted((DATA / "multi" / "key").glob("*.json"))
    assert [p.stem for p in multi] == ["m01", "m02", "m03"]
    for path in multi:
        receipts = json.loads(path.read_text(encoding="utf-8"))["receipts"]
        assert len(receipts) == 2
        assert (DATA / "multi" / "img" / f"{path.stem}.jpg").exists()


@pytest.mark.parametrize(("name", "field"), cases())
def test_field(name: str, field: str) -> None:
    expected = key(name)
    found = extracted(name)
    if field == "currency":
        assert (found.currency.value if found.currency else None) == expected["currency"]
    elif field == "items":
        assert len(found.items) == expected["items"]
    else:
        assert field_correct(field, expected[field], found), (
            f"want {expected[field]!r}, got {field_value(field, found)!r}"
        )


def test_card_slip_expiry_is_not_the_date() -> None:
    """The slip prints EXP 09/27 (a card expiry) and LE 05/12/2026, the transaction date."""
    found = extracted("002")
    assert found.date is not None and found.date.value.isoformat() == "2026-12-05"


def test_vat_summary_rows_are_taxes() -> None:
    """TVA 5,5% / 20% summary rows of a French supermarket are taxes, not items."""
    found = extracted("001")
    assert [(t.value.rate, t.value.amount) for t in found.taxes] == [
        (Decimal("5.5"), Decimal("0.46")),
        (Decimal("20"), Decimal("1.48")),
    ]
    assert not any("TVA" in i.value.name.upper() for i in found.items)
