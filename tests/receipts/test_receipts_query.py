"""The receipts history: filters, orders with keyset pages, batched nested data (constant SQL),
and isolation between users (receipts, files, points, stats, node lookups)."""

from __future__ import annotations

import base64
from datetime import date

from schema.core.relay import global_id
from server.accounts import services as accounts
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import Item, make_receipt
from tests.sql import count_sql

RECEIPTS = """
query L($filter: ReceiptFilter, $orderBy: ReceiptOrder, $first: Int, $after: String) {
  receipts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id store date total status } }
  }
}"""


async def _history(gql, account, **variables):
    """Every page of the history, following the cursors 2 at a time."""
    stores, after = [], None
    while True:
        page = data_of(
            await gql(RECEIPTS, {**variables, "first": 2, "after": after}, token=account.token)
        )["receipts"]
        stores += [edge["node"]["store"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return stores, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def test_filters_and_orders(gql):
    # given
    account = await make_user()
    await make_receipt(account, store="SUPER U", day=date(2025, 1, 10), total="20.00")
    await make_receipt(account, store="CARREFOUR", day=date(2025, 2, 1), total="9.50")
    await make_receipt(account, store="Super U Express", day=date(2025, 3, 5), total="105.00")
    await make_receipt(account, store="LIDL", day=None, total="3.00", needs_review=True)
    await make_receipt(account, store="AUCHAN", day=date(2024, 12, 24), total="55.10")
    # when / then: orders, across pages
    assert await _history(gql, account) == (
        ["AUCHAN", "LIDL", "Super U Express", "CARREFOUR", "SUPER U"],
        5,
    )
    assert await _history(gql, account, orderBy="CREATED_AT_ASC") == (
        ["SUPER U", "CARREFOUR", "Super U Express", "LIDL", "AUCHAN"],
        5,
    )
    # no printed date: sorts by its upload time, the newest
    assert (await _history(gql, account, orderBy="DATE_DESC"))[0] == [
        "LIDL",
        "Super U Express",
        "CARREFOUR",
        "SUPER U",
        "AUCHAN",
    ]
    assert (await _history(gql, account, orderBy="TOTAL_DESC"))[0] == [
        "Super U Express",
        "AUCHAN",
        "SUPER U",
        "CARREFOUR",
        "LIDL",
    ]
    assert (await _history(gql, account, orderBy="TOTAL_ASC"))[0] == [
        "LIDL",
        "CARREFOUR",
        "SUPER U",
        "AUCHAN",
        "Super U Express",
    ]
    # filters
    cases = [
        ({"store": "super u"}, ["Super U Express", "SUPER U"]),
        ({"status": "NEEDS_REVIEW"}, ["LIDL"]),
        ({"dateFrom": "2025-01-01", "dateTo": "2025-02-28"}, ["CARREFOUR", "SUPER U"]),
        ({"minTotal": "9.50", "maxTotal": "55.10"}, ["CARREFOUR", "SUPER U", "AUCHAN"]),
        ({"minTotal": "100"}, ["Super U Express"]),
    ]
    for filter_, expected in cases:
        stores, count = await _history(gql, account, filter=filter_, orderBy="TOTAL_ASC")
        assert sorted(stores) == sorted(expected), filter_
        assert count == len(expected), filter_
    # an inverted range is a bad input
    bad = await gql(
        RECEIPTS,
        {"filter": {"dateFrom": "2025-02-01", "dateTo": "2025-01-01"}},
        token=account.token,
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


PAGE = """
{ receipts(first: 50) { edges { node {
    id store total status points
    fields { name value confidence box { x0 } }
    items { id name total category brand { name } }
    file { filename url }
    job { status }
    possibleDuplicateOf { id }
    corrections { field }
} } } }"""


async def test_nested_data_of_a_page_is_batched(gql):
    async def statements_for(count: int) -> int:
        account = await make_user()
        for i in range(count):
            await make_receipt(
                account,
                store=f"SHOP {i}",
                items=[Item(f"ITEM {i}", "10.00", category="EPICERIE"), Item("B", "10.00")],
            )
        with count_sql() as statements:
            page = data_of(await gql(PAGE, token=account.token))["receipts"]["edges"]
        assert len(page) == count
        assert all(len(edge["node"]["items"]) == 2 for edge in page)
        assert all(edge["node"]["file"]["url"] for edge in page)
        return len(statements)

    few, many = await statements_for(2), await statements_for(10)
    assert few == many, (few, many)


NODE = "query N($id: ID!) { node(id: $id) { id ... on Receipt { store total } } }"
RECEIPT = "query R($id: ID!) { receipt(id: $id) { id store file { url } } }"
DELETE = "mutation D($id: ID!) { deleteReceipt(input: {id: $id}) { deletedReceiptId errors { field code } } }"


async def test_users_never_see_each_others_receipts_files_points_or_stats(client, gql):
    # given
    alice, bob, admin = await make_user(), await make_user(), await make_admin()
    receipt = await make_receipt(alice, store="PHARMACIE", total="42.00")
    rid = global_id("Receipt", receipt.id)
    mine = data_of(await gql(RECEIPT, {"id": rid}, token=alice.token))["receipt"]
    assert mine["store"] == "PHARMACIE" and mine["file"]["url"]
    # when / then: Bob gets null or NOT_FOUND, never data
    assert data_of(await gql(RECEIPT, {"id": rid}, token=bob.token))["receipt"] is None
    assert data_of(await gql(NODE, {"id": rid}, token=bob.token))["node"] is None
    assert data_of(await gql(RECEIPTS, {}, token=bob.token))["receipts"]["totalCount"] == 0
    deleted = data_of(await gql(DELETE, {"id": rid}, token=bob.token))["deleteReceipt"]
    assert deleted == {"deletedReceiptId": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    stats = data_of(await gql("{ receiptStats { count total { amount } } }", token=bob.token))
    assert stats["receiptStats"] == {"count": 0, "total": []}
    assert data_of(await gql("{ loyalty { balance } }", token=bob.token))["loyalty"]["balance"] == 0
    other_points = await gql(
        "query($u: ID!) { loyalty(userId: $u) { balance } }",
        {"u": global_id("User", alice.user.id)},
        token=bob.token,
    )
    assert other_points["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert other_points["data"] is None
    other_stats = await gql(
        "query($u: ID!) { receiptStats(userId: $u) { count } }",
        {"u": global_id("User", alice.user.id)},
        token=bob.token,
    )
    assert other_stats["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    export = data_of(
        await gql(
            "mutation { exportReceipts(input: {}) { file { url } errors { code } } }",
            token=bob.token,
        )
    )["exportReceipts"]
    csv_text = (await client.get(export["file"]["url"].split("testserver", 1)[1])).text
    assert "PHARMACIE" not in csv_text and csv_text.count("\n") == 1  # the header only
    # anonymous callers are refused
    anonymous = await gql(RECEIPTS, {})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert data_of(await gql(NODE, {"id": rid}))["node"] is None
    # an administrator sees everyone's, and their points
    assert data_of(await gql(NODE, {"id": rid}, token=admin.token))["node"]["store"] == "PHARMACIE"
    assert data_of(await gql(RECEIPT, {"id": rid}, token=admin.token))["receipt"]["id"] == rid
    admin_view = await gql(
        "query($u: ID!) { loyalty(userId: $u) { balance } }",
        {"u": global_id("User", alice.user.id)},
        token=admin.token,
    )
    assert data_of(admin_view)["loyalty"]["balance"] == 14
    # Alice still has everything
    assert data_of(await gql(NODE, {"id": rid}, token=alice.token))["node"]["total"] == "42.00"


async def test_api_keys_need_the_receipts_scope_and_never_act_as_admin(gql):
    admin = await make_admin()
    receipt = await make_receipt(admin, store="KIOSK", total="1.00")
    rid = global_id("Receipt", receipt.id)
    _key, jobs_only = await accounts.create_api_key(
        owner=admin.user, name="jobs", scopes=["jobs"], expires_at=None
    )
    _key, receipts_key = await accounts.create_api_key(
        owner=admin.user, name="receipts", scopes=["receipts"], expires_at=None
    )
    refused = await gql(RECEIPTS, {}, api_key=jobs_only)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert data_of(await gql(NODE, {"id": rid}, api_key=jobs_only))["node"] is None
    page = data_of(await gql(RECEIPTS, {}, api_key=receipts_key))["receipts"]
    assert [e["node"]["store"] for e in page["edges"]] == ["KIOSK"]  # its owner's only
    brands = await gql("{ brands { totalCount } }", api_key=receipts_key)
    assert brands["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_total_cursor_that_is_not_a_finite_amount_is_refused(gql):
    # given: cursors of the TOTAL order that decode, but not to a finite amount
    account = await make_user()
    await make_receipt(account, store="LIDL", day=date(2025, 1, 10), total="3.00")
    pk = "00000000-0000-0000-0000-000000000000"
    for amount in ("NaN", "Infinity", "12,50"):
        cursor = base64.urlsafe_b64encode(f"{amount}|{pk}".encode()).decode().rstrip("=")
        # when
        result = await gql(
            RECEIPTS, {"orderBy": "TOTAL_DESC", "first": 1, "after": cursor}, token=account.token
        )
        # then
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", amount
