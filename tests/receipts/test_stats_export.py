"""receiptStats figures (per currency, month, category, store, brand) and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

from server.receipts.brand_catalog import create_brand
from server.receipts.deletion import delete_receipt
from tests.conftest import data_of
from tests.factories import make_user
from tests.receipts.factories import Item, make_receipt
from tests.sql import count_sql

STATS = """
query S($from: Date, $to: Date) {
  receiptStats(from: $from, to: $to) {
    count
    total { amount currency }
    spendByMonth { key amount currency count }
    spendByCategory { key amount currency count }
    spendByStore { key amount currency count }
    spendByBrand { key amount currency count }
  }
}"""


async def _spending(account):
    await make_receipt(
        account,
        store="SUPER U",
        day=date(2025, 1, 10),
        total="20.00",
        items=[
            Item("PAIN", "5.00", category="BOULANGERIE"),
            Item("YAOURT", "15.00", category="CREMERIE"),
        ],
    )
    await make_receipt(
        account,
        store="CARREFOUR",
        day=date(2025, 1, 25),
        total="35.50",
        items=[Item("CREME", "35.50", category="CREMERIE")],
    )
    await make_receipt(account, store="SUPER U", day=date(2025, 2, 3), total="10.25")
    await make_receipt(
        account,
        store="KEDAI",
        day=date(2025, 2, 10),
        total="14.10",
        currency="MYR",
        items=[Item("MILO", "14.10", category="MINUMAN")],
    )
    # left out: outside the period, deleted, an unvalidated possible duplicate
    await make_receipt(account, store="SUPER U", day=date(2024, 12, 31), total="99.00")
    gone = await make_receipt(account, store="LIDL", day=date(2025, 1, 12), total="70.00")
    await delete_receipt(receipt_id=gone.id, owner=account.user)
    await make_receipt(account, store="super u", day=date(2025, 1, 10), total="20.00")


async def test_stats_figures(gql):
    # given
    account = await make_user()
    await _spending(account)
    # when
    stats = data_of(
        await gql(STATS, {"from": "2025-01-01", "to": "2025-02-28"}, token=account.token)
    )["receiptStats"]
    # then
    assert stats["count"] == 4
    assert stats["total"] == [
        {"amount": "65.75", "currency": "EUR"},
        {"amount": "14.10", "currency": "MYR"},
    ]
    assert stats["spendByMonth"] == [
        {"key": "2025-01", "amount": "55.50", "currency": "EUR", "count": 2},
        {"key": "2025-02", "amount": "10.25", "currency": "EUR", "count": 1},
        {"key": "2025-02", "amount": "14.10", "currency": "MYR", "count": 1},
    ]
    assert stats["spendByStore"] == [
        {"key": "CARREFOUR", "amount": "35.50", "currency": "EUR", "count": 1},
        {"key": "SUPER U", "amount": "30.25", "currency": "EUR", "count": 2},
        {"key": "KEDAI", "amount": "14.10", "currency": "MYR", "count": 1},
    ]
    assert stats["spendByCategory"] == [
        {"key": "CREMERIE", "amount": "50.50", "currency": "EUR", "count": 2},
        {"key": "MINUMAN", "amount": "14.10", "currency": "MYR", "count": 1},
        {"key": "BOULANGERIE", "amount": "5.00", "currency": "EUR", "count": 1},
    ]
    assert stats["spendByBrand"] == []
    # without a period: everything live and not an unvalidated duplicate
    everything = data_of(await gql(STATS, {}, token=account.token))["receiptStats"]
    assert everything["count"] == 5
    assert everything["total"][0] == {"amount": "164.75", "currency": "EUR"}


async def test_stats_by_brand_and_constant_queries(gql):
    account = await make_user()
    brand = await create_brand(
        name=f"Brand {account.user.id.hex[:8]}", aliases=["ZORGLUB"], category="luxury"
    )
    await make_receipt(
        account,
        store="GALERIES",
        total="300.00",
        items=[Item("ZORGLUB SAC", "250.00", quantity="2", unit_price="125.00")],
    )
    with count_sql() as few:
        data_of(await gql(STATS, {}, token=account.token))
    for i in range(4):
        await make_receipt(account, store=f"S{i}", total="1.00", items=[Item("X", "1.00")])
    with count_sql() as many:
        stats = data_of(await gql(STATS, {}, token=account.token))["receiptStats"]
    assert len(few) == len(many)
    assert stats["spendByBrand"] == [
        {"key": brand.name, "amount": "250.00", "currency": "EUR", "count": 1}
    ]
    # the brand's category reached the item, and the points: 10 + 30 + 2 x 5
    assert {"key": "luxury", "amount": "250.00", "currency": "EUR", "count": 1} in stats[
        "spendByCategory"
    ]


async def test_categories_and_stores_are_grouped_whatever_their_case_and_spacing(gql):
    # given: "Food" twice, "food" once, " FOOD " once; stores "Lidl" twice, "LIDL" once
    account = await make_user()
    await make_receipt(
        account,
        store="Lidl",
        day=date(2025, 5, 1),
        total="10.00",
        items=[Item("PAIN", "4.00", category="Food"), Item("LAIT", "6.00", category="food")],
    )
    await make_receipt(
        account,
        store="LIDL",
        day=date(2025, 5, 2),
        total="7.50",
        items=[Item("RIZ", "2.50", category=" FOOD "), Item("PATES", "5.00", category="Food")],
    )
    await make_receipt(
        account,
        store="Lidl ",
        day=date(2025, 5, 3),
        total="3.00",
        items=[Item("SAVON", "3.00", category="Hygiène"), Item("X", "0.00")],
    )
    # when
    stats = data_of(await gql(STATS, {}, token=account.token))["receiptStats"]
    # then: one group each, shown in the spelling most of its rows use
    assert stats["spendByCategory"] == [
        {"key": "Food", "amount": "17.50", "currency": "EUR", "count": 4},
        {"key": "Hygiène", "amount": "3.00", "currency": "EUR", "count": 1},
        {"key": None, "amount": "0.00", "currency": "EUR", "count": 1},
    ]
    assert stats["spendByStore"] == [
        {"key": "Lidl", "amount": "20.50", "currency": "EUR", "count": 3},
    ]


EXPORT = """
mutation E($input: ExportReceiptsInput!) {
  exportReceipts(input: $input) {
    file { filename contentType size url }
    errors { field code message }
  }
}"""


async def test_export_csv_is_complete_filtered_and_formula_safe(client, gql):
    # given
    account = await make_user()
    await make_receipt(
        account,
        store='=HYPERLINK("http://evil.example","click")',
        day=date(2025, 3, 1),
        total="12.40",
        items=[
            Item("@SUM(A1:A9)", "13.90", quantity="2", unit_price="6.95", category="+CATEGORY"),
            Item("-10% REMISE", "-1.50"),
        ],
    )
    await make_receipt(account, store="CASINO", day=date(2025, 4, 2), total="8.00")
    # when
    payload = data_of(await gql(EXPORT, {"input": {"format": "CSV"}}, token=account.token))[
        "exportReceipts"
    ]
    # then
    assert payload["errors"] == []
    file = payload["file"]
    assert file["contentType"] == "text/csv" and file["filename"].endswith(".csv")
    download = await client.get(file["url"].split("testserver", 1)[1])
    assert download.status_code == 200 and len(download.content) == file["size"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8"))))
    assert [
        (
            r["date"],
            r["store"],
            r["total"],
            r["item"],
            r["quantity"],
            r["unit_price"],
            r["item_total"],
            r["category"],
        )
        for r in rows
    ] == [
        (
            "2025-03-01",
            '\'=HYPERLINK("http://evil.example","click")',
            "12.40",
            "'@SUM(A1:A9)",
            "2",
            "6.95",
            "13.90",
            "'+CATEGORY",
        ),
        (
            "2025-03-01",
            '\'=HYPERLINK("http://evil.example","click")',
            "12.40",
            "'-10% REMISE",
            "",
            "",
            "-1.50",  # a plain negative number stays a number
            "",
        ),
        ("2025-04-02", "CASINO", "8.00", "", "", "", "", ""),
    ]
    assert {r["currency"] for r in rows} == {"EUR"}
    assert {r["status"] for r in rows} == {"EXTRACTED"}
    # a filtered export
    filtered = data_of(
        await gql(EXPORT, {"input": {"filter": {"store": "casino"}}}, token=account.token)
    )["exportReceipts"]
    text = (await client.get(filtered["file"]["url"].split("testserver", 1)[1])).text
    assert [r["store"] for r in csv.DictReader(io.StringIO(text))] == ["CASINO"]
