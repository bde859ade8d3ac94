"""Loyalty points: the rules as a table of cases, then the ledger as receipts are read,
corrected and deleted (threshold of earlier receipts, correction delta, reversal, versions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schema.core.relay import global_id
from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.receipts.correction import ItemEdit, ReceiptEdit, validate_receipt
from server.receipts.deletion import delete_receipt
from server.receipts.loyalty import current_rules
from server.receipts.models import LoyaltyEntry, LoyaltyReason, ReceiptStatus
from server.receipts.points import DEFAULT_RULES, Purchase, Rules, compute_points
from server.receipts.review import review_receipt
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import Item, make_receipt

D = Decimal
ELECTRONICS_2 = (Purchase("Electronics", D(2)),)
CASES = [
    # (case, total, items, earlier receipts, rules, expected points)
    ("base only, no total", None, (), 0, DEFAULT_RULES, 10),
    ("under one step", D("9.99"), (), 0, DEFAULT_RULES, 10),
    ("exactly one step", D("10.00"), (), 0, DEFAULT_RULES, 11),
    ("full steps only", D("23.19"), (), 0, DEFAULT_RULES, 12),
    ("99.99 is 9 steps", D("99.99"), (), 0, DEFAULT_RULES, 19),
    ("a negative total earns no spend points", D("-5.00"), (), 0, DEFAULT_RULES, 10),
    ("4 earlier receipts: no multiplier", D("20.00"), (), 4, DEFAULT_RULES, 12),
    ("5 earlier receipts: x1.2, 14.4 rounds down", D("20.00"), (), 5, DEFAULT_RULES, 14),
    ("x1.2 of 13 is 15.6, rounds up", D("30.00"), (), 7, DEFAULT_RULES, 16),
    ("strategic: 2 units of electronics", D("5.00"), ELECTRONICS_2, 0, DEFAULT_RULES, 20),
    ("strategic: any case, no accents", None, (Purchase(" LUXURY ", None),), 0, DEFAULT_RULES, 15),
    (
        "a weighed quantity is one unit",
        None,
        (Purchase("luxury", D("0.754")),),
        0,
        DEFAULT_RULES,
        15,
    ),
    ("a returned unit earns nothing", None, (Purchase("luxury", D("-1")),), 0, DEFAULT_RULES, 10),
    ("other categories earn nothing", None, (Purchase("EPICERIE", D(3)),), 0, DEFAULT_RULES, 10),
    ("the multiplier applies to the whole sum", D("20.00"), ELECTRONICS_2, 5, DEFAULT_RULES, 26),
    (
        "half up: 11 x 1.5 = 16.5 -> 17",
        D("10.00"),
        (),
        5,
        Rules(version=9, multiplier=D("1.5")),
        17,
    ),
    (
        "custom steps: 2 points per full 5",
        D("12.00"),
        (),
        0,
        Rules(version=9, base_points=0, spend_step=D(5), points_per_step=2),
        4,
    ),
    (
        "custom strategic categories",
        None,
        (Purchase("Épicerie", D(3)),),
        0,
        Rules(version=9, strategic_categories=("epicerie",), category_points=2),
        16,
    ),
]


@pytest.mark.parametrize(
    ("total", "items", "earlier", "rules", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_points_rules(total, items, earlier, rules, expected) -> None:
    assert (
        compute_points(rules=rules, total=total, items=items, earlier_receipts=earlier).points
        == expected
    )


def test_the_breakdown_explains_the_figure() -> None:
    breakdown = compute_points(
        rules=DEFAULT_RULES, total=D("20.00"), items=ELECTRONICS_2, earlier_receipts=5
    )
    assert breakdown.as_json() == {
        "base": 10,
        "spend": 2,
        "strategicUnits": 2,
        "category": 10,
        "multiplied": True,
        "multiplier": "1.2",
        "points": 26,
    }


# --- the ledger ----------------------------------------------------------------------------

LOYALTY = """
{ loyalty { balance entries(first: 50) { edges { node { points reason rulesVersion
    receipt { id } } } } } }"""


async def test_the_multiplier_starts_with_the_sixth_earning_receipt(gql):
    # given: five receipts of 5.00 each earn 10, whatever came before
    account = await make_user()
    first_five = [await make_receipt(account, store=f"SHOP {i}", total="5.00") for i in range(5)]
    # when: the sixth has five earlier receipts that earned points
    sixth = await make_receipt(account, store="SHOP 6", total="5.00")
    # then
    assert [r.points for r in first_five] == [10, 10, 10, 10, 10]
    assert [r.earlier_awarded for r in first_five] == [0, 1, 2, 3, 4]
    assert (sixth.points, sixth.earlier_awarded) == (12, 5)
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["balance"] == 62


async def test_deleted_receipts_and_unvalidated_duplicates_do_not_count(gql):
    account = await make_user()
    kept = [await make_receipt(account, store=f"SHOP {i}", total="5.00") for i in range(5)]
    # a possible duplicate earns nothing and does not count
    duplicate = await make_receipt(account, store="SHOP 0", total="5.00")
    assert duplicate.points == 0 and duplicate.possible_duplicate_of_id == kept[0].id
    # one deletion: four earlier earning receipts remain
    await delete_receipt(receipt_id=kept[0].id, owner=account.user)
    later = await make_receipt(account, store="OTHER", total="5.00")
    assert (later.points, later.earlier_awarded) == (10, 4)


async def test_a_correction_posts_the_difference_and_a_deletion_reverses(gql):
    # given: 20.00 with one electronics unit -> 10 + 2 + 5 = 17
    account = await make_user()
    receipt = await make_receipt(
        account,
        total="20.00",
        items=[Item("CASQUE", "20.00", quantity="1", category="electronics")],
    )
    version = (await current_rules()).version
    assert receipt.points == 17
    # when: the total was 45.00 and there were 3 units
    item = (await receipt.items.all())[0]
    done = await validate_receipt(
        receipt_id=receipt.id,
        owner=account.user,
        actor=account.user,
        edit=ReceiptEdit(total=D("45.00"), items=[ItemEdit(id=item.id, quantity=D(3))]),
    )
    # then: 10 + 4 + 15 = 29, but typed values earn more than was read: +12 waits for review
    assert (done.receipt.points, done.receipt.points_pending, done.points_posted) == (17, 12, 0)
    assert done.receipt.status == ReceiptStatus.IN_REVIEW
    # an administrator approves: the ledger gets +12
    admin = await make_admin()
    approved = await review_receipt(
        receipt_id=receipt.id, actor=admin.user, approve=True, reason=None
    )
    assert (approved.receipt.points, approved.points_posted) == (29, 12)
    # a validation that changes nothing posts nothing
    again = await validate_receipt(
        receipt_id=receipt.id, owner=account.user, actor=account.user, edit=ReceiptEdit()
    )
    assert again.points_posted == 0
    # when deleted, everything it earned is reversed, and its file is gone
    file = await StoredFile.get(id=receipt.file_id)
    assert await get_blob_store().exists(file.blob_key)
    deleted = await delete_receipt(receipt_id=receipt.id, owner=account.user)
    assert deleted.points_reversed == 29
    assert not await StoredFile.exists(id=file.id)
    assert not await get_blob_store().exists(file.blob_key)
    entries = await LoyaltyEntry.filter(receipt_id=receipt.id).order_by("sequence")
    assert [(e.sequence, e.reason, e.points, e.rules_version) for e in entries] == [
        (0, LoyaltyReason.AWARD, 17, version),
        (1, LoyaltyReason.APPROVAL, 12, version),
        (2, LoyaltyReason.REVERSAL, -29, version),
    ]
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["balance"] == 0
    # newest first; a deleted receipt is no longer visible from its entries
    assert [(e["node"]["points"], e["node"]["reason"]) for e in loyalty["entries"]["edges"]] == [
        (-29, "REVERSAL"),
        (12, "APPROVAL"),
        (17, "AWARD"),
    ]
    assert all(e["node"]["receipt"] is None for e in loyalty["entries"]["edges"])


async def test_entries_link_to_live_receipts(gql):
    account = await make_user()
    receipt = await make_receipt(account, total="10.00")
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["entries"]["edges"][0]["node"]["receipt"] == {
        "id": global_id("Receipt", receipt.id)
    }
