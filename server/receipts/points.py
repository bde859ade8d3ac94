"""The loyalty points rules: pure functions of one receipt, one rules version and one count.

A receipt earns, with the default rules (version 1):

1. ``base_points`` (10) for the receipt;
2. ``points_per_step`` (1) for every *full* ``spend_step`` (10) of its total, in its own currency
   (23.19 -> 2; no total or a negative one -> 0);
3. ``category_points`` (5) per unit bought in a strategic category (default "luxury",
   "electronics"; compared case- and accent-insensitively). Units: the item's quantity when it is
   a whole number (3 -> 3), 1 for a weighed quantity (0.754 kg -> 1) or no quantity, 0 for a zero
   or negative quantity (returns);
4. the sum is multiplied by ``multiplier`` (1.2) when the owner has at least
   ``multiplier_min_receipts`` (5) *earlier* receipts: receipts that had already earned points
   when this one first earns its own, not deleted since. The current receipt never counts itself,
   so the 6th receipt that earns points is the first one multiplied; a possible duplicate counts
   once validated (that is when it earns);
5. the result is rounded half up to a whole number of points (13.2 -> 13; 16.5 -> 17), once,
   after the multiplier.

The rules version and the earlier-receipts count are decided when the receipt first earns, and
reused when a correction recomputes it: updating the rules changes later awards only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Rules:
    version: int
    base_points: int = 10
    spend_step: Decimal = Decimal(10)
    points_per_step: int = 1
    multiplier: Decimal = Decimal("1.2")
    multiplier_min_receipts: int = 5
    category_points: int = 5
    strategic_categories: tuple[str, ...] = field(default=("luxury", "electronics"))


DEFAULT_RULES = Rules(version=1)


@dataclass(frozen=True, slots=True)
class Purchase:
    """What the rules look at on one line item."""

    category: str | None
    quantity: Decimal | None


@dataclass(frozen=True, slots=True)
class Breakdown:
    base: int
    spend: int
    strategic_units: int
    category: int
    multiplied: bool
    multiplier: Decimal
    points: int

    def as_json(self) -> dict[str, object]:
        return {
            "base": self.base,
            "spend": self.spend,
            "strategicUnits": self.strategic_units,
            "category": self.category,
            "multiplied": self.multiplied,
            "multiplier": str(self.multiplier),
            "points": self.points,
        }


def category_key(name: str | None) -> str:
    """A category name compared without case, accents or surrounding spaces."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def units(quantity: Decimal | None) -> int:
    """Units bought on one line: whole quantities as they are, a weighed one or none as 1."""
    if quantity is None:
        return 1
    if quantity <= 0:
        return 0
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return 1


def spend_points(total: Decimal | None, rules: Rules) -> int:
    """`points_per_step` per full `spend_step` of the total."""
    if total is None or total <= 0 or rules.spend_step <= 0:
        return 0
    steps = (total / rules.spend_step).to_integral_value(rounding=ROUND_FLOOR)
    return int(steps) * rules.points_per_step


def compute_points(
    *, rules: Rules, total: Decimal | None, items: Iterable[Purchase], earlier_receipts: int
) -> Breakdown:
    """What one receipt earns (see the module docstring for every rule)."""
    strategic = {category_key(c) for c in rules.strategic_categories}
    strategic.discard("")
    strategic_units = sum(
        units(item.quantity) for item in items if category_key(item.category) in strategic
    )
    base = rules.base_points
    spend = spend_points(total, rules)
    category = strategic_units * rules.category_points
    multiplied = earlier_receipts >= rules.multiplier_min_receipts
    raw = Decimal(base + spend + category)
    if multiplied:
        raw *= rules.multiplier
    points = int(raw.to_integral_value(rounding=ROUND_HALF_UP))
    return Breakdown(
        base=base,
        spend=spend,
        strategic_units=strategic_units,
        category=category,
        multiplied=multiplied,
        multiplier=rules.multiplier if multiplied else Decimal(1),
        points=max(points, 0),
    )
