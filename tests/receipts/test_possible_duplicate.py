"""The same store, date and total again (another photo of one receipt?): accepted, flagged
`possibleDuplicateOf`, and earning nothing until its owner validates it."""

from __future__ import annotations

from datetime import date

from schema.core.relay import global_id
from tests.conftest import data_of
from tests.factories import make_user
from tests.receipts.factories import make_receipt

RECEIPT = """
query R($id: ID!) {
  receipt(id: $id) { status points possibleDuplicateOf { id store } warnings { code } }
}"""
VALIDATE = """
mutation V($id: ID!) {
  validateReceipt(input: {id: $id}) {
    pointsPosted receipt { status points possibleDuplicateOf { id } } errors { code }
  }
}"""
LOYALTY = "{ loyalty { balance entries { edges { node { points reason } } } } }"


async def test_a_possible_duplicate_earns_points_once_validated(gql):
    # given: a receipt, then another with the same store (any case), date and total
    account = await make_user()
    first = await make_receipt(account, store="Monoprix", day=date(2025, 5, 2), total="20.00")
    second = await make_receipt(account, store="MONOPRIX", day=date(2025, 5, 2), total="20.00")
    # when
    flagged = data_of(
        await gql(RECEIPT, {"id": global_id("Receipt", second.id)}, token=account.token)
    )["receipt"]
    # then
    assert flagged["status"] == "NEEDS_REVIEW"
    assert flagged["possibleDuplicateOf"] == {
        "id": global_id("Receipt", first.id),
        "store": "Monoprix",
    }
    assert {"code": "possible_duplicate"} in flagged["warnings"]
    assert flagged["points"] == 0
    assert data_of(await gql(LOYALTY, token=account.token))["loyalty"]["balance"] == 12
    # when validated, it earns (10 + 2; one earlier receipt: no multiplier)
    validated = data_of(
        await gql(VALIDATE, {"id": global_id("Receipt", second.id)}, token=account.token)
    )["validateReceipt"]
    assert validated["errors"] == []
    assert validated["pointsPosted"] == 12
    assert validated["receipt"]["status"] == "VALIDATED"
    assert validated["receipt"]["points"] == 12
    assert validated["receipt"]["possibleDuplicateOf"] == {"id": global_id("Receipt", first.id)}
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["balance"] == 24
    assert [e["node"] for e in loyalty["entries"]["edges"]] == [
        {"points": 12, "reason": "AWARD"},
        {"points": 12, "reason": "AWARD"},
    ]


async def test_a_different_total_date_or_owner_is_no_duplicate(app):
    account, other = await make_user(), await make_user()
    base = {"store": "FRANPRIX", "day": date(2025, 5, 3), "total": "9.90"}
    await make_receipt(account, **base)
    for receipt in (
        await make_receipt(account, **{**base, "total": "9.91"}),
        await make_receipt(account, **{**base, "day": date(2025, 5, 4)}),
        await make_receipt(other, **base),
    ):
        assert receipt.possible_duplicate_of_id is None
        assert receipt.points > 0
