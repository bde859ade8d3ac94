"""Brands: admin-only management, and line items linked to brands by fuzzy matching of their
names, when a receipt is read and when it is validated.

Brands are shared by the whole test session: these use invented names no other test prints."""

from __future__ import annotations

import secrets

from schema.core.relay import global_id
from server.receipts.brands import BrandEntry, BrandMatcher
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.receipts.factories import Item, make_receipt

CREATE = """
mutation C($input: CreateBrandInput!) {
  createBrand(input: $input) { brand { id name aliases category } errors { field code message } }
}"""
UPDATE = """
mutation U($input: UpdateBrandInput!) {
  updateBrand(input: $input) { brand { id name aliases category } errors { field code message } }
}"""
BRANDS = """
query B($search: String) { brands(search: $search) { totalCount edges { node { name aliases } } } }"""
ITEMS = """
query R($id: ID!) { receipt(id: $id) { points items { id name category brand { name } } } }"""
VALIDATE = """
mutation V($input: ValidateReceiptInput!) {
  validateReceipt(input: $input) {
    pointsPosted
    receipt { status pointsPending items { name category brand { name } } }
    errors { field code }
  }
}"""


def _invented() -> str:
    return "ZX" + secrets.token_hex(3).upper()


async def test_brands_are_managed_by_admins_only(gql):
    # given
    admin, user = await make_admin(), await make_user()
    name = f"Zorglub {_invented()}"
    # when
    created = data_of(
        await gql(
            CREATE,
            {
                "input": {
                    "name": f"  {name} ",
                    "aliases": ["ZGB", "zgb", " Zorg Lub "],
                    "category": "luxury",
                }
            },
            token=admin.token,
        )
    )["createBrand"]
    # then
    assert created["errors"] == []
    brand = created["brand"]
    assert (brand["name"], brand["aliases"], brand["category"]) == (
        name,
        ["ZGB", "Zorg Lub"],
        "luxury",
    )
    updated = data_of(
        await gql(
            UPDATE,
            {"input": {"id": brand["id"], "aliases": ["ZGB2"], "category": None}},
            token=admin.token,
        )
    )["updateBrand"]
    assert updated["brand"] == {**brand, "aliases": ["ZGB2"], "category": None}
    listed = data_of(await gql(BRANDS, {"search": name.lower()}, token=admin.token))["brands"]
    assert listed == {"totalCount": 1, "edges": [{"node": {"name": name, "aliases": ["ZGB2"]}}]}
    # the same name, any case or punctuation, is a duplicate
    taken = data_of(
        await gql(CREATE, {"input": {"name": name.upper().replace(" ", "-")}}, token=admin.token)
    )["createBrand"]
    assert [(e["field"], e["code"]) for e in taken["errors"]] == [("name", "DUPLICATE")]
    blank = data_of(await gql(CREATE, {"input": {"name": " !! "}}, token=admin.token))[
        "createBrand"
    ]
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("name", "INVALID_INPUT")]
    missing = data_of(
        await gql(
            UPDATE,
            {"input": {"id": global_id("Brand", user.user.id), "name": "X"}},
            token=admin.token,
        )
    )["updateBrand"]
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [("id", "NOT_FOUND")]
    # users may not
    for query, variables in (
        (CREATE, {"input": {"name": _invented()}}),
        (UPDATE, {"input": {"id": brand["id"], "name": "Mine"}}),
        (BRANDS, {}),
    ):
        refused = await gql(query, variables, token=user.token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
        assert refused["data"] is None
    assert (
        data_of(await gql(BRANDS, {"search": name}, token=admin.token))["brands"]["edges"][0][
            "node"
        ]["name"]
        == name
    )


async def test_items_are_linked_when_read_and_when_validated(gql):
    # given: two invented brands, one with a strategic category
    admin, user = await make_admin(), await make_user()
    gadget, snack = _invented(), _invented()
    for name, aliases, category in (
        (f"{gadget} Corp", [f"{gadget}PHONE"], "electronics"),
        (f"{snack}ELLA", [], None),
    ):
        result = await gql(
            CREATE,
            {"input": {"name": name, "aliases": aliases, "category": category}},
            token=admin.token,
        )
        assert data_of(result)["createBrand"]["errors"] == []
    # when: a receipt prints them, one misread by the OCR
    receipt = await make_receipt(
        user,
        store="HYPER",
        total="15.00",
        items=[
            Item(f"{gadget}PHONE 15 128GO", "10.00"),
            Item(f"{snack}ELA 400G".replace("ELLA", "ELA"), "3.00", category="EPICERIE"),
            Item("PAIN DE MIE", "2.00"),
        ],
    )
    got = data_of(await gql(ITEMS, {"id": global_id("Receipt", receipt.id)}, token=user.token))[
        "receipt"
    ]
    # then: linked by exact alias and by a fuzzy match; the brand's category fills in
    assert [(i["name"], i["category"], i["brand"]) for i in got["items"]] == [
        (f"{gadget}PHONE 15 128GO", "electronics", {"name": f"{gadget} Corp"}),
        (f"{snack}ELA 400G", "EPICERIE", {"name": f"{snack}ELLA"}),
        ("PAIN DE MIE", None, None),
    ]
    # an electronics unit: 10 + 1 + 5
    assert got["points"] == 16
    # when: validation adds and renames items, they are linked too
    bread = got["items"][2]["id"]
    validated = data_of(
        await gql(
            VALIDATE,
            {
                "input": {
                    "id": global_id("Receipt", receipt.id),
                    "items": [
                        {"id": bread, "name": f"{snack}ELLA T1000"},
                        {"name": f"{gadget}PHONE CHARGER", "unitPrice": "2.00"},
                    ],
                }
            },
            token=user.token,
        )
    )["validateReceipt"]
    assert validated["errors"] == []
    assert [(i["name"], i["category"], i["brand"]) for i in validated["receipt"]["items"]][2:] == [
        (f"{snack}ELLA T1000", None, {"name": f"{snack}ELLA"}),
        (f"{gadget}PHONE CHARGER", "electronics", {"name": f"{gadget} Corp"}),
    ]
    # one more electronics unit, typed: its 5 points wait for an administrator
    assert validated["pointsPosted"] == 0
    assert (validated["receipt"]["status"], validated["receipt"]["pointsPending"]) == (
        "IN_REVIEW",
        5,
    )


def test_fuzzy_matching_rules() -> None:
    import uuid

    def brand(name: str, *aliases: str) -> BrandEntry:
        return BrandEntry(id=uuid.uuid4(), name=name, aliases=aliases, category=None)

    matcher = BrandMatcher(
        [
            brand("Nutella"),
            brand("Coca-Cola", "Coke"),
            brand("Apple", "IPHONE", "MACBOOK"),
            brand("U"),
            brand("Carte Noire"),
        ]
    )
    cases = {
        "NUTELA 400G": "Nutella",  # a letter lost by the OCR
        "COCA COLA ZERO 1.5L": "Coca-Cola",  # punctuation does not matter
        "IPHONE 15 128GO": "Apple",  # an alias
        "MACBOK AIR": "Apple",
        "CARTE NOlRE CAFE": "Carte Noire",  # two words, one misread
        "U BIO LAIT": "U",  # a short name matches as a whole word
        "YAOURT NATURE X4": None,  # ... never inside another word
        "PATES FUSILLI 500G": None,
        "": None,
    }
    for name, expected in cases.items():
        found = matcher.match(name)
        assert (found.brand.name if found else None) == expected, name
