"""The stock ledger: receipts, adjustments and counts append numbered movements whose balances
explain the stock on hand; concurrent writers never lose an update."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from schema.core.relay import global_id
from server.companies import stock
from server.companies.models import Product, StockMovement
from tests.companies.factories import company_key, join, make_company, make_product
from tests.conftest import data_of
from tests.factories import make_user

FIELDS = """
    movement { id sequence kind quantity balanceAfter belowZero reason occurredAt productId }
    product { stockOnHand }
    errors { field code }
"""
ADJUST = f"""
mutation A($input: AdjustStockInput!) {{ adjustStock(input: $input) {{ {FIELDS} }} }}"""
COUNT = f"""
mutation C($input: RecordStockCountInput!) {{ recordStockCount(input: $input) {{ {FIELDS} }} }}"""
RECEIVE = f"""
mutation R($input: ReceiveStockInput!) {{ receiveStock(input: $input) {{ {FIELDS} }} }}"""
ARCHIVE = """
mutation A($input: ArchiveProductInput!) { archiveProduct(input: $input) { errors { code } } }"""
MOVEMENTS = """
query M($id: ID!, $after: String) {
  node(id: $id) {
    ... on Product {
      stockOnHand
      movements(first: 2, after: $after) {
        totalCount
        edges { node { sequence kind quantity balanceAfter reason } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""


def short(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without the ids and times."""
    movement = payload["movement"]
    if movement is not None:
        movement = {k: v for k, v in movement.items() if k not in ("id", "occurredAt", "productId")}
    return {**payload, "movement": movement}


async def test_a_member_receives_adjusts_and_counts_and_the_ledger_explains_the_balance(gql):
    # given: Alice runs the company, Mia is a plain member
    alice, mia = await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    product = await make_product(company, sku="A-1")
    ids = {
        "companyId": global_id("Company", company.id),
        "productId": global_id("Product", product.id),
    }
    # when: goods received, 2.5 lost, a count finding 10
    received = data_of(
        await gql(RECEIVE, {"input": {**ids, "quantity": "12", "reason": "PO 7"}}, token=mia.token)
    )["receiveStock"]
    adjusted = data_of(
        await gql(
            ADJUST, {"input": {**ids, "quantity": "-2.5", "reason": " broken "}}, token=mia.token
        )
    )["adjustStock"]
    counted = data_of(
        await gql(COUNT, {"input": {**ids, "countedQuantity": "10"}}, token=mia.token)
    )["recordStockCount"]
    # then
    assert short(received) == {
        "movement": {
            "sequence": 1,
            "kind": "RECEIPT",
            "quantity": "12",
            "balanceAfter": "12",
            "belowZero": False,
            "reason": "PO 7",
        },
        "product": {"stockOnHand": "12"},
        "errors": [],
    }
    assert short(adjusted)["movement"] == {
        "sequence": 2,
        "kind": "ADJUSTMENT",
        "quantity": "-2.5",
        "balanceAfter": "9.5",
        "belowZero": False,
        "reason": "broken",
    }
    assert short(counted)["movement"] == {
        "sequence": 3,
        "kind": "COUNT",
        "quantity": "0.5",
        "balanceAfter": "10",
        "belowZero": False,
        "reason": "",
    }
    assert counted["product"] == {"stockOnHand": "10"}
    assert received["movement"]["productId"] == ids["productId"]
    # the ledger, newest first, paged by 2
    pid = ids["productId"]
    first = data_of(await gql(MOVEMENTS, {"id": pid}, token=mia.token))["node"]
    assert first["stockOnHand"] == "10"
    page = first["movements"]
    assert [e["node"]["sequence"] for e in page["edges"]] == [3, 2]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
    after = page["pageInfo"]["endCursor"]
    rest = data_of(await gql(MOVEMENTS, {"id": pid, "after": after}, token=mia.token))["node"]
    assert rest["movements"]["edges"] == [
        {
            "node": {
                "sequence": 1,
                "kind": "RECEIPT",
                "quantity": "12",
                "balanceAfter": "12",
                "reason": "PO 7",
            }
        }
    ]
    assert rest["movements"]["pageInfo"]["hasNextPage"] is False
    # the movement is a node of its company's members
    node = data_of(
        await gql(
            "query N($id: ID!) { node(id: $id) { id } }",
            {"id": counted["movement"]["id"]},
            token=mia.token,
        )
    )["node"]
    assert node == {"id": counted["movement"]["id"]}
    stored = await StockMovement.filter(product_id=product.id).order_by("sequence")
    assert [(m.sequence, m.balance_after) for m in stored] == [
        (1, Decimal("12")),
        (2, Decimal("9.5")),
        (3, Decimal("10")),
    ]
    assert stored[0].created_by_id == mia.user.id  # type: ignore[attr-defined]


async def test_stock_may_go_negative_flagged_and_errors_are_typed(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    product = await make_product(company, sku="N-1")
    ids = {
        "companyId": global_id("Company", company.id),
        "productId": global_id("Product", product.id),
    }

    async def adjust(quantity: str, reason: str = "r") -> dict[str, Any]:
        variables = {"input": {**ids, "quantity": quantity, "reason": reason}}
        return data_of(await gql(ADJUST, variables, token=alice.token))["adjustStock"]

    # when / then: below zero is allowed, and flagged
    below = await adjust("-3")
    assert (below["movement"]["balanceAfter"], below["movement"]["belowZero"]) == ("-3", True)
    # typed errors, nothing recorded
    assert (await adjust("0"))["errors"] == [{"field": "quantity", "code": "INVALID_QUANTITY"}]
    assert (await adjust("1.0001"))["errors"] == [{"field": "quantity", "code": "INVALID_QUANTITY"}]
    assert (await adjust("1000000000"))["errors"] == [
        {"field": "quantity", "code": "INVALID_QUANTITY"}
    ]
    assert (await adjust("1", reason="  "))["errors"] == [
        {"field": "reason", "code": "INVALID_INPUT"}
    ]
    receive = {"input": {**ids, "quantity": "-1"}}
    errors = data_of(await gql(RECEIVE, receive, token=alice.token))["receiveStock"]["errors"]
    assert errors == [{"field": "quantity", "code": "INVALID_QUANTITY"}]
    negative_count = {"input": {**ids, "countedQuantity": "-1"}}
    errors = data_of(await gql(COUNT, negative_count, token=alice.token))["recordStockCount"][
        "errors"
    ]
    assert errors == [{"field": "countedQuantity", "code": "INVALID_QUANTITY"}]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    errors = data_of(
        await gql(
            COUNT,
            {"input": {**ids, "countedQuantity": "1", "countedAt": future}},
            token=alice.token,
        )
    )["recordStockCount"]["errors"]
    assert errors == [{"field": "countedAt", "code": "INVALID_INPUT"}]
    before_last = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    errors = data_of(
        await gql(
            COUNT,
            {"input": {**ids, "countedQuantity": "1", "countedAt": before_last}},
            token=alice.token,
        )
    )["recordStockCount"]["errors"]
    assert errors == [{"field": "countedAt", "code": "INVALID_INPUT"}]
    assert await StockMovement.filter(product_id=product.id).count() == 1
    assert (await Product.get(id=product.id)).stock_on_hand == Decimal("-3")
    # an archived product takes no movement
    archive = {"input": {"companyId": ids["companyId"], "id": ids["productId"]}}
    data_of(await gql(ARCHIVE, archive, token=alice.token))
    assert (await adjust("1"))["errors"] == [{"field": "productId", "code": "PRODUCT_ARCHIVED"}]


async def test_another_companys_product_is_not_found_and_strangers_are_refused(gql):
    # given: Alice's company A, Bob's company B with a product
    alice, bob = await make_user(), await make_user()
    company_a, company_b = await make_company(alice), await make_company(bob)
    bobs = await make_product(company_b, sku="B-1")
    # when: Alice names her company and Bob's product
    variables = {
        "input": {
            "companyId": global_id("Company", company_a.id),
            "productId": global_id("Product", bobs.id),
            "quantity": "5",
            "reason": "mine",
        }
    }
    payload = data_of(await gql(ADJUST, variables, token=alice.token))["adjustStock"]
    # then
    assert payload == {
        "movement": None,
        "product": None,
        "errors": [{"field": "productId", "code": "NOT_FOUND"}],
    }
    # Alice naming Bob's company is refused by the rule
    theirs = {"input": {**variables["input"], "companyId": global_id("Company", company_b.id)}}
    refused = await gql(ADJUST, theirs, token=alice.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await StockMovement.filter(product_id=bobs.id).count() == 0
    # Bob's company key posts stock as a member (no user recorded)
    key = await company_key(company_b, bob, ["companies"])
    done = data_of(await gql(ADJUST, theirs, api_key=key))["adjustStock"]
    assert (done["errors"], done["product"]) == ([], {"stockOnHand": "5"})
    movement = await StockMovement.get(product_id=bobs.id)
    assert movement.created_by_id is None  # type: ignore[attr-defined]


async def test_concurrent_adjustments_lose_no_update(gql):
    # given: a product with 100 in stock
    alice = await make_user()
    company = await make_company(alice)
    product = await make_product(company, sku="C-1")
    await stock.receive_stock(company_id=company.id, product_id=product.id, quantity="100")
    quantities = [Decimal(q) for q in ("1", "-2", "3.5", "-0.25", "7")] * 4
    # when: 20 adjustments at once, through the API
    ids = {
        "companyId": global_id("Company", company.id),
        "productId": global_id("Product", product.id),
    }

    async def adjust(quantity: Decimal) -> dict[str, Any]:
        variables = {"input": {**ids, "quantity": str(quantity), "reason": "rush"}}
        return data_of(await gql(ADJUST, variables, token=alice.token))["adjustStock"]

    results = await asyncio.gather(*(adjust(q) for q in quantities))
    # then: every one recorded, numbered without gaps, the balance is the sum
    assert all(r["errors"] == [] for r in results)
    expected = Decimal(100) + sum(quantities)
    assert expected == Decimal("137")
    assert (await Product.get(id=product.id)).stock_on_hand == expected
    movements = await StockMovement.filter(product_id=product.id).order_by("sequence")
    assert [m.sequence for m in movements] == list(range(1, 22))
    running = Decimal(0)
    for movement in movements:
        running += movement.quantity
        assert movement.balance_after == running
    assert running == expected


async def test_concurrent_service_calls_lose_no_update(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    product = await make_product(company, sku="S-1")
    # when: 20 adjustments straight through the service, at once
    await asyncio.gather(
        *(
            stock.adjust_stock(
                company_id=company.id, product_id=product.id, quantity=str(n), reason="n"
            )
            for n in range(1, 21)
        )
    )
    # then
    assert (await Product.get(id=product.id)).stock_on_hand == Decimal(210)
    last = await StockMovement.filter(product_id=product.id).order_by("-sequence").first()
    assert last is not None and (last.sequence, last.balance_after) == (20, Decimal(210))
