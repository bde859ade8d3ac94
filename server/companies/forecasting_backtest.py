"""Demand forecasting's choice from the backtest: the pooled strategy (the ensemble, with
LightGBM, or a member), per-product choice for long histories, the conformal interval quantiles
and each series' backtest figures (`server.companies.forecasting`)."""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from server.companies.forecasting_models import (
    BASELINES,
    CROSTON_FAMILY,
    ENSEMBLE,
    ENSEMBLE_LGBM,
    ENSEMBLE_LGBM_MEAN,
    ENSEMBLE_SES,
    LGBM,
    MEMBERS,
)

MEMBER_MARGIN = 0.03  # a single member must beat the ensemble by 3% to replace it
SHORT_MARGIN = 0.02  # short histories: another combination must beat ENSEMBLE_SES by 2%
PER_PRODUCT_GAIN = 0.02  # per-product choice must beat the pooled strategy by 2% on held windows
# The intermittent series' forecast in the pooled scores (`choose`): ENSEMBLE or ENSEMBLE_LGBM_MEAN
INTERMITTENT_CHOICE = "intermittent_choice"


def choose(
    cv: pd.DataFrame,
    scales: dict[str, float],
    with_lgbm: bool,
    levels: Sequence[int],
    *,
    long_ids: set[str],
    intermittent: set[str],
    short: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The pooled strategy, the per-product choice where it helps, the conformal quantiles and
    each series' backtest figures, from the cross-validation frame. `short` (most histories
    under two seasons) offers ENSEMBLE_SES too, as the default (`SHORT_MARGIN`)."""
    with_mean = with_lgbm and ENSEMBLE_LGBM_MEAN in cv
    candidates = [
        ENSEMBLE,
        *([ENSEMBLE_SES] if short and ENSEMBLE_SES in cv else []),
        *([ENSEMBLE_LGBM] if with_lgbm else []),
        *([ENSEMBLE_LGBM_MEAN] if with_mean else []),
        *MEMBERS,
    ]
    # A strategy applies to smooth series; intermittent ones keep the Croston-family median, or
    # its mean with LightGBM when that is better pooled over the intermittent series. The pooled
    # scores read `as_strategy`, where each candidate's intermittent rows are that choice; `cv`'s
    # own columns stay each model's forecasts (croston_optimized is a member AND in the Croston
    # family: per product it is judged on its own forecasts, not on the intermittent choice's).
    is_int = cv["unique_id"].isin(intermittent)
    int_model = intermittent_model(cv[is_int], scales) if with_mean else ENSEMBLE
    as_strategy = cv.copy()
    as_strategy[INTERMITTENT_CHOICE] = cv[int_model]
    for c in candidates:
        if c != int_model:
            as_strategy.loc[is_int, c] = as_strategy.loc[is_int, INTERMITTENT_CHOICE]
    figures: dict[str, dict[str, float]] = {}
    per_mase: dict[str, pd.Series] = {}
    for c in [*candidates, *CROSTON_FAMILY, *BASELINES, *([LGBM] if with_lgbm else [])]:
        m, s = per_series_errors(as_strategy, c, scales)
        per_mase[c] = m
        mase_mean, smape_mean = finite(m.mean()), finite(s.mean())
        if mase_mean is not None and smape_mean is not None:  # a seasonal naive without a
            figures[c] = {"mase": mase_mean, "smape": smape_mean}  # season of history: NaN

    def score(c: str) -> float:
        return figures[c]["mase"] if c in figures else math.inf

    def by_window(c: str) -> pd.Series:
        err = (as_strategy["y"] - as_strategy[c]).abs() / cv["unique_id"].map(scales)
        return err.groupby(cv["cutoff"]).mean()

    if short and ENSEMBLE_SES in figures:
        # Short histories: the SES ensemble is the default (on one-year sets it beat AutoETS
        # by 2-10%, except a pure trend: +2%); another combination replaces it only when
        # better by SHORT_MARGIN pooled AND in every window (the windows overlap: "most of
        # them" let through a LightGBM mean that a real panel's hold-out found 8% worse).
        # Of those that pass, the best pooled.
        passing = [
            c
            for c in (ENSEMBLE, ENSEMBLE_LGBM, ENSEMBLE_LGBM_MEAN)
            if c in candidates
            and score(c) < score(ENSEMBLE_SES) * (1 - SHORT_MARGIN)
            and bool((by_window(c) < by_window(ENSEMBLE_SES)).all())
        ]
        best_ens = min(passing, key=score) if passing else ENSEMBLE_SES
    else:
        best_ens = ENSEMBLE
        for c in (ENSEMBLE_SES, ENSEMBLE_LGBM, ENSEMBLE_LGBM_MEAN):
            if c in candidates and score(c) < score(best_ens):
                best_ens = c
    strategy = best_ens

    # A member replaces the ensemble only when it is better by the margin pooled AND in every
    # window: with few series, a pooled win is often one lucky window.
    for c in MEMBERS:
        if score(c) < score(strategy) * (1 - MEMBER_MARGIN) and bool(
            (by_window(c) < by_window(strategy)).all()
        ):
            strategy = c

    cutoffs = sorted(cv["cutoff"].unique())
    # The earlier windows that see none of the last window's periods: their targets end by its
    # origin. Short histories' windows overlap (origins a quarter horizon apart); a window whose
    # targets are partly the last window's would leak the hold-out into the choice and the
    # interval quantiles checked on it. Non-overlapping windows: every earlier one.
    window_end = cv.groupby("cutoff")["ds"].max()
    before_last = [c for c in cutoffs[:-1] if window_end[c] <= cutoffs[-1]]
    chosen = pd.Series(strategy, index=per_mase[strategy].index)
    chosen[chosen.index.isin(intermittent)] = int_model
    choices = [*candidates, *CROSTON_FAMILY]
    per_product_used = False
    # Per-product choice, for products with years of history: choose on the earlier windows
    # that precede the last one, check on the last one against the pooled strategy.
    if before_last and long_ids:

        def errors(frame: pd.DataFrame) -> pd.DataFrame:
            m = pd.DataFrame({c: per_series_errors(frame, c, scales)[0] for c in choices})
            # smooth series choose among the strategies but the Croston family, intermittent
            # ones among the Croston family (croston_optimized, a member too, included: its own
            # forecasts) and the intermittent choice
            smooth_only = [c for c in candidates if c != int_model and c not in CROSTON_FAMILY]
            m.loc[m.index.isin(intermittent), smooth_only] = math.inf
            m.loc[~m.index.isin(intermittent), list(CROSTON_FAMILY)] = math.inf
            return m

        in_long = cv["unique_id"].isin(long_ids)
        early_m = errors(cv[cv["cutoff"].isin(before_last) & in_long])
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
    # held-out quantiles: from the windows before the last one (none, as with one window: from
    # every window, and the coverage is in-sample)
    early_mask = (
        cv["cutoff"].isin(before_last).to_numpy() if before_last else np.ones(len(cv), dtype=bool)
    )

    def quantiles(mask: np.ndarray) -> dict[str, dict[int, tuple[float, float]]]:
        out = {"all": conformal_quantiles(err[mask], levels)}
        for kind, sel in (("intermittent", inter), ("smooth", ~inter)):
            if np.count_nonzero(mask & sel) >= 30:
                out[kind] = conformal_quantiles(err[mask & sel], levels)
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
    own: dict[str, tuple[pd.Series, pd.Series]] = {}  # each series' chosen model, own columns
    for u in per_mase[strategy].index:
        c = str(chosen[u])
        if c not in own:
            own[c] = per_series_errors(cv, c, scales)
        sel = (held_rows["unique_id"] == u).to_numpy()
        per_series[str(u)] = {
            "mase": finite(own[c][0][u]),
            "smape": finite(own[c][1][u]),
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
        "intermittent_model": int_model,
        "per_product": per_product_used,
        # the last window's coverage by intervals whose quantiles come from the earlier windows
        # that end by its origin (`before_last`); the stored intervals use every window
        "coverage": coverage,
        "_quantiles": final,
        "_per_series": per_series,
    }
    if per_product_used:
        backtest["per_product_models"] = {
            str(u): str(c)
            for u, c in chosen.items()
            if c != (int_model if u in intermittent else strategy)
        }
    return strategy, backtest


def intermittent_model(cv: pd.DataFrame, scales: dict[str, float]) -> str:
    """The intermittent series' forecast: the Croston-family median (ENSEMBLE), or its mean with
    LightGBM (ENSEMBLE_LGBM_MEAN) when that has the lower backtest MASE pooled over them."""
    if cv.empty:
        return ENSEMBLE
    own = finite(per_series_errors(cv, ENSEMBLE, scales)[0].mean())
    mixed = finite(per_series_errors(cv, ENSEMBLE_LGBM_MEAN, scales)[0].mean())
    if own is None or mixed is None or mixed >= own:
        return ENSEMBLE
    return ENSEMBLE_LGBM_MEAN


def finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def per_series_errors(
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


def conformal_quantiles(
    scaled_errors: np.ndarray, levels: Sequence[int]
) -> dict[int, tuple[float, float]]:
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
