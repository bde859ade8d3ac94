"""Points from typed values wait for an administrator: the review queue, approve (exactly once,
also when repeated or concurrent), reject (final), the tolerance for small OCR corrections, typed
line items, the multiplier's count, and 64-bit points."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from schema.core.relay import global_id
from server.receipts import loyalty
from server.receipts.deletion import delete_receipt
from server.receipts.extraction_job import fail_extraction
from server.receipts.models import (
    CorrectionAction,
    LoyaltyEntry,
    LoyaltyReason,
    PointsReview,
    Receipt,
    ReceiptCorrection,
    ReceiptStatus,
)
from server.receipts.review import review_receipt
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import Item, make_receipt, processing_receipt

VALIDATE = """
mutation V($input: ValidateReceiptInput!) {
  validateReceipt(input: $input) {
    pointsPosted
    receipt { id status points pointsPending review }
    errors { field code message }
  }
}"""
APPROVE = """
mutation A($input: ApproveReceiptInput!) {
  approveReceipt(input: $input) {
    pointsPosted
    receipt { id status points pointsPending review
      corrections { action field oldValue newValue reason changedBy { email } } }
    errors { field code message }
  }
}"""
REJECT = """
mutation R($input: RejectReceiptInput!) {
  rejectReceipt(input: $input) {
    receipt { id status points pointsPending review corrections { action reason } }
    errors { field code message }
  }
}"""
QUEUE = """
query Q($after: String) {
  receiptsForReview(first: 100, after: $after) {
    edges { node { id status points pointsPending } }
    pageInfo { hasNextPage endCursor }
  }
}"""
BALANCE = "{ loyalty { balance entries { edges { node { points reason } } } } }"


async def _typed_in(gql, account, **values):
    """A receipt that could not be read, then typed in by its owner through validateReceipt."""
    receipt = await processing_receipt(account)
    await fail_extraction(receipt_id=receipt.id, code="EMPTY_DOCUMENT", message="-")
    payload = data_of(
        await gql(
            VALIDATE,
            {"input": {"id": global_id("Receipt", receipt.id), "store": "MARCHE", **values}},
            token=account.token,
        )
    )["validateReceipt"]
    assert payload["errors"] == []
    return receipt, payload


async def _queue(gql, admin) -> dict[str, dict]:
    nodes, after = {}, None
    while True:
        page = data_of(await gql(QUEUE, {"after": after}, token=admin.token))["receiptsForReview"]
        nodes.update({e["node"]["id"]: e["node"] for e in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def _balance(gql, account) -> int:
    return data_of(await gql(BALANCE, token=account.token))["loyalty"]["balance"]


async def test_a_huge_typed_total_is_refused_and_a_typed_one_waits_for_review(gql):
    # given: a receipt that could not be read
    account, admin = await make_user(), await make_admin()
    receipt = await processing_receipt(account)
    await fail_extraction(receipt_id=receipt.id, code="EMPTY_DOCUMENT", message="-")
    rid = global_id("Receipt", receipt.id)
    # when: the attack of issue 10 (a total of 9,999,999,999.99)
    refused = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "9999999999.99"}}, token=account.token)
    )["validateReceipt"]
    # then
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("total", "INVALID_INPUT")]
    # when: a plausible typed total (10 + 4 = 14 points)
    _, payload = await _typed_in(gql, account, total="42.00")
    # then: nothing is posted; the points wait in the admins' queue
    got = payload["receipt"]
    assert (got["status"], got["points"], got["pointsPending"], got["review"]) == (
        "IN_REVIEW",
        0,
        14,
        "PENDING",
    )
    assert payload["pointsPosted"] == 0
    assert await _balance(gql, account) == 0
    queue = await _queue(gql, admin)
    assert queue[got["id"]]["pointsPending"] == 14
    # the queue and the decisions are for administrators only
    denied = await gql(QUEUE, {}, token=account.token)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = await gql(
        APPROVE, {"input": {"id": got["id"], "pointsPending": 14}}, token=account.token
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _balance(gql, account) == 0


async def test_approve_grants_the_exact_points_once(gql):
    # given
    account, admin = await make_user(), await make_admin()
    receipt, _ = await _typed_in(gql, account, total="42.00")
    rid = global_id("Receipt", receipt.id)
    # when
    seen = {"id": rid, "pointsPending": 14}
    first = data_of(
        await gql(APPROVE, {"input": {**seen, "reason": "paper seen"}}, token=admin.token)
    )["approveReceipt"]
    again = data_of(await gql(APPROVE, {"input": seen}, token=admin.token))["approveReceipt"]
    # then: 14 points, posted by the first call only
    assert first["errors"] == [] and again["errors"] == []
    assert (first["pointsPosted"], again["pointsPosted"]) == (14, 0)
    got = first["receipt"]
    assert (got["status"], got["points"], got["pointsPending"], got["review"]) == (
        "VALIDATED",
        14,
        0,
        "APPROVED",
    )
    assert [c for c in got["corrections"] if c["action"] == "APPROVE"] == [
        {
            "action": "APPROVE",
            "field": "points",
            "oldValue": 0,
            "newValue": 14,
            "reason": "paper seen",
            "changedBy": {"email": admin.email},
        }
    ]
    assert await _balance(gql, account) == 14
    entries = await LoyaltyEntry.filter(receipt_id=receipt.id).order_by("sequence")
    assert [(e.reason, e.points) for e in entries] == [
        (LoyaltyReason.AWARD, 0),
        (LoyaltyReason.APPROVAL, 14),
    ]
    assert [(e.detail["points"], e.detail["granted"], e.detail["pending"]) for e in entries] == [
        (14, 0, 14),
        (14, 14, 0),
    ]
    assert global_id("Receipt", receipt.id) not in await _queue(gql, admin)


async def test_an_approval_grants_only_the_points_the_admin_saw(gql):
    # given: 14 pending, seen by the admin; then the owner raises the total (10 + 9 = 19)
    account, admin = await make_user(), await make_admin()
    receipt, _ = await _typed_in(gql, account, total="42.00")
    rid = global_id("Receipt", receipt.id)
    raised = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "95.00"}}, token=account.token)
    )["validateReceipt"]
    assert raised["receipt"]["pointsPending"] == 19
    # when: the admin approves what they saw
    stale = data_of(
        await gql(APPROVE, {"input": {"id": rid, "pointsPending": 14}}, token=admin.token)
    )["approveReceipt"]
    # then: nothing is granted until they review the new figure
    assert [(e["field"], e["code"]) for e in stale["errors"]] == [
        ("pointsPending", "REVIEW_CHANGED")
    ]
    assert await _balance(gql, account) == 0
    fresh = data_of(
        await gql(APPROVE, {"input": {"id": rid, "pointsPending": 19}}, token=admin.token)
    )["approveReceipt"]
    assert (fresh["errors"], fresh["pointsPosted"]) == ([], 19)


async def test_concurrent_approvals_grant_once(gql):
    account, admin = await make_user(), await make_admin()
    receipt, _ = await _typed_in(gql, account, total="42.00")

    async def approve() -> int:
        done = await review_receipt(
            receipt_id=receipt.id, actor=admin.user, approve=True, reason=None, expected_pending=14
        )
        return done.points_posted

    posted = await asyncio.gather(*(approve() for _ in range(4)))
    assert sorted(posted) == [0, 0, 0, 14]
    assert await loyalty.balance(user_id=account.user.id) == 14
    assert (
        await ReceiptCorrection.filter(
            receipt_id=receipt.id, action=CorrectionAction.APPROVE
        ).count()
        == 1
    )


async def test_reject_grants_nothing_for_good(gql):
    # given
    account, admin = await make_user(), await make_admin()
    receipt, _ = await _typed_in(gql, account, total="42.00")
    rid = global_id("Receipt", receipt.id)
    # a reason is required
    empty = data_of(await gql(REJECT, {"input": {"id": rid, "reason": " "}}, token=admin.token))[
        "rejectReceipt"
    ]
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("reason", "INVALID_INPUT")]
    # when
    rejected = data_of(
        await gql(REJECT, {"input": {"id": rid, "reason": "no such shop"}}, token=admin.token)
    )["rejectReceipt"]
    # then
    assert rejected["errors"] == []
    got = rejected["receipt"]
    assert (got["status"], got["points"], got["pointsPending"], got["review"]) == (
        "VALIDATED",
        0,
        0,
        "REJECTED",
    )
    assert {"action": "REJECT", "reason": "no such shop"} in got["corrections"]
    # approving afterwards is refused, rejecting again changes nothing
    late = data_of(
        await gql(APPROVE, {"input": {"id": rid, "pointsPending": 14}}, token=admin.token)
    )["approveReceipt"]
    assert [(e["field"], e["code"]) for e in late["errors"]] == [("id", "NOT_IN_REVIEW")]
    # the owner cannot type it back into the queue
    retyped = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "99.00"}}, token=account.token)
    )["validateReceipt"]
    assert (retyped["receipt"]["status"], retyped["receipt"]["points"]) == ("VALIDATED", 0)
    assert retyped["receipt"]["pointsPending"] == 0
    assert await _balance(gql, account) == 0
    assert rid not in await _queue(gql, admin)


async def test_a_small_ocr_correction_earns_at_once_a_larger_one_waits(gql):
    # given: read 19.98 -> 10 + 1 = 11
    account = await make_user()
    receipt = await make_receipt(account, store="CORNER", total="19.98")
    rid = global_id("Receipt", receipt.id)
    assert receipt.points == 11
    # when: the last digit was misread (within 0.05 / 1 %): 10 + 2 = 12, at once
    fixed = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "20.00"}}, token=account.token)
    )["validateReceipt"]
    assert (fixed["receipt"]["status"], fixed["receipt"]["points"]) == ("VALIDATED", 12)
    assert fixed["pointsPosted"] == 1
    # when: a total far from the one read (10 + 9 = 19): the 7 more wait
    raised = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "95.00"}}, token=account.token)
    )["validateReceipt"]
    got = raised["receipt"]
    assert (got["status"], got["points"], got["pointsPending"]) == ("IN_REVIEW", 12, 7)
    assert raised["pointsPosted"] == 0
    # when: lowered again (the owner corrects the mistake): out of the queue, points follow
    lowered = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "5.00"}}, token=account.token)
    )["validateReceipt"]
    got = lowered["receipt"]
    assert (got["status"], got["points"], got["pointsPending"], got["review"]) == (
        "VALIDATED",
        10,
        0,
        None,
    )
    assert lowered["pointsPosted"] == -2
    assert await _balance(gql, account) == 10


async def test_typed_line_items_earn_no_bonus_until_approved(gql):
    # given: a FAILED receipt typed in with 2 luxury units: 10 + 0 + 2 x 5 = 20
    account, admin = await make_user(), await make_admin()
    receipt, payload = await _typed_in(
        gql,
        account,
        total="5.00",
        items=[{"name": "MONTRE", "unitPrice": "2.50", "quantity": "2", "category": "Luxury"}],
    )
    assert (payload["receipt"]["points"], payload["receipt"]["pointsPending"]) == (0, 20)
    # when
    done = await review_receipt(receipt_id=receipt.id, actor=admin.user, approve=True, reason=None)
    # then
    assert (done.receipt.points, done.points_posted) == (20, 20)


async def test_items_added_or_recategorised_on_a_read_receipt_wait(gql):
    # given: read, 10 + 2 = 12
    account, admin = await make_user(), await make_admin()
    receipt = await make_receipt(
        account, store="BAZAR", total="20.00", items=[Item("SAC", "20.00", category="MODE")]
    )
    item = global_id("ReceiptItem", (await receipt.items.all())[0].id)
    rid = global_id("Receipt", receipt.id)
    # when: the item becomes "luxury" and a luxury item is added
    payload = data_of(
        await gql(
            VALIDATE,
            {
                "input": {
                    "id": rid,
                    "items": [
                        {"id": item, "category": "luxury"},
                        {"name": "BAGUE", "unitPrice": "0.00", "category": "luxury"},
                    ],
                }
            },
            token=account.token,
        )
    )["validateReceipt"]
    # then: the 10 bonus points wait
    got = payload["receipt"]
    assert (got["status"], got["points"], got["pointsPending"]) == ("IN_REVIEW", 12, 10)
    # an approval grants them; after it, corrections up to what was approved need no review
    await review_receipt(receipt_id=receipt.id, actor=admin.user, approve=True, reason="checked")
    again = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "total": "20.00"}}, token=account.token)
    )["validateReceipt"]
    assert (again["receipt"]["status"], again["receipt"]["points"]) == ("VALIDATED", 22)
    assert await _balance(gql, account) == 22


async def test_receipts_waiting_for_review_do_not_unlock_the_multiplier(gql):
    # given: five typed-in receipts waiting (no points yet)
    account = await make_user()
    for _ in range(5):
        await _typed_in(gql, account, total="5.00")
    # when: a read receipt earns
    read = await make_receipt(account, store="REAL", total="5.00")
    # then: it has no earlier earning receipts: 10, not 12
    assert (read.points, read.earlier_awarded) == (10, 0)


async def test_points_and_balances_are_64_bit(gql):
    # given: a ledger entry and a receipt near 2**62 (beyond an int32)
    account = await make_user()
    receipt = await make_receipt(account, store="BIG", total="1.00")
    huge = 2**62 + 12345
    await Receipt.filter(id=receipt.id).update(points=huge, points_pending=huge)
    await LoyaltyEntry.create(
        user_id=account.user.id,
        receipt_id=receipt.id,
        sequence=1,
        reason=LoyaltyReason.CORRECTION,
        points=huge - receipt.points,
        rules_version=receipt.rules_version,
    )
    # when / then: read back exactly, through the ORM and the API
    assert (await Receipt.get(id=receipt.id)).points == huge
    assert await loyalty.balance(user_id=account.user.id) == huge
    assert await _balance(gql, account) == huge
    got = data_of(
        await gql(
            "query($id: ID!) { receipt(id: $id) { points pointsPending } }",
            {"id": global_id("Receipt", receipt.id)},
            token=account.token,
        )
    )["receipt"]
    assert got == {"points": huge, "pointsPending": huge}


async def test_a_deleted_receipt_leaves_the_queue(gql):
    account, admin = await make_user(), await make_admin()
    receipt, _ = await _typed_in(gql, account, total="42.00")
    await delete_receipt(receipt_id=receipt.id, owner=account.user)
    stored = await Receipt.get(id=receipt.id)
    assert (stored.status, stored.review, stored.points_pending) == (
        ReceiptStatus.VALIDATED,
        None,
        0,
    )
    assert global_id("Receipt", receipt.id) not in await _queue(gql, admin)
    assert await loyalty.balance(user_id=account.user.id) == 0
    assert PointsReview.PENDING not in {
        r.review for r in await Receipt.filter(owner_id=account.user.id)
    }


def test_the_tolerance_is_the_larger_of_the_amount_and_the_percent() -> None:
    assert loyalty.tolerance(Decimal("2.00")) == Decimal("0.05")
    assert loyalty.tolerance(Decimal("300.00")) == Decimal("3.00")
