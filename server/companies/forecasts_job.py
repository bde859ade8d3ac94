"""Demand forecasts' job (`companies.forecast`): it reads the company's sales aggregated in SQL
and forecasts them off the event loop, in a child process (`server.companies.forecasting`), then
stores one ProductForecast per product asked for (`server.companies.forecasts` starts runs).

- History: the sum of each product's sales per day (one GROUP BY query), then per period in
  the forecaster. It ends at the last COMPLETE period of the company's sales (a week still
  running would read as a drop in demand); a product's history starts at its first sale.
  Returns (negative quantities) reduce their period's demand, never below 0.
- The backtest runs over every active product of the company with sales (not only those asked
  for), so that the strategy is chosen on all of the company's series; only the products asked
  for get a ProductForecast.
"""

from __future__ import annotations

import asyncio
import calendar
import json
import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from queue import Empty
from typing import TYPE_CHECKING, Any, cast

from tortoise.functions import Max, Sum
from tortoise.transactions import in_transaction

from server.companies.forecasts import DEFAULT_LEVELS
from server.companies.models import (
    ForecastRun,
    ForecastRunStatus,
    Frequency,
    Product,
    ProductForecast,
    Sale,
)
from server.jobs.errors import JobFailed
from server.jobs.models import Job, JobStatus
from server.jobs.registry import ProgressReporter

if TYPE_CHECKING:
    import pandas as pd

    from server.companies import forecasting

# pandas and `forecasting` (statsforecast, LightGBM) are imported by the functions that use them:
# every API and worker process imports this module (through the schema and the job registry),
# and importing them costs ~1 s of CPU.


PROGRESS_EVERY = 1.0  # seconds between progress reports while the model runs
# From this many series the child fits statsforecast's costly models (AutoETS, AutoTheta) in a
# pool over the machine's cores (at most MAX_JOBS); below it a pool's start costs more than it saves.
PARALLEL_FROM = 200
MAX_JOBS = 4


def forecast_jobs(series: int) -> int:
    """statsforecast processes for a run over `series` series."""
    if series < PARALLEL_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_JOBS, cores or 1))


def last_complete_period(last_day: date, frequency: Frequency | str) -> date:
    """The last day of the last period that `last_day` completes: the day itself (DAY), the
    Sunday ending its week or the week before, the end of its month or of the month before."""
    freq = Frequency(frequency)
    if freq == Frequency.DAY:
        return last_day
    if freq == Frequency.WEEK:
        return last_day if last_day.weekday() == 6 else last_day - timedelta(last_day.weekday() + 1)
    month_end = calendar.monthrange(last_day.year, last_day.month)[1]
    if last_day.day == month_end:
        return last_day
    return last_day.replace(day=1) - timedelta(days=1)


async def daily_sales(company_id: uuid.UUID, product_ids: Sequence[uuid.UUID]) -> pd.DataFrame:
    """The company's sales of these products summed per product and day: one GROUP BY query
    (rows per product-day, never per sale)."""
    import pandas as pd

    rows = (
        await Sale.filter(company_id=company_id, product_id__in=list(product_ids))
        .annotate(total=Sum("quantity"))
        .group_by("product_id", "sold_on")
        .values_list("product_id", "sold_on", "total")
    )
    return pd.DataFrame(
        {
            "unique_id": [str(r[0]) for r in rows],
            "ds": pd.to_datetime([r[1] for r in rows]),
            "y": [float(r[2] or 0) for r in rows],
        }
    )


async def run_forecast(job: Job, report: ProgressReporter) -> dict[str, Any]:
    """The job: read the history, forecast off the event loop, store one ProductForecast per
    product asked for, and the run's strategy and backtest. Raises JobFailed(NOT_FOUND)."""
    import pandas as pd

    run = await ForecastRun.get_or_none(id=job.payload["forecast_run_id"])
    if run is None:
        raise JobFailed("NOT_FOUND", "The forecast run is gone.")
    if run.status not in (ForecastRunStatus.QUEUED, ForecastRunStatus.RUNNING):
        return _result(run, 0)
    await ForecastRun.filter(id=run.id).update(status=ForecastRunStatus.RUNNING)
    await report(0.02, "reading sales")
    asked = [uuid.UUID(i) for i in run.product_ids]
    active: list[uuid.UUID] = cast(
        list[uuid.UUID],
        await Product.filter(company_id=run.company_id, archived_at__isnull=True).values_list(
            "id", flat=True
        ),
    )
    targets = asked or list(active)
    history_ids = list(dict.fromkeys([*targets, *active]))
    last = cast(
        date | None,
        await Sale.filter(company_id=run.company_id)
        .annotate(last=Max("sold_on"))
        .first()
        .values_list("last", flat=True),
    )
    end = last_complete_period(last, run.frequency) if last else datetime.now(UTC).date()
    history = await daily_sales(run.company_id, history_ids) if history_ids else None
    if history is None:
        history = pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []})
    history = pd.DataFrame(history[history["ds"] <= pd.Timestamp(end)])
    await report(0.1, "forecasting")

    started = time.monotonic()
    outcome = await forecast_in_process(
        report,
        history,
        {
            "frequency": run.frequency.value,
            "horizon": run.horizon,
            "levels": run.levels or list(DEFAULT_LEVELS),
            "ids": [str(i) for i in targets],
            "end": end,
            "n_jobs": forecast_jobs(len(targets)),
        },
    )
    seconds = time.monotonic() - started
    await report(0.92, "saving")
    wanted = {str(i) for i in targets}
    rows = [
        ProductForecast(
            run_id=run.id,
            company_id=run.company_id,
            product_id=uuid.UUID(uid),
            model=s.model,
            fallback=s.fallback,
            history_periods=s.history_periods,
            mase=s.mase,
            smape=s.smape,
            coverage=(
                {str(k): float(v) for k, v in s.coverage.items() if v is not None}
                if s.coverage
                else None
            ),
            points=[
                {
                    "period": p.period.isoformat(),
                    "mean": round(float(p.mean), 4),
                    "lo": {str(k): round(float(v), 4) for k, v in p.lo.items()},
                    "hi": {str(k): round(float(v), 4) for k, v in p.hi.items()},
                }
                for p in s.points
            ],
        )
        for uid, s in outcome.series.items()
        if uid in wanted
    ]
    backtest = {k: v for k, v in outcome.backtest.items() if k != "per_product_models"}
    backtest["per_product_models"] = len(outcome.backtest.get("per_product_models", {}))
    backtest["seconds"] = round(seconds, 2)
    backtest["history_end"] = end.isoformat()
    backtest = json.loads(json.dumps(backtest, default=float))  # numpy numbers -> JSON
    async with in_transaction():
        locked = (
            await ForecastRun.filter(
                id=run.id,
                status__in=[ForecastRunStatus.QUEUED, ForecastRunStatus.RUNNING],
            )
            .select_for_update()
            .first()
        )
        if locked is None:  # cancelled or settled meanwhile
            return _result(await ForecastRun.get(id=run.id), 0)
        await ProductForecast.bulk_create(rows)
        await ForecastRun.filter(id=run.id).update(
            status=ForecastRunStatus.SUCCEEDED,
            strategy=outcome.strategy,
            backtest=backtest,
            finished_at=datetime.now(UTC),
        )
    return _result(await ForecastRun.get(id=run.id), len(rows))


async def forecast_in_process(
    report: ProgressReporter, series: pd.DataFrame, kwargs: dict[str, Any]
) -> forecasting.ForecastOutcome:
    """`forecasting.forecast` in a child process: statsforecast's compiled models hold the GIL
    (in a thread, the event loop stalled 16 ms at the median, 110 ms at p99), and a child can be
    stopped when the job is cancelled. Progress comes back over a queue; every PROGRESS_EVERY s
    the job reports (so a cancel is seen). A child that dies is an error (the attempt retries).
    The child is not a daemon (a daemon cannot start statsforecast's pool); it leads its own
    process group, which is stopped whole when it outlives this call."""
    from server.companies import forecasting

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=forecasting.child_main, args=(queue, series, kwargs))
    child.start()
    share, stage = 0.0, "backtest"
    try:
        while True:
            try:
                message = await asyncio.to_thread(queue.get, True, PROGRESS_EVERY)
            except Empty:
                if not child.is_alive() and queue.empty():
                    raise RuntimeError(
                        f"The forecast process died (exit {child.exitcode})."
                    ) from None
                await report(0.1 + 0.8 * share, stage)
                continue
            if message[0] == "progress":
                share, stage = float(message[1]), str(message[2])
                await report(0.1 + 0.8 * share, stage)
            elif message[0] == "done":
                return message[1]
            else:
                raise RuntimeError(f"The forecast failed: {message[1]}")
    finally:
        if child.is_alive():
            _stop(child)
        await asyncio.to_thread(child.join, 10)
        queue.close()


def _stop(child: Any) -> None:
    """Terminates the child and its pool workers (its process group), or the child alone."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
    except (AttributeError, OSError):  # no process groups here, or the group is gone
        child.terminate()


def _result(run: ForecastRun, products: int) -> dict[str, Any]:
    return {
        "forecast_run_id": str(run.id),
        "status": run.status.value,
        "strategy": run.strategy,
        "products": products,
    }


async def settle_forecast(job: Job) -> None:
    """End hook: a run whose job ended without finishing it becomes FAILED."""
    if job.status == JobStatus.SUCCEEDED:
        return
    run_id = (job.payload or {}).get("forecast_run_id")
    if not run_id:
        return
    await ForecastRun.filter(
        id=run_id, status__in=[ForecastRunStatus.QUEUED, ForecastRunStatus.RUNNING]
    ).update(status=ForecastRunStatus.FAILED, finished_at=datetime.now(UTC))
