from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.companies.types.forecasts import ForecastFrequency, ForecastRunType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.jobs.types import JobType
from server.companies import forecasts
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.models import Frequency


@strawberry.input(description="What to forecast: which products, how far, in which periods.")
class ForecastDemandInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    product_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="The Products to forecast (global ids of this company's products, at most "
        "5000); every active product when left out or empty.",
    )
    horizon: int = strawberry.field(
        description="How many periods ahead: 1 to 104 (DAY, WEEK) or 36 (MONTH)."
    )
    frequency: ForecastFrequency = strawberry.field(  # type: ignore[valid-type]
        default=Frequency.WEEK, description="The period demand is counted in (WEEK by default)."
    )
    levels: list[int] | None = strawberry.field(
        default=None,
        description="Prediction interval levels in percent, 1 to 4 of them within 50..99 "
        "(80 and 95 by default).",
    )


@strawberry.type(description="forecastDemand: the run started and its job, or why none was.")
class ForecastDemandPayload:
    run: ForecastRunType | None = strawberry.field(
        default=None, description="The forecast run, QUEUED (null on an error)."
    )
    job: JobType | None = strawberry.field(
        default=None, description="Its job: follow it with jobUpdated (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT (horizon, levels, productIds), NOT_FOUND "
        "(a product id not of this company), KEY_WITHOUT_OWNER.",
    )


async def forecast_demand(
    info: Info,
    input: Annotated[
        ForecastDemandInput,
        strawberry.argument(description="The company, products, horizon, frequency, levels."),
    ],
) -> ForecastDemandPayload:
    """Start forecasting a company's demand (a job)."""
    company_id = parse_global_id(input.company_id, "Company")
    product_ids = [parse_global_id(i, "Product") for i in input.product_ids or []]
    try:
        run, job = await forecasts.forecast_demand(
            actor=await info.context.actor(),
            company_id=company_id,
            product_ids=product_ids,
            horizon=input.horizon,
            frequency=Frequency(input.frequency),
            levels=input.levels,
        )
    except CompaniesFailure as exc:
        return ForecastDemandPayload(errors=[payload_error(CompaniesError, exc)])
    return ForecastDemandPayload(run=ForecastRunType.from_model(run), job=JobType.from_model(job))
