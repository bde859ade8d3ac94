"""Demand forecasts: the forecaster on tiny series (fallbacks, intervals, intermittent demand),
and forecastDemand end to end through the API with the in-process job runner."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from schema.core.relay import global_id
from server.companies import forecasting, forecasting_models, forecasting_series
from server.companies.forecasts_job import last_complete_period, run_forecast
from server.companies.models import (
    Company,
    ForecastRun,
    ForecastRunStatus,
    Product,
    ProductForecast,
    Sale,
)
from server.jobs.models import Job, JobStatus
from tests.companies.factories import join, make_company, make_forecast, make_product
from tests.conftest import data_of
from tests.factories import make_user
from tests.jobs.conftest import wait_for
from tests.sql import count_sql

H = 4
MONDAY = date(2024, 1, 1)  # a Monday

FORECAST = """
mutation F($input: ForecastDemandInput!) {
  forecastDemand(input: $input) {
    run { id status horizon levels frequency productIds }
    job { id }
    errors { field code message }
  }
}"""
JOB = "query J($id: ID!) { node(id: $id) { ... on Job { result } } }"
READ = """
query R($id: ID!) {
  node(id: $id) {
    ... on Company {
      forecasts(first: 10) {
        edges { node { productId model fallback historyPeriods mase smape coverage80
                       points { period mean intervals { level lo hi } } } }
      }
      forecastRuns(first: 5) {
        edges { node { status strategy backtest { windows series perProduct
                                                   candidates { name mase }
                                                   coverage { level coverage } } } }
      }
    }
  }
}"""


def weekly(values: list[float], uid: str, start: date = MONDAY) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": uid,
            "ds": [pd.Timestamp(start + timedelta(weeks=i)) for i in range(len(values))],
            "y": values,
        }
    )


def smooth(n: int, seed: int, level: float = 20.0) -> list[float]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return list(np.round(level + 5 * np.sin(2 * np.pi * t / 13) + rng.normal(0, 2, n), 1))


def check_points(s: forecasting.SeriesForecast, levels: tuple[int, ...] = (80, 95)) -> None:
    assert len(s.points) == H
    for p in s.points:
        assert p.mean >= 0
        for level in levels:
            assert 0 <= p.lo[level] <= p.mean <= p.hi[level], (level, p)
        assert p.lo[95] <= p.lo[80] and p.hi[80] <= p.hi[95]


# --- the forecaster (pure) ------------------------------------------------------------------


def test_short_and_empty_histories_fall_back_and_the_rest_is_an_ensemble() -> None:
    # given: one long smooth series, one of 5 weeks (< 2 horizons), and one without rows
    data = pd.concat(
        [
            weekly(smooth(40, 1), "long"),
            weekly([3, 0, 5, 4, 2], "short", MONDAY + timedelta(weeks=35)),
        ]
    )
    # when
    out = forecasting.forecast(data, "WEEK", H, (80, 95), ids=["long", "short", "empty"])
    # then
    empty, short, long = out.series["empty"], out.series["short"], out.series["long"]
    assert (empty.fallback, empty.model, empty.history_periods) == ("NO_HISTORY", "zero", 0)
    assert [p.mean for p in empty.points] == [0.0] * H
    assert all(p.lo[80] == p.hi[95] == 0.0 for p in empty.points)
    assert (short.fallback, short.model, short.history_periods) == (
        "SHORT_HISTORY",
        "window_average",
        5,
    )
    assert short.points[0].mean == pytest.approx(2.8)
    # wide: the 95% interval spans more than the mean itself
    assert short.points[0].hi[95] - short.points[0].lo[95] > short.points[0].mean
    assert long.fallback is None and long.history_periods == 40
    assert long.model.startswith("ensemble") or long.model in forecasting_models.MEMBERS
    assert long.mase is not None and long.mase > 0 and long.smape is not None
    assert long.coverage is not None and set(long.coverage) == {80, 95}
    # the periods follow the last week seen (week 39 of the long series)
    assert long.points[0].period == MONDAY + timedelta(weeks=40)
    assert empty.points[0].period == MONDAY + timedelta(weeks=40)
    for s in (empty, short, long):
        check_points(s)
    # 40 weeks, under two seasons: origins a quarter horizon apart (`backtest_plan`)
    assert out.backtest["windows"] == forecasting.backtest_plan(H, 3, short=True)[0] > 3
    assert out.backtest["series"] == 1


def test_intermittent_demand_gets_the_croston_family() -> None:
    # given: demand in about one week out of four
    rng = np.random.default_rng(7)
    y = list((rng.random(60) < 0.25) * rng.integers(1, 6, 60).astype(float))
    smooth_series = weekly(smooth(60, 3), "smooth")
    # when
    out = forecasting.forecast(pd.concat([weekly(y, "rare"), smooth_series]), "WEEK", H, (80, 95))
    # then
    rare = out.series["rare"]
    assert forecasting_series.adi(np.array(y)) > forecasting_series.INTERMITTENT_ADI
    assert rare.intermittent and not out.series["smooth"].intermittent
    assert rare.model in {"croston_ensemble", *forecasting_models.CROSTON_FAMILY}
    assert out.series["smooth"].model != "croston_ensemble"
    # Croston-family forecasts are flat demand rates
    assert len({round(p.mean, 6) for p in rare.points}) == 1
    check_points(rare)
    check_points(out.series["smooth"])


def test_aggregation_fills_gaps_with_zeros_and_drops_returns_below_zero() -> None:
    daily = pd.DataFrame(
        {
            "unique_id": ["a", "a", "a", "a"],
            "ds": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-22", "2024-01-23"]),
            "y": [2.0, 3.0, 1.0, -4.0],
        }
    )
    out = forecasting_series.prepare(daily, "WEEK")
    assert out["ds"].dt.date.tolist() == [
        date(2024, 1, 1),
        date(2024, 1, 8),
        date(2024, 1, 15),
        date(2024, 1, 22),
    ]
    assert out["y"].tolist() == [5.0, 0.0, 0.0, 0.0]


def test_aggregation_per_month_and_day_runs_each_series_to_the_end() -> None:
    rows = pd.DataFrame(
        {
            "unique_id": ["b", "a", "a", "b"],
            "ds": pd.to_datetime(["2024-03-31", "2023-12-15", "2024-02-02", "2024-05-20"]),
            "y": [1.0, 2.0, 3.0, 9.0],
        }
    )
    out = forecasting_series.prepare(rows, "MONTH", end=date(2024, 4, 30))
    assert [
        (u, d.isoformat(), y)
        for u, d, y in zip(out["unique_id"], out["ds"].dt.date, out["y"], strict=True)
    ] == [
        ("a", "2023-12-01", 2.0),
        ("a", "2024-01-01", 0.0),
        ("a", "2024-02-01", 3.0),
        ("a", "2024-03-01", 0.0),
        ("a", "2024-04-01", 0.0),
        ("b", "2024-03-01", 1.0),
        ("b", "2024-04-01", 0.0),
    ]  # b's May sale is after the end
    days = forecasting_series.prepare(rows, "DAY", end=date(2024, 4, 2))
    b = days.loc[days["unique_id"] == "b"]
    assert pd.to_datetime(b["ds"]).dt.date.tolist() == [
        date(2024, 3, 31),
        date(2024, 4, 1),
        date(2024, 4, 2),
    ]
    assert b["y"].tolist() == [1.0, 0.0, 0.0]
    assert len(days[days["unique_id"] == "a"]) == (date(2024, 4, 2) - date(2023, 12, 15)).days + 1


def test_global_lightgbm_joins_short_histories_with_enough_pooled_rows() -> None:
    year = {f"s{i}": 52 for i in range(10)}  # 10 series of one year: 520 pooled weeks
    assert forecasting_models.lgbm_worth_it(year, list(year), 8, "WEEK")
    few = {f"s{i}": 52 for i in range(8)}  # 416 weeks: too few rows to learn from
    assert not forecasting_models.lgbm_worth_it(few, list(few), 8, "WEEK")


def test_last_complete_period() -> None:
    assert last_complete_period(date(2024, 1, 7), "WEEK") == date(2024, 1, 7)  # a Sunday
    assert last_complete_period(date(2024, 1, 10), "WEEK") == date(2024, 1, 7)
    assert last_complete_period(date(2024, 2, 29), "MONTH") == date(2024, 2, 29)
    assert last_complete_period(date(2024, 2, 28), "MONTH") == date(2024, 1, 31)
    assert last_complete_period(date(2024, 2, 28), "DAY") == date(2024, 2, 28)


# --- forecastDemand through the API ---------------------------------------------------------


async def sell(company: Company, product: Product, weekly_quantities: list[float]) -> None:
    """One sale on the Wednesday of each week from MONDAY (two lines in odd weeks)."""
    rows = []
    for i, q in enumerate(weekly_quantities):
        day = MONDAY + timedelta(weeks=i, days=2)
        if i % 2:
            rows.append(
                Sale(
                    company=company,
                    product=product,
                    sold_on=day,
                    quantity=Decimal("1"),
                    external_id="x",
                )
            )
            q -= 1
        rows.append(Sale(company=company, product=product, sold_on=day, quantity=Decimal(str(q))))
    await Sale.bulk_create(rows)


async def test_forecast_demand_end_to_end(gql) -> None:
    # given: a company (a MEMBER asks) with a product of 30 weeks of sales, one of 3, one of none
    admin, member = await make_user(), await make_user()
    company = await make_company(admin)
    await join(company, member)
    long, short, never = [await make_product(company) for _ in range(3)]
    await sell(company, long, smooth(30, 5))
    # a last, incomplete week (Monday only) is left out of the history
    await Sale.create(
        company=company, product=long, sold_on=MONDAY + timedelta(weeks=30), quantity=Decimal(500)
    )
    await Sale.bulk_create(
        [
            Sale(
                company=company,
                product=short,
                sold_on=MONDAY + timedelta(weeks=27 + i),
                quantity=Decimal(2),
            )
            for i in range(3)
        ]
    )
    ids = [global_id("Product", p.id) for p in (long, short, never)]
    company_id = global_id("Company", company.id)
    # when
    result = data_of(
        await gql(
            FORECAST,
            {
                "input": {
                    "companyId": company_id,
                    "productIds": ids,
                    "horizon": H,
                    "frequency": "WEEK",
                    "levels": [95, 80],
                }
            },
            token=member.token,
        )
    )["forecastDemand"]
    # then
    assert result["errors"] == []
    assert result["run"]["status"] == "QUEUED" and result["run"]["levels"] == [80, 95]
    assert sorted(result["run"]["productIds"]) == sorted(ids)
    run = await ForecastRun.get(company_id=company.id)
    job = await wait_for(run.job_id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=180)  # type: ignore[attr-defined]
    assert job.status == JobStatus.SUCCEEDED, (job.error_code, job.error_message)
    assert job.result["products"] == 3
    job_node = data_of(await gql(JOB, {"id": result["job"]["id"]}, token=member.token))["node"]
    assert job_node["result"]["forecastRunId"] == result["run"]["id"]
    assert job_node["result"]["status"] == "SUCCEEDED"
    read = data_of(await gql(READ, {"id": company_id}, token=member.token))["node"]
    forecasts = {e["node"]["productId"]: e["node"] for e in read["forecasts"]["edges"]}
    assert set(forecasts) == set(ids)
    f_long, f_short, f_never = (forecasts[i] for i in ids)
    assert f_long["historyPeriods"] == 30 and f_long["fallback"] is None
    assert f_long["mase"] > 0 and 0 <= f_long["coverage80"] <= 1
    assert [p["period"] for p in f_long["points"]] == [
        (MONDAY + timedelta(weeks=30 + i)).isoformat() for i in range(H)
    ]
    # the 500 of the incomplete week is not in the history: the forecast stays near 20
    assert all(5 < p["mean"] < 40 for p in f_long["points"])
    assert (f_short["fallback"], f_short["historyPeriods"]) == ("SHORT_HISTORY", 3)
    assert (f_never["fallback"], f_never["model"]) == ("NO_HISTORY", "zero")
    for f in forecasts.values():
        for p in f["points"]:
            assert [i["level"] for i in p["intervals"]] == [80, 95]
            for i in p["intervals"]:
                assert 0 <= i["lo"] <= p["mean"] <= i["hi"]
    (run_node,) = [e["node"] for e in read["forecastRuns"]["edges"]]
    assert run_node["status"] == "SUCCEEDED" and run_node["strategy"]
    # 30 weeks, under two seasons: H=4, origins a week apart, nine windows
    assert run_node["backtest"]["windows"] == 9 and run_node["backtest"]["series"] == 1
    assert {c["name"] for c in run_node["backtest"]["candidates"]} >= {"ensemble", "auto_ets"}


@pytest.mark.slow
async def test_progress_is_reported_and_a_second_run_is_the_latest(gql) -> None:
    # given: a run created directly, its handler called by the test with a recording reporter
    admin = await make_user()
    company = await make_company(admin)
    product = await make_product(company)
    await sell(company, product, smooth(20, 9))
    job = await Job.create(owner=admin.user, company=company, kind="companies.forecast", payload={})
    run = await ForecastRun.create(
        company=company, job=job, frequency="WEEK", horizon=H, levels=[80], product_ids=[]
    )
    job.payload = {"forecast_run_id": str(run.id)}
    reports: list[tuple[float, str]] = []

    async def report(progress: float, stage: str, message: str | None = None) -> None:
        reports.append((progress, stage))

    # when
    result = await run_forecast(job, report)
    # then: every active product (none asked for), progress from reading to saving
    assert result["status"] == "SUCCEEDED" and result["products"] == 1
    stages = [s for _p, s in reports]
    assert stages[0] == "reading sales" and stages[-1] == "saving" and "forecasting" in stages
    assert [p for p, _s in reports] == sorted(p for p, _s in reports)
    assert all(0 <= p <= 1 for p, _s in reports)
    stored = await ProductForecast.get(run_id=run.id)
    assert stored.product_id == product.id and set(stored.points[0]["lo"]) == {"80"}
    assert (await ForecastRun.get(id=run.id)).status == ForecastRunStatus.SUCCEEDED
    # run again: already done, nothing new stored
    assert (await run_forecast(job, report))["products"] == 0
    assert await ProductForecast.filter(run_id=run.id).count() == 1


async def test_another_companys_product_and_bad_input_are_refused(gql) -> None:
    # given: two companies, each with a product
    mine, theirs = await make_user(), await make_user()
    company, other = await make_company(mine), await make_company(theirs)
    foreign = await make_product(other)
    own = await make_product(company)
    company_id = global_id("Company", company.id)

    async def ask(**input: Any) -> dict[str, Any]:
        body = {"companyId": company_id, "horizon": H, "productIds": [global_id("Product", own.id)]}
        body.update(input)
        return data_of(await gql(FORECAST, {"input": body}, token=mine.token))["forecastDemand"]

    # when / then: another company's product id is NOT_FOUND, like an unknown one
    refused = await ask(productIds=[global_id("Product", own.id), global_id("Product", foreign.id)])
    assert refused["run"] is None and refused["errors"] == [
        {"field": "productIds", "code": "NOT_FOUND", "message": "No such product."}
    ]
    assert [e["field"] for e in (await ask(horizon=0))["errors"]] == ["horizon"]
    assert [e["field"] for e in (await ask(horizon=105))["errors"]] == ["horizon"]
    assert [e["field"] for e in (await ask(horizon=37, frequency="MONTH"))["errors"]] == ["horizon"]
    assert [e["field"] for e in (await ask(levels=[40]))["errors"]] == ["levels"]
    assert [e["field"] for e in (await ask(levels=[]))["errors"]] == ["levels"]
    duplicated = (await ask(levels=[80, 80]))["errors"]
    assert [(e["field"], e["code"]) for e in duplicated] == [("levels", "INVALID_INPUT")]
    assert await ForecastRun.filter(company_id=company.id).count() == 0
    # a non-member cannot start one on the company at all
    outsider = await gql(
        FORECAST, {"input": {"companyId": company_id, "horizon": H}}, token=theirs.token
    )
    assert outsider["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # nor read its forecasts
    read = await gql(READ, {"id": company_id}, token=theirs.token)
    assert read["data"]["node"] is None


async def test_the_latest_forecast_per_product_in_a_constant_number_of_queries(gql) -> None:
    # given: five products, each forecast twice (the second is the latest), by a member
    admin = await make_user()
    company = await make_company(admin)
    point = {"period": "2024-01-01", "mean": 2.0, "lo": {"80": 1.0}, "hi": {"80": 3.0}}
    latest = []
    for _ in range(5):
        product = await make_product(company)
        await make_forecast(product, [point], model="old")
        latest.append(await make_forecast(product, [{**point, "mean": 4.0}], model="new"))
    # when
    with count_sql() as statements:
        read = data_of(await gql(READ, {"id": global_id("Company", company.id)}, token=admin.token))
    # then: one forecast per product, the latest, and a query count that does not grow per row
    nodes = [e["node"] for e in read["node"]["forecasts"]["edges"]]
    assert sorted(n["productId"] for n in nodes) == sorted(
        global_id("Product", f.product_id) for f in latest
    )
    assert {n["model"] for n in nodes} == {"new"}
    assert nodes[0]["points"] == [
        {"period": "2024-01-01", "mean": 4.0, "intervals": [{"level": 80, "lo": 1.0, "hi": 3.0}]}
    ]
    assert len([s for s in statements if "product_forecasts" in s]) == 1
    assert len(statements) <= 8
