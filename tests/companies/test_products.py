"""Products: created, changed, archived and deleted by a company's ADMINs, listed by its members
with search, category filter and keyset paging, in a constant number of queries."""

from __future__ import annotations

from typing import Any

from schema.core.relay import global_id
from server.companies.models import Product
from tests.companies.factories import company_key, join, make_company, make_product, receive
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

CREATE = """
mutation C($input: CreateProductInput!) {
  createProduct(input: $input) {
    product { id sku name category unit cost price leadTimeDays minOrderQuantity reorderPoint
              stockOnHand archivedAt companyId }
    errors { field code message }
  }
}"""
UPDATE = """
mutation U($input: UpdateProductInput!) {
  updateProduct(input: $input) {
    product { sku name category cost price leadTimeDays minOrderQuantity reorderPoint }
    errors { field code }
  }
}"""
ARCHIVE = """
mutation A($input: ArchiveProductInput!) {
  archiveProduct(input: $input) { product { id archivedAt } errors { field code } }
}"""
DELETE = """
mutation D($input: DeleteProductInput!) {
  deleteProduct(input: $input) { deletedId errors { field code } }
}"""
LIST = """
query L($id: ID!, $first: Int, $after: String, $search: String, $category: String,
        $archived: Boolean) {
  node(id: $id) {
    ... on Company {
      products(first: $first, after: $after, search: $search, category: $category,
               includeArchived: $archived) {
        totalCount
        edges { node { sku name } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
ONE = """
query O($id: ID!, $product: ID!) {
  node(id: $id) { ... on Company { product(id: $product) { sku stockOnHand } productCategories } }
}"""
PAGE_WITH_MOVEMENTS = """
query P($id: ID!) {
  node(id: $id) {
    ... on Company {
      products(first: 20) {
        edges { node { sku stockOnHand movements(first: 2) {
          totalCount edges { node { sequence kind quantity balanceAfter } }
          pageInfo { hasNextPage }
        } } }
      }
    }
  }
}"""


def skus(result: dict[str, Any]) -> list[str]:
    page = data_of(result)["node"]["products"]
    return [edge["node"]["sku"] for edge in page["edges"]]


async def test_an_admin_creates_a_product_with_its_values(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    variables = {
        "input": {
            "companyId": gid,
            "sku": "  ab-100 ",
            "name": "  Aspirin   500 mg ",
            "category": "Pain",
            "unit": "box",
            "cost": "2.5",
            "price": "4.9900",
            "leadTimeDays": 14,
            "minOrderQuantity": "12",
            "reorderPoint": "30.5",
        }
    }
    # when
    payload = data_of(await gql(CREATE, variables, token=alice.token))["createProduct"]
    # then
    assert payload["errors"] == []
    product = payload["product"]
    assert {k: v for k, v in product.items() if k != "id"} == {
        "sku": "ab-100",
        "name": "Aspirin 500 mg",
        "category": "Pain",
        "unit": "box",
        "cost": "2.50",
        "price": "4.99",
        "leadTimeDays": 14,
        "minOrderQuantity": "12",
        "reorderPoint": "30.5",
        "stockOnHand": "0",
        "archivedAt": None,
        "companyId": gid,
    }
    stored = await Product.get(company_id=company.id)
    assert (stored.sku, stored.lead_time_days, str(stored.price)) == ("ab-100", 14, "4.9900")


async def test_defaults_and_typed_errors(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    await make_product(company, sku="ABC-1", name="Existing")
    gid = global_id("Company", company.id)

    async def errors(**fields: Any) -> list[dict[str, str]]:
        variables = {"input": {"companyId": gid, "sku": "NEW-1", "name": "New", **fields}}
        payload = data_of(await gql(CREATE, variables, token=alice.token))["createProduct"]
        return [{"field": e["field"], "code": e["code"]} for e in payload["errors"]]

    # when / then
    assert await errors(sku="abc-1") == [{"field": "sku", "code": "DUPLICATE_SKU"}]
    assert await errors(sku="has space") == [{"field": "sku", "code": "INVALID_SKU"}]
    assert await errors(sku="   ") == [{"field": "sku", "code": "INVALID_SKU"}]
    assert await errors(sku="X" * 65) == [{"field": "sku", "code": "INVALID_SKU"}]
    assert await errors(name="  ") == [{"field": "name", "code": "INVALID_NAME"}]
    assert await errors(price="-1") == [{"field": "price", "code": "INVALID_PRICE"}]
    assert await errors(cost="1.23456") == [{"field": "cost", "code": "INVALID_PRICE"}]
    assert await errors(price="10000000000") == [{"field": "price", "code": "INVALID_PRICE"}]
    assert await errors(leadTimeDays=-1) == [{"field": "leadTimeDays", "code": "INVALID_LEAD_TIME"}]
    assert await errors(leadTimeDays=366) == [
        {"field": "leadTimeDays", "code": "INVALID_LEAD_TIME"}
    ]
    assert await errors(minOrderQuantity="0") == [
        {"field": "minOrderQuantity", "code": "INVALID_QUANTITY"}
    ]
    assert await errors(reorderPoint="1.0005") == [
        {"field": "reorderPoint", "code": "INVALID_QUANTITY"}
    ]
    assert await errors(category="c" * 101) == [{"field": "category", "code": "INVALID_INPUT"}]
    assert await Product.filter(company_id=company.id).count() == 1
    # the defaults
    payload = data_of(
        await gql(
            CREATE, {"input": {"companyId": gid, "sku": "D-1", "name": "D"}}, token=alice.token
        )
    )["createProduct"]["product"]
    assert (payload["unit"], payload["leadTimeDays"], payload["minOrderQuantity"]) == (
        "unit",
        7,
        "1",
    )
    assert (payload["cost"], payload["price"], payload["reorderPoint"]) == (None, None, None)


async def test_the_same_sku_in_another_company_is_fine(gql):
    alice, bob = await make_user(), await make_user()
    mine, theirs = await make_company(alice), await make_company(bob)
    await make_product(theirs, sku="ABC-1")
    variables = {"input": {"companyId": global_id("Company", mine.id), "sku": "abc-1", "name": "A"}}
    payload = data_of(await gql(CREATE, variables, token=alice.token))["createProduct"]
    assert payload["errors"] == []


async def test_update_keeps_what_is_left_out_and_clears_nulls(gql):
    # given
    alice = await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    product = await make_product(
        company, sku="A-1", name="A", category="Food", cost="1.5", price="3", reorder_point="4"
    )
    await make_product(company, sku="B-2")
    pid = global_id("Product", product.id)
    # when: the price changes, the cost and reorder point are cleared, the rest is kept
    variables = {
        "input": {"companyId": gid, "id": pid, "price": "3.25", "cost": None, "reorderPoint": None}
    }
    payload = data_of(await gql(UPDATE, variables, token=alice.token))["updateProduct"]
    # then
    assert payload == {
        "product": {
            "sku": "A-1",
            "name": "A",
            "category": "Food",
            "cost": None,
            "price": "3.25",
            "leadTimeDays": 7,
            "minOrderQuantity": "1",
            "reorderPoint": None,
        },
        "errors": [],
    }
    # a SKU taken by another product (any case) is refused; its own SKU in another case is fine
    taken = {"input": {"companyId": gid, "id": pid, "sku": "b-2"}}
    errors = data_of(await gql(UPDATE, taken, token=alice.token))["updateProduct"]["errors"]
    assert errors == [{"field": "sku", "code": "DUPLICATE_SKU"}]
    recased = {"input": {"companyId": gid, "id": pid, "sku": "a-1"}}
    done = data_of(await gql(UPDATE, recased, token=alice.token))["updateProduct"]
    assert (done["errors"], done["product"]["sku"]) == ([], "a-1")
    # null where a value is required
    cleared = {"input": {"companyId": gid, "id": pid, "name": None}}
    errors = data_of(await gql(UPDATE, cleared, token=alice.token))["updateProduct"]["errors"]
    assert errors == [{"field": "name", "code": "INVALID_NAME"}]


async def test_another_companys_product_is_not_found_and_members_cannot_manage(gql):
    # given: Alice runs A (Mia is a member), Bob runs B with a product
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company_a, company_b = await make_company(alice), await make_company(bob)
    await join(company_a, mia)
    bobs = await make_product(company_b, sku="B-1")
    gid_a = global_id("Company", company_a.id)
    pid = global_id("Product", bobs.id)
    # when: Alice names her company and Bob's product
    variables = {"input": {"companyId": gid_a, "id": pid, "name": "Mine now"}}
    payload = data_of(await gql(UPDATE, variables, token=alice.token))["updateProduct"]
    # then
    assert payload == {"product": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    assert (await Product.get(id=bobs.id)).name == "Product"
    archive = {"input": {"companyId": gid_a, "id": pid}}
    errors = data_of(await gql(ARCHIVE, archive, token=alice.token))["archiveProduct"]["errors"]
    assert errors == [{"field": "id", "code": "NOT_FOUND"}]
    errors = data_of(await gql(DELETE, archive, token=alice.token))["deleteProduct"]["errors"]
    assert errors == [{"field": "id", "code": "NOT_FOUND"}]
    # a member or a company key may not create products
    create = {"input": {"companyId": gid_a, "sku": "M-1", "name": "M"}}
    refused = await gql(CREATE, create, token=mia.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    key = await company_key(company_a, alice, ["companies"])
    refused = await gql(CREATE, create, api_key=key)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # nor read another company's product through its own company
    one = data_of(await gql(ONE, {"id": gid_a, "product": pid}, token=alice.token))
    assert one["node"]["product"] is None


async def test_a_product_with_history_is_archived_not_deleted(gql):
    # given: one product with a movement, one without
    alice = await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    used, unused = await make_product(company, sku="U-1"), await make_product(company, sku="N-1")
    await receive(used, "5")
    # when / then
    refused = {"input": {"companyId": gid, "id": global_id("Product", used.id)}}
    payload = data_of(await gql(DELETE, refused, token=alice.token))["deleteProduct"]
    assert payload == {"deletedId": None, "errors": [{"field": "id", "code": "PRODUCT_IN_USE"}]}
    deleted = {"input": {"companyId": gid, "id": global_id("Product", unused.id)}}
    payload = data_of(await gql(DELETE, deleted, token=alice.token))["deleteProduct"]
    assert payload == {"deletedId": global_id("Product", unused.id), "errors": []}
    assert not await Product.filter(id=unused.id).exists()
    archived = data_of(await gql(ARCHIVE, refused, token=alice.token))["archiveProduct"]
    assert archived["errors"] == [] and archived["product"]["archivedAt"] is not None
    # hidden from the list unless asked, its SKU still taken
    assert skus(await gql(LIST, {"id": gid}, token=alice.token)) == []
    assert skus(await gql(LIST, {"id": gid, "archived": True}, token=alice.token)) == ["U-1"]
    again = {"input": {"companyId": gid, "sku": "u-1", "name": "again"}}
    errors = data_of(await gql(CREATE, again, token=alice.token))["createProduct"]["errors"]
    assert errors == [
        {
            "field": "sku",
            "code": "DUPLICATE_SKU",
            "message": "The SKU U-1 is already used by Product.",
        }
    ]
    # restored
    restore = {"input": {**refused["input"], "archived": False}}
    restored = data_of(await gql(ARCHIVE, restore, token=alice.token))["archiveProduct"]
    assert restored["product"]["archivedAt"] is None
    assert skus(await gql(LIST, {"id": gid}, token=alice.token)) == ["U-1"]


async def test_list_search_category_and_keyset_pages(gql):
    # given
    alice, mia = await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    other = await make_company(alice)
    await make_product(other, sku="APP-9", name="Apple elsewhere")
    for sku, name, category in [
        ("APP-1", "Apple juice", "Drinks"),
        ("BAN-1", "Banana", "Fruit"),
        ("CAR-1", "Carrot", "vegetables"),
        ("XAP-1", "Pineapple", "Fruit"),
        ("DAT-1", "Dates", ""),
    ]:
        await make_product(company, sku=sku, name=name, category=category)
    gid = global_id("Company", company.id)
    # when / then: by name, paged 2 by 2 (a member reads them)
    first = data_of(await gql(LIST, {"id": gid, "first": 2}, token=mia.token))["node"]["products"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Apple juice", "Banana"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (5, True)
    after = first["pageInfo"]["endCursor"]
    second = skus(await gql(LIST, {"id": gid, "first": 2, "after": after}, token=mia.token))
    assert second == ["CAR-1", "DAT-1"]
    # search: a SKU prefix or part of the name, any case
    assert skus(await gql(LIST, {"id": gid, "search": "app"}, token=mia.token)) == [
        "APP-1",
        "XAP-1",
    ]
    assert skus(await gql(LIST, {"id": gid, "search": "xap"}, token=mia.token)) == ["XAP-1"]
    assert skus(await gql(LIST, {"id": gid, "search": "-1"}, token=mia.token)) == []
    # category, any case
    assert skus(await gql(LIST, {"id": gid, "category": "fruit"}, token=mia.token)) == [
        "BAN-1",
        "XAP-1",
    ]
    one = data_of(
        await gql(
            ONE,
            {"id": gid, "product": global_id("Product", (await Product.get(sku="BAN-1")).id)},
            token=mia.token,
        )
    )["node"]
    assert one == {
        "product": {"sku": "BAN-1", "stockOnHand": "0"},
        "productCategories": ["Drinks", "Fruit", "vegetables"],
    }


async def test_a_page_of_products_with_movements_takes_constant_queries(gql):
    # given: 20 products with 3 movements each, and 5 with none
    alice = await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    for index in range(25):
        product = await make_product(company, sku=f"P-{index:02}", name=f"Product {index:02}")
        if index < 20:
            for quantity in ("1", "2", "3"):
                await receive(product, quantity)

    async def page() -> dict[str, Any]:
        result = data_of(await gql(PAGE_WITH_MOVEMENTS, {"id": gid}, token=alice.token))
        return result["node"]["products"]

    await page()  # warm: the caller's memberships, prepared statements
    # when
    with count_sql() as statements:
        products = await page()
    # then: the values
    first = products["edges"][0]["node"]
    assert first["sku"] == "P-00" and first["stockOnHand"] == "6"
    assert first["movements"] == {
        "totalCount": 3,
        "edges": [
            {"node": {"sequence": 3, "kind": "RECEIPT", "quantity": "3", "balanceAfter": "6"}},
            {"node": {"sequence": 2, "kind": "RECEIPT", "quantity": "2", "balanceAfter": "3"}},
        ],
        "pageInfo": {"hasNextPage": True},
    }
    # and the queries: the caller, their memberships, the company, its products, the
    # movements' last sequences, the movements
    assert len(products["edges"]) == 20
    assert len(statements) == 6, statements
    # the same count for a page of 5
    with count_sql() as few:
        small = data_of(
            await gql(
                PAGE_WITH_MOVEMENTS.replace("first: 20", "first: 5"), {"id": gid}, token=alice.token
            )
        )
    assert len(small["node"]["products"]["edges"]) == 5
    assert len(few) == len(statements)
