"""Reorder advice for a company: each active product with its latest forecast of a succeeded
run, in two queries whatever their number, advised by the rules of `reorder_rules.py`, most
urgent first.
"""

from __future__ import annotations

import uuid
from datetime import date

from tortoise.expressions import RawSQL

from server.companies.models import ForecastRunStatus, Product, ProductForecast
from server.companies.reorder_rules import (
    Advice,
    advise,
    check_service_level,
    no_forecast,
    sort_key,
)

# No newer forecast of a succeeded run for the same product (the latest one has none); the outer
# table is Tortoise's unaliased `product_forecasts`.
_NO_NEWER = RawSQL(
    "NOT EXISTS (SELECT 1 FROM product_forecasts newer"
    " JOIN forecast_runs newer_run ON newer_run.id = newer.run_id"
    " WHERE newer.product_id = product_forecasts.product_id"
    f" AND newer_run.status = '{ForecastRunStatus.SUCCEEDED.value}'"
    " AND (newer.created_at > product_forecasts.created_at"
    " OR (newer.created_at = product_forecasts.created_at AND newer.id > product_forecasts.id)))"
)


async def latest_forecasts(company_id: uuid.UUID) -> dict[uuid.UUID, ProductForecast]:
    """Each product's latest forecast from a succeeded run of the company (a run still going or
    failed is ignored), with its run: one query."""
    rows = (
        await ProductForecast.filter(company_id=company_id, run__status=ForecastRunStatus.SUCCEEDED)
        .annotate(latest=_NO_NEWER)
        .filter(latest=True)
        .select_related("run")
    )
    return {row.product_id: row for row in rows}


async def reorder_advice(
    *, company_id: uuid.UUID, service_level: float, as_of: date
) -> list[Advice]:
    """The advice for each active (not archived) product of the company, most urgent first, in
    two queries (products, latest forecasts). Raises ValueError for a service level outside
    0.5..0.999."""
    check_service_level(service_level)
    products = await Product.filter(company_id=company_id, archived_at__isnull=True)
    forecasts = await latest_forecasts(company_id) if products else {}
    advice = []
    for product in products:
        forecast = forecasts.get(product.id)
        if forecast is None:
            advice.append(no_forecast(product))
            continue
        run = forecast.run
        advice.append(
            advise(
                product,
                points=forecast.points or [],
                frequency=run.frequency,
                mase=forecast.mase,
                model=forecast.model,
                service_level=service_level,
                as_of=as_of,
            )
        )
    return sorted(advice, key=sort_key)
