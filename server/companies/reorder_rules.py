"""The reorder advice rules (pure, no database): for one product, from its forecast points, how
much it will sell over its lead time, the safety stock for a service level, the reorder point,
what to order, how long the stock lasts and when it runs out. Kept apart from loading the rows
(`reorder.py`) so that they are tested on hand-made numbers.

The rules:

- Periods. A forecast point covers one period of its run's frequency from its `period` start:
  a day, 7 days, or its calendar month. Demand inside a period is spread evenly over its days.
- Lead-time demand. The window is [as_of, as_of + lead_time_days). Each point adds its mean times
  the share of its days inside the window (partial periods are prorated). Days before the first
  point use the first point's daily rate; days after the last point use the mean daily rate of
  the last (up to) 4 periods, and the advice says so (`extrapolated`).
- Forecast error. A point's standard deviation comes from the width of its stored intervals:
  sigma = (hi - lo) / (2 z), z = NormalDist().inv_cdf(0.5 + level / 200), averaged over the
  levels stored. Without intervals, sigma = 1.25 x MASE x the point's mean (1.25 MAE ~ one
  standard deviation of a normal error; the mean stands in for the series' scale, which is not
  stored); without MASE either, sigma = sqrt(mean) (Poisson). A share f of a period adds
  f sigma^2 to the variance (demand independent from day to day); periods add their variances
  (which overstates it a little, as multi-step intervals already widen with the horizon: safe).
- Safety stock = z(service level) x sqrt(lead-time variance); reorder point = lead-time demand +
  safety stock, unless the product's own `reorder_point` is set (it wins).
- Suggested quantity: when the urgency is not OK, enough to bring the stock up to reorder point
  + lead-time demand (an (s, S) policy: order when stock reaches s, up to S); 0 when OK.
  A positive quantity is rounded up to whole units when the minimum order quantity is a whole
  number (to 0.001 otherwise), and is at least the minimum order quantity (not a multiple of
  it: products carry no pack size).
- Days of cover = stock / mean daily demand over the forecast's horizon (null when no demand).
- Stock-out date: walking the forecast from as_of, the first day whose demand the stock left
  cannot fully meet; null when the stock lasts beyond the forecast's last period.
- Urgency: OUT_OF_STOCK (stock <= 0), REORDER_NOW (stock <= reorder point), SOON (stock-out
  within lead time + 7 days), OK; NO_FORECAST for a product without forecast points (listed
  last, with the reason). Sorted by urgency, then stock-out date (none last), then SKU.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import NormalDist
from typing import Any

from server.companies.models import Frequency, Product

QUANTUM = Decimal("0.001")
SOON_MARGIN_DAYS = 7
TAIL_PERIODS = 4  # the periods whose mean extends a forecast beyond its horizon
MIN_SERVICE_LEVEL = 0.5
MAX_SERVICE_LEVEL = 0.999
NO_FORECAST_REASON = "No forecast for this product yet: run forecastDemand."
EMPTY_FORECAST_REASON = "Its latest forecast has no points."


class Urgency(StrEnum):
    OUT_OF_STOCK = "OUT_OF_STOCK"
    REORDER_NOW = "REORDER_NOW"
    SOON = "SOON"
    OK = "OK"
    NO_FORECAST = "NO_FORECAST"


URGENCY_ORDER = {urgency: rank for rank, urgency in enumerate(Urgency)}


@dataclass(frozen=True, slots=True)
class Period:
    """One forecast point: its days [start, start + days), mean demand and standard deviation."""

    start: date
    days: int
    mean: float
    sigma: float

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class Advice:
    """The advice for one product; the quantities are None for NO_FORECAST."""

    product: Product
    stock_on_hand: Decimal
    urgency: Urgency
    reorder_point: Decimal | None
    reorder_point_overridden: bool
    lead_time_demand: Decimal | None = None
    safety_stock: Decimal | None = None
    suggested_quantity: Decimal | None = None
    days_of_cover: Decimal | None = None
    stock_out_date: date | None = None
    forecast_model: str | None = None
    extrapolated: bool = False
    reason: str | None = None


def period_days(frequency: Frequency | str, start: date) -> int:
    """The days of the period starting on `start`: 1, 7, or its calendar month's."""
    frequency = Frequency(frequency)
    if frequency is Frequency.DAY:
        return 1
    if frequency is Frequency.WEEK:
        return 7
    return calendar.monthrange(start.year, start.month)[1]


def level_z(level: float) -> float:
    """The standard normal quantile bounding a central `level` % interval (95 -> 1.96)."""
    return NormalDist().inv_cdf(0.5 + level / 200)


def point_sigma(point: Mapping[str, Any], mase: float | None) -> float:
    """A point's standard deviation: from its intervals, else MASE, else Poisson (see above)."""
    mean = max(float(point.get("mean") or 0.0), 0.0)
    lo, hi = point.get("lo") or {}, point.get("hi") or {}
    sigmas = [
        (float(hi[level]) - float(lo[level])) / (2 * level_z(float(level)))
        for level in lo
        if level in hi and 0 < float(level) < 100
    ]
    if sigmas:
        return max(sum(sigmas) / len(sigmas), 0.0)
    if mase is not None and math.isfinite(mase):
        return 1.25 * mase * mean
    return math.sqrt(mean)


def periods_of(
    points: Sequence[Mapping[str, Any]], frequency: Frequency | str, mase: float | None
) -> list[Period]:
    """The forecast points as periods, in time order (negative means count as no demand)."""
    periods = []
    for point in points:
        start = date.fromisoformat(str(point["period"])[:10])
        periods.append(
            Period(
                start=start,
                days=period_days(frequency, start),
                mean=max(float(point.get("mean") or 0.0), 0.0),
                sigma=point_sigma(point, mase),
            )
        )
    return sorted(periods, key=lambda p: p.start)


def window_demand(periods: Sequence[Period], start: date, days: int) -> tuple[float, float, bool]:
    """(demand, variance, extrapolated) over [start, start + days), prorating partial periods."""
    if days <= 0 or not periods:
        return 0.0, 0.0, False
    end = start + timedelta(days=days)
    demand = variance = 0.0
    for period in periods:
        overlap = (min(end, period.end) - max(start, period.start)).days
        if overlap > 0:
            share = overlap / period.days
            demand += period.mean * share
            variance += period.sigma**2 * share
    first, last = periods[0], periods[-1]
    before = (min(end, first.start) - start).days
    if before > 0:  # the window opens before the forecast: the first period's rate
        demand += first.mean * before / first.days
        variance += first.sigma**2 * before / first.days
    after = (end - max(start, last.end)).days
    if after > 0:  # beyond the horizon: the mean daily rate of the last periods
        tail = periods[-TAIL_PERIODS:]
        tail_days = sum(p.days for p in tail)
        demand += sum(p.mean for p in tail) / tail_days * after
        variance += sum(p.sigma**2 for p in tail) / tail_days * after
    return demand, variance, after > 0


def stock_out_date(periods: Sequence[Period], stock: float, as_of: date) -> date | None:
    """The first day, from as_of, whose demand the stock left cannot fully meet; None when the
    stock outlasts the forecast."""
    if stock <= 0:
        return as_of
    left = stock
    for period in periods:
        if period.end <= as_of or period.mean <= 0:
            continue
        start = max(as_of, period.start)
        rate = period.mean / period.days
        need = rate * (period.end - start).days
        if need >= left - 1e-9:
            return start + timedelta(days=math.floor(left / rate + 1e-9))
        left -= need
    return None


def quantity(value: float) -> Decimal:
    """A float quantity as a Decimal to 0.001 (half up)."""
    return Decimal(repr(value)).quantize(QUANTUM, rounding=ROUND_HALF_UP)


def order_quantity(need: Decimal, minimum: Decimal) -> Decimal:
    """What to order for a positive need: whole units when the minimum is whole (0.001 else),
    rounded up, and at least the minimum order quantity; 0 for no need."""
    if need <= 0:
        return Decimal("0.000")
    step = Decimal(1) if minimum == minimum.to_integral_value() else QUANTUM
    rounded = (need / step).to_integral_value(rounding=ROUND_CEILING) * step
    return max(rounded, minimum).quantize(QUANTUM)


def advise(
    product: Product,
    *,
    points: Sequence[Mapping[str, Any]],
    frequency: Frequency | str,
    mase: float | None,
    model: str | None,
    service_level: float,
    as_of: date,
) -> Advice:
    """The advice for one product from its forecast points (pure; see the module docstring)."""
    stock = Decimal(product.stock_on_hand)
    override = None if product.reorder_point is None else Decimal(product.reorder_point)
    periods = periods_of(points, frequency, mase)
    if not periods:
        return no_forecast(product, EMPTY_FORECAST_REASON)
    lead_days = max(int(product.lead_time_days), 0)
    demand, variance, extrapolated = window_demand(periods, as_of, lead_days)
    lead_demand = quantity(demand)
    safety = quantity(NormalDist().inv_cdf(service_level) * math.sqrt(variance))
    reorder_point = override if override is not None else lead_demand + safety
    ahead = [p for p in periods if p.end > as_of]
    horizon_days = sum(p.days for p in ahead)
    daily = sum(p.mean for p in ahead) / horizon_days if horizon_days else 0.0
    if stock <= 0:
        cover: Decimal | None = Decimal("0.0")
    elif daily > 0:
        cover = Decimal(repr(float(stock) / daily)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    else:
        cover = None
    runs_out = stock_out_date(periods, float(stock), as_of)
    if stock <= 0:
        urgency = Urgency.OUT_OF_STOCK
    elif stock <= reorder_point:
        urgency = Urgency.REORDER_NOW
    elif runs_out is not None and runs_out <= as_of + timedelta(days=lead_days + SOON_MARGIN_DAYS):
        urgency = Urgency.SOON
    else:
        urgency = Urgency.OK
    need = reorder_point + lead_demand - stock if urgency is not Urgency.OK else Decimal(0)
    return Advice(
        product=product,
        stock_on_hand=stock,
        urgency=urgency,
        reorder_point=reorder_point.quantize(QUANTUM),
        reorder_point_overridden=override is not None,
        lead_time_demand=lead_demand,
        safety_stock=safety,
        suggested_quantity=order_quantity(need, Decimal(product.min_order_quantity)),
        days_of_cover=cover,
        stock_out_date=runs_out,
        forecast_model=model,
        extrapolated=extrapolated,
    )


def no_forecast(product: Product, reason: str = NO_FORECAST_REASON) -> Advice:
    """The advice for a product without forecast: its stock, its own reorder point, the reason."""
    override = None if product.reorder_point is None else Decimal(product.reorder_point)
    return Advice(
        product=product,
        stock_on_hand=Decimal(product.stock_on_hand),
        urgency=Urgency.NO_FORECAST,
        reorder_point=override,
        reorder_point_overridden=override is not None,
        reason=reason,
    )


def sort_key(advice: Advice) -> tuple[int, date, str]:
    """Urgency first, then the earliest stock-out (none last), then SKU."""
    return (
        URGENCY_ORDER[advice.urgency],
        advice.stock_out_date or date.max,
        advice.product.sku,
    )


def check_service_level(service_level: float) -> None:
    """Raises ValueError unless 0.5 <= service_level <= 0.999."""
    if not (
        math.isfinite(service_level) and MIN_SERVICE_LEVEL <= service_level <= MAX_SERVICE_LEVEL
    ):
        raise ValueError(
            f"service_level must be between {MIN_SERVICE_LEVEL} and {MAX_SERVICE_LEVEL}."
        )
