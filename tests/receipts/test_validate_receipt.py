"""validateReceipt: corrections of fields and items (add, change, delete), the audit trail, the
values as read kept, points recomputed; and the refusals, which change nothing."""

from __future__ import annotations

from decimal import Decimal

from schema.core.relay import global_id
from server.receipts.correction import ReceiptEdit, validate_receipt
from server.receipts.errors import ReceiptsError, ReceiptsErrorCode
from server.receipts.extraction_job import fail_extraction
from server.receipts.loyalty import current_rules
from server.receipts.models import ReceiptCorrection
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import Item, make_receipt, processing_receipt

VALIDATE = """
mutation V($input: ValidateReceiptInput!) {
  validateReceipt(input: $input) {
    pointsPosted
    receipt {
      id status store date location total currency points pointsPending review validatedAt
      fields { name value extractedValue confidence corrected }
      items { id name quantity unitPrice total category source }
      corrections { action field itemId oldValue newValue changedBy { id email } createdAt }
    }
    errors { field code message }
  }
}"""
LOYALTY = "{ loyalty { balance entries { edges { node { points reason rulesVersion } } } } }"


async def _receipt_with_items(account):
    # 10 + 30 (303.83) + 5 (one electronics unit) = 45
    return await make_receipt(
        account,
        store="SUPER U",
        total="303.83",
        items=[
            Item("YAOURT", "1.85", category="CREMERIE"),
            Item("LAIT", "1.98", quantity="2", unit_price="0.99", category="CREMERIE"),
            Item("TV SAMSUNG", "300.00", quantity="1", category="electronics"),
        ],
    )


async def test_corrections_add_change_and_remove_items_and_keep_an_audit_trail(gql):
    # given
    account = await make_user()
    receipt = await _receipt_with_items(account)
    assert receipt.points == 45
    items = {i.name: i for i in await receipt.items.all()}
    item_id = {name: global_id("ReceiptItem", i.id) for name, i in items.items()}
    # when
    result = await gql(
        VALIDATE,
        {
            "input": {
                "id": global_id("Receipt", receipt.id),
                "store": "Super U Paris",
                "total": "310.00",
                "date": "2025-03-19",
                "items": [
                    {"id": item_id["YAOURT"], "name": "YAOURT NATURE"},
                    {"id": item_id["LAIT"], "quantity": "3"},
                    {"id": item_id["TV SAMSUNG"], "delete": True},
                    {
                        "name": "CASQUE AUDIO",
                        "quantity": "2",
                        "unitPrice": "3.09",
                        "category": "Electronics",
                    },
                ],
            }
        },
        token=account.token,
    )
    payload = data_of(result)["validateReceipt"]
    # then
    assert payload["errors"] == []
    got = payload["receipt"]
    assert (got["status"], got["store"], got["total"], got["date"]) == (
        "IN_REVIEW",
        "Super U Paris",
        "310.00",
        "2025-03-19",
    )
    assert got["validatedAt"] is not None
    assert [
        (i["name"], i["quantity"], i["unitPrice"], i["total"], i["category"], i["source"])
        for i in got["items"]
    ] == [
        ("YAOURT NATURE", None, None, "1.85", "CREMERIE", "EXTRACTED"),
        ("LAIT", "3", "0.99", "2.97", "CREMERIE", "EXTRACTED"),
        ("CASQUE AUDIO", "2", "3.09", "6.18", "Electronics", "MANUAL"),
    ]
    # the values as read stay next to the corrected ones
    fields = {f["name"]: f for f in got["fields"]}
    assert (fields["store"]["value"], fields["store"]["extractedValue"]) == (
        "Super U Paris",
        "SUPER U",
    )
    assert fields["store"]["corrected"] and fields["total"]["corrected"]
    assert fields["store"]["confidence"] == 0.95
    assert not fields["currency"]["corrected"]
    # who changed what
    trail = [
        (c["action"], c["field"], c["itemId"], c["oldValue"], c["newValue"])
        for c in got["corrections"]
    ]
    added_id = got["items"][2]["id"]
    assert sorted(trail, key=repr) == sorted(
        [
            ("CHANGE", "store", None, "SUPER U", "Super U Paris"),
            ("CHANGE", "date", None, "2025-03-18", "2025-03-19"),
            ("CHANGE", "total", None, "303.83", "310.00"),
            ("CHANGE", "items.name", item_id["YAOURT"], "YAOURT", "YAOURT NATURE"),
            ("CHANGE", "items.quantity", item_id["LAIT"], "2", "3"),
            ("CHANGE", "items.total", item_id["LAIT"], "1.98", "2.97"),
            (
                "REMOVE_ITEM",
                "items",
                item_id["TV SAMSUNG"],
                {
                    "name": "TV SAMSUNG",
                    "quantity": "1",
                    "unitPrice": None,
                    "total": "300.00",
                    "category": "electronics",
                },
                None,
            ),
            (
                "ADD_ITEM",
                "items",
                added_id,
                None,
                {
                    "name": "CASQUE AUDIO",
                    "quantity": "2",
                    "unitPrice": "3.09",
                    "total": "6.18",
                    "category": "Electronics",
                },
            ),
        ],
        key=repr,
    )
    assert {c["changedBy"]["email"] for c in got["corrections"]} == {account.email}
    # points: 10 + 31 + 2 x 5 = 51, but as read (303.83 give or take 1 %) it earns 45: the
    # typed difference waits for an administrator, and the ledger is unchanged
    assert (got["points"], got["pointsPending"], got["review"], payload["pointsPosted"]) == (
        45,
        6,
        "PENDING",
        0,
    )
    version = (await current_rules()).version
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["balance"] == 45
    assert [e["node"] for e in loyalty["entries"]["edges"]] == [
        {"points": 45, "reason": "AWARD", "rulesVersion": version},
    ]


async def test_an_admin_may_correct_and_is_named_only_to_admins(gql):
    account, admin = await make_user(), await make_admin()
    receipt = await make_receipt(account, store="LIDL", total="5.00")
    payload = data_of(
        await gql(
            VALIDATE,
            {"input": {"id": global_id("Receipt", receipt.id), "currency": "chf"}},
            token=admin.token,
        )
    )["validateReceipt"]
    assert payload["errors"] == [] and payload["receipt"]["currency"] == "CHF"
    assert payload["receipt"]["corrections"][0]["changedBy"]["email"] == admin.email
    # the owner sees the change, not who the administrator was
    mine = data_of(
        await gql(
            "query($id: ID!) { receipt(id: $id) { corrections { field changedBy { id } } } }",
            {"id": global_id("Receipt", receipt.id)},
            token=account.token,
        )
    )["receipt"]
    assert mine["corrections"] == [{"field": "currency", "changedBy": None}]


async def test_refusals_are_typed_and_change_nothing(gql):
    # given
    account, stranger = await make_user(), await make_user()
    receipt = await _receipt_with_items(account)
    rid = global_id("Receipt", receipt.id)
    item = global_id("ReceiptItem", (await receipt.items.all())[0].id)
    processing = await processing_receipt(account)
    cases = [
        (
            {"id": rid, "items": [{"id": global_id("ReceiptItem", processing.id)}]},
            "items.0.id",
            "NOT_FOUND",
        ),
        ({"id": rid, "items": [{"name": "NEW"}]}, "items.0.unitPrice", "INVALID_INPUT"),
        ({"id": rid, "items": [{"unitPrice": "1.00"}]}, "items.0.name", "INVALID_INPUT"),
        (
            {"id": rid, "items": [{"id": item, "quantity": "0"}]},
            "items.0.quantity",
            "INVALID_INPUT",
        ),
        (
            {"id": rid, "items": [{"id": item, "unitPrice": "1.001"}]},
            "items.0.unitPrice",
            "INVALID_INPUT",
        ),
        ({"id": rid, "items": [{"id": item}, {"id": item}]}, "items.1.id", "INVALID_INPUT"),
        ({"id": rid, "total": "-1.00"}, "total", "INVALID_INPUT"),
        # amounts are bounded (RECEIPT_MAX_TOTAL), finite, in cents
        ({"id": rid, "total": "9999999999.99"}, "total", "INVALID_INPUT"),
        ({"id": rid, "total": "100000.01"}, "total", "INVALID_INPUT"),
        ({"id": rid, "total": "12.345"}, "total", "INVALID_INPUT"),
        (
            {"id": rid, "items": [{"id": item, "unitPrice": "-1.00"}]},
            "items.0.unitPrice",
            "INVALID_INPUT",
        ),
        (
            {"id": rid, "items": [{"id": item, "unitPrice": "100000.01"}]},
            "items.0.unitPrice",
            "INVALID_INPUT",
        ),
        (
            {"id": rid, "items": [{"name": "OR", "quantity": "1000", "unitPrice": "1000.00"}]},
            "items.0.unitPrice",
            "INVALID_INPUT",
        ),
        (
            {"id": rid, "items": [{"id": item, "quantity": "100000"}]},
            "items.0.quantity",
            "INVALID_INPUT",
        ),
        ({"id": rid, "currency": "EURO"}, "currency", "INVALID_INPUT"),
        ({"id": rid, "store": "   "}, "store", "INVALID_INPUT"),
        ({"id": rid, "date": "1900-01-01"}, "date", "INVALID_INPUT"),
        ({"id": global_id("Receipt", processing.id), "store": "X"}, "id", "NOT_READY"),
    ]
    for variables, field, code in cases:
        # when
        payload = data_of(await gql(VALIDATE, {"input": variables}, token=account.token))[
            "validateReceipt"
        ]
        # then
        assert payload["receipt"] is None, variables
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], variables
    # someone else's receipt does not exist for them
    payload = data_of(
        await gql(VALIDATE, {"input": {"id": rid, "store": "MINE"}}, token=stranger.token)
    )["validateReceipt"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "NOT_FOUND")]
    # nothing was written
    await receipt.refresh_from_db()
    assert (receipt.status.value, receipt.store, receipt.points) == ("EXTRACTED", "SUPER U", 45)
    assert not await ReceiptCorrection.filter(receipt_id=receipt.id).exists()
    assert await receipt.items.all().count() == 3


async def test_a_receipt_that_could_not_be_read_can_be_typed_in(gql):
    # given
    account = await make_user()
    receipt = await processing_receipt(account)
    await fail_extraction(receipt_id=receipt.id, code="EMPTY_DOCUMENT", message="nothing to read")
    # when
    payload = data_of(
        await gql(
            VALIDATE,
            {
                "input": {
                    "id": global_id("Receipt", receipt.id),
                    "store": "MARCHE",
                    "date": "2025-06-01",
                    "total": "12.00",
                    "currency": "EUR",
                    "items": [{"name": "FRAISES", "unitPrice": "6.00", "quantity": "2"}],
                }
            },
            token=account.token,
        )
    )["validateReceipt"]
    # then: confirmed, with nothing "as read": its 11 points wait for an administrator
    assert payload["errors"] == []
    got = payload["receipt"]
    assert (got["status"], got["store"], got["total"], got["points"], got["pointsPending"]) == (
        "IN_REVIEW",
        "MARCHE",
        "12.00",
        0,
        11,
    )
    assert payload["pointsPosted"] == 0
    store = next(f for f in got["fields"] if f["name"] == "store")
    assert (store["extractedValue"], store["confidence"], store["corrected"]) == (
        None,
        None,
        True,
    )
    assert [(i["name"], i["total"], i["source"]) for i in got["items"]] == [
        ("FRAISES", "12.00", "MANUAL")
    ]


async def test_the_service_refuses_amounts_that_are_not_finite_or_too_large(gql):
    # (the GraphQL input layer may refuse some first; the service never relies on it)
    account = await make_user()
    receipt = await make_receipt(account, store="LIDL", total="5.00")
    for value in ("1e999999", "Infinity", "NaN", "100000.01"):
        try:
            await validate_receipt(
                receipt_id=receipt.id,
                owner=account.user,
                actor=account.user,
                edit=ReceiptEdit(total=Decimal(value)),
            )
        except ReceiptsError as exc:
            assert (exc.code, exc.field) == (ReceiptsErrorCode.INVALID_INPUT, "total"), value
        else:
            raise AssertionError(f"{value} was accepted")
    await receipt.refresh_from_db()
    assert (receipt.total, receipt.points) == (Decimal("5.00"), 10)
