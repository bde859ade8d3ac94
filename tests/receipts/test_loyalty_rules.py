"""Loyalty rules are versioned: an update publishes a new version that later awards use, while
receipts already awarded keep theirs (also when corrected); admins only."""

from __future__ import annotations

from schema.core.relay import global_id
from server.receipts.loyalty import current_rules
from server.receipts.models import LoyaltyEntry, LoyaltyReason
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import make_receipt

RULES = """
query R($version: Int) {
  loyaltyRules(version: $version) {
    version basePoints spendStep pointsPerStep multiplier multiplierMinReceipts categoryPoints
    strategicCategories
  }
}"""
UPDATE = """
mutation U($input: UpdateLoyaltyRulesInput!) {
  updateLoyaltyRules(input: $input) {
    rules { version basePoints spendStep multiplier strategicCategories }
    errors { field code message }
  }
}"""
VALIDATE = """
mutation V($input: ValidateReceiptInput!) {
  validateReceipt(input: $input) { pointsPosted receipt { points } errors { code } }
}"""


async def test_an_update_changes_later_awards_only(gql, restore_default_rules):
    # given: a receipt awarded under the current rules (20.00 -> 10 + 2)
    admin, user = await make_admin(), await make_user()
    before = data_of(await gql(RULES, {}, token=admin.token))["loyaltyRules"]
    assert {k: v for k, v in before.items() if k != "version"} == {
        "basePoints": 10,
        "spendStep": "10.00",
        "pointsPerStep": 1,
        "multiplier": "1.200",
        "multiplierMinReceipts": 5,
        "categoryPoints": 5,
        "strategicCategories": ["luxury", "electronics"],
    }
    old = await make_receipt(user, store="OLD SHOP", total="20.00")
    assert old.points == 12
    # when
    result = data_of(
        await gql(
            UPDATE,
            {"input": {"basePoints": 20, "spendStep": "5", "strategicCategories": ["books"]}},
            token=admin.token,
        )
    )["updateLoyaltyRules"]
    # then: a new version, the other values carried over
    assert result["errors"] == []
    assert result["rules"] == {
        "version": before["version"] + 1,
        "basePoints": 20,
        "spendStep": "5.00",
        "multiplier": "1.200",
        "strategicCategories": ["books"],
    }
    # a later receipt uses it: 20 + 4 (20.00 in steps of 5)
    new = await make_receipt(user, store="NEW SHOP", total="20.00")
    assert (new.points, new.rules_version) == (24, before["version"] + 1)
    # the earlier receipt, corrected (lower: no review), keeps its version: 10 + 0 (9.50 in
    # steps of 10; the new version would give 20 + 1)
    corrected = data_of(
        await gql(
            VALIDATE,
            {"input": {"id": global_id("Receipt", old.id), "total": "9.50"}},
            token=user.token,
        )
    )["validateReceipt"]
    assert (corrected["receipt"]["points"], corrected["pointsPosted"]) == (10, -2)
    entries = await LoyaltyEntry.filter(user_id=user.user.id).order_by("created_at", "sequence")
    assert [(e.reason, e.points, e.rules_version) for e in entries] == [
        (LoyaltyReason.AWARD, 12, before["version"]),
        (LoyaltyReason.AWARD, 24, before["version"] + 1),
        (LoyaltyReason.CORRECTION, -2, before["version"]),
    ]
    # earlier versions stay readable
    again = data_of(await gql(RULES, {"version": before["version"]}, token=admin.token))
    assert again["loyaltyRules"] == before
    assert data_of(await gql(RULES, {"version": 10_000}, token=admin.token))["loyaltyRules"] is None


async def test_bad_rules_are_refused_and_publish_nothing(gql):
    admin = await make_admin()
    version = (await current_rules()).version
    for values, field in (
        ({"spendStep": "0"}, "spendStep"),
        ({"basePoints": -1}, "basePoints"),
        ({"multiplier": "-1"}, "multiplier"),
        ({"multiplier": "1.2345"}, "multiplier"),
        ({"basePoints": None}, "basePoints"),
        ({"strategicCategories": ["ok", "  "]}, "strategicCategories.1"),
    ):
        payload = data_of(await gql(UPDATE, {"input": values}, token=admin.token))[
            "updateLoyaltyRules"
        ]
        assert payload["rules"] is None, values
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "INVALID_INPUT")], (
            values
        )
    assert (await current_rules()).version == version


async def test_rules_are_for_admins_only(gql):
    user = await make_user()
    for query, variables in ((RULES, {}), (UPDATE, {"input": {"basePoints": 99}})):
        refused = await gql(query, variables, token=user.token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert all(value is None for value in (refused["data"] or {}).values())
