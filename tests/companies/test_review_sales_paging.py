"""Review of issue 13: company.sales is keyset-paged (`first`/`after`), newest day first, so
a history of any length can be read to its end without a row repeated or skipped."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from schema.core.relay import global_id
from server.companies.models import Sale
from tests.companies.factories import make_company, make_product
from tests.conftest import data_of
from tests.factories import make_user

SALES = """
query S($id: ID!, $after: String, $product: ID) {
  company(id: $id) {
    sales(first: 3, after: $after, productId: $product, from: "2024-01-02") {
      totalCount
      edges { cursor node { soldOn quantity externalId } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_sales_are_read_page_by_page_to_the_end(gql):
    # given: 7 sales on 4 days from 2024-01-02 (two or three a day), one before, another
    # product's one
    alice = await make_user()
    company = await make_company(alice)
    product, other = await make_product(company), await make_product(company)
    day = date(2024, 1, 2)
    expected = []
    for i, offset in enumerate((0, 0, 1, 2, 2, 2, 3)):
        await Sale.create(
            company=company,
            product=product,
            sold_on=day + timedelta(days=offset),
            quantity=Decimal(i + 1),
            external_id=f"L{i}",
        )
        expected.append(((day + timedelta(days=offset)).isoformat(), f"L{i}"))
    await Sale.create(company=company, product=product, sold_on=date(2024, 1, 1), quantity=1)
    await Sale.create(company=company, product=other, sold_on=day, quantity=1)
    variables = {
        "id": global_id("Company", company.id),
        "product": global_id("Product", product.id),
    }
    # when: read 3 at a time
    seen, pages, after = [], 0, None
    while True:
        sales = data_of(await gql(SALES, {**variables, "after": after}, token=alice.token))[
            "company"
        ]["sales"]
        pages += 1
        assert sales["totalCount"] == 7
        seen += [(e["node"]["soldOn"], e["node"]["externalId"]) for e in sales["edges"]]
        if not sales["pageInfo"]["hasNextPage"]:
            break
        after = sales["pageInfo"]["endCursor"]
    # then: every sale once, newest day first, in 3 pages
    assert pages == 3
    assert len(seen) == 7
    assert sorted(seen) == sorted(expected)
    assert [s[0] for s in seen] == sorted((s[0] for s in seen), reverse=True)


async def test_a_malformed_sales_cursor_is_bad_user_input(gql):
    alice = await make_user()
    company = await make_company(alice)
    result = await gql(
        SALES, {"id": global_id("Company", company.id), "after": "bm9wZQ"}, token=alice.token
    )
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
