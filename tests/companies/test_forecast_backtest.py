"""Demand forecasts' backtest after review: overlapping windows do not leak the last window into
its interval quantiles or the per-product choice, croston_optimized is judged on its own
forecasts, and a LightGBM that fails in the final fit of short histories leaves their default.
Frames with known values, so the rules are checked on values."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from server.companies import forecasting, forecasting_backtest
from server.companies.forecasting_models import ENSEMBLE_LGBM_MEAN, ENSEMBLE_SES, add_combinations
from tests.companies.test_forecast_choice import company, lgbm_stand_in

H = 4
MONDAY = date(2024, 1, 1)
MODELS = (
    "auto_ets",
    "auto_theta",
    "ses",
    "croston_optimized",
    "window_average",
    "adida",
    "imapa",
    "naive",
    "seasonal_naive",
)


def overlapping(
    y: dict[int, float], models: dict[str, dict[int, float]], uids: tuple[str, ...] = ("a",)
) -> pd.DataFrame:
    """Windows of H weeks at origins one week apart (0..4), as short histories' backtest: week
    w's demand is y[w] in every window that holds it; a model's forecast for week w is
    models[name][w] (10 when not given)."""
    rows = []
    for uid in uids:
        for cutoff in range(5):
            for w in range(cutoff + 1, cutoff + 1 + H):
                row = {
                    "unique_id": uid,
                    "ds": pd.Timestamp(MONDAY + timedelta(weeks=w)),
                    "cutoff": pd.Timestamp(MONDAY + timedelta(weeks=cutoff)),
                    "y": y.get(w, 10.0),
                }
                for m in MODELS:
                    row[m] = models.get(m, {}).get(w, 10.0)
                rows.append(row)
    return pd.DataFrame(rows)


def test_held_out_coverage_is_calibrated_only_on_windows_before_the_last_one() -> None:
    # given: every forecast 10; the demand 10 until week 4, then 15 (weeks 5-8: the last
    # window's, which the windows at origins 1-3 share in part)
    cv = overlapping({w: 15.0 for w in range(5, 9)}, {}, uids=("a", "b"))
    add_combinations(cv, set(), with_lgbm=False)
    # when
    _, backtest = forecasting_backtest.choose(
        cv, {"a": 1.0, "b": 1.0}, False, (80, 95), long_ids=set(), intermittent=set()
    )
    # then: the quantiles come from the window at origin 0 alone (errors 0), so the last
    # window's actuals (error 5) are all outside; calibrated on origins 0-3, whose errors are
    # 5 in 12 of 32 rows, they were all inside (coverage 1.0)
    assert backtest["coverage"] == {"80": 0.0, "95": 0.0}
    assert backtest["_per_series"]["a"]["coverage"] == {80: 0.0, 95: 0.0}
    # the stored intervals use every window: 5 is inside the 80% bounds
    assert backtest["_quantiles"]["all"][80][1] == pytest.approx(5.0)


def test_the_per_product_choice_is_made_on_windows_before_the_last_one() -> None:
    # given: AutoTheta off by 1 until week 4 and exact from week 5 (the last window's weeks),
    # the other models off by 0.5, then by 2
    early, late = range(1, 5), range(5, 9)
    theta = {**{w: 11.0 for w in early}, **{w: 10.0 for w in late}}
    rest = {**{w: 10.5 for w in early}, **{w: 12.0 for w in late}}
    cv = overlapping({}, {m: rest for m in MODELS if m != "auto_theta"} | {"auto_theta": theta})
    add_combinations(cv, set(), with_lgbm=False)
    # when
    strategy, backtest = forecasting_backtest.choose(
        cv, {"a": 1.0}, False, (80,), long_ids={"a"}, intermittent=set()
    )
    # then: chosen on the window at origin 0 (AutoTheta worse there), the pick is checked on
    # the last window against the ensemble: equal (2.0), so no per-product choice. Chosen on
    # origins 0-3, which hold weeks 5-7, AutoTheta (0.625 there) was picked and kept.
    assert strategy == "ensemble"
    assert backtest["candidates"]["per_product_check"] == {"mase": 2.0, "pooled_mase": 2.0}
    assert backtest["per_product"] is False


def test_croston_optimized_is_judged_per_product_on_its_own_forecasts() -> None:
    # given: an intermittent series whose CrostonOptimized is exact, ADIDA and IMAPA off by 2
    # (their median, the intermittent choice, too); three windows that do not overlap
    rows = []
    for cutoff in (0, H, 2 * H):
        for w in range(cutoff + 1, cutoff + 1 + H):
            rows.append(
                {
                    "unique_id": "r",
                    "ds": pd.Timestamp(MONDAY + timedelta(weeks=w)),
                    "cutoff": pd.Timestamp(MONDAY + timedelta(weeks=cutoff)),
                    "y": 10.0,
                    **{m: 12.0 for m in MODELS},
                    "croston_optimized": 10.0,
                }
            )
    cv = pd.DataFrame(rows)
    add_combinations(cv, {"r"}, with_lgbm=False)
    # when
    _, backtest = forecasting_backtest.choose(
        cv, {"r": 1.0}, False, (80,), long_ids={"r"}, intermittent={"r"}
    )
    # then: its own error (0), not the Croston median's (2) that overwrote its column
    assert backtest["per_product_models"] == {"r": "croston_optimized"}
    assert backtest["_per_series"]["r"]["mase"] == 0.0
    assert backtest["candidates"]["per_product_check"] == {"mase": 0.0, "pooled_mase": 2.0}
    assert cv["croston_optimized"].tolist() == [10.0] * 12  # the caller's frame is untouched


def test_a_lightgbm_failing_in_the_final_fit_leaves_short_histories_the_ses_ensemble(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: LightGBM exact in the backtest (the LightGBM mean is chosen), failing in the fit
    backtest_lgbm = lgbm_stand_in(1.0)

    def run(df: pd.DataFrame, frequency: str, horizon: int, windows: int | None, step: int = 0):
        return None if windows is None else backtest_lgbm(df, frequency, horizon, windows, step)

    monkeypatch.setattr(forecasting, "run_lgbm", run)
    # when
    out = forecasting.forecast(company(), "WEEK", H, (80, 95), with_candidates=True)
    # then
    assert out.backtest["chosen"] == ENSEMBLE_LGBM_MEAN
    assert out.strategy == ENSEMBLE_SES
    s0 = out.series["s0"]
    assert s0.model == ENSEMBLE_SES
    expected = np.clip(np.array(s0.candidates[ENSEMBLE_SES]), 0, None)
    assert [p.mean for p in s0.points] == pytest.approx(expected.tolist())
    assert out.series["rare0"].model == "croston_ensemble"
