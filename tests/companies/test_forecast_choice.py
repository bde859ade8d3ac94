"""Demand forecasts' choice from the backtest with the global LightGBM: the ensemble shrunk
halfway toward LightGBM (`ensemble_lgbm_mean`) and the intermittent series' own choice between
the Croston-family median and its mean with LightGBM. LightGBM itself is replaced by a stand-in
whose backtest forecasts are known (exact, or far off), so the rule is checked on
values, not on what a fitted model happens to learn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from server.companies import forecasting, forecasting_backtest, forecasting_models
from server.companies.forecasting_models import (
    ENSEMBLE,
    ENSEMBLE_LGBM_MEAN,
    ENSEMBLE_SES,
    LGBM,
    add_combinations,
)

H = 4
MONDAY = date(2024, 1, 1)
WEEKS = 52  # one year: a short history


def weekly(values: np.ndarray, uid: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": uid,
            "ds": [pd.Timestamp(MONDAY + timedelta(weeks=i)) for i in range(len(values))],
            "y": values,
        }
    )


def company(seed: int = 3) -> pd.DataFrame:
    """Ten one-year series (520 pooled weeks: LightGBM is worth it), two of them intermittent."""
    rng = np.random.default_rng(seed)
    t = np.arange(WEEKS)
    parts = []
    for i in range(8):
        level = 20 + 5 * i
        parts.append(
            weekly(level + 8 * np.sin(2 * np.pi * t / 13) + rng.normal(0, 3, WEEKS), f"s{i}")
        )
    for i in range(2):
        y = (rng.random(WEEKS) < 0.25) * rng.integers(1, 6, WEEKS).astype(float)
        parts.append(weekly(y, f"rare{i}"))
    return pd.concat(parts, ignore_index=True)


def lgbm_stand_in(factor: float, offset: float = 0.0) -> Callable[..., pd.DataFrame]:
    """run_lgbm's stand-in: in the backtest, `factor` x each held-out actual + `offset` (1, 0:
    exact);
    for the future, each series' mean of its last 8 periods."""

    def run(
        df: pd.DataFrame, frequency: str, horizon: int, windows: int | None, step: int = 0
    ) -> pd.DataFrame:
        rows = []
        for uid, g in df.groupby("unique_id"):
            g = g.sort_values("ds")
            ds, y = g["ds"].to_list(), g["y"].to_numpy()
            if windows is None:
                future = pd.date_range(ds[-1], periods=horizon + 1, freq="W-MON")[1:]
                for d in future:
                    rows.append((uid, d, None, float(np.mean(y[-8:]))))
                continue
            n = len(ds)
            for w in range(windows):
                cut = n - horizon - (windows - 1 - w) * (step or horizon) - 1
                for k in range(cut + 1, cut + 1 + horizon):
                    rows.append((uid, ds[k], ds[cut], factor * float(y[k]) + offset))
        out = pd.DataFrame.from_records(rows, columns=pd.Index(["unique_id", "ds", "cutoff", LGBM]))
        return out.drop(columns="cutoff") if windows is None else out

    return run


def test_the_mean_with_lightgbm_is_half_the_ensemble_and_half_lightgbm() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "r"],
            "auto_ets": [10.0, 12.0, 1.0],
            "auto_theta": [11.0, 13.0, 1.0],
            "croston_optimized": [9.0, 11.0, 2.0],
            "window_average": [10.0, 10.0, 1.0],
            "adida": [0.0, 0.0, 3.0],
            "imapa": [0.0, 0.0, 4.0],
            LGBM: [20.0, -2.0, 7.0],
        }
    )
    add_combinations(frame, {"r"}, with_lgbm=True)
    # a: median of the four members; r (intermittent): median of the Croston family (2, 3, 4)
    assert frame[ENSEMBLE].tolist() == [10.0, 11.5, 3.0]
    # LightGBM below 0 counts as 0
    assert frame[ENSEMBLE_LGBM_MEAN].tolist() == [15.0, 5.75, 5.0]


def test_intermittent_series_choose_between_croston_and_its_mean_with_lightgbm() -> None:
    cv = pd.DataFrame(
        {
            "unique_id": ["r", "r", "q", "q"],
            "y": [0.0, 4.0, 2.0, 0.0],
            ENSEMBLE: [1.0, 1.0, 1.0, 1.0],  # errors 1, 3, 1, 1
            ENSEMBLE_LGBM_MEAN: [0.5, 3.0, 1.5, 0.5],  # errors 0.5, 1, 0.5, 0.5
        }
    )
    scales = {"r": 1.0, "q": 1.0}
    assert forecasting_backtest.intermittent_model(cv, scales) == ENSEMBLE_LGBM_MEAN
    worse = cv.assign(**{ENSEMBLE_LGBM_MEAN: [3.0, 0.0, 5.0, 2.0]})
    assert forecasting_backtest.intermittent_model(worse, scales) == ENSEMBLE
    assert forecasting_backtest.intermittent_model(cv.iloc[:0], scales) == ENSEMBLE


def test_a_one_year_company_takes_the_mean_with_lightgbm_when_the_backtest_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: LightGBM's backtest forecasts are exact
    monkeypatch.setattr(forecasting, "run_lgbm", lgbm_stand_in(1.0))
    data = company()
    # when
    out = forecasting.forecast(data, "WEEK", H, (80, 95), with_candidates=True)
    # then: the smooth series take the mean, so do the intermittent ones
    assert out.strategy == ENSEMBLE_LGBM_MEAN
    assert out.backtest["intermittent_model"] == ENSEMBLE_LGBM_MEAN
    smooth, rare = out.series["s0"], out.series["rare0"]
    assert (smooth.model, rare.model) == ("ensemble_lgbm_mean", "croston_lgbm_mean")
    assert rare.intermittent and not smooth.intermittent
    for s in (smooth, rare):
        expected = (np.array(s.candidates[ENSEMBLE]) + np.array(s.candidates[LGBM])) / 2
        assert [p.mean for p in s.points] == pytest.approx(expected.tolist())
    # the mean halves the ensemble's backtest error against an exact LightGBM
    cands = out.backtest["candidates"]
    assert cands[ENSEMBLE_LGBM_MEAN]["mase"] < cands["ensemble_lgbm"]["mase"]
    assert cands[ENSEMBLE_LGBM_MEAN]["mase"] < cands[ENSEMBLE]["mase"]


def test_a_poor_lightgbm_leaves_the_ensemble_and_the_croston_family(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: LightGBM's backtest forecasts are three times the demand, plus 5
    monkeypatch.setattr(forecasting, "run_lgbm", lgbm_stand_in(3.0, 5.0))
    # when
    out = forecasting.forecast(company(), "WEEK", H, (80, 95))
    # then
    assert out.strategy not in (ENSEMBLE_LGBM_MEAN, "ensemble_lgbm")
    assert out.backtest["intermittent_model"] == ENSEMBLE
    assert out.series["rare0"].model == "croston_ensemble"
    assert out.series["rare1"].model == "croston_ensemble"


def test_without_lightgbm_short_histories_keep_the_median_ensemble() -> None:
    # given: eight one-year series, 416 pooled weeks: too few for LightGBM
    data = company()
    kept = [f"s{i}" for i in range(6)] + ["rare0", "rare1"]
    data = pd.DataFrame(data[data["unique_id"].isin(kept)])
    # when
    out = forecasting.forecast(data, "WEEK", H, (80, 95), with_candidates=True)
    # then: no LightGBM candidate, and intermittent series get the Croston-family median
    assert not forecasting_models.lgbm_worth_it(dict.fromkeys(kept, WEEKS), kept, H, "WEEK")
    assert ENSEMBLE_LGBM_MEAN not in out.backtest["candidates"]
    assert out.backtest["intermittent_model"] == ENSEMBLE
    assert out.series["rare0"].model == "croston_ensemble"
    assert LGBM not in out.series["s0"].candidates


# --- short histories: the ensemble with SES in AutoTheta's place --------------------------------


def backtest_frame(
    ets: float, theta: float, ses: float, other: float, cutoffs: tuple[int, ...] = (0, 2)
) -> pd.DataFrame:
    """Two series, windows of two weeks at `cutoffs` (two by default), demand 10 throughout;
    each model a constant."""
    rows = []
    for uid in ("a", "b"):
        for cutoff in cutoffs:
            for step in (1, 2):
                ds = pd.Timestamp(MONDAY + timedelta(weeks=cutoff + step))
                rows.append(
                    {
                        "unique_id": uid,
                        "ds": ds,
                        "cutoff": pd.Timestamp(MONDAY + timedelta(weeks=cutoff)),
                        "y": 10.0,
                        "auto_ets": ets,
                        "auto_theta": theta,
                        "ses": ses,
                        "croston_optimized": other,
                        "window_average": other,
                        "adida": other,
                        "imapa": other,
                        "naive": other,
                        "seasonal_naive": other,
                    }
                )
    return pd.DataFrame(rows)


def test_the_ses_ensemble_is_the_median_of_ets_ses_croston_and_window_average() -> None:
    cv = backtest_frame(ets=6.0, theta=20.0, ses=11.0, other=14.0)
    add_combinations(cv, {"b"}, with_lgbm=False)
    a, b = cv[cv["unique_id"] == "a"], cv[cv["unique_id"] == "b"]
    assert set(a[ENSEMBLE]) == {14.0}  # median of 6, 20, 14, 14
    assert set(a[ENSEMBLE_SES]) == {12.5}  # median of 6, 11, 14, 14
    assert set(b[ENSEMBLE_SES]) == set(b[ENSEMBLE]) == {14.0}  # intermittent: Croston family


@pytest.mark.parametrize(("short", "strategy"), [(True, ENSEMBLE_SES), (False, ENSEMBLE)])
def test_short_histories_may_take_the_ses_ensemble(short: bool, strategy: str) -> None:
    # given: errors 4 (ensemble and AutoETS), 2.5 (the SES ensemble)
    cv = backtest_frame(ets=6.0, theta=20.0, ses=11.0, other=14.0)
    add_combinations(cv, set(), with_lgbm=False)
    # when
    chosen, backtest = forecasting_backtest.choose(
        cv,
        {"a": 1.0, "b": 1.0},
        False,
        (80, 95),
        long_ids=set(),
        intermittent=set(),
        short=short,
    )
    # then
    assert chosen == strategy
    assert (ENSEMBLE_SES in backtest["candidates"]) is short
    assert backtest["candidates"][ENSEMBLE]["mase"] == pytest.approx(4.0)
    if short:
        assert backtest["candidates"][ENSEMBLE_SES]["mase"] == pytest.approx(2.5)


@pytest.mark.parametrize(("weeks", "offered"), [(WEEKS, True), (2 * WEEKS + 8, False)])
def test_the_ses_ensemble_is_offered_below_two_seasons_of_history(
    weeks: int, offered: bool
) -> None:
    rng = np.random.default_rng(5)
    t = np.arange(weeks)
    data = pd.concat(
        [weekly(30 + 5 * np.sin(t / 4) + rng.normal(0, 2, weeks), f"s{i}") for i in range(3)]
    )
    out = forecasting.forecast(data, "WEEK", H, (80, 95), use_lgbm=False)
    assert (ENSEMBLE_SES in out.backtest["candidates"]) is offered
    assert out.backtest["candidates"][ENSEMBLE]["mase"] > 0


@pytest.mark.parametrize(
    ("horizon", "short", "plan"),
    [(8, True, (9, 2)), (8, False, (3, 8)), (3, True, (7, 1)), (1, True, (3, 1))],
)
def test_short_histories_backtest_at_origins_a_quarter_horizon_apart(
    horizon: int, short: bool, plan: tuple[int, int]
) -> None:
    assert forecasting.backtest_plan(horizon, 3, short) == plan


def with_window_errors(cv: pd.DataFrame, column: str, errors: dict[int, float]) -> pd.DataFrame:
    """`column` as a forecast off the demand (10) by errors[window] in each window."""
    windows = sorted(cv["cutoff"].unique())
    out = cv.copy()
    off = [errors[windows.index(c)] for c in cv["cutoff"]]
    out[column] = 10.0 + np.array(off)
    return out


@pytest.mark.parametrize(
    ("errors", "strategy"),
    [
        ({0: 2.47, 1: 2.47}, ENSEMBLE_SES),  # 1.2% better pooled: not by the margin
        ({0: 2.475, 1: 2.475}, ENSEMBLE_SES),  # 1% better in every window: not by the margin
        ({0: 2.425, 1: 2.425}, ENSEMBLE_LGBM_MEAN),  # 3% better in every window
        ({0: 2.0, 1: 2.0}, ENSEMBLE_LGBM_MEAN),  # 20% better in both windows
        ({0: 0.5, 1: 3.0}, ENSEMBLE_SES),  # 30% better pooled, but worse in one window
        # three windows: 6.7% better pooled and better in two of them (most), not in every one
        ({0: 2.0, 1: 2.0, 2: 3.0}, ENSEMBLE_SES),
        ({0: 2.0, 1: 2.0, 2: 2.4}, ENSEMBLE_LGBM_MEAN),  # better in all three
    ],
)
def test_short_histories_leave_the_ses_ensemble_only_by_a_margin_in_every_window(
    errors: dict[int, float], strategy: str
) -> None:
    # given: the SES ensemble's error 2.5 in each window; the LightGBM mean's as given
    cutoffs = tuple(2 * w for w in range(len(errors)))
    cv = backtest_frame(ets=6.0, theta=20.0, ses=11.0, other=14.0, cutoffs=cutoffs)
    cv[LGBM] = 14.0
    add_combinations(cv, set(), with_lgbm=True)
    cv = with_window_errors(cv, ENSEMBLE_LGBM_MEAN, errors)
    # when
    chosen, _ = forecasting_backtest.choose(
        cv, {"a": 1.0, "b": 1.0}, True, (80, 95), long_ids=set(), intermittent=set(), short=True
    )
    # then
    assert chosen == strategy


def test_short_histories_keep_the_ses_ensemble_over_a_slightly_better_median_ensemble() -> None:
    # given: the median ensemble 1% better than the SES ensemble (2.475 against 2.5)
    cv = backtest_frame(ets=6.0, theta=20.0, ses=11.0, other=14.0)
    add_combinations(cv, set(), with_lgbm=False)
    cv = with_window_errors(cv, ENSEMBLE, {0: 2.475, 1: 2.475})
    # when: short, then not
    short, _ = forecasting_backtest.choose(
        cv, {"a": 1.0, "b": 1.0}, False, (80, 95), long_ids=set(), intermittent=set(), short=True
    )
    long, _ = forecasting_backtest.choose(
        cv, {"a": 1.0, "b": 1.0}, False, (80, 95), long_ids=set(), intermittent=set()
    )
    # then
    assert (short, long) == (ENSEMBLE_SES, ENSEMBLE)


def test_a_one_year_company_backtests_at_overlapping_origins() -> None:
    out = forecasting.forecast(company(), "WEEK", H, (80, 95), use_lgbm=False)
    # H=4: origins one week apart over the last 12 weeks, nine windows
    assert out.backtest["windows"] == 9
    # the SES ensemble, or a combination better by the 2% margin
    cands = out.backtest["candidates"]
    assert out.strategy == ENSEMBLE_SES or cands[out.strategy]["mase"] < cands[ENSEMBLE_SES][
        "mase"
    ] * (1 - forecasting_backtest.SHORT_MARGIN)
