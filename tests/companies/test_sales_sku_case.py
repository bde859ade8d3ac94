"""A sales import matches SKUs as products are unique: ignoring case (README "Sales import"). A
file's `abc` is the product `ABC`, whether unknown SKUs are created or rejected; unknown SKUs
differing only in case make one product, spelled as first seen; a product whose SKU changed only
in case is still the same product for a batch. On SQLite and PostgreSQL (the `db` marker)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.companies.models import Product, Sale
from server.companies.products import ProductFields, update_product
from server.companies.sales_mapping import UnknownSkus
from tests.companies.factories import make_company, make_product
from tests.companies.sales_helpers import orphans, sale, writer_for
from tests.companies.test_sales_import import _counts, _imported, _sales, _setup
from tests.factories import make_user
from tests.sql import count_sql


async def _skus(company_id: object) -> list[str]:
    return sorted(
        str(s) for s in await Product.filter(company_id=company_id).values_list("sku", flat=True)
    )


async def _sold(company_id: object) -> list[tuple[object, str]]:
    rows = await Sale.filter(company_id=company_id).order_by("external_id")
    return [(s.product_id, s.external_id) for s in rows]


@pytest.mark.parametrize("unknown_skus", [UnknownSkus.CREATE, UnknownSkus.REJECT])
async def test_a_sku_in_another_case_is_the_existing_product(app, unknown_skus):
    # given: product ABC
    company = await make_company(await make_user())
    abc = await make_product(company, sku="ABC")
    writer = await writer_for(company, unknown_skus)

    # when: a batch sells abc and Abc
    written = await writer.write(
        [sale("abc", "2024-01-01", "1", "i1", 2), sale("Abc", "2024-01-02", "2", "i2", 3)]
    )

    # then: both rows went to ABC, accepted, and no product was created
    assert written == (2, 0, [])
    assert (await _skus(company.id), writer.created) == (["ABC"], 0)
    assert await _sold(company.id) == [(abc.id, "i1"), (abc.id, "i2")]


async def test_unknown_skus_differing_in_case_create_one_product(app):
    # given: an import creating unknown SKUs
    company = await make_company(await make_user())
    writer = await writer_for(company, UnknownSkus.CREATE)

    # when: a batch sells abc, ABC and aBc (none exists), then the next batch sells ABC and abC
    first = await writer.write(
        [
            sale("abc", "2024-01-01", "1", "i1", 2),
            sale("ABC", "2024-01-01", "1", "i2", 3),
            sale("aBc", "2024-01-01", "1", "i3", 4),
        ]
    )
    second = await writer.write(
        [sale("ABC", "2024-01-02", "1", "i4", 5), sale("abC", "2024-01-02", "1", "i5", 6)]
    )

    # then: one product, spelled as first seen in the file, holds the five sales
    assert (first, second) == ((3, 0, []), (2, 0, []))
    assert await _skus(company.id) == ["abc"]
    created = await Product.get(company_id=company.id, sku="abc")
    assert (writer.created, writer.created_ids) == (1, [created.id])
    assert await _sold(company.id) == [(created.id, f"i{n}") for n in range(1, 6)]


async def test_an_exact_spelling_wins_over_products_differing_in_case(app):
    # given: products ABC and abc (made before SKUs were unique ignoring case, or by an older
    # import), ABC the older
    company = await make_company(await make_user())
    upper = await make_product(company, sku="ABC")
    lower = await make_product(company, sku="abc")
    writer = await writer_for(company)

    # when: a batch sells abc, ABC and Abc
    written = await writer.write(
        [
            sale("abc", "2024-01-01", "1", "i1", 2),
            sale("ABC", "2024-01-01", "1", "i2", 3),
            sale("Abc", "2024-01-01", "1", "i3", 4),
        ]
    )

    # then: each exact spelling its product, another spelling the oldest product
    assert written == (3, 0, [])
    assert await _sold(company.id) == [(lower.id, "i1"), (upper.id, "i2"), (upper.id, "i3")]


async def test_a_sku_changed_only_in_case_is_the_same_product(app):
    # given: an import that wrote a sale of abc to ABC, then ABC renamed Abc between two batches
    company = await make_company(await make_user())
    product = await make_product(company, sku="ABC")
    writer = await writer_for(company, UnknownSkus.CREATE)
    first = await writer.write([sale("abc", "2024-01-01", "1", "i1", 2)])
    await update_product(
        company_id=company.id, product_id=product.id, fields=ProductFields(sku="Abc")
    )

    # when: the next batch sells abc and ABC
    written = await writer.write(
        [sale("abc", "2024-01-02", "1", "i2", 3), sale("ABC", "2024-01-03", "1", "i3", 4)]
    )

    # then: the same product holds the three sales; nothing was created
    assert (first, written) == ((1, 0, []), (2, 0, []))
    assert (await _skus(company.id), writer.created) == (["Abc"], 0)
    assert await _sold(company.id) == [(product.id, f"i{n}") for n in range(1, 4)]
    assert await orphans(company) == 0


async def test_resolving_spellings_takes_the_same_queries_for_2_or_40_skus(app):
    # given: 40 products, and batches selling 2 or 40 of them in lower case
    company = await make_company(await make_user())
    for n in range(40):
        await make_product(company, sku=f"SKU-{n:02}")
    counts = []
    for size in (2, 40):
        writer = await writer_for(company)
        rows = [sale(f"sku-{n:02}", "2024-01-01", "1", f"s{size}-{n}", n + 2) for n in range(size)]

        # when: a batch resolves its SKUs
        with count_sql() as statements:
            await writer._resolve(sorted({row[0] for row in rows}))
        counts.append(len(statements))
        assert len(writer.products) == size

    # then: one query, whatever the number of SKUs
    assert counts == [1, 1]


async def test_a_file_in_mixed_case_imports_onto_the_products(client, gql):
    # given: product ABC
    alice, company = await _setup()
    await make_product(company, sku="ABC")
    data = (
        b"date,sku,quantity\n2024-03-05,abc,1\n2024-03-06,ABC,2\n"
        b"2024-03-05,new,1\n2024-03-06,NEW,3\n2024-03-07,New,1\n"
    )

    # when: rejecting unknown SKUs
    rejected = await _imported(client, gql, alice, company, data, options={"unknownSkus": "REJECT"})

    # then: abc and ABC are ABC's sales; every spelling of new is rejected
    assert _counts(rejected) == ("SUCCEEDED", 5, 2, 0, 3, 0)
    assert [e["value"] for e in rejected["errors"]] == ["new", "NEW", "New"]

    # when: the same rows from another file, creating
    created = await _imported(
        client, gql, alice, company, data + b"\n", name="b.csv", options={"unknownSkus": "CREATE"}
    )

    # then: one product `new` for its three spellings
    assert _counts(created) == ("SUCCEEDED", 5, 3, 2, 0, 1)
    assert await _skus(company.id) == ["ABC", "new"]
    assert [(s[0], s[1].day, s[2]) for s in await _sales(company)] == [
        ("ABC", 5, Decimal(1)),
        ("ABC", 6, Decimal(2)),
        ("new", 5, Decimal(1)),
        ("new", 6, Decimal(3)),
        ("new", 7, Decimal(1)),
    ]
