"""Values shared by the receipts services: the KEEP marker for fields not sent, money and
quantity rounding, typed-input checks, the derived sort columns, and the domain error builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from server.receipts.errors import ReceiptsError, ReceiptsErrorCode
from server.receipts.models import (
    Receipt,
    ReceiptItem,
)

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
MAX_MONEY = Decimal("9999999999.99")  # DECIMAL(12, 2)
MAX_QUANTITY = Decimal(100_000)


# The values clients see per field, in this order, with their column on `Receipt`.
FIELD_COLUMNS = {
    "store": "store",
    "location": "location",
    "date": "purchase_date",
    "time": "purchase_time",
    "total": "total",
    "currency": "currency",
    "receiptNumber": "receipt_number",
    "paymentMethod": "payment_method",
}


class _Keep:
    """An input field that was not sent: leave the value as it is (None means "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def error(
    code: ReceiptsErrorCode, message: str, field: str | None = None, **details: Any
) -> ReceiptsError:
    return ReceiptsError(code, message, field=field, **details)


def now() -> datetime:
    return datetime.now(UTC)


def plain_quantity(value: Decimal | None) -> Decimal | None:
    """A quantity without its padding zeros: 2.000 -> 2, 0.750 -> 0.75."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def money(value: Decimal | None) -> Decimal | None:
    """Cents, rounded half up; None for what a DECIMAL(12, 2) cannot hold (an OCR misread)."""
    if value is None:
        return None
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return cents if abs(cents) <= MAX_MONEY else None


def clean_quantity(value: Decimal | None) -> Decimal | None:
    if value is None or not value.is_finite() or abs(value) >= MAX_QUANTITY:
        return None
    return value.quantize(MILLI, rounding=ROUND_HALF_UP)


def clip(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text[:length] or None


def parse_time(value: str | None) -> time | None:
    """The stored "HH:MM:SS" as a time (None when absent or unreadable)."""
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def field_text(value: Any) -> str | None:
    """A field's value as clients see it: ISO dates and times, decimal strings."""
    if value is None:
        return None
    if isinstance(value, time):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date | Decimal):
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def refresh_derived(receipt: Receipt) -> None:
    """Keep the sort keys and the stats month in step with the values."""
    if receipt.purchase_date is not None:
        moment = parse_time(receipt.purchase_time) or time(0)
        receipt.sort_date = datetime.combine(receipt.purchase_date, moment, tzinfo=UTC)
        receipt.purchase_month = f"{receipt.purchase_date:%Y-%m}"
    else:
        receipt.sort_date = receipt.created_at
        receipt.purchase_month = None
    receipt.sort_total = receipt.total if receipt.total is not None else Decimal(0)


DERIVED_FIELDS = ["sort_date", "purchase_month", "sort_total"]


def item_json(item: ReceiptItem) -> dict[str, Any]:
    """An item's values, as kept in the audit trail."""
    return {
        "name": item.name,
        "quantity": field_text(plain_quantity(item.quantity)),
        "unit_price": field_text(item.unit_price),
        "total": field_text(item.total),
        "category": item.category,
    }


def clean_text(value: Any, *, field: str, limit: int, required: bool = False) -> Any:
    if value is KEEP:
        return KEEP
    if value is None:
        if required:
            raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} cannot be empty.", field)
        return None
    text = " ".join(str(value).split())
    if not text and required:
        raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} cannot be empty.", field)
    if len(text) > limit:
        raise error(
            ReceiptsErrorCode.INVALID_INPUT, f"{field} has more than {limit} characters.", field
        )
    return text or None


def checked_amount(
    value: Any,
    *,
    field: str,
    minimum: Decimal,
    places: Decimal = CENT,
    maximum: Decimal = MAX_MONEY,
) -> Any:
    """A typed number, checked: finite, within [minimum, maximum], at most `places` decimals.
    Raises INVALID_INPUT naming `field`."""
    if value is KEEP or value is None:
        return value
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} is not a number.", field) from exc
    if not amount.is_finite():
        raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} is not a finite number.", field)
    # The range first: quantizing 1E+999999 would overflow the decimal context.
    if amount < minimum:
        raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} must be at least {minimum}.", field)
    if amount > maximum:
        raise error(ReceiptsErrorCode.INVALID_INPUT, f"{field} must be at most {maximum}.", field)
    if amount != amount.quantize(places, rounding=ROUND_HALF_UP):
        raise error(
            ReceiptsErrorCode.INVALID_INPUT,
            f"{field} must have at most {-places.as_tuple().exponent} decimals.",  # type: ignore[operator]
            field,
        )
    return amount.quantize(places)


def unique_names(
    values: Any, *, key: Callable[[str], str], field: str, most: int, invalid: str, too_many: str
) -> list[str]:
    """Names with their spaces collapsed, one per `key` (the first spelling kept). Raises
    INVALID_INPUT `invalid` naming `field.<index>` for a name without letters or digits or over
    100 characters, `too_many` naming `field` for more than `most` names."""
    clean: dict[str, str] = {}
    for index, value in enumerate(values or []):
        text = " ".join(str(value).split())
        if not key(text) or len(text) > 100:
            raise error(ReceiptsErrorCode.INVALID_INPUT, invalid, f"{field}.{index}")
        clean.setdefault(key(text), text)
    if len(clean) > most:
        raise error(ReceiptsErrorCode.INVALID_INPUT, too_many, field)
    return list(clean.values())
