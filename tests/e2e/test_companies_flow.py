"""Issue 13 end to end, over real HTTP and WebSockets: an API process (uvicorn) and an arq worker
process on Redis, an SMTP server (aiosmtpd) on loopback in the test.

Alice signs up and creates a company, invites Bob: the worker delivers the email through the
outbox and the test reads the link from the real message. Bob signs up, accepts, and his login
lists the company. Alice creates the eight products of the real weekly sales file
(../shared/datasets/sales/salesweekly.csv, skipped when absent); Bob previews it, imports it with
the WIDE mapping the preview suggests, and follows the job over graphql-transport-ws `jobUpdated`
to SUCCEEDED. Bob forecasts 8 weeks at 80 and 95 % and follows that job too; then the stock is
counted and the reorder advice is read: every value checked against the file, the forecast and
the README's rules.

Redis: TEST_REDIS_URL, or a private redis-server (tests/e2e/conftest.py; missing: skipped, failed
with CI=true). Slow (a minute or so: the forecast's backtest), `make test` runs it.
"""

from __future__ import annotations

import asyncio
import csv
import json
import secrets
import time
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.companies.smtp import Mailbox, smtp_fixture  # noqa: F401  (the `smtp` fixture)
from tests.conftest import (
    SHARED_DIR,
)
from tests.e2e.conftest import PASSWORD, processes
from tests.files.uploads import upload

pytestmark = pytest.mark.slow

WEEKLY = SHARED_DIR / "datasets" / "sales" / "salesweekly.csv"
LEAD_TIME_DAYS = 14
URGENCY_RANK = {"OUT_OF_STOCK": 0, "REORDER_NOW": 1, "SOON": 2, "OK": 3, "NO_FORECAST": 4}

SIGNUP = """mutation($e: String!, $p: String!) {
  signup(input: {email: $e, password: $p}) { errors { code } } }"""
LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) {
    accessToken errors { code } companies { role company { id name } } } }"""
CREATE_COMPANY = """mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id name } errors { code } } }"""
INVITE = """mutation($input: InviteMemberInput!) {
  inviteMember(input: $input) { invitation { id email role status } link emailed
                                errors { code } } }"""
ACCEPT = """mutation($token: String!) {
  acceptInvitation(token: $token) { membership { role company { id name } } errors { code } } }"""
MEMBERS = """query($id: ID!) { company(id: $id) {
  members { email role } invitations { email status } } }"""
CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { product { id sku leadTimeDays } errors { code field } } }"""
PREVIEW = """mutation($input: PreviewSalesImportInput!) {
  previewSalesImport(input: $input) {
    preview { fileId format delimiter decimalComma dateOrder dateOrderSource columns layout
              suggestedMapping { date sku quantity skuColumns } }
    errors { code message } } }"""
IMPORT = """mutation($input: ImportSalesInput!) {
  importSales(input: $input) { salesImport { id status } job { id status } errors { code } } }"""
IMPORTS = """query($id: ID!) { company(id: $id) {
  salesImports(first: 5) { edges { node {
    id status rowsRead rowsImported rowsSkipped rowsFailed productsCreated job { status } } } } } }"""
SALES = """query($id: ID!, $product: ID!) { company(id: $id) {
  sales(productId: $product, from: "2014-01-01", to: "2014-01-31") {
    edges { node { soldOn quantity } } } } }"""
FORECAST = """mutation($input: ForecastDemandInput!) {
  forecastDemand(input: $input) { run { id status horizon levels } job { id }
                                  errors { code message } } }"""
FORECASTS = """query($id: ID!) { company(id: $id) {
  forecastRuns(first: 5) { edges { node { id status strategy horizon levels } } }
  forecasts(first: 10) { edges { node {
    productId runId model historyPeriods
    points { period mean intervals { level lo hi } } } } } } }"""
COUNT = """mutation($input: RecordStockCountInput!) {
  recordStockCount(input: $input) { movement { kind quantity balanceAfter }
                                    errors { code } } }"""
ADVICE = """query($id: ID!) { company(id: $id) { reorderAdvice(serviceLevel: 0.95) {
  product { id sku } stockOnHand leadTimeDemand safetyStock reorderPoint reorderPointOverridden
  suggestedQuantity daysOfCover stockOutDate urgency forecastModel extrapolated reason } } }"""
JOB_UPDATED = """subscription($id: ID!) { jobUpdated(id: $id) {
  status progress attempts result error { code message } } }"""


class Api:
    """GraphQL over HTTP to the API process; every call must answer without GraphQL errors."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def sign_up_and_in(self, email: str) -> dict[str, Any]:
        signed = await self(SIGNUP, {"e": email, "p": PASSWORD})
        assert signed["signup"]["errors"] == []
        login = (await self(LOGIN, {"e": email, "p": PASSWORD}))["login"]
        assert login["errors"] == [] and login["accessToken"]
        return login


async def follow_job(port: int, token: str, job_id: str, within: float) -> list[dict[str, Any]]:
    """Every jobUpdated event of the job over graphql-transport-ws, until the server completes
    the subscription (the job ended)."""
    updates: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        subscribe = {"query": JOB_UPDATED, "variables": {"id": job_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"the job did not end within {within} s: {updates[-1:]}"
            message = json.loads(await asyncio.wait_for(ws.recv(), left))
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            assert message["type"] in ("next", "complete"), message
            if message["type"] == "complete":
                return updates
            assert not message["payload"].get("errors"), message["payload"]
            updates.append(message["payload"]["data"]["jobUpdated"])


def weekly_file() -> tuple[bytes, list[str], int]:
    """The file's bytes, its SKU columns and its non-empty quantity cells (the rows a WIDE import
    writes: one sale per date and SKU with a value)."""
    if not WEEKLY.is_file():
        pytest.skip("dataset sales not found at ../shared/datasets (outside the repo): skipped")
    data = WEEKLY.read_bytes()
    header, *rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    skus = header[1:]
    cells = sum(1 for row in rows if row for cell in row[1:] if cell.strip())
    return data, skus, cells


def q3(value: float | Decimal) -> Decimal:
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal("0.001"), ROUND_HALF_UP
    )


@pytest.fixture
def environment(environment: dict[str, str]) -> dict[str, str]:
    """The end-to-end environment (tests/e2e/conftest.py), with invitation links to parse."""
    return {**environment, "INVITATION_URL_TEMPLATE": "https://app.example.com/invitations/{token}"}


async def test_company_invite_import_forecast_and_advice(environment, smtp: Mailbox):
    data, skus, cells = weekly_file()
    env = {**environment, "SMTP_URL": smtp.url}
    async with processes(env, replicas=1) as procs:
        port = procs["ports"][0]
        procs["spawn_worker"]()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            api = Api(http)
            await flow(api, http, port, smtp, data, skus, cells)


async def flow(
    api: Api, http: httpx.AsyncClient, port: int, smtp: Mailbox, data: bytes, skus: list[str],
    cells: int,
) -> None:  # fmt: skip
    tag = secrets.token_hex(3)
    alice_email, bob_email = f"alice-{tag}@example.com", f"bob-{tag}@example.com"

    # --- Alice signs up and creates a company ----------------------------------------------
    alice = (await api.sign_up_and_in(alice_email))["accessToken"]
    created = (
        await api(
            CREATE_COMPANY,
            {"input": {"name": "Pharmacie du Port", "currency": "EUR",
                       "timezone": "Europe/Paris", "country": "FR"}},
            alice,
        )
    )["createCompany"]  # fmt: skip
    assert created["errors"] == [] and created["company"]["name"] == "Pharmacie du Port"
    company_id = created["company"]["id"]

    # --- she invites Bob: the worker emails the link through the outbox ---------------------
    sent = (await api(INVITE, {"input": {"companyId": company_id, "email": bob_email}}, alice))[
        "inviteMember"
    ]
    assert sent["errors"] == []
    assert (sent["emailed"], sent["link"]) == (True, None)
    assert sent["invitation"]["email"] == bob_email
    assert (sent["invitation"]["role"], sent["invitation"]["status"]) == ("MEMBER", "PENDING")
    (message,) = await smtp.wait_for(1, seconds=60)
    assert message["To"] == bob_email
    assert "Pharmacie du Port" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None and "https://app.example.com/invitations/" in body.get_content()
    token = Mailbox.token_in(message)

    # --- Bob signs up, accepts, and his login lists the company ----------------------------
    bob = (await api.sign_up_and_in(bob_email))["accessToken"]
    accepted = (await api(ACCEPT, {"token": token}, bob))["acceptInvitation"]
    assert accepted["errors"] == []
    assert accepted["membership"] == {
        "role": "MEMBER",
        "company": {"id": company_id, "name": "Pharmacie du Port"},
    }
    again = (await api(ACCEPT, {"token": token}, bob))["acceptInvitation"]
    assert again["errors"] == [{"code": "INVITATION_USED"}]
    login = (await api(LOGIN, {"e": bob_email, "p": PASSWORD}))["login"]
    assert login["companies"] == [
        {"role": "MEMBER", "company": {"id": company_id, "name": "Pharmacie du Port"}}
    ]
    bob = login["accessToken"]
    team = (await api(MEMBERS, {"id": company_id}, alice))["company"]
    assert team["members"] == [
        {"email": alice_email, "role": "ADMIN"},
        {"email": bob_email, "role": "MEMBER"},
    ]
    assert team["invitations"] == [{"email": bob_email, "status": "ACCEPTED"}]

    # --- Alice creates the file's products --------------------------------------------------
    products: dict[str, str] = {}
    for sku in skus:
        made = (
            await api(
                CREATE_PRODUCT,
                {"input": {"companyId": company_id, "sku": sku, "name": f"ATC {sku}",
                           "leadTimeDays": LEAD_TIME_DAYS, "minOrderQuantity": "1"}},
                alice,
            )
        )["createProduct"]  # fmt: skip
        assert made["errors"] == [], made
        products[sku] = made["product"]["id"]

    # --- Bob previews the weekly file, imports it with the suggested WIDE mapping -----------
    response = await upload(
        http,
        PREVIEW,
        {"variables.input.file": ("salesweekly.csv", data, "text/csv")},
        {"input": {"companyId": company_id, "file": None}},
        token=bob,
    )
    assert response.status_code == 200, response.text
    previewed = response.json()["data"]["previewSalesImport"]
    assert previewed["errors"] == []
    preview = previewed["preview"]
    assert (preview["format"], preview["delimiter"], preview["decimalComma"]) == ("CSV", ",", False)
    assert preview["columns"] == ["datum", *skus]
    assert preview["layout"] == "WIDE"
    # 1/19/2014 says month first, whatever the company's country (FR) would say
    assert (preview["dateOrder"], preview["dateOrderSource"]) == ("MDY", "data")
    mapping = preview["suggestedMapping"]
    assert mapping["date"] == "datum"
    assert mapping["skuColumns"] in (None, skus)
    started = (
        await api(
            IMPORT,
            {"input": {"companyId": company_id, "fileId": preview["fileId"],
                       "mapping": {"date": "datum", "skuColumns": mapping["skuColumns"]},
                       "options": {"layout": "WIDE"}}},
            bob,
        )
    )["importSales"]  # fmt: skip
    assert started["errors"] == []
    assert started["salesImport"]["status"] == "QUEUED"
    updates = await follow_job(port, bob, started["job"]["id"], within=180)
    assert updates[-1]["status"] == "SUCCEEDED", updates[-1]
    assert updates[-1]["progress"] == 1.0
    assert [u["progress"] for u in updates] == sorted(u["progress"] for u in updates)
    imports = (await api(IMPORTS, {"id": company_id}, bob))["company"]["salesImports"]["edges"]
    (node,) = [e["node"] for e in imports]
    assert node["id"] == started["salesImport"]["id"]
    assert (node["status"], node["job"]["status"]) == ("SUCCEEDED", "SUCCEEDED")
    assert (node["rowsRead"], node["rowsImported"]) == (302, cells)
    assert (node["rowsSkipped"], node["rowsFailed"], node["productsCreated"]) == (0, 0, 0)
    january = (await api(SALES, {"id": company_id, "product": products["N02BE"]}, bob))["company"]
    assert sorted(
        (s["soldOn"], Decimal(s["quantity"]))
        for s in (e["node"] for e in january["sales"]["edges"])
    ) == [
        ("2014-01-05", Decimal("185.95")),
        ("2014-01-12", Decimal("190.7")),
        ("2014-01-19", Decimal("218.4")),
        ("2014-01-26", Decimal("179.6")),
    ]

    # --- Bob forecasts 8 weeks at 80 and 95 % -----------------------------------------------
    asked = (
        await api(
            FORECAST,
            {"input": {"companyId": company_id, "horizon": 8, "frequency": "WEEK",
                       "levels": [80, 95]}},
            bob,
        )
    )["forecastDemand"]  # fmt: skip
    assert asked["errors"] == [], asked["errors"]
    assert (asked["run"]["status"], asked["run"]["horizon"]) == ("QUEUED", 8)
    assert asked["run"]["levels"] == [80, 95]
    updates = await follow_job(port, bob, asked["job"]["id"], within=600)
    assert updates[-1]["status"] == "SUCCEEDED", updates[-1]
    read = (await api(FORECASTS, {"id": company_id}, bob))["company"]
    (run,) = [e["node"] for e in read["forecastRuns"]["edges"]]
    assert (run["id"], run["status"]) == (asked["run"]["id"], "SUCCEEDED")
    assert run["strategy"]
    forecasts = {e["node"]["productId"]: e["node"] for e in read["forecasts"]["edges"]}
    assert set(forecasts) == set(products.values())
    # the last week of sales is Mon 2019-10-07..Sun 10-13: the forecast starts the next Monday
    weeks = [(date(2019, 10, 14) + timedelta(weeks=k)).isoformat() for k in range(8)]
    for forecast in forecasts.values():
        assert forecast["runId"] == run["id"]
        assert forecast["model"]
        assert forecast["historyPeriods"] == 302
        assert [p["period"] for p in forecast["points"]] == weeks
        for point in forecast["points"]:
            by_level = {i["level"]: i for i in point["intervals"]}
            assert sorted(by_level) == [80, 95]
            for interval in by_level.values():
                assert 0 <= interval["lo"] <= point["mean"] <= interval["hi"], point
            assert by_level[95]["lo"] <= by_level[80]["lo"]
            assert by_level[80]["hi"] <= by_level[95]["hi"]
    # N02BE sells ~150-300 a week: its forecast is on that scale
    n02be = [p["mean"] for p in forecasts[products["N02BE"]]["points"]]
    assert all(80 < mean < 400 for mean in n02be), n02be

    # --- stock is counted, a product comes after the forecast, the advice is read ------------
    # today is years past the forecast (2019), so every lead time is extrapolated from the
    # mean daily rate of the last 4 weeks; no stock-out date falls inside the forecast
    def lead_demand(sku: str) -> Decimal:
        tail = forecasts[products[sku]]["points"][-4:]
        return q3(sum(p["mean"] for p in tail) / 28 * LEAD_TIME_DAYS)

    counts = {sku: "100000" for sku in skus}
    counts["R06"] = "0"  # out of stock
    counts["N02BE"] = "1"  # far below two weeks of demand
    counts["N05B"] = str(lead_demand("N05B").to_integral_value(ROUND_CEILING) - 1)
    for sku, counted in counts.items():
        recorded = (
            await api(
                COUNT,
                {"input": {"companyId": company_id, "productId": products[sku],
                           "countedQuantity": counted}},
                bob,
            )
        )["recordStockCount"]  # fmt: skip
        assert recorded["errors"] == []
        assert recorded["movement"]["kind"] == "COUNT"
        assert Decimal(recorded["movement"]["balanceAfter"]) == Decimal(counted)
    late = (
        await api(
            CREATE_PRODUCT,
            {"input": {"companyId": company_id, "sku": "NEW1", "name": "Not yet forecast",
                       "leadTimeDays": LEAD_TIME_DAYS}},
            alice,
        )
    )["createProduct"]  # fmt: skip
    assert late["errors"] == []

    paris = ZoneInfo("Europe/Paris")  # the company's time zone: its today is the advice's
    before = datetime.now(paris).date()
    advice = (await api(ADVICE, {"id": company_id}, bob))["company"]["reorderAdvice"]
    today = {before, datetime.now(paris).date()}
    assert len(advice) == 9
    ranks = [URGENCY_RANK[a["urgency"]] for a in advice]
    assert ranks == sorted(ranks)
    by_sku = {a["product"]["sku"]: a for a in advice}
    assert [a["product"]["sku"] for a in advice] == ["R06", "N02BE", "N05B", *sorted(
        set(skus) - {"R06", "N02BE", "N05B"}), "NEW1"]  # fmt: skip
    expected_urgency = {"R06": "OUT_OF_STOCK", "N02BE": "REORDER_NOW", "N05B": "REORDER_NOW"}
    for sku in skus:
        item = by_sku[sku]
        assert item["urgency"] == expected_urgency.get(sku, "OK"), (sku, item)
        assert Decimal(item["stockOnHand"]) == Decimal(counts[sku])
        assert item["forecastModel"] == forecasts[products[sku]]["model"]
        assert item["extrapolated"] is True and item["reason"] is None
        if sku != "R06":  # the stock outlasts a forecast that ended years ago
            assert (item["stockOutDate"], item["daysOfCover"]) == (None, None)
        demand = Decimal(item["leadTimeDemand"])
        assert abs(demand - lead_demand(sku)) <= Decimal("0.002"), (sku, demand)
        assert Decimal(item["safetyStock"]) > 0
        assert item["reorderPointOverridden"] is False
        reorder_point = Decimal(item["reorderPoint"])
        assert reorder_point == demand + Decimal(item["safetyStock"])
        suggested = Decimal(item["suggestedQuantity"])
        if item["urgency"] == "OK":
            assert suggested == 0
            assert Decimal(counts[sku]) > reorder_point
        else:
            need = reorder_point + demand - Decimal(counts[sku])
            assert suggested == need.to_integral_value(ROUND_CEILING)  # whole units (MOQ 1)
    assert by_sku["R06"]["daysOfCover"] == "0.0"
    assert by_sku["R06"]["stockOutDate"] in {day.isoformat() for day in today}
    newest = by_sku["NEW1"]
    assert newest["urgency"] == "NO_FORECAST" and "forecastDemand" in newest["reason"]
    assert (newest["leadTimeDemand"], newest["suggestedQuantity"], newest["forecastModel"]) == (
        None, None, None)  # fmt: skip
