"""The reorder advice as a CSV file (exportReorderAdvice): one row per product, every cell
quoted against formula injection, stored in the `generated` store for a while.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from server.accounts.models import User
from server.companies.models import Company
from server.companies.reorder import reorder_advice
from server.companies.reorder_rules import Advice
from server.files.models import StoredFile
from server.files.services import store_generated_file
from server.global_ids import encode_global_id
from server.receipts.export import safe_cell
from server.settings import get_settings

CSV_COLUMNS = (
    "product_id",
    "sku",
    "name",
    "category",
    "unit",
    "urgency",
    "stock_on_hand",
    "lead_time_days",
    "lead_time_demand",
    "safety_stock",
    "reorder_point",
    "reorder_point_overridden",
    "suggested_quantity",
    "min_order_quantity",
    "days_of_cover",
    "stock_out_date",
    "forecast_model",
    "note",
)


def advice_row(advice: Advice) -> list[str]:
    """One CSV row, every cell quoted against formula injection (receipts' `safe_cell`)."""
    product = advice.product
    note = advice.reason or ("lead time beyond the forecast horizon" if advice.extrapolated else "")
    values: list[Any] = [
        encode_global_id("Product", product.id),
        product.sku,
        product.name,
        product.category,
        product.unit,
        advice.urgency.value,
        advice.stock_on_hand,
        product.lead_time_days,
        advice.lead_time_demand,
        advice.safety_stock,
        advice.reorder_point,
        "yes" if advice.reorder_point_overridden else "no",
        advice.suggested_quantity,
        Decimal(product.min_order_quantity),
        advice.days_of_cover,
        advice.stock_out_date,
        advice.forecast_model,
        note,
    ]
    return [safe_cell(value) for value in values]


def advice_csv(advice: Sequence[Advice]) -> str:
    """The advice as CSV text (RFC 4180, CRLF) with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(advice_row(item) for item in advice)
    return out.getvalue()


async def export_reorder_advice(
    *, company: Company, service_level: float, as_of: date, made_by: User
) -> StoredFile:
    """Write the company's reorder advice as a CSV file of the company's (made by `made_by`), in
    the `generated` store, kept EXPORT_RETENTION_SECONDS. Raises ValueError (service level)."""
    advice = await reorder_advice(company_id=company.id, service_level=service_level, as_of=as_of)
    made_at = datetime.now(UTC)
    return await store_generated_file(
        advice_csv(advice).encode("utf-8"),
        content_type="text/csv",
        filename=f"reorder-advice-{made_at:%Y%m%d-%H%M%S}.csv",
        owner=made_by,
        company=company,
        expires_at=made_at + timedelta(seconds=get_settings().export_retention_seconds),
    )
