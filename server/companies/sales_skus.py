"""Which product a sales file's SKU is. A SKU is unique in its company ignoring case
(`products.py`: stripped, then compared by the database's UPPER, as `sku__iexact` does), and a
file's SKU is the product whose SKU is the same under that rule: `abc` in a file is the product
`ABC`. The database computes both sides' UPPER, so the import and the products service cannot
disagree on a letter (SQLite's UPPER folds ASCII letters only, PostgreSQL's all of them; each
backend is consistent with itself). File SKUs arrive stripped (`sales_values.text_of`).

Products that differ only in case (made before the rule, or by an older import) can share a
key: a spelling goes to the product spelled exactly as it is, else to the oldest of them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections


@dataclass(frozen=True, slots=True)
class SkuMatch:
    """A file's spelling of a SKU: its key (the database's UPPER) and its product, if any."""

    key: str
    product_id: uuid.UUID | None


async def match_skus(company_id: uuid.UUID, spellings: Sequence[str]) -> dict[str, SkuMatch]:
    """Each spelling's key and product in the company, in one query (the company's products
    are read once, by their key; no query per SKU)."""
    if not spellings:
        return {}
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(
            _MATCH.format(spellings="unnest($1::text[]) WITH ORDINALITY AS t (spelling, n)"),
            [list(spellings), company_id],
        )
    else:
        rows = await connection.execute_query_dict(
            _MATCH.replace("$2", "?").format(
                spellings="(SELECT value AS spelling, key AS n FROM json_each(?)) AS t"
            ),
            [json.dumps(list(spellings)), str(company_id)],
        )
    spelled: list[tuple[int, str, str]] = []  # (place, spelling, key)
    products: dict[str, list[tuple[Any, str, uuid.UUID, str]]] = {}  # key -> (created, id, sku)
    for row in rows:
        if row["product_id"] is None:
            spelled.append((int(row["n"]), row["spelling"], row["key"]))
        else:
            product_id = uuid.UUID(str(row["product_id"]))
            found = (row["created_at"], str(product_id), product_id, row["spelling"])
            products.setdefault(row["key"], []).append(found)
    for found in products.values():
        found.sort()  # the oldest first
    matches: dict[str, SkuMatch] = {}
    for _n, spelling, key in sorted(spelled):
        found = products.get(key, [])
        exact = [product_id for _at, _id, product_id, sku in found if sku == spelling]
        chosen = exact[0] if exact else found[0][2] if found else None
        matches[spelling] = SkuMatch(key, chosen)
    return matches


# The spellings with their keys (in order), then the company's products of those keys: each
# table read once, the products by their UPPER IN the keys, matched in Python by the keys the
# database computed (a join on UPPER made SQLite loop over products per spelling).
_MATCH = (
    "WITH s AS MATERIALIZED (SELECT t.spelling, t.n, UPPER(t.spelling) AS key FROM {spellings}) "
    "SELECT s.key, s.spelling, s.n, NULL AS product_id, NULL AS created_at FROM s "
    "UNION ALL "
    "SELECT UPPER(sku), sku, NULL, id, created_at FROM products "
    "WHERE company_id = $2 AND UPPER(sku) IN (SELECT key FROM s)"
)
