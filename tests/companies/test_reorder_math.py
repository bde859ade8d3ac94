"""Reorder advice, the rules on hand-made numbers (server.companies.reorder_rules, pure
functions).

The forecast: 4 weeks from Monday 2026-01-05, means 70, 140, 70, 70, each with intervals of a
standard deviation of 7 (so the 80% and 95% widths agree). A lead time of 10 days takes the first
week and 3/7 of the second: 70 + 60 = 130 units, variance 49 + 49 x 3/7 = 70.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import pytest

from server.companies import reorder_rules
from server.companies.models import Frequency, Product
from server.companies.reorder_rules import Urgency

AS_OF = date(2026, 1, 5)
Z80, Z95 = NormalDist().inv_cdf(0.90), NormalDist().inv_cdf(0.975)


def point(period: str, mean: float, sigma: float | None = 7.0) -> dict[str, Any]:
    if sigma is None:
        return {"period": period, "mean": mean}
    return {
        "period": period,
        "mean": mean,
        "lo": {"80": mean - Z80 * sigma, "95": mean - Z95 * sigma},
        "hi": {"80": mean + Z80 * sigma, "95": mean + Z95 * sigma},
    }


WEEKS = [
    point("2026-01-05", 70),
    point("2026-01-12", 140),
    point("2026-01-19", 70),
    point("2026-01-26", 70),
]


def product(**fields: Any) -> Product:
    values: dict[str, Any] = {
        "sku": "A-1",
        "name": "Flour",
        "stock_on_hand": Decimal("100.000"),
        "lead_time_days": 10,
        "min_order_quantity": Decimal("1.000"),
        "reorder_point": None,
    }
    values.update(fields)
    return Product(**values)


def advise(item: Product, points: list[dict[str, Any]] = WEEKS, **kw: Any) -> reorder_rules.Advice:
    options: dict[str, Any] = {
        "frequency": Frequency.WEEK,
        "mase": 0.8,
        "model": "ensemble",
        "service_level": 0.95,
        "as_of": AS_OF,
    }
    options.update(kw)
    return reorder_rules.advise(item, points=points, **options)


def test_lead_time_demand_safety_stock_reorder_point_and_quantity():
    # when
    advice = advise(product())
    # then: 130 over the lead time, 1.6449 x sqrt(70) = 13.762 safety stock
    assert advice.lead_time_demand == Decimal("130.000")
    assert advice.safety_stock == Decimal("13.762")
    assert advice.reorder_point == Decimal("143.762")
    assert advice.reorder_point_overridden is False
    assert advice.urgency is Urgency.REORDER_NOW
    # up to 143.762 + 130 = 273.762 from 100: 173.762, rounded up to whole units
    assert advice.suggested_quantity == Decimal("174.000")
    # 350 units over 28 days = 12.5 a day: 100 last 8 days
    assert advice.days_of_cover == Decimal("8.0")
    # week 1 takes 70 (30 left), then 20 a day: Jan 12 is met, Jan 13 is not
    assert advice.stock_out_date == date(2026, 1, 13)
    assert (advice.forecast_model, advice.extrapolated) == ("ensemble", False)


def test_interval_width_gives_sigma_and_mase_or_poisson_stand_in():
    assert reorder_rules.point_sigma(point("2026-01-05", 70, sigma=7.0), 0.8) == pytest.approx(7.0)
    only_80 = {
        "period": "2026-01-05",
        "mean": 10,
        "lo": {"80": 10 - Z80 * 2},
        "hi": {"80": 10 + Z80 * 2},
    }
    assert reorder_rules.point_sigma(only_80, None) == pytest.approx(2.0)
    # no intervals: 1.25 x MASE x mean; no MASE either: sqrt(mean)
    assert reorder_rules.point_sigma(point("2026-01-05", 70, sigma=None), 0.8) == pytest.approx(
        70.0
    )
    assert reorder_rules.point_sigma(point("2026-01-05", 16, sigma=None), None) == 4.0


def test_higher_service_level_holds_more_safety_stock():
    at_95 = advise(product(), service_level=0.95).safety_stock
    at_99 = advise(product(), service_level=0.99).safety_stock
    assert (at_95, at_99) == (Decimal("13.762"), Decimal("19.464"))
    assert at_99 is not None and at_95 is not None and at_99 > at_95


@pytest.mark.parametrize(
    ("minimum", "expected"),
    [
        (Decimal("1.000"), Decimal("174.000")),  # whole units, rounded up
        (Decimal("200.000"), Decimal("200.000")),  # at least the minimum
        (Decimal("2.500"), Decimal("173.762")),  # a fractional minimum: to 0.001
    ],
)
def test_suggested_quantity_respects_the_minimum_order(minimum, expected):
    assert advise(product(min_order_quantity=minimum)).suggested_quantity == expected


def test_order_quantity_rounding():
    assert reorder_rules.order_quantity(Decimal("0.2"), Decimal("1")) == Decimal("1.000")
    assert reorder_rules.order_quantity(Decimal("12.001"), Decimal("5")) == Decimal("13.000")
    assert reorder_rules.order_quantity(Decimal("0"), Decimal("5")) == Decimal("0.000")
    assert reorder_rules.order_quantity(Decimal("-3"), Decimal("5")) == Decimal("0.000")


def test_the_products_own_reorder_point_wins():
    # when: an override of 50, below the stock of 100
    advice = advise(product(reorder_point=Decimal("50.000")))
    # then: not REORDER_NOW, but the stock runs out on Jan 13, within 10 + 7 days
    assert advice.reorder_point == Decimal("50.000")
    assert advice.reorder_point_overridden is True
    assert advice.urgency is Urgency.SOON
    assert advice.suggested_quantity == Decimal("80.000")  # 50 + 130 - 100
    assert advice.safety_stock == Decimal("13.762")  # still shown


def test_stock_that_outlasts_the_forecast_is_ok_with_no_stock_out_date():
    advice = advise(product(stock_on_hand=Decimal("1000.000")))
    assert advice.stock_out_date is None
    assert advice.urgency is Urgency.OK
    assert advice.suggested_quantity == Decimal("0.000")
    assert advice.days_of_cover == Decimal("80.0")


def test_out_of_stock():
    advice = advise(product(stock_on_hand=Decimal("0.000")))
    assert advice.urgency is Urgency.OUT_OF_STOCK
    assert advice.stock_out_date == AS_OF
    assert advice.days_of_cover == Decimal("0.0")
    assert advice.suggested_quantity == Decimal("274.000")  # 143.762 + 130, rounded up


def test_a_lead_time_beyond_the_horizon_extends_with_the_last_periods_mean():
    # 35 days: the 28 forecast days (350) + 7 days at 350 / 28 a day (87.5)
    advice = advise(product(lead_time_days=35))
    assert advice.lead_time_demand == Decimal("437.500")
    assert advice.extrapolated is True
    # variance: 4 x 49 + 7 x (4 x 49) / 28 = 245
    expected = NormalDist().inv_cdf(0.95) * math.sqrt(245)
    assert advice.safety_stock == Decimal(f"{expected:.3f}")


def test_monthly_periods_are_prorated_by_their_calendar_days():
    months = [point("2026-02-01", 280), point("2026-03-01", 310)]
    # 42 days from Feb 1: February (28 days) + 14 of March's 31 days
    advice = advise(
        product(lead_time_days=42), months, frequency=Frequency.MONTH, as_of=date(2026, 2, 1)
    )
    assert advice.lead_time_demand == Decimal("420.000")  # 280 + 310 x 14/31
    # 100 units at 10 a day: Feb 11 is the first day not met
    assert advice.stock_out_date == date(2026, 2, 11)


def test_as_of_inside_a_period_counts_only_its_days_left():
    # from Wednesday Jan 7: 5 days of week 1 (50) + 5 days of week 2 (100)
    advice = advise(product(), as_of=date(2026, 1, 7))
    assert advice.lead_time_demand == Decimal("150.000")
    # 100 units: 50 to Jan 11, then 20 a day: Jan 14 is not met
    assert advice.stock_out_date == date(2026, 1, 14)


def test_empty_forecast_and_no_forecast_come_last_with_a_reason():
    empty = advise(product(sku="B"), [])
    none = reorder_rules.no_forecast(product(sku="C", reorder_point=Decimal("5")))
    assert (empty.urgency, empty.reason) == (
        Urgency.NO_FORECAST,
        reorder_rules.EMPTY_FORECAST_REASON,
    )
    assert (none.reorder_point, none.reorder_point_overridden) == (Decimal("5"), True)
    assert none.lead_time_demand is None and none.suggested_quantity is None
    ok = advise(product(sku="D", stock_on_hand=Decimal("1000")))
    soon = advise(product(sku="E", reorder_point=Decimal("50")))
    now_late = advise(product(sku="F", stock_on_hand=Decimal("120")))
    now_early = advise(product(sku="G", stock_on_hand=Decimal("60")))
    out = advise(product(sku="H", stock_on_hand=Decimal("0")))
    ranked = sorted([none, ok, soon, now_late, empty, now_early, out], key=reorder_rules.sort_key)
    assert [a.product.sku for a in ranked] == ["H", "G", "F", "E", "D", "B", "C"]
    assert (now_early.stock_out_date, now_late.stock_out_date) == (
        date(2026, 1, 11),  # 60 at 10 a day: Jan 5-10 met
        date(2026, 1, 14),
    )


@pytest.mark.parametrize("level", [0.49, 1.0, float("nan")])
def test_service_level_outside_half_to_0999_is_refused(level):
    with pytest.raises(ValueError):
        reorder_rules.check_service_level(level)
