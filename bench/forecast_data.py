"""The forecast benchmark's data (`bench.forecast`): a long or wide CSV file, synthetic weekly
series of a kind, and panels of short series cut from long ones."""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from server.companies import forecasting_series as fs

CALENDAR_COLUMNS = {"year", "month", "week", "day", "hour", "weekday", "weekday name"}


def read_data(path: Path, wide: bool | None) -> pd.DataFrame:
    with path.open(newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    lower = [h.strip().lower() for h in header]
    if wide is None:
        wide = not ("sku" in lower and "quantity" in lower)
    raw = pd.read_csv(path, encoding="utf-8-sig")
    if wide:
        date_col = raw.columns[0]
        # calendar helper columns of the shared files (Year, Month, Hour, Weekday Name) are not
        # SKUs, nor is any column that is not numeric
        skus = [
            c
            for c in raw.columns[1:]
            if str(c).strip().lower() not in CALENDAR_COLUMNS
            and pd.api.types.is_numeric_dtype(raw[c])
        ]
        raw = raw[[date_col, *skus]]
        long = raw.melt(id_vars=[date_col], var_name="unique_id", value_name="y")
        long = long.rename(columns={date_col: "ds"})
    else:
        cols = {h: h.strip().lower() for h in raw.columns}
        raw = raw.rename(columns=cols)
        long = raw.rename(columns={"date": "ds", "sku": "unique_id", "quantity": "y"})
    long["ds"] = _dates(long["ds"])
    long["y"] = pd.to_numeric(long["y"], errors="coerce").fillna(0.0)
    return long[["unique_id", "ds", "y"]]


def _dates(s: pd.Series) -> pd.Series:
    text = s.astype(str)
    if text.str.match(r"^\d{4}-\d{2}-\d{2}").all():
        return pd.to_datetime(text.str[:10], format="%Y-%m-%d")
    return pd.to_datetime(text, format="mixed", dayfirst=False)


KINDS = ("mixed", "seasonal", "trend", "intermittent", "shift", "randomwalk")


def synthetic(n: int, weeks: int = 156, seed: int = 13, kind: str = "mixed") -> pd.DataFrame:
    """N weekly series. mixed: level x trend x annual season x noise, a quarter intermittent;
    seasonal: an annual season of 20-80% amplitude; trend: up to about +-1% of the level a week;
    intermittent: demand in 10-60% of weeks; shift: the level x 0.5 to 2 from a week in its last
    two thirds; randomwalk: a log-level random walk (8% a week). Poisson counts."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-04")
    ds = pd.date_range(start, periods=weeks, freq="W-MON")
    t = np.arange(weeks)
    rows = []
    for i in range(n):
        level = rng.lognormal(3.0, 1.0)
        if kind != "mixed":
            y = _one_of_a_kind(rng, kind, level, t)
        elif i % 4 == 3:  # intermittent: demand in ~30% of weeks
            p = rng.uniform(0.15, 0.45)
            y = rng.binomial(1, p, weeks) * rng.gamma(2.0, level / 4 + 1, weeks)
        else:
            trend = 1 + rng.normal(0, 0.004) * t
            amp = rng.uniform(0, 0.5)
            phase = rng.uniform(0, 2 * np.pi)
            season = 1 + amp * np.sin(2 * np.pi * t / 52 + phase)
            mu = np.clip(level * trend * season, 0.1, None)
            y = rng.poisson(mu * rng.lognormal(0, 0.15, weeks))
        rows.append(pd.DataFrame({"unique_id": f"S{i:04d}", "ds": ds, "y": y.astype(float)}))
    return pd.concat(rows, ignore_index=True)


def _one_of_a_kind(rng: np.random.Generator, kind: str, level: float, t: np.ndarray) -> np.ndarray:
    weeks = len(t)
    if kind == "intermittent":
        p = rng.uniform(0.1, 0.6)
        return rng.binomial(1, p, weeks) * rng.gamma(2.0, level / 4 + 1, weeks)
    if kind == "seasonal":
        amp, phase = rng.uniform(0.2, 0.8), rng.uniform(0, 2 * np.pi)
        mu, noise = level * (1 + amp * np.sin(2 * np.pi * t / 52 + phase)), 0.15
    elif kind == "trend":
        mu, noise = level * np.clip(1 + rng.normal(0, 0.01) * t, 0.05, None), 0.2
    elif kind == "shift":
        k, f = rng.integers(weeks // 3, weeks - 5), rng.choice([0.5, 0.7, 1.4, 2.0])
        mu, noise = level * np.where(t >= k, f, 1.0), 0.2
    elif kind == "randomwalk":
        mu, noise = level * np.exp(np.cumsum(rng.normal(0, 0.08, weeks))), 0.0
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return rng.poisson(np.clip(mu, 0.1, None) * rng.lognormal(0, noise, weeks)).astype(float)


def cuts(
    data: pd.DataFrame, frequency: str, k: int, step: int, length: int, skip: int
) -> pd.DataFrame:
    """Each series cut into `k` series of `length` periods, ending `skip`, `skip + step`...
    periods before its last, all moved onto the latest cut's dates: a panel of many short
    series from a few long ones (so that LightGBM runs on real dynamics; the calendar is
    shifted for the earlier cuts)."""
    prepared = fs.prepare(data, frequency)
    periods = sorted(prepared["ds"].unique())
    dates = periods[len(periods) - skip - length : len(periods) - skip]
    parts = []
    for j in range(k):
        end = len(periods) - skip - j * step
        if end - length < 0:
            break
        window = set(periods[end - length : end])
        for uid, g in prepared[prepared["ds"].isin(window)].groupby("unique_id"):
            if len(g) == length:
                parts.append(
                    pd.DataFrame({"unique_id": f"{uid}@{j}", "ds": dates, "y": g["y"].to_numpy()})
                )
    return pd.concat(parts, ignore_index=True)
