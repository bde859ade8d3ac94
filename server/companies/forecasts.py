"""Demand forecasts: start a run (a ForecastRun and its job, one transaction) and the reads
(latest forecast per product, runs). The job that forecasts is `server.companies.forecasts_job`.

Rules (README "Companies: demand forecasts"):
- horizon: 1..MAX_HORIZON[frequency] periods; levels: 1 to 4 distinct whole percents in 50..99
  (default 80, 95); product ids: the company's (archived too), at most MAX_PRODUCTS, none given =
  every active product. Another company's product id is NOT_FOUND, as an unknown one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.access import Actor
from server.accounts.models import User
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, ForecastRun, Frequency, Product, ProductForecast
from server.jobs.errors import JobsError
from server.jobs.models import Job
from server.jobs.services import job_owner, prepare_job, submit_job
from server.queue import ensure_queue_available

FORECAST_DEMAND = "companies.forecast"
MAX_HORIZON = {Frequency.DAY: 104, Frequency.WEEK: 104, Frequency.MONTH: 36}
MIN_LEVEL, MAX_LEVEL, MAX_LEVELS = 50, 99, 4
DEFAULT_LEVELS = (80, 95)
MAX_PRODUCTS = 5000


def _error(code: CompaniesErrorCode, message: str, field: str | None = None) -> CompaniesError:
    return CompaniesError(code, message, field=field)


@dataclass(frozen=True)
class ForecastRequest:
    """What forecastDemand asks for, checked (`check_request`)."""

    product_ids: tuple[uuid.UUID, ...]
    horizon: int
    frequency: Frequency
    levels: tuple[int, ...]


def check_request(
    *,
    product_ids: Sequence[uuid.UUID],
    horizon: int,
    frequency: Frequency | str,
    levels: Sequence[int] | None,
) -> ForecastRequest:
    """The request, normalised; raises INVALID_INPUT naming the field."""
    try:
        freq = Frequency(frequency)
    except ValueError:
        raise _error(
            CompaniesErrorCode.INVALID_INPUT, "frequency must be DAY, WEEK or MONTH.", "frequency"
        ) from None
    top = MAX_HORIZON[freq]
    if not 1 <= horizon <= top:
        raise _error(
            CompaniesErrorCode.INVALID_INPUT,
            f"horizon must be between 1 and {top} periods for {freq.value}.",
            "horizon",
        )
    if levels is not None and len(set(levels)) != len(levels):
        raise _error(CompaniesErrorCode.INVALID_INPUT, "levels must be distinct.", "levels")
    chosen = sorted(set(DEFAULT_LEVELS if levels is None else levels))
    if (
        not chosen
        or len(chosen) > MAX_LEVELS
        or any(not MIN_LEVEL <= level <= MAX_LEVEL for level in chosen)
    ):
        raise _error(
            CompaniesErrorCode.INVALID_INPUT,
            f"levels must be 1 to {MAX_LEVELS} percents between {MIN_LEVEL} and {MAX_LEVEL}.",
            "levels",
        )
    ids = tuple(dict.fromkeys(product_ids))
    if len(ids) > MAX_PRODUCTS:
        raise _error(
            CompaniesErrorCode.INVALID_INPUT,
            f"At most {MAX_PRODUCTS} products per run (none: every active product).",
            "product_ids",
        )
    return ForecastRequest(product_ids=ids, horizon=horizon, frequency=freq, levels=tuple(chosen))


async def _owner_of(actor: Actor) -> User:
    """The user the run's job belongs to (a company key's: the ADMIN who created it)."""
    try:
        return (await job_owner(actor)).user
    except JobsError as exc:
        raise _error(CompaniesErrorCode.KEY_WITHOUT_OWNER, exc.message) from None


async def forecast_demand(
    *,
    actor: Actor,
    company_id: uuid.UUID,
    product_ids: Sequence[uuid.UUID],
    horizon: int,
    frequency: Frequency | str,
    levels: Sequence[int] | None = None,
) -> tuple[ForecastRun, Job]:
    """Start forecasting the demand of some (or all active) products of a company: a ForecastRun
    and its job. Raises INVALID_INPUT, NOT_FOUND (company, a product id), KEY_WITHOUT_OWNER."""
    request = check_request(
        product_ids=product_ids, horizon=horizon, frequency=frequency, levels=levels
    )
    company = await Company.get_or_none(id=company_id)
    if company is None:
        raise _error(CompaniesErrorCode.NOT_FOUND, "No such company.", "company_id")
    if request.product_ids:
        found = set(
            await Product.filter(company_id=company.id, id__in=request.product_ids).values_list(
                "id", flat=True
            )
        )
        if len(found) != len(request.product_ids):
            raise _error(CompaniesErrorCode.NOT_FOUND, "No such product.", "product_ids")
    owner = await _owner_of(actor)
    await ensure_queue_available()
    async with in_transaction():
        run_id = uuid.uuid4()
        job = await prepare_job(
            owner=owner,
            company=company,
            kind=FORECAST_DEMAND,
            payload={"forecast_run_id": str(run_id)},
        )
        run = await ForecastRun.create(
            id=run_id,
            company=company,
            created_by=actor.user,
            job=job,
            frequency=request.frequency,
            horizon=request.horizon,
            levels=list(request.levels),
            product_ids=[str(i) for i in request.product_ids],
        )
    await submit_job(job)
    return run, job


# --- reading -------------------------------------------------------------------------------

# No forecast of the same product is newer than this row (the latest one per product); the outer
# table is Tortoise's unaliased `product_forecasts`.
_LATEST = RawSQL(
    "NOT EXISTS (SELECT 1 FROM product_forecasts newer"
    " WHERE newer.product_id = product_forecasts.product_id"
    " AND (newer.created_at > product_forecasts.created_at"
    " OR (newer.created_at = product_forecasts.created_at AND newer.id > product_forecasts.id)))"
)


def latest_forecasts_of(
    *, company_id: uuid.UUID, product_ids: Sequence[uuid.UUID] = ()
) -> QuerySet[ProductForecast]:
    """Each product's latest forecast in the company (of these products, when given)."""
    query = ProductForecast.filter(company_id=company_id)
    if product_ids:
        query = query.filter(product_id__in=list(product_ids))
    return query.annotate(latest=_LATEST).filter(latest=True)


def runs_of(*, company_id: uuid.UUID) -> QuerySet[ForecastRun]:
    """The company's forecast runs."""
    return ForecastRun.filter(company_id=company_id)
