"""company.reorderAdvice and exportReorderAdvice through the API: the latest forecast per
product, sorting, NO_FORECAST last, members only, two queries whatever the number of products,
and a CSV export whose cells cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from schema.companies.types.reorder import company_today
from schema.core.relay import global_id
from server.companies import reorder, reorder_export, reorder_rules
from server.companies.models import Company, ForecastRun, ForecastRunStatus, Frequency
from server.files.models import StoredFile
from tests.companies.factories import company_key, join, make_company, make_forecast, make_product
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

ADVICE = """
query A($id: ID!, $level: Float!, $first: Int) {
  node(id: $id) { ... on Company {
    reorderAdvice(serviceLevel: $level, first: $first) {
      product { id sku name } stockOnHand leadTimeDemand safetyStock reorderPoint
      reorderPointOverridden suggestedQuantity daysOfCover stockOutDate urgency forecastModel
      extrapolated reason
    }
  } }
}"""
FILE = "query F($id: ID!) { node(id: $id) { ... on File { filename } } }"
EXPORT = """
mutation E($input: ExportReorderAdviceInput!) {
  exportReorderAdvice(input: $input) { file { id filename contentType url } errors { code } }
}"""


def weeks(start: date, means: list[float], sigma: float = 7.0) -> list[dict[str, Any]]:
    """Weekly points from `start`, each with an 80% interval of standard deviation `sigma`."""
    z80 = 1.2815515655446008
    return [
        {
            "period": (start + timedelta(days=7 * i)).isoformat(),
            "mean": mean,
            "lo": {"80": mean - z80 * sigma},
            "hi": {"80": mean + z80 * sigma},
        }
        for i, mean in enumerate(means)
    ]


async def stocked_company(admin) -> tuple[Company, date]:
    """A company with four products: out of stock, to reorder, fine, and one never forecast."""
    company = await make_company(admin)
    today = company_today(company.timezone)
    flat = weeks(today, [70, 70, 70, 70])
    out = await make_product(
        company, sku="OUT", name="Salt", stock_on_hand=Decimal("0"), lead_time_days=10
    )
    low = await make_product(
        company, sku="LOW", name="Flour", stock_on_hand=Decimal("50"), lead_time_days=10
    )
    fine = await make_product(
        company, sku="FINE", name="Yeast", stock_on_hand=Decimal("900"), lead_time_days=10
    )
    await make_product(company, sku="NEW", name="Sugar", stock_on_hand=Decimal("3"))
    await make_product(
        company, sku="OLD", name="Gone", archived_at=datetime.now(UTC)
    )  # archived: not listed
    for product in (out, low, fine):
        await make_forecast(product, weeks(today, [1, 1, 1, 1]), model="old")  # superseded
        await make_forecast(product, flat, model="ensemble")
        # a newer run still going (or failed) does not count
        for status in (ForecastRunStatus.RUNNING, ForecastRunStatus.FAILED):
            pending = await make_forecast(product, weeks(today, [500] * 4), model="pending")
            await ForecastRun.filter(id=pending.run_id).update(status=status)
    return company, today


async def test_advice_is_sorted_by_urgency_from_the_latest_forecast(gql):
    # given
    alice = await make_user()
    company, today = await stocked_company(alice)
    # when
    variables = {"id": global_id("Company", company.id), "level": 0.95}
    advice = data_of(await gql(ADVICE, variables, token=alice.token))["node"]["reorderAdvice"]
    # then: 10 days of 10 a day = 100, safety 1.6449 x 7 x sqrt(10/7) = 13.762
    assert [(a["product"]["sku"], a["urgency"]) for a in advice] == [
        ("OUT", "OUT_OF_STOCK"),
        ("LOW", "REORDER_NOW"),
        ("FINE", "OK"),
        ("NEW", "NO_FORECAST"),
    ]
    low = advice[1]
    assert low == {
        "product": {"id": low["product"]["id"], "sku": "LOW", "name": "Flour"},
        "stockOnHand": "50.000",
        "leadTimeDemand": "100.000",
        "safetyStock": "13.762",
        "reorderPoint": "113.762",
        "reorderPointOverridden": False,
        "suggestedQuantity": "164.000",  # 113.762 + 100 - 50, rounded up
        "daysOfCover": "5.0",
        "stockOutDate": (today + timedelta(days=5)).isoformat(),
        "urgency": "REORDER_NOW",
        "forecastModel": "ensemble",
        "extrapolated": False,
        "reason": None,
    }
    assert advice[2]["stockOutDate"] is None and advice[2]["suggestedQuantity"] == "0.000"
    assert advice[3]["reason"] == reorder_rules.NO_FORECAST_REASON
    assert advice[3]["leadTimeDemand"] is None and advice[3]["stockOnHand"] == "3.000"


async def test_products_and_forecasts_are_read_in_two_queries():
    # given: 3 and then 12 forecast products
    admin = await make_user()
    company = await make_company(admin)
    today = date(2026, 1, 5)
    counts = []
    for batch in (3, 9):
        for _ in range(batch):
            product = await make_product(company, stock_on_hand=Decimal("10"))
            await make_forecast(product, weeks(today, [7, 7]), frequency=Frequency.WEEK)
        # when
        with count_sql() as statements:
            advice = await reorder.reorder_advice(
                company_id=company.id, service_level=0.9, as_of=today
            )
        counts.append(len(statements))
        assert all(a.forecast_model == "ensemble" for a in advice)
    # then
    assert counts == [2, 2]
    assert len(advice) == 12


async def test_service_level_raises_safety_stock_and_is_bounded(gql):
    alice = await make_user()
    company, _today = await stocked_company(alice)
    gid = global_id("Company", company.id)

    async def safety(level: float) -> Decimal:
        result = data_of(await gql(ADVICE, {"id": gid, "level": level}, token=alice.token))
        return Decimal(result["node"]["reorderAdvice"][1]["safetyStock"])

    assert (await safety(0.95), await safety(0.99)) == (Decimal("13.762"), Decimal("19.464"))
    for level in (0.3, 1.0):
        refused = await gql(ADVICE, {"id": gid, "level": level}, token=alice.token)
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    first = await gql(ADVICE, {"id": gid, "level": 0.95, "first": 1}, token=alice.token)
    assert [a["urgency"] for a in data_of(first)["node"]["reorderAdvice"]] == ["OUT_OF_STOCK"]


async def test_members_and_the_companys_key_see_advice_strangers_do_not(gql):
    # given
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company, _today = await stocked_company(alice)
    await join(company, mia)
    await make_company(bob)
    key = await company_key(company, alice, ["companies"])
    variables = {"id": global_id("Company", company.id), "level": 0.95}
    # when / then
    for caller in ({"token": mia.token}, {"api_key": key}):
        advice = data_of(await gql(ADVICE, variables, **caller))["node"]["reorderAdvice"]
        assert len(advice) == 4
    assert data_of(await gql(ADVICE, variables, token=bob.token))["node"] is None
    export = {"input": {"companyId": variables["id"]}}
    refused = await gql(EXPORT, export, token=bob.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["data"] is None or refused["data"]["exportReorderAdvice"] is None


async def test_export_is_a_csv_whose_cells_cannot_run_as_formulas(client, gql):
    # given: a product named like a formula
    alice = await make_user()
    company, today = await stocked_company(alice)
    evil = await make_product(
        company, sku="+SKU", name="=cmd()", category="@SUM(A1)", stock_on_hand=Decimal("-2")
    )
    await make_forecast(evil, weeks(today, [7, 7, 7, 7]))
    # when
    variables = {"input": {"companyId": global_id("Company", company.id), "serviceLevel": 0.95}}
    payload = data_of(await gql(EXPORT, variables, token=alice.token))["exportReorderAdvice"]
    # then
    assert payload["errors"] == []
    file = payload["file"]
    assert file["contentType"] == "text/csv" and file["filename"].startswith("reorder-advice-")
    text = (await client.get(file["url"].split("testserver", 1)[1])).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(reorder_export.CSV_COLUMNS)
    assert [row[1] for row in rows[1:]] == ["'+SKU", "OUT", "LOW", "FINE", "NEW"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["name"] == "'=cmd()"
    assert first["category"] == "'@SUM(A1)"
    assert first["stock_on_hand"] == "-2.000"  # a plain number stays a number
    assert first["urgency"] == "OUT_OF_STOCK"
    assert first["product_id"] == global_id("Product", evil.id)
    low = dict(zip(rows[0], rows[3], strict=True))
    assert (low["reorder_point"], low["suggested_quantity"]) == ("113.762", "164.000")
    assert dict(zip(rows[0], rows[5], strict=True))["note"] == reorder_rules.NO_FORECAST_REASON
    stored = await StoredFile.filter(company_id=company.id).values_list("owner_id", flat=True)
    assert stored == [alice.user.id]


async def test_the_export_is_the_companys_file(gql):
    # given
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company, _today = await stocked_company(alice)
    await join(company, mia)
    variables = {"input": {"companyId": global_id("Company", company.id)}}
    # when: Mia, a plain member, exports
    file = data_of(await gql(EXPORT, variables, token=mia.token))["exportReorderAdvice"]["file"]
    # then: the company's members see it, others do not
    for reader in (mia, alice):
        found = data_of(await gql(FILE, {"id": file["id"]}, token=reader.token))["node"]
        assert found == {"filename": file["filename"]}
    assert data_of(await gql(FILE, {"id": file["id"]}, token=bob.token))["node"] is None


async def test_a_company_key_exports_for_its_company(gql):
    alice = await make_user()
    company, _today = await stocked_company(alice)
    key = await company_key(company, alice, ["companies"])
    variables = {"input": {"companyId": global_id("Company", company.id), "serviceLevel": 0.2}}
    refused = await gql(EXPORT, variables, api_key=key)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    variables["input"]["serviceLevel"] = 0.9
    payload = data_of(await gql(EXPORT, variables, api_key=key))["exportReorderAdvice"]
    assert payload["errors"] == [] and payload["file"]["contentType"] == "text/csv"
