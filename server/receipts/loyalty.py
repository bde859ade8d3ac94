"""The points ledger: rules versions, and posting what a receipt earns (see `points` for the rules).

`settle(receipt)` is the only writer of ledger entries. It computes what the receipt should have
earned in its current state and posts the difference from what its entries already sum to:
- the first time a receipt may earn (extracted, not an unvalidated possible duplicate), an AWARD
  with the current rules version and the count of the owner's earlier awarded receipts, both
  kept on the receipt for later recomputations;
- after a correction, a CORRECTION of the difference (nothing when it does not change);
- after a deletion, a REVERSAL of everything the receipt earned.

It runs inside the caller's transaction, next to the receipt's own change (status, corrections,
deletion), so points and state commit together or not at all. Entries of a receipt are numbered
(`sequence`, unique with the receipt): two writers that read the same state cannot both post, and
one that runs again after a commit finds nothing left to post. The ledger is append-only: nothing
here updates or deletes an entry.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.receipts.models import (
    READ_STATUSES,
    LoyaltyEntry,
    LoyaltyReason,
    LoyaltyRules,
    Receipt,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.points import DEFAULT_RULES, Purchase, Rules, compute_points


def rules_of(model: LoyaltyRules) -> Rules:
    return Rules(
        version=model.version,
        base_points=model.base_points,
        spend_step=model.spend_step,
        points_per_step=model.points_per_step,
        multiplier=model.multiplier,
        multiplier_min_receipts=model.multiplier_min_receipts,
        category_points=model.category_points,
        strategic_categories=tuple(model.strategic_categories),
    )


def _columns(rules: Rules) -> dict[str, Any]:
    values = asdict(rules)
    values["strategic_categories"] = list(rules.strategic_categories)
    return values


async def current_rules() -> LoyaltyRules:
    """The latest rules version; version 1 (the defaults) is created on first use."""
    latest = await LoyaltyRules.all().order_by("-version").first()
    if latest is not None:
        return latest
    try:
        async with in_transaction():  # a savepoint inside the caller's transaction
            return await LoyaltyRules.create(**_columns(DEFAULT_RULES))
    except IntegrityError:  # created meanwhile by another request
        return await LoyaltyRules.get(version=DEFAULT_RULES.version)


async def add_rules_version(*, changes: dict[str, Any], actor: User) -> LoyaltyRules:
    """A new rules version: the latest one with `changes` applied (the caller checked them)."""
    for attempt in range(3):
        base = rules_of(await current_rules())
        new = replace(base, **changes, version=base.version + 1)
        try:
            async with in_transaction():
                return await LoyaltyRules.create(**_columns(new), created_by=actor)
        except IntegrityError:  # another admin took this version number: start from theirs
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def earns(receipt: Receipt) -> bool:
    """Whether the receipt may hold points in its current state."""
    if receipt.deleted_at is not None or receipt.status not in READ_STATUSES:
        return False
    # A possible duplicate earns nothing until a person confirms it.
    return receipt.possible_duplicate_of_id is None or receipt.status == ReceiptStatus.VALIDATED  # type: ignore[attr-defined]


async def settle(receipt: Receipt, *, items: list[ReceiptItem]) -> LoyaltyEntry | None:
    """Post the difference between what the receipt earns now and what it has earned; inside the
    caller's transaction, the receipt row locked by the caller. Returns the entry, or None when
    nothing changed. Raises IntegrityError when another writer posted first (roll back)."""
    posted = await LoyaltyEntry.filter(receipt_id=receipt.id).values_list("points", flat=True)
    already = sum(posted)
    first = receipt.awarded_at is None
    if first and not earns(receipt):
        return None
    if first:
        # Serialise a user's first awards, so two receipts finishing together both see each
        # other's count (PostgreSQL; SQLite serialises write transactions anyway).
        await User.filter(id=receipt.owner_id).select_for_update().first()  # type: ignore[attr-defined]
        rules_model = await current_rules()
        earlier = (
            await Receipt.filter(
                owner_id=receipt.owner_id,  # type: ignore[attr-defined]
                awarded_at__isnull=False,
                deleted_at__isnull=True,
            )
            .exclude(id=receipt.id)
            .count()
        )
        receipt.awarded_at = datetime.now(UTC)
        receipt.rules_version = rules_model.version
        receipt.earlier_awarded = earlier
        reason = LoyaltyReason.AWARD
    else:
        rules_model = await LoyaltyRules.get(version=receipt.rules_version)
        earlier = receipt.earlier_awarded or 0
        reason = (
            LoyaltyReason.REVERSAL if receipt.deleted_at is not None else LoyaltyReason.CORRECTION
        )
    if earns(receipt):
        breakdown = compute_points(
            rules=rules_of(rules_model),
            total=receipt.total,
            items=[Purchase(category=i.category, quantity=i.quantity) for i in items],
            earlier_receipts=earlier,
        )
        target, detail = breakdown.points, breakdown.as_json()
    else:
        target, detail = 0, {"points": 0, "reversed": already}
    delta = target - already
    if delta == 0 and not first:
        return None
    entry = await LoyaltyEntry.create(
        user_id=receipt.owner_id,  # type: ignore[attr-defined]
        receipt_id=receipt.id,
        sequence=len(posted),
        reason=reason,
        points=delta,
        rules_version=rules_model.version,
        detail=detail,
    )
    receipt.points = target
    await Receipt.filter(id=receipt.id).update(
        points=target,
        awarded_at=receipt.awarded_at,
        rules_version=receipt.rules_version,
        earlier_awarded=receipt.earlier_awarded,
    )
    return entry


async def balance(*, user_id: Any) -> int:
    """The sum of a user's ledger entries."""
    row = (
        await LoyaltyEntry.filter(user_id=user_id)
        .annotate(total=Sum("points"))
        .first()
        .values("total")
    )
    return int(row["total"] or 0) if row else 0
