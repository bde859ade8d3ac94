"""Demand forecasting's models: statsforecast's (AutoETS, AutoTheta, the Croston family,
WindowAverage, baselines), its rolling-origin backtest, the global LightGBM (mlforecast) and the
median combinations (`server.companies.forecasting`)."""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from server.companies.forecasting_series import DAY, MONTH, PANDAS_FREQ, SEASON_LENGTH, WEEK

log = logging.getLogger(__name__)

LGBM_MIN_ROWS = 500  # pooled periods the global LightGBM needs
WINDOW = 8  # WindowAverage's window, and the short-history fallback's

ENSEMBLE = "ensemble"
ENSEMBLE_LGBM = "ensemble_lgbm"
# The ensemble shrunk halfway toward the global LightGBM: the mean of the two (for intermittent
# series, of the Croston-family median and LightGBM).
ENSEMBLE_LGBM_MEAN = "ensemble_lgbm_mean"
MEMBERS = ("auto_ets", "auto_theta", "croston_optimized", "window_average")
# For histories of under two seasons, AutoTheta cannot deseasonalise, and its drift reads part
# of the one season seen as a trend: this ensemble has simple exponential smoothing in its place.
SES = "ses"
ENSEMBLE_SES = "ensemble_ses"
SES_MEMBERS = ("auto_ets", SES, "croston_optimized", "window_average")
CROSTON_FAMILY = ("croston_optimized", "adida", "imapa")
BASELINES = ("naive", "seasonal_naive")
LGBM = "lightgbm"


def stat_models(frequency: str, which: str = "all") -> list[Any]:
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
        SimpleExponentialSmoothingOptimized,
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
        SimpleExponentialSmoothingOptimized(alias=SES),
        ADIDA(alias="adida"),
        IMAPA(alias="imapa"),
        Naive(alias="naive"),
        SeasonalNaive(season_length=m, alias="seasonal_naive"),
    ]
    return {"costly": costly, "cheap": cheap}.get(which, costly + cheap)


def statsforecast_of(frequency: str, n_jobs: int, which: str = "all") -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(
        models=stat_models(frequency, which),
        freq=PANDAS_FREQ[frequency],
        n_jobs=n_jobs,
        fallback_model=Naive(),
    )


def cross_validation(
    df: pd.DataFrame, frequency: str, horizon: int, windows: int, n_jobs: int, step: int = 0
) -> pd.DataFrame:
    """Rolling-origin backtest of every statsforecast model, origins `step` periods apart (0:
    `horizon`, windows that do not overlap). AutoETS and AutoTheta (nearly all
    the cost) are fitted once, on the first window's training part, and their parameters are
    reapplied to the later windows (`refit=False`: statsforecast's `forward`); the cheap models
    are refitted per window (they have no `forward`)."""
    frames = []
    for which, refit in (("costly", False), ("cheap", True)):
        # the cheap models cost less than a process pool's start
        sf = statsforecast_of(frequency, n_jobs if which == "costly" else 1, which)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            part = pd.DataFrame(
                sf.cross_validation(
                    df=df, h=horizon, n_windows=windows, step_size=step or horizon, refit=refit
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


def _lgbm_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df[["unique_id", "ds", "y"]].copy()


def run_lgbm(
    df: pd.DataFrame, frequency: str, horizon: int, windows: int | None, step: int = 0
) -> pd.DataFrame | None:
    """LightGBM forecasts (unique_id, ds, [cutoff], lightgbm), or None when it cannot run;
    `windows` backtest windows with origins `step` periods apart (0: `horizon`), or None for
    the future."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = _lgbm_forecaster(frequency, int(df.groupby("unique_id").size().max()))
            frame = _lgbm_frame(df)
            if windows is None:
                fc.fit(frame)
                out = fc.predict(horizon)
            else:
                out = fc.cross_validation(
                    frame, n_windows=windows, h=horizon, step_size=step or horizon
                )
        out = pd.DataFrame(out)
        out[LGBM] = out[LGBM].clip(lower=0.0)
        return out
    except Exception:  # a global model is an extra: without it, the ensemble stands
        log.warning("LightGBM could not run; the ensemble goes without it", exc_info=True)
        return None


# -- combining ------------------------------------------------------------------------------


def add_combinations(frame: pd.DataFrame, intermittent: set[str], with_lgbm: bool) -> None:
    """Adds ENSEMBLE (median of the members; Croston family for intermittent series),
    ENSEMBLE_SES (the same with SES in AutoTheta's place) and, when the LightGBM column exists,
    ENSEMBLE_LGBM and ENSEMBLE_LGBM_MEAN, in place."""
    for c in (*MEMBERS, SES, *CROSTON_FAMILY, *BASELINES):
        if c in frame:
            frame[c] = frame[c].clip(lower=0.0)
    smooth = frame[list(MEMBERS)].median(axis=1)
    croston = frame[list(CROSTON_FAMILY)].median(axis=1)
    is_int = frame["unique_id"].isin(intermittent)
    frame[ENSEMBLE] = np.where(is_int, croston, smooth)
    if SES in frame:
        frame[ENSEMBLE_SES] = np.where(is_int, croston, frame[list(SES_MEMBERS)].median(axis=1))
    if with_lgbm and LGBM in frame:
        lg = frame[[*MEMBERS, LGBM]].median(axis=1)
        frame[ENSEMBLE_LGBM] = np.where(is_int, croston, lg)
        frame[ENSEMBLE_LGBM_MEAN] = (frame[ENSEMBLE] + frame[LGBM].clip(lower=0.0)) / 2


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
