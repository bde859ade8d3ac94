"""The points ledger: rules versions, and posting what a receipt earns (see `points` for the rules).

`settle(receipt)` is the only writer of ledger entries. It computes what the receipt should have
earned in its current state and posts the difference from what its entries already sum to:
- the first time a receipt may earn (extracted, not an unvalidated possible duplicate), an AWARD
  with the current rules version and the count of the owner's earlier receipts that earned
  points, both kept on the receipt for later recomputations;
- after a correction, a CORRECTION of the difference (nothing when it does not change);
- after an administrator's approval, an APPROVAL of the points that were pending;
- after a deletion, a REVERSAL of everything the receipt earned.

Typed values are never paid unreviewed. A receipt holds at most what it earns *as read* (the
values the reader found, with the items as linked to brands then, the total allowed to move by
the review tolerance; nothing for a receipt that could not be read) or what an administrator
approved, whichever is more. When its current values earn more, the excess is `points_pending`,
the review PENDING and a VALIDATED receipt IN_REVIEW, until an administrator approves (the
receipt may then hold what it earns now) or rejects (final: it never holds more than as read).
A correction that earns less, or no more than was read, is applied at once. Because the cap is
applied here, every path that awards points (extraction, validation, any later one) obeys it.

It runs inside the caller's transaction, next to the receipt's own change (status, corrections,
deletion), so points and state commit together or not at all. Entries of a receipt are numbered
(`sequence`, unique with the receipt): two writers that read the same state cannot both post, and
one that runs again after a commit finds nothing left to post. The ledger is append-only: nothing
here updates or deletes an entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    CONFIRMED_STATUSES,
    READ_STATUSES,
    LoyaltyEntry,
    LoyaltyReason,
    LoyaltyRules,
    PointsReview,
    Receipt,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.points import DEFAULT_RULES, Purchase, Rules, category_key, compute_points
from server.receipts.values import CENT, KEEP, MILLI, checked_amount, error, unique_names
from server.settings import get_settings


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
    return receipt.possible_duplicate_of_id is None or receipt.status in CONFIRMED_STATUSES  # type: ignore[attr-defined]


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def read_purchases(extraction: dict[str, Any]) -> list[Purchase]:
    """The line items as read (with the categories their brands gave them then)."""
    rows = extraction.get("purchases")
    if rows is None:  # receipts read before the linked categories were kept
        rows = extraction.get("items") or []
    return [
        Purchase(category=row.get("category"), quantity=_decimal(row.get("quantity")))
        for row in rows
    ]


def tolerance(total: Decimal) -> Decimal:
    """How far a typed total may move from the one read and still count as read."""
    settings = get_settings()
    return max(
        settings.receipt_review_tolerance,
        abs(total) * settings.receipt_review_tolerance_percent / 100,
    )


def read_points(receipt: Receipt, *, rules: Rules, earlier: int) -> int:
    """What the receipt earns as read: 0 when nothing was read (typed in by hand)."""
    extraction = receipt.extraction
    if not extraction:
        return 0
    read = ((extraction.get("fields") or {}).get("total") or {}).get("value")
    total = _decimal(read)
    return compute_points(
        rules=rules,
        total=total + tolerance(total) if total is not None else None,
        items=read_purchases(extraction),
        earlier_receipts=earlier,
    ).points


def _purchases(items: Iterable[ReceiptItem]) -> list[Purchase]:
    return [Purchase(category=i.category, quantity=i.quantity) for i in items]


async def settle(
    receipt: Receipt, *, items: list[ReceiptItem], approve: bool = False
) -> LoyaltyEntry | None:
    """Post the difference between what the receipt may hold now and what it holds, and keep its
    review state (`points_pending`, `review`, IN_REVIEW) in step; with `approve`, an
    administrator grants what it earns now. Inside the caller's transaction, the receipt row
    locked by the caller. Returns the entry, or None when nothing was posted. Raises
    IntegrityError when another writer posted first (roll back)."""
    posted = await LoyaltyEntry.filter(receipt_id=receipt.id).values_list("points", flat=True)
    already = sum(cast(list[int], posted))  # flat values, not the tuples Tortoise declares
    first = receipt.awarded_at is None
    if first and not earns(receipt):
        return None
    if first:
        # Serialise a user's first awards, so two receipts finishing together both see each
        # other's count (PostgreSQL; SQLite serialises write transactions anyway).
        await User.filter(id=receipt.owner_id).select_for_update().first()  # type: ignore[attr-defined]
        rules_model = await current_rules()
        # Receipts that hold points: one typed in and still waiting for review does not count.
        earlier = (
            await Receipt.filter(
                owner_id=receipt.owner_id,  # type: ignore[attr-defined]
                awarded_at__isnull=False,
                deleted_at__isnull=True,
                points__gt=0,
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
        if receipt.deleted_at is not None:
            reason = LoyaltyReason.REVERSAL
        elif approve:
            reason = LoyaltyReason.APPROVAL
        else:
            reason = LoyaltyReason.CORRECTION
    pending = 0
    if earns(receipt):
        rules = rules_of(rules_model)
        breakdown = compute_points(
            rules=rules, total=receipt.total, items=_purchases(items), earlier_receipts=earlier
        )
        if approve:
            receipt.approved_points = max(receipt.approved_points or 0, breakdown.points)
            receipt.review = PointsReview.APPROVED
        allowed = max(
            read_points(receipt, rules=rules, earlier=earlier), receipt.approved_points or 0
        )
        target = min(breakdown.points, allowed)
        if receipt.review != PointsReview.REJECTED:
            pending = breakdown.points - target
        detail = {**breakdown.as_json(), "granted": target, "pending": pending}
    else:
        target, detail = 0, {"points": 0, "reversed": already}
    _follow_review(receipt, pending)
    receipt.points = target
    await Receipt.filter(id=receipt.id).update(
        points=target,
        points_pending=receipt.points_pending,
        review=receipt.review,
        approved_points=receipt.approved_points,
        status=receipt.status,
        awarded_at=receipt.awarded_at,
        rules_version=receipt.rules_version,
        earlier_awarded=receipt.earlier_awarded,
    )
    delta = target - already
    if delta == 0 and not first:
        return None
    return await LoyaltyEntry.create(
        user_id=receipt.owner_id,  # type: ignore[attr-defined]
        receipt_id=receipt.id,
        sequence=len(posted),
        reason=reason,
        points=delta,
        rules_version=rules_model.version,
        detail=detail,
    )


def _follow_review(receipt: Receipt, pending: int) -> None:
    """Points pending put a confirmed receipt in the queue; none left take it out."""
    receipt.points_pending = pending
    if pending > 0:
        receipt.review = PointsReview.PENDING
        if receipt.status == ReceiptStatus.VALIDATED:
            receipt.status = ReceiptStatus.IN_REVIEW
        return
    if receipt.review == PointsReview.PENDING:  # corrected back to what may be held
        receipt.review = (  # pyright: ignore[reportAttributeAccessIssue]  (a nullable column)
            PointsReview.APPROVED if receipt.approved_points is not None else None
        )
    if receipt.status == ReceiptStatus.IN_REVIEW:
        receipt.status = ReceiptStatus.VALIDATED


async def balance(*, user_id: Any) -> int:
    """The sum of a user's ledger entries."""
    row = (
        await LoyaltyEntry.filter(user_id=user_id)
        .annotate(total=Sum("points"))
        .first()
        .values("total")
    )
    return int(row["total"] or 0) if row else 0


async def loyalty_balance(*, user_id: uuid.UUID) -> int:
    """A user's points: the sum of their ledger entries."""
    return await balance(user_id=user_id)


def loyalty_entries(*, user_id: uuid.UUID) -> QuerySet[LoyaltyEntry]:
    """A user's ledger entries (for paging)."""
    return LoyaltyEntry.filter(user_id=user_id)


async def get_loyalty_rules(*, version: int | None = None) -> LoyaltyRules:
    """The current rules, or one version. Raises NOT_FOUND."""
    if version is None:
        return await current_rules()
    rules = await LoyaltyRules.get_or_none(version=version)
    if rules is None:
        raise error(ReceiptsErrorCode.NOT_FOUND, "No such rules version.", "version")
    return rules


@dataclass(slots=True)
class RulesEdit:
    base_points: Any = KEEP
    spend_step: Any = KEEP
    points_per_step: Any = KEEP
    multiplier: Any = KEEP
    multiplier_min_receipts: Any = KEEP
    category_points: Any = KEEP
    strategic_categories: Any = KEEP


RULE_FIELDS = (
    "base_points",
    "spend_step",
    "points_per_step",
    "multiplier",
    "multiplier_min_receipts",
    "category_points",
    "strategic_categories",
)


async def update_loyalty_rules(*, actor: User, edit: RulesEdit) -> LoyaltyRules:
    """Add a rules version (the current one with these changes); receipts already awarded keep
    the version they used. Raises INVALID_INPUT."""
    changes: dict[str, Any] = {}
    for name in RULE_FIELDS:
        value = getattr(edit, name)
        if value is KEEP:
            continue
        if value is None:
            raise error(ReceiptsErrorCode.INVALID_INPUT, f"{name} cannot be null.", name)
        if name == "strategic_categories":
            changes[name] = tuple(
                unique_names(
                    value,
                    key=category_key,
                    field=name,
                    most=100,
                    invalid="A category must have 1 to 100 characters.",
                    too_many="At most 100 categories.",
                )
            )
        elif name == "spend_step":
            step = checked_amount(value, field=name, minimum=CENT)
            changes[name] = step
        elif name == "multiplier":
            changes[name] = checked_amount(value, field=name, minimum=Decimal(0), places=MILLI)
            if changes[name] > 100:
                raise error(ReceiptsErrorCode.INVALID_INPUT, f"{name} is out of range.", name)
        else:
            if not 0 <= int(value) <= 100_000:
                raise error(ReceiptsErrorCode.INVALID_INPUT, f"{name} must be 0 to 100000.", name)
            changes[name] = int(value)
    return await add_rules_version(changes=changes, actor=actor)
