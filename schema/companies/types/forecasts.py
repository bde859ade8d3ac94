"""Demand forecasts: the ForecastRun and ProductForecast nodes, their points and intervals, and
the company's `forecasts` and `forecastRuns` lists (fields of CompanyType)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import Info

from schema.core.cost import max_items
from schema.core.errors import BadUserInputError
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import (
    After,
    Connection,
    First,
    Node,
    global_id,
    nodes_in_order,
    paginate,
    parse_global_id,
    register_node,
)
from schema.core.scalars import described_enum
from server.access import visible
from server.companies import forecasts as forecasts_service
from server.companies import models

ForecastFrequency = described_enum(
    models.Frequency,
    name="ForecastFrequency",
    description="The period a forecast counts demand in.",
    values={
        "DAY": "Days.",
        "WEEK": "Weeks starting on Monday.",
        "MONTH": "Calendar months.",
    },
)
ForecastRunStatus = described_enum(
    models.ForecastRunStatus,
    name="ForecastRunStatus",
    description="Where a forecast run is.",
    values={
        "QUEUED": "Waiting for a worker.",
        "RUNNING": "Reading sales and forecasting.",
        "SUCCEEDED": "Every product asked for has its forecast.",
        "FAILED": "The run stopped (its job says why); no forecast was stored.",
    },
)


@strawberry.type(description="A prediction interval at one confidence level.")
class ForecastInterval:
    level: int = strawberry.field(description="The confidence level in percent (e.g. 80).")
    lo: float = strawberry.field(description="The lower bound (never below 0).")
    hi: float = strawberry.field(description="The upper bound (at least the mean).")


@strawberry.type(description="The forecast demand of one period.")
class ForecastPoint:
    period: date = strawberry.field(
        description="The period's first day (a Monday for weeks, the 1st for months)."
    )
    mean: float = strawberry.field(description="The expected demand (never negative).")
    intervals: list[ForecastInterval] = strawberry.field(
        description="A prediction interval per level asked for, by level.",
        metadata=max_items(forecasts_service.MAX_LEVELS),
    )


@strawberry.type(description="An interval level's measured coverage.")
class LevelCoverage:
    level: int = strawberry.field(description="The confidence level in percent.")
    coverage: float = strawberry.field(
        description="The share (0..1) of held-out backtest actuals inside the intervals."
    )


@strawberry.type(description="A candidate strategy's pooled backtest error.")
class BacktestCandidate:
    name: str = strawberry.field(
        description="ensemble (median of AutoETS, AutoTheta, CrostonOptimized, "
        "WindowAverage(8); Croston family for intermittent series), ensemble_lgbm (with the "
        "global LightGBM), ensemble_lgbm_mean (the mean of the ensemble and LightGBM), "
        "ensemble_ses (short histories: SES in AutoTheta's place), a member "
        "(auto_ets, auto_theta, croston_optimized, window_average), "
        "lightgbm, or a baseline (naive, seasonal_naive) shown for reference."
    )
    mase: float = strawberry.field(description="The mean over series of their backtest MASE.")
    smape: float = strawberry.field(description="The mean over series of their sMAPE (0..200).")


@strawberry.type(description="What a run's backtest measured over the company's series.")
class ForecastBacktest:
    windows: int = strawberry.field(
        description="Rolling-origin windows of one horizon each (0: no series was long enough)."
    )
    series: int = strawberry.field(description="Series backtested.")
    candidates: list[BacktestCandidate] = strawberry.field(
        description="Each candidate's pooled error, best first."
    )
    per_product: bool = strawberry.field(
        description="True when products with years of history got their own model, because "
        "that beat the pooled strategy on the last window."
    )
    coverage: list[LevelCoverage] = strawberry.field(
        description="The intervals' coverage on the last window (their quantiles come from "
        "the earlier windows only)."
    )
    seconds: float | None = strawberry.field(description="Seconds spent forecasting.")


def _levels(raw: Mapping[str, Any] | None) -> list[LevelCoverage]:
    out = []
    for level, value in (raw or {}).items():
        if value is not None:
            out.append(LevelCoverage(level=int(level), coverage=float(value)))
    return sorted(out, key=lambda c: c.level)


def _backtest(raw: Mapping[str, Any] | None) -> ForecastBacktest | None:
    if not raw:
        return None
    candidates = [
        BacktestCandidate(name=name, mase=float(v["mase"]), smape=float(v["smape"]))
        for name, v in (raw.get("candidates") or {}).items()
        if isinstance(v, Mapping) and v.get("mase") is not None and v.get("smape") is not None
    ]
    return ForecastBacktest(
        windows=int(raw.get("windows") or 0),
        series=int(raw.get("series") or 0),
        candidates=sorted(candidates, key=lambda c: c.mase),
        per_product=bool(raw.get("per_product")),
        coverage=_levels(raw.get("coverage")),
        seconds=raw.get("seconds"),
    )


@register_node
@strawberry.type(
    name="ForecastRun",
    description="One forecastDemand request: its parameters, its status, the strategy the "
    "backtest chose over the company's series, and the backtest's figures. Members of its "
    "company see it (an API key needs the `companies` scope).",
)
class ForecastRunType(Node):
    read_permissions = (HasScope("companies"), IsCompanyMember())

    frequency: ForecastFrequency = strawberry.field(  # type: ignore[valid-type]
        description="The period demand is counted in."
    )
    horizon: int = strawberry.field(description="How many periods ahead.")
    levels: list[int] = strawberry.field(description="The interval levels, in percent.")
    product_ids: list[strawberry.ID] = strawberry.field(
        description="The Products asked for (empty: every active product at the time)."
    )
    status: ForecastRunStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the run is."
    )
    strategy: str | None = strawberry.field(
        description="What the backtest chose for all the smooth series (ensemble, "
        "ensemble_lgbm, ensemble_lgbm_mean, ensemble_ses or a member); null until the run "
        "succeeded."
    )
    backtest: ForecastBacktest | None = strawberry.field(
        description="The backtest's figures; null until the run succeeded."
    )
    job_id: strawberry.ID | None = strawberry.field(
        description="Its Job's global id (follow it with jobUpdated)."
    )
    created_at: datetime = strawberry.field(description="When it was asked for.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")
    company_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, run: models.ForecastRun) -> ForecastRunType:
        job_pk = getattr(run, "job_id", None)
        return cls(
            id=global_id("ForecastRun", run.id),
            frequency=models.Frequency(run.frequency),
            horizon=run.horizon,
            levels=list(run.levels or []),
            product_ids=[global_id("Product", p) for p in run.product_ids or []],
            status=models.ForecastRunStatus(run.status),
            strategy=run.strategy,
            backtest=_backtest(run.backtest),
            job_id=global_id("Job", job_pk) if job_pk else None,
            created_at=run.created_at,
            finished_at=run.finished_at,
            company_pk=run.company_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ForecastRunType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.ForecastRun).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@register_node
@strawberry.type(
    name="ProductForecast",
    description="A product's forecast from one run: the model used, its backtest error and "
    "interval coverage, and the forecast points. Members of its company see it (an API key "
    "needs the `companies` scope).",
)
class ProductForecastType(Node):
    read_permissions = (HasScope("companies"), IsCompanyMember())

    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    run_id: strawberry.ID = strawberry.field(description="The ForecastRun's global id.")
    model: str = strawberry.field(
        description="What produced it: ensemble, croston_ensemble (intermittent demand: median "
        "of CrostonOptimized, ADIDA, IMAPA), croston_lgbm_mean (its mean with the global "
        "LightGBM, when the backtest over the intermittent series says so), ensemble_lgbm, "
        "ensemble_lgbm_mean, ensemble_ses, a member (auto_ets...), or a fallback's model "
        "(window_average, "
        "zero)."
    )
    fallback: str | None = strawberry.field(
        description="Why a simpler model was used: SHORT_HISTORY (fewer than two horizons of "
        "history: the recent mean, wide intervals), NO_HISTORY (no sales: zeros); null when "
        "none was needed."
    )
    history_periods: int = strawberry.field(
        description="Periods of history from the product's first sale to the last complete "
        "period of the company's sales."
    )
    mase: float | None = strawberry.field(
        description="Its backtest MASE (mean absolute error over the mean one-step change); "
        "null when not backtested (short history)."
    )
    smape: float | None = strawberry.field(
        description="Its backtest sMAPE in percent (0..200); null when not backtested."
    )
    coverage80: float | None = strawberry.field(
        description="The share of its last backtest window's actuals inside the 80% "
        "intervals; null when not measured (80 not asked for, or no backtest)."
    )
    coverage: list[LevelCoverage] = strawberry.field(
        description="The same for every level asked for.",
        metadata=max_items(forecasts_service.MAX_LEVELS),
    )
    created_at: datetime = strawberry.field(description="When it was stored.")
    company_pk: strawberry.Private[uuid.UUID]
    all_points: strawberry.Private[list[ForecastPoint]]

    @strawberry.field(
        description="The forecast, period by period (as many as the run's horizon).",
        metadata=max_items(max(forecasts_service.MAX_HORIZON.values())),
    )
    def points(
        self,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Only the first periods, 0 or more (a query asking many products' "
                "forecasts costs less with it); all when left out."
            ),
        ] = None,
    ) -> list[ForecastPoint]:
        if first is None:
            return self.all_points
        if first < 0:
            raise BadUserInputError("'first' of 'points' must be 0 or more.")
        return self.all_points[:first]

    @classmethod
    def from_model(cls, row: models.ProductForecast) -> ProductForecastType:
        coverage = _levels(row.coverage)
        return cls(
            id=global_id("ProductForecast", row.id),
            product_id=global_id("Product", row.product_id),
            run_id=global_id("ForecastRun", row.run_id),
            model=row.model,
            fallback=row.fallback,
            history_periods=row.history_periods,
            mase=row.mase,
            smape=row.smape,
            coverage80=next((c.coverage for c in coverage if c.level == 80), None),
            coverage=coverage,
            all_points=[_point(p) for p in row.points or []],
            created_at=row.created_at,
            company_pk=row.company_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ProductForecastType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.ProductForecast).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


def _point(raw: Mapping[str, Any]) -> ForecastPoint:
    lo, hi = raw.get("lo") or {}, raw.get("hi") or {}
    return ForecastPoint(
        period=date.fromisoformat(str(raw["period"])[:10]),
        mean=float(raw.get("mean") or 0.0),
        intervals=[
            ForecastInterval(level=int(level), lo=float(lo[level]), hi=float(hi[level]))
            for level in sorted(lo, key=int)
            if level in hi
        ],
    )


async def resolve_forecasts(
    root: Any,
    info: Info,
    product_ids: Annotated[
        list[strawberry.ID] | None,
        strawberry.argument(description="Only these Products (global ids); all when left out."),
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[ProductForecastType]:
    """Each product's latest forecast, newest first (root: the CompanyType)."""
    ids = [parse_global_id(i, "Product") for i in product_ids or []]
    query = forecasts_service.latest_forecasts_of(company_id=root.company_pk, product_ids=ids)
    return await paginate(query, first=first, after=after, to_node=ProductForecastType.from_model)


async def resolve_forecast_runs(
    root: Any, info: Info, first: First = None, after: After = None
) -> Connection[ForecastRunType]:
    """The company's forecast runs, newest first (root: the CompanyType)."""
    query = forecasts_service.runs_of(company_id=root.company_pk)
    return await paginate(query, first=first, after=after, to_node=ForecastRunType.from_model)
