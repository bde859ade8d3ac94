"""Demand forecasting's series: periods (DAY; WEEK starting Monday; MONTH starting the 1st),
the aggregation of sales rows to one row per series and period, and the measures (average demand
interval, MASE's scale, sMAPE). Pure pandas and numpy (`server.companies.forecasting`).

MASE's scale is the in-sample mean absolute one-step difference (seasonal, 12, for MONTH when a
year and more exists); a flat series uses its mean level (or 1).
"""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

DAY, WEEK, MONTH = "DAY", "WEEK", "MONTH"
PANDAS_FREQ = {DAY: "D", WEEK: "W-MON", MONTH: "MS"}
SEASON_LENGTH = {DAY: 7, WEEK: 52, MONTH: 12}
INTERMITTENT_ADI = 1.32  # average demand interval above which a series is intermittent


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
