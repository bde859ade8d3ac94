"""Demand forecasting (pure CPU, no database): Nixtla's statsforecast, and mlforecast with
LightGBM as a global model, behind one call, `forecast(series, frequency, horizon, levels)`.

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
- Intermittent series (average demand interval ADI > 1.32) replace the ensemble by the median of
  the Croston family (CrostonOptimized, ADIDA, IMAPA).
- Season length: 7 (DAY), 52 (WEEK), 12 (MONTH). AutoETS cannot hold a 52-week season (ETS
  states are capped at 24), so for WEEK it is fitted non-seasonal (season 1), which is what it
  would fall back to anyway, at a fraction of the cost; AutoTheta tests seasonality itself and
  deseasonalises only series with two full seasons.
- Prediction intervals are conformal: the backtest's errors of the chosen forecast, scaled by
  each series' MASE scale and pooled over series and steps, give the quantiles of each level.
  Their coverage is honest: quantiles from the earlier windows, coverage measured on the last.
- Fallbacks, never a crash: no history -> zeros (`NO_HISTORY`, intervals [0, 0]); fewer than
  2 x horizon periods -> the mean of the last (up to 8) periods, with wide intervals from the
  series' own spread (`SHORT_HISTORY`); a model that fails on a series -> statsforecast's
  fallback (Naive). Forecasts and bounds are never negative.

MASE's scale is the in-sample mean absolute one-step difference (seasonal, 12, for MONTH when a
year and more exists); a flat series uses its mean level (or 1).
"""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

DAY, WEEK, MONTH = "DAY", "WEEK", "MONTH"
PANDAS_FREQ = {DAY: "D", WEEK: "W-MON", MONTH: "MS"}
SEASON_LENGTH = {DAY: 7, WEEK: 52, MONTH: 12}

BACKTEST_WINDOWS = 3
MEMBER_MARGIN = 0.03  # a single member must beat the ensemble by 3% to replace it
PER_PRODUCT_GAIN = 0.02  # per-product choice must beat the pooled strategy by 2% on held windows
LONG_HISTORY_SEASONS = 3  # "years of history": 3 seasons
INTERMITTENT_ADI = 1.32
LGBM_MIN_ROWS = 500  # pooled periods the global LightGBM needs
WINDOW = 8  # WindowAverage's window, and the short-history fallback's

NO_HISTORY = "NO_HISTORY"
SHORT_HISTORY = "SHORT_HISTORY"

ENSEMBLE = "ensemble"
ENSEMBLE_LGBM = "ensemble_lgbm"
MEMBERS = ("auto_ets", "auto_theta", "croston_optimized", "window_average")
CROSTON_FAMILY = ("croston_optimized", "adida", "imapa")
BASELINES = ("naive", "seasonal_naive")
LGBM = "lightgbm"

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


# -- preparing the series --------------------------------------------------------------------


def period_start(dates: pd.Series, frequency: str) -> pd.Series:
    """Each date's period start: the day, the Monday of its week, the 1st of its month."""
    d = pd.to_datetime(dates).dt.normalize()
    if frequency == DAY:
        return d
    if frequency == WEEK:
        return d - pd.to_timedelta(d.dt.weekday, unit="D")
    if frequency == MONTH:
        return d.dt.to_period("M").dt.start_time
    raise ValueError(f"unknown frequency {frequency!r}")


def prepare(
    df: pd.DataFrame, frequency: str, end: pd.Timestamp | date | None = None
) -> pd.DataFrame:
    """Long (unique_id, ds, y) rows -> one row per series and period from the series' first
    period to `end` (default: the last period of any series), summed, gaps filled with 0."""
    if df.empty:
        return pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []})
    d = pd.DataFrame(
        {
            "unique_id": df["unique_id"].astype(str),
            "ds": period_start(df["ds"], frequency),
            "y": pd.to_numeric(df["y"], errors="coerce").fillna(0.0).astype(float),
        }
    )
    d = d.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    last = (
        d["ds"].max()
        if end is None
        else period_start(pd.Series([pd.Timestamp(end)]), frequency).iloc[0]
    )
    d = d[d["ds"] <= last]
    d["y"] = d["y"].clip(lower=0.0)  # returns reduce a period's demand, never below 0
    if d.empty:
        return pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []})
    # Vectorised (a pandas date_range and reindex per series cost a fifth of a 1,000-series
    # run): periods as integers, each series' full range laid out with numpy.
    codes, names = pd.factorize(d["unique_id"], sort=True)
    ords = _ordinals(d["ds"], frequency)
    last_ord = int(_ordinals(pd.Series([last]), frequency)[0])
    starts = np.full(len(names), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(starts, codes, ords)
    counts = last_ord - starts + 1
    first_row = np.cumsum(counts) - counts
    total = int(counts.sum())
    y = np.zeros(total, dtype=float)
    y[first_row[codes] + (ords - starts[codes])] = d["y"].to_numpy(dtype=float)
    full = np.repeat(starts, counts) + (np.arange(total) - np.repeat(first_row, counts))
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(names, dtype=object), counts),
            "ds": _from_ordinals(full, frequency),
            "y": y,
        }
    )


def _ordinals(ds: pd.Series, frequency: str) -> np.ndarray:
    """Period starts -> consecutive integers (days; weeks from a Monday; months)."""
    days = pd.to_datetime(ds).to_numpy(dtype="datetime64[D]").astype(np.int64)
    if frequency == WEEK:
        return (days + 3) // 7  # 1970-01-01 was a Thursday: day -3 is a Monday
    if frequency == MONTH:
        return pd.to_datetime(ds).to_numpy(dtype="datetime64[M]").astype(np.int64)
    return days


def _from_ordinals(ords: np.ndarray, frequency: str) -> pd.DatetimeIndex:
    if frequency == WEEK:
        days = ords * 7 - 3
    elif frequency == MONTH:
        return pd.DatetimeIndex(ords.astype("datetime64[M]").astype("datetime64[ns]"))
    else:
        days = ords
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"))


def adi(y: np.ndarray) -> float:
    """Average demand interval: periods per non-zero demand (inf without demand)."""
    nz = int(np.count_nonzero(y > 0))
    return math.inf if nz == 0 else len(y) / nz


def mase_scale(y: np.ndarray, frequency: str) -> float:
    m = 12 if frequency == MONTH and len(y) > 13 else 1
    if len(y) > m:
        s = float(np.mean(np.abs(y[m:] - y[:-m])))
        if s > 0:
            return s
    level = float(np.mean(np.abs(y))) if len(y) else 0.0
    return level if level > 0 else 1.0


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0..200); a step where both are 0 counts 0."""
    den = np.abs(actual) + np.abs(pred)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, 2.0 * np.abs(actual - pred) / den, 0.0)
    return float(np.mean(r) * 100.0)


# -- models ---------------------------------------------------------------------------------


def _stat_models(frequency: str, which: str = "all") -> list[Any]:
    """statsforecast's models: "costly" (AutoETS, AutoTheta: fitted by optimisation, with a
    `forward` that reapplies fitted parameters to longer data), "cheap" (the rest), or "all"."""
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        Naive,
        SeasonalNaive,
        WindowAverage,
    )

    m = SEASON_LENGTH[frequency]
    ets_m = 1 if m > 24 else m
    costly = [
        AutoETS(season_length=ets_m, alias="auto_ets"),
        AutoTheta(season_length=m, alias="auto_theta"),
    ]
    cheap = [
        CrostonOptimized(alias="croston_optimized"),
        WindowAverage(window_size=WINDOW, alias="window_average"),
        ADIDA(alias="adida"),
        IMAPA(alias="imapa"),
        Naive(alias="naive"),
        SeasonalNaive(season_length=m, alias="seasonal_naive"),
    ]
    return {"costly": costly, "cheap": cheap}.get(which, costly + cheap)


def _statsforecast(frequency: str, n_jobs: int, which: str = "all") -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(
        models=_stat_models(frequency, which),
        freq=PANDAS_FREQ[frequency],
        n_jobs=n_jobs,
        fallback_model=Naive(),
    )


def _cross_validation(
    df: pd.DataFrame, frequency: str, horizon: int, windows: int, n_jobs: int
) -> pd.DataFrame:
    """Rolling-origin backtest of every statsforecast model. AutoETS and AutoTheta (nearly all
    the cost) are fitted once, on the first window's training part, and their parameters are
    reapplied to the later windows (`refit=False`: statsforecast's `forward`); the cheap models
    are refitted per window (they have no `forward`)."""
    frames = []
    for which, refit in (("costly", False), ("cheap", True)):
        # the cheap models cost less than a process pool's start
        sf = _statsforecast(frequency, n_jobs if which == "costly" else 1, which)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            part = pd.DataFrame(
                sf.cross_validation(
                    df=df, h=horizon, n_windows=windows, step_size=horizon, refit=refit
                )
            )
        if "unique_id" not in part.columns:
            part = part.reset_index()
        frames.append(part)
    costly, cheap = frames
    return costly.merge(cheap.drop(columns=["y"]), on=["unique_id", "ds", "cutoff"], how="inner")


def _lgbm_forecaster(frequency: str, max_len: int) -> Any:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import LocalStandardScaler

    m = SEASON_LENGTH[frequency]
    lags = [1, 2, 3, 4, 8]
    if max_len > m + 8:
        lags.append(m)
    date_features: list[str] = {
        DAY: ["dayofweek", "month"],
        WEEK: ["month", "week"],
        MONTH: ["month"],
    }[frequency]  # type: ignore[assignment]
    model = lgb.LGBMRegressor(
        n_estimators=150,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        verbosity=-1,
        n_jobs=1,
    )
    return MLForecast(
        models={LGBM: model},
        freq=PANDAS_FREQ[frequency],
        lags=lags,
        lag_transforms={1: [RollingMean(window_size=4), RollingMean(window_size=13)]},
        date_features=date_features,
        target_transforms=[LocalStandardScaler()],
    )


def _week_of(ds: pd.Series) -> pd.Series:
    return ds.dt.isocalendar().week.astype(int)


def _lgbm_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df[["unique_id", "ds", "y"]].copy()


def _run_lgbm(
    df: pd.DataFrame, frequency: str, horizon: int, windows: int | None
) -> pd.DataFrame | None:
    """LightGBM forecasts (unique_id, ds, [cutoff], lightgbm), or None when it cannot run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = _lgbm_forecaster(frequency, int(df.groupby("unique_id").size().max()))
            frame = _lgbm_frame(df)
            if windows is None:
                fc.fit(frame)
                out = fc.predict(horizon)
            else:
                out = fc.cross_validation(frame, n_windows=windows, h=horizon, step_size=horizon)
        out = pd.DataFrame(out)
        out[LGBM] = out[LGBM].clip(lower=0.0)
        return out
    except Exception:  # a global model is an extra: without it, the ensemble stands
        log.warning("LightGBM could not run; the ensemble goes without it", exc_info=True)
        return None


# -- combining ------------------------------------------------------------------------------


def _add_combinations(frame: pd.DataFrame, intermittent: set[str], with_lgbm: bool) -> None:
    """Adds ENSEMBLE (median of the members; Croston family for intermittent series) and, when
    the LightGBM column exists, ENSEMBLE_LGBM, in place."""
    for c in (*MEMBERS, *CROSTON_FAMILY, *BASELINES):
        if c in frame:
            frame[c] = frame[c].clip(lower=0.0)
    smooth = frame[list(MEMBERS)].median(axis=1)
    croston = frame[list(CROSTON_FAMILY)].median(axis=1)
    is_int = frame["unique_id"].isin(intermittent)
    frame[ENSEMBLE] = np.where(is_int, croston, smooth)
    if with_lgbm and LGBM in frame:
        lg = frame[[*MEMBERS, LGBM]].median(axis=1)
        frame[ENSEMBLE_LGBM] = np.where(is_int, croston, lg)


def _per_series_errors(
    cv: pd.DataFrame, column: str, scales: dict[str, float]
) -> tuple[pd.Series, pd.Series]:
    """Per-series MASE and sMAPE of one CV column."""
    err = (cv["y"] - cv[column]).abs()
    scale = cv["unique_id"].map(scales)
    mase = (err / scale).groupby(cv["unique_id"]).mean()
    den = cv["y"].abs() + cv[column].abs()
    sm = (
        pd.Series(np.where(den > 0, 2 * err / den.where(den > 0, 1), 0.0), index=cv.index)
        .groupby(cv["unique_id"])
        .mean()
        * 100
    )
    return mase, sm


def _quantiles(scaled_errors: np.ndarray, levels: Sequence[int]) -> dict[int, tuple[float, float]]:
    """Conformal bounds (in scale units) per level from signed scaled errors y - yhat."""
    out: dict[int, tuple[float, float]] = {}
    e = scaled_errors[np.isfinite(scaled_errors)]
    for level in levels:
        if len(e) == 0:
            out[level] = (-math.inf, math.inf)
            continue
        a = (100 - level) / 200
        n = len(e)
        # finite-sample conformal correction: the ceil((n+1)(1-a))/n quantile
        lo_q = max(0.0, math.floor((n + 1) * a) / n - 1e-9)
        hi_q = min(1.0, math.ceil((n + 1) * (1 - a)) / n)
        out[level] = (
            float(np.quantile(e, lo_q, method="lower")),
            float(np.quantile(e, hi_q, method="higher")),
        )
    return out


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

    # Backtest: series long enough for `windows` windows and a training part of two horizons.
    need = windows * horizon + max(2 * horizon, WINDOW)
    bt_ids = [u for u in modelled if lengths[u] >= need]
    cv: pd.DataFrame | None = None
    if len(bt_ids) > 0 and windows > 0:
        report(0.05, "backtest")
        bt = train[train["unique_id"].isin(bt_ids)]
        cv = _cross_validation(bt, frequency, horizon, windows, n_jobs)
        report(0.4, "backtest")
        if use_lgbm:
            lg = _run_lgbm(bt, frequency, horizon, windows)
            if lg is not None:
                cv = cv.merge(lg[["unique_id", "ds", "cutoff", LGBM]], how="left")
                cv[LGBM] = cv[LGBM].fillna(cv["window_average"])
            else:
                use_lgbm = False
        _add_combinations(cv, intermittent, bool(use_lgbm))
        long_ids = {u for u in bt_ids if lengths[u] >= LONG_HISTORY_SEASONS * season}
        strategy, backtest = _choose(
            cv, scales, bool(use_lgbm), levels, long_ids=long_ids, intermittent=intermittent
        )
    report(0.6, "fit")

    # Final fit on every modelled series.
    sf = _statsforecast(frequency, n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = pd.DataFrame(sf.forecast(df=train, h=horizon))
    if "unique_id" not in fc.columns:
        fc = fc.reset_index()
    report(0.8, "fit")
    if use_lgbm:
        lg = _run_lgbm(train, frequency, horizon, None)
        if lg is not None:
            fc = fc.merge(lg[["unique_id", "ds", LGBM]], how="left")
            fc[LGBM] = fc[LGBM].fillna(fc["window_average"])
        elif strategy == ENSEMBLE_LGBM:
            strategy = ENSEMBLE
    _add_combinations(fc, intermittent, bool(use_lgbm) and LGBM in fc)

    per_product: dict[str, str] = backtest.get("per_product_models", {})
    quant_all: dict[str, dict[int, tuple[float, float]]] = backtest.pop("_quantiles", {})
    per_series: dict[str, dict[str, Any]] = backtest.pop("_per_series", {})
    for u, g in fc.groupby("unique_id", sort=False):
        u = str(u)
        # Intermittent series keep the Croston family whatever the pooled strategy.
        model = per_product.get(u, ENSEMBLE if u in intermittent else strategy)
        if model not in g:
            model = ENSEMBLE
        name = "croston_ensemble" if model == ENSEMBLE and u in intermittent else model
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
                    for c in (*MEMBERS, *CROSTON_FAMILY, *BASELINES, ENSEMBLE, ENSEMBLE_LGBM, LGBM)
                    if c in g
                }
                if with_candidates
                else {}
            ),
        )
    backtest["season_length"] = season
    report(1.0, "done")
    return ForecastOutcome(strategy=strategy, backtest=backtest, series=results)


def lgbm_worth_it(
    lengths: dict[str, int], modelled: Sequence[str], horizon: int, frequency: str
) -> bool:
    """A global model learns from all the series pooled, which is what helps short histories
    too (a year of weekly sales: lags 1-8 and rolling means of 4 and 13 periods fit in it); it
    needs enough pooled rows to learn from (`LGBM_MIN_ROWS`). The backtest then keeps it only
    where it helps."""
    if not modelled:
        return False
    return sum(lengths[u] for u in modelled) >= LGBM_MIN_ROWS


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


def _choose(
    cv: pd.DataFrame,
    scales: dict[str, float],
    with_lgbm: bool,
    levels: Sequence[int],
    *,
    long_ids: set[str],
    intermittent: set[str],
) -> tuple[str, dict[str, Any]]:
    """The pooled strategy, the per-product choice where it helps, the conformal quantiles and
    each series' backtest figures, from the cross-validation frame."""
    candidates = [ENSEMBLE, *([ENSEMBLE_LGBM] if with_lgbm else []), *MEMBERS]
    # A strategy applies to smooth series; intermittent ones keep the Croston-family median.
    is_int = cv["unique_id"].isin(intermittent)
    cv = cv.copy()
    for c in candidates[1:]:
        cv[f"raw_{c}"] = cv[c]
        cv.loc[is_int, c] = cv.loc[is_int, ENSEMBLE]
    figures: dict[str, dict[str, float]] = {}
    per_mase: dict[str, pd.Series] = {}
    per_smape: dict[str, pd.Series] = {}
    for c in [*candidates, *CROSTON_FAMILY, *BASELINES, *([LGBM] if with_lgbm else [])]:
        m, s = _per_series_errors(cv, c, scales)
        per_mase[c], per_smape[c] = m, s
        mase_mean, smape_mean = _finite(m.mean()), _finite(s.mean())
        if mase_mean is not None and smape_mean is not None:  # a seasonal naive without a
            figures[c] = {"mase": mase_mean, "smape": smape_mean}  # season of history: NaN
    best_ens = ENSEMBLE

    def score(c: str) -> float:
        return figures[c]["mase"] if c in figures else math.inf

    if with_lgbm and score(ENSEMBLE_LGBM) < score(ENSEMBLE):
        best_ens = ENSEMBLE_LGBM
    strategy = best_ens

    # A member replaces the ensemble only when it is better by the margin pooled AND in every
    # window: with few series, a pooled win is often one lucky window.
    def by_window(c: str) -> pd.Series:
        err = (cv["y"] - cv[c]).abs() / cv["unique_id"].map(scales)
        return err.groupby(cv["cutoff"]).mean()

    for c in MEMBERS:
        if score(c) < score(strategy) * (1 - MEMBER_MARGIN) and bool(
            (by_window(c) < by_window(strategy)).all()
        ):
            strategy = c

    cutoffs = sorted(cv["cutoff"].unique())
    chosen = pd.Series(strategy, index=per_mase[strategy].index)
    chosen[chosen.index.isin(intermittent)] = ENSEMBLE
    choices = [*candidates, *CROSTON_FAMILY]
    per_product_used = False
    # Per-product choice, for products with years of history: choose on the earlier windows,
    # check on the last one against the pooled strategy.
    if len(cutoffs) >= 2 and long_ids:

        def errors(frame: pd.DataFrame) -> pd.DataFrame:
            m = pd.DataFrame({c: _per_series_errors(frame, c, scales)[0] for c in choices})
            # smooth series choose among the strategies, intermittent ones the Croston family
            smooth_only = [c for c in candidates if c != ENSEMBLE]
            m.loc[m.index.isin(intermittent), smooth_only] = math.inf
            m.loc[~m.index.isin(intermittent), list(CROSTON_FAMILY)] = math.inf
            return m

        in_long = cv["unique_id"].isin(long_ids)
        early_m = errors(cv[cv["cutoff"].isin(cutoffs[:-1]) & in_long])
        late_m = errors(cv[(cv["cutoff"] == cutoffs[-1]) & in_long])
        pick = early_m.idxmin(axis=1)
        picked = float(np.mean([late_m.loc[u, pick[u]] for u in pick.index]))
        pooled = float(np.mean([late_m.loc[u, chosen[u]] for u in pick.index]))
        figures["per_product_check"] = {"mase": picked, "pooled_mase": pooled}
        if picked < pooled * (1 - PER_PRODUCT_GAIN):
            all_m = errors(cv[in_long])
            chosen.loc[all_m.index] = all_m.idxmin(axis=1)
            per_product_used = True

    # The chosen forecast per row, its scaled signed errors, conformal quantiles per kind.
    col = cv["unique_id"].map(chosen).fillna(strategy)
    pred = np.choose(
        col.map({c: i for i, c in enumerate(choices)}).to_numpy(dtype=int),
        [cv[c].to_numpy(dtype=float) for c in choices],
    )
    scale = cv["unique_id"].map(scales).to_numpy(dtype=float)
    err = (cv["y"].to_numpy(dtype=float) - pred) / scale
    inter = cv["unique_id"].isin(intermittent).to_numpy()
    last = (cv["cutoff"] == cutoffs[-1]).to_numpy()
    early_mask = ~last if len(cutoffs) > 1 else np.ones(len(cv), dtype=bool)

    def quantiles(mask: np.ndarray) -> dict[str, dict[int, tuple[float, float]]]:
        out = {"all": _quantiles(err[mask], levels)}
        for kind, sel in (("intermittent", inter), ("smooth", ~inter)):
            if np.count_nonzero(mask & sel) >= 30:
                out[kind] = _quantiles(err[mask & sel], levels)
        return out

    held = quantiles(early_mask)
    final = quantiles(np.ones(len(cv), dtype=bool))
    inside: dict[int, np.ndarray] = {}
    for level in levels:
        ql = np.array(
            [(held.get("intermittent" if i else "smooth") or held["all"])[level][0] for i in inter]
        )
        qh = np.array(
            [(held.get("intermittent" if i else "smooth") or held["all"])[level][1] for i in inter]
        )
        lo = np.maximum(0.0, np.minimum(pred, pred + ql * scale))
        hi = np.maximum(pred, pred + qh * scale)
        y = cv["y"].to_numpy(dtype=float)
        inside[level] = (y >= lo - 1e-9) & (y <= hi + 1e-9)
    per_series: dict[str, dict[str, Any]] = {}
    held_rows = cv[last]
    for u in per_mase[strategy].index:
        c = str(chosen[u])
        if c not in per_mase:
            per_mase[c], per_smape[c] = _per_series_errors(cv, c, scales)
        sel = (held_rows["unique_id"] == u).to_numpy()
        per_series[str(u)] = {
            "mase": _finite(per_mase[c][u]),
            "smape": _finite(per_smape[c][u]),
            "coverage": {
                level: float(np.mean(inside[level][last][sel])) if sel.any() else None
                for level in levels
            },
        }
    coverage = {str(level): float(np.mean(inside[level][last])) for level in levels}
    backtest: dict[str, Any] = {
        "windows": len(cutoffs),
        "series": int(cv["unique_id"].nunique()),
        "candidates": figures,
        "chosen": strategy,
        "per_product": per_product_used,
        "coverage": coverage,  # held-out (last window) coverage of the conformal intervals
        "_quantiles": final,
        "_per_series": per_series,
    }
    if per_product_used:
        backtest["per_product_models"] = {
            str(u): str(c)
            for u, c in chosen.items()
            if c != (ENSEMBLE if u in intermittent else strategy)
        }
    return strategy, backtest


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


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
