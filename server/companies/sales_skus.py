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
    matches: dict[str, SkuMatch] = {}
    for row in rows:  # each spelling's best product first
        spelling = row["spelling"]
        if spelling not in matches:
            found = row["id"]
            product_id = None if found is None else uuid.UUID(str(found))
            matches[spelling] = SkuMatch(row["key"], product_id)
    return matches


# The spellings with their keys, each with the products of the same key: the exact spelling
# first, then the oldest. The products are read once (their UPPER IN the keys), not per SKU.
_MATCH = (
    "WITH s AS (SELECT t.spelling, t.n, UPPER(t.spelling) AS key FROM {spellings}), "
    "p AS (SELECT id, sku, created_at, UPPER(sku) AS key FROM products "
    "WHERE company_id = $2 AND UPPER(sku) IN (SELECT key FROM s)) "
    "SELECT s.spelling, s.key, p.id FROM s LEFT JOIN p ON p.key = s.key "
    "ORDER BY s.n, CASE WHEN p.sku = s.spelling THEN 0 ELSE 1 END, p.created_at, p.id"
)
