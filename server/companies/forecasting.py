"""Demand forecasting (pure CPU, no database): Nixtla's statsforecast, and mlforecast with
LightGBM as a global model, behind one call, `forecast(series, frequency, horizon, levels)`.
Its parts: `forecasting_series` (periods, aggregation, measures), `forecasting_models` (the
models, the backtest's cross-validation, LightGBM, the median combinations) and
`forecasting_backtest` (the choice from the backtest, the conformal quantiles).

What it does, and why (issue 13, "Demand forecasts"; measured on real weekly retail sets):

- Series are aggregated to the frequency's periods (DAY; WEEK starting Monday; MONTH starting
  the 1st). A series starts at its first observation and runs to the last period seen in ANY
  series (a product that stopped selling is forecast from its zeros); missing periods are 0.
- Picking a model per product by a short backtest was worse than AutoETS alone (it picks naive
  models by chance), while a fixed MEDIAN of AutoETS, AutoTheta, CrostonOptimized and
  WindowAverage(8) was better, and adding a global LightGBM to the median better still. So the
  default is that median ensemble. A rolling-origin backtest (`BACKTEST_WINDOWS` windows of
  `horizon` periods) over ALL the series, pooled (the mean of per-series MASE), chooses between
  the ensemble, the ensemble with LightGBM, and the ensemble's members; a member must beat the
  ensemble by `MEMBER_MARGIN` to be chosen. Per-product choice is only tried for products with
  years of history (`LONG_HISTORY_SEASONS` seasons): chosen on the earlier windows, checked on the
  last one, and kept only if it beats the pooled strategy there.
- Short histories (median under `SHORT_HISTORY_SEASONS` seasons): the backtest's origins are a
  quarter horizon apart over the last three horizons (`backtest_plan`: more, overlapping
  windows), and the SES ensemble is the default, replaced by
  another combination only when better by `SHORT_MARGIN` pooled and in every window.
- Intermittent series (average demand interval ADI > 1.32) replace the ensemble by the median of
  the Croston family (CrostonOptimized, ADIDA, IMAPA).
- Season length: 7 (DAY), 52 (WEEK), 12 (MONTH). AutoETS cannot hold a 52-week season (ETS
  states are capped at 24), so for WEEK it is fitted non-seasonal (season 1), which is what it
  would fall back to anyway, at a fraction of the cost; AutoTheta tests seasonality itself and
  deseasonalises only series with two full seasons.
- Prediction intervals are conformal: the backtest's errors of the chosen forecast, scaled by
  each series' MASE scale and pooled over series and steps, give the quantiles of each level.
  Their coverage is honest: coverage measured on the last window, by quantiles from the earlier
  windows whose targets end by its origin (short histories' windows overlap: those that share
  periods with the last one are left out, as from the per-product choice).
- Fallbacks, never a crash: no history -> zeros (`NO_HISTORY`, intervals [0, 0]); fewer than
  2 x horizon periods -> the mean of the last (up to 8) periods, with wide intervals from the
  series' own spread (`SHORT_HISTORY`); a model that fails on a series -> statsforecast's
  fallback (Naive); LightGBM failing in the final fit -> the default combination without it
  (short histories: the SES ensemble). Forecasts and bounds are never negative.

MASE's scale: see `forecasting_series.mase_scale`.
"""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from server.companies.forecasting_backtest import choose
from server.companies.forecasting_models import (
    BASELINES,
    CROSTON_FAMILY,
    ENSEMBLE,
    ENSEMBLE_LGBM,
    ENSEMBLE_LGBM_MEAN,
    ENSEMBLE_SES,
    LGBM,
    MEMBERS,
    SES,
    WINDOW,
    add_combinations,
    cross_validation,
    lgbm_worth_it,
    run_lgbm,
    statsforecast_of,
)
from server.companies.forecasting_series import (
    INTERMITTENT_ADI,
    PANDAS_FREQ,
    SEASON_LENGTH,
    adi,
    mase_scale,
    period_start,
    prepare,
)

BACKTEST_WINDOWS = 3
LONG_HISTORY_SEASONS = 3  # "years of history": 3 seasons
SHORT_HISTORY_SEASONS = 2  # a median history shorter than this: short (`backtest_plan`, choose)
SHORT_STEP_SHARE = 4  # short histories: backtest origins a quarter of the horizon apart

# What an intermittent series' forecast is called: its ensemble is the Croston family's.
INTERMITTENT_NAMES = {ENSEMBLE: "croston_ensemble", ENSEMBLE_LGBM_MEAN: "croston_lgbm_mean"}

NO_HISTORY = "NO_HISTORY"
SHORT_HISTORY = "SHORT_HISTORY"

Progress = Callable[[float, str], None]


@dataclass
class Point:
    period: date
    mean: float
    lo: dict[int, float] = field(default_factory=dict)
    hi: dict[int, float] = field(default_factory=dict)


@dataclass
class SeriesForecast:
    unique_id: str
    model: str
    fallback: str | None
    history_periods: int
    intermittent: bool
    mase: float | None  # backtest (None: not backtested)
    smape: float | None
    coverage: dict[int, float] | None  # level -> share of held-out backtest actuals inside
    points: list[Point]
    # Every candidate's mean forecast (name -> values), when asked (the benchmark reads them).
    candidates: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class ForecastOutcome:
    strategy: str
    backtest: dict[str, Any]  # candidates' pooled figures, windows, series counted, coverage
    series: dict[str, SeriesForecast]


# -- the entry point ------------------------------------------------------------------------


def forecast(
    series: pd.DataFrame,
    frequency: str,
    horizon: int,
    levels: Sequence[int] = (80, 95),
    *,
    ids: Iterable[str] = (),
    end: pd.Timestamp | date | None = None,
    use_lgbm: bool | None = None,
    windows: int = BACKTEST_WINDOWS,
    n_jobs: int = 1,
    with_candidates: bool = False,
    progress: Progress | None = None,
) -> ForecastOutcome:
    """Forecasts every series of `series` (long: unique_id, ds, y; any dates, aggregated here)
    `horizon` periods ahead; `ids` names series to forecast even without rows (NO_HISTORY).
    `use_lgbm`: None decides from the histories' length (`lgbm_worth_it`)."""
    levels = sorted({int(level) for level in levels})
    report = progress or (lambda _p, _s: None)
    freq = PANDAS_FREQ[frequency]
    season = SEASON_LENGTH[frequency]
    data = prepare(series, frequency, end)
    last = data["ds"].max() if len(data) else None
    if last is None and end is not None:
        last = period_start(pd.Series([pd.Timestamp(end)]), frequency).iloc[0]
    if last is None:
        last = period_start(pd.Series([pd.Timestamp.today()]), frequency).iloc[0]
    future = pd.date_range(last, periods=horizon + 1, freq=freq)[1:]

    lengths = data.groupby("unique_id").size().to_dict() if len(data) else {}
    all_ids = sorted(set(lengths) | {str(i) for i in ids})
    ys = {uid: g["y"].to_numpy() for uid, g in data.groupby("unique_id")} if len(data) else {}
    min_len = 2 * horizon
    modelled = [u for u in all_ids if lengths.get(u, 0) >= min_len]
    intermittent = {u for u in modelled if adi(ys[u]) > INTERMITTENT_ADI}
    scales = {u: mase_scale(ys[u], frequency) for u in modelled}
    results: dict[str, SeriesForecast] = {}

    # Fallbacks first: they need no model.
    for u in all_ids:
        n = lengths.get(u, 0)
        if n >= min_len:
            continue
        results[u] = _fallback(u, ys.get(u), n, future, levels, horizon)

    strategy = ENSEMBLE
    backtest: dict[str, Any] = {"windows": 0, "series": 0, "candidates": {}}
    if not modelled:
        report(1.0, "done")
        return ForecastOutcome(strategy=strategy, backtest=backtest, series=results)

    train = data[data["unique_id"].isin(modelled)].reset_index(drop=True)
    if use_lgbm is None:
        use_lgbm = lgbm_worth_it(lengths, modelled, horizon, frequency)

    # Backtest: series long enough for its windows and a training part of two horizons.
    short = float(np.median([lengths[u] for u in modelled])) < SHORT_HISTORY_SEASONS * season
    windows, step = backtest_plan(horizon, windows, short)
    need = (windows - 1) * step + horizon + max(2 * horizon, WINDOW)
    bt_ids = [u for u in modelled if lengths[u] >= need]
    cv: pd.DataFrame | None = None
    if len(bt_ids) > 0 and windows > 0:
        report(0.05, "backtest")
        bt = train[train["unique_id"].isin(bt_ids)]
        cv = cross_validation(bt, frequency, horizon, windows, n_jobs, step)
        report(0.4, "backtest")
        if use_lgbm:
            lg = run_lgbm(bt, frequency, horizon, windows, step)
            if lg is not None:
                cv = cv.merge(lg[["unique_id", "ds", "cutoff", LGBM]], how="left")
                cv[LGBM] = cv[LGBM].fillna(cv["window_average"])
            else:
                use_lgbm = False
        add_combinations(cv, intermittent, bool(use_lgbm))
        long_ids = {u for u in bt_ids if lengths[u] >= LONG_HISTORY_SEASONS * season}
        strategy, backtest = choose(
            cv,
            scales,
            bool(use_lgbm),
            levels,
            long_ids=long_ids,
            intermittent=intermittent,
            short=short,
        )
    report(0.6, "fit")

    # Final fit on every modelled series.
    sf = statsforecast_of(frequency, n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = pd.DataFrame(sf.forecast(df=train, h=horizon))
    if "unique_id" not in fc.columns:
        fc = fc.reset_index()
    report(0.8, "fit")
    if use_lgbm:
        lg = run_lgbm(train, frequency, horizon, None)
        if lg is not None:
            fc = fc.merge(lg[["unique_id", "ds", LGBM]], how="left")
            fc[LGBM] = fc[LGBM].fillna(fc["window_average"])
        elif strategy in (ENSEMBLE_LGBM, ENSEMBLE_LGBM_MEAN):
            # LightGBM failed in the final fit: the default without it (short histories': the
            # SES ensemble)
            strategy = ENSEMBLE_SES if short else ENSEMBLE
    add_combinations(fc, intermittent, bool(use_lgbm) and LGBM in fc)

    per_product: dict[str, str] = backtest.get("per_product_models", {})
    int_model: str = backtest.get("intermittent_model", ENSEMBLE)
    quant_all: dict[str, dict[int, tuple[float, float]]] = backtest.pop("_quantiles", {})
    per_series: dict[str, dict[str, Any]] = backtest.pop("_per_series", {})
    for u, g in fc.groupby("unique_id", sort=False):
        u = str(u)
        # Intermittent series keep the Croston family whatever the pooled strategy.
        model = per_product.get(u, int_model if u in intermittent else strategy)
        if model not in g:
            model = ENSEMBLE
        name = INTERMITTENT_NAMES.get(model, model) if u in intermittent else model
        mean = np.clip(g[model].to_numpy(dtype=float), 0, None)
        mean = np.nan_to_num(mean, nan=0.0)
        scale = scales[u]
        kind = "intermittent" if u in intermittent else "smooth"
        q = quant_all.get(kind) or quant_all.get("all") or {}
        points = []
        for i, ds in enumerate(g["ds"]):
            lo: dict[int, float] = {}
            hi: dict[int, float] = {}
            for level in levels:
                ql, qh = q.get(level, (-math.inf, math.inf))
                if not math.isfinite(ql) or not math.isfinite(qh):
                    ql, qh = _normal_bounds(level, 1.0, i + 1)
                lo[level] = float(max(0.0, min(mean[i], mean[i] + ql * scale)))
                hi[level] = float(max(mean[i], mean[i] + qh * scale))
            points.append(Point(period=pd.Timestamp(ds).date(), mean=float(mean[i]), lo=lo, hi=hi))
        stats = per_series.get(u, {})
        results[u] = SeriesForecast(
            unique_id=u,
            model=name,
            fallback=None,
            history_periods=int(lengths[u]),
            intermittent=u in intermittent,
            mase=stats.get("mase"),
            smape=stats.get("smape"),
            coverage=stats.get("coverage"),
            points=points,
            candidates=(
                {
                    c: [float(v) for v in g[c].to_numpy()]
                    for c in (
                        *MEMBERS,
                        SES,
                        *CROSTON_FAMILY,
                        *BASELINES,
                        ENSEMBLE,
                        ENSEMBLE_SES,
                        ENSEMBLE_LGBM,
                        ENSEMBLE_LGBM_MEAN,
                        LGBM,
                    )
                    if c in g
                }
                if with_candidates
                else {}
            ),
        )
    backtest["season_length"] = season
    report(1.0, "done")
    return ForecastOutcome(strategy=strategy, backtest=backtest, series=results)


def backtest_plan(horizon: int, windows: int, short: bool) -> tuple[int, int]:
    """The backtest's windows and the periods between their origins. Histories under two
    seasons: origins `horizon / SHORT_STEP_SHARE` periods apart (at least 1) over the last three
    horizons (the default windows' span; over the last two, five windows agreed too easily on
    a LightGBM mean that a real panel's hold-out found worse), so the windows overlap: more of
    them, a less noisy choice. Otherwise `windows` windows of `horizon`, one after the other."""
    if not short or windows <= 0:
        return windows, horizon
    step = max(1, horizon // SHORT_STEP_SHARE)
    return max(windows, 2 * horizon // step + 1), step


def _normal_bounds(level: int, sigma: float, step: int) -> tuple[float, float]:
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 200)
    w = z * sigma * math.sqrt(step)
    return -w, w


def _fallback(
    uid: str,
    y: np.ndarray | None,
    n: int,
    future: pd.DatetimeIndex,
    levels: Sequence[int],
    horizon: int,
) -> SeriesForecast:
    if y is None or n == 0:
        points = [
            Point(
                period=pd.Timestamp(ds).date(),
                mean=0.0,
                lo={level: 0.0 for level in levels},
                hi={level: 0.0 for level in levels},
            )
            for ds in future
        ]
        return SeriesForecast(uid, "zero", NO_HISTORY, 0, False, None, None, None, points)
    tail = y[-WINDOW:]
    mean = max(0.0, float(np.mean(tail)))
    # Wide: the spread of what exists, at least the mean level itself (Poisson-like when the
    # series is too short to show its spread), growing with the step.
    sigma = max(float(np.std(y, ddof=1)) if n > 1 else 0.0, math.sqrt(mean), mean)
    points = []
    for i, ds in enumerate(future):
        lo: dict[int, float] = {}
        hi: dict[int, float] = {}
        for level in levels:
            ql, qh = _normal_bounds(level, sigma, i + 1)
            lo[level] = float(max(0.0, mean + ql))
            hi[level] = float(mean + qh)
        points.append(Point(period=pd.Timestamp(ds).date(), mean=mean, lo=lo, hi=hi))
    return SeriesForecast(
        uid, "window_average", SHORT_HISTORY, n, adi(y) > INTERMITTENT_ADI, None, None, None, points
    )


def child_main(queue: Any, series: pd.DataFrame, kwargs: dict[str, Any]) -> None:
    """A child process's work (`server.companies.forecasts` starts it): forecast, sending
    ("progress", share, stage) messages, then ("done", outcome) or ("error", text)."""

    if hasattr(os, "setpgrp"):
        # its own process group: statsforecast's pool workers (n_jobs > 1) are in it too, and
        # the parent stops them all at once (a cancel, a failure)
        os.setpgrp()

    def progress(share: float, stage: str) -> None:
        queue.put(("progress", share, stage))

    try:
        queue.put(("done", forecast(series, progress=progress, **kwargs)))
    except BaseException as exc:  # the parent turns it into a failed attempt
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
