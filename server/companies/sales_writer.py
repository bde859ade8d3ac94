"""Writing batches of sales: SKUs resolved to products (cached; ignoring case, as products are
unique: `sales_skus`; unknown ones created in batch, one per SKU ignoring case, or rejected),
then the backend's bulk path (PostgreSQL: COPY into a temporary table, then a plain INSERT ...
SELECT, and INSERT ... ON CONFLICT DO NOTHING only after a conflict; SQLite: INSERT OR IGNORE
with executemany). A row already stored (same product, day, external id, store) is skipped and
counted, never an error.

`sales` has no foreign key to `products` (a lean fact table), so each batch, first in its
transaction, locks its products FOR KEY SHARE (PostgreSQL) and checks that each still exists
with the SKU it was resolved by (ignoring case); the rows then go to the ids it locked, never
found by SKU again. deleteProduct and a SKU change lock the product FOR UPDATE, which
conflicts: either they wait for the batch (and deleteProduct then sees its sales and refuses),
or they came first and the batch takes the product as gone (unless its SKU changed only in
case) and resolves its SKU again (created, or rejected as unknown), on both backends alike.
Other product edits and stock movements lock FOR NO KEY UPDATE, which does not wait for a
batch. SQLite has one writer at a time; the batch checks its products in its own transaction
likewise.

The products an import creates are recorded on its row (`options`, CREATED_PRODUCTS) in the
transaction that creates them, so an import that failed can remove them even when the process
that ran it is gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.transactions import in_transaction

from server.companies.models import Company, Product, SalesImport
from server.companies.sales_mapping import ImportOptions, UnknownSkus
from server.companies.sales_records import RowProblem, SaleRow, problem
from server.companies.sales_skus import SkuMatch, match_skus


class SalesWriter:
    """Resolves SKUs (cached; unknown ones created in batch or rejected) and writes sales in
    batches with the backend's fast path."""

    def __init__(self, *, company_id: uuid.UUID, import_id: uuid.UUID, options: ImportOptions):
        self.company_id, self.import_id, self.options = company_id, import_id, options
        # The file's spellings of SKUs: their products, their keys (`sales_skus`), and those
        # rejected as unknown.
        self.products: dict[str, uuid.UUID] = {}
        self.keys: dict[str, str] = {}
        self.rejected: set[str] = set()
        # The products this import created and still uses, by key: one deleted meanwhile and
        # created again counts once.
        self.created_products: dict[str, uuid.UUID] = {}
        self.postgres = connections.get("default").capabilities.dialect == "postgres"
        # PostgreSQL: try a plain INSERT (no row of the batch stored yet) before ON CONFLICT.
        self.plain_insert = True

    @property
    def created(self) -> int:
        """How many products this import created (and still uses)."""
        return len(self.created_products)

    @property
    def created_ids(self) -> list[uuid.UUID]:
        return list(self.created_products.values())

    async def _resolve(self, skus: Iterable[str]) -> None:
        """Map the SKUs not seen yet (in file order) to products, ignoring case as products are
        unique (`sales_skus`); unknown ones are rejected, or created: one product per key, spelled
        as first seen, under the company lock `create_product` takes."""
        missing = [sku for sku in skus if sku not in self.products and sku not in self.rejected]
        if not missing:
            return
        unknown = self._take(await match_skus(self.company_id, missing))
        if not unknown:
            return
        if self.options.unknown_skus != UnknownSkus.CREATE:
            self.rejected.update(unknown)
            return
        async with in_transaction():
            await Company.filter(id=self.company_id).select_for_update().first()
            unknown = self._take(await match_skus(self.company_id, unknown))
            new: dict[str, tuple[str, uuid.UUID]] = {}
            for sku in unknown:
                new.setdefault(self.keys[sku], (sku, uuid.uuid4()))
            if not new:  # made meanwhile by another import
                return
            await Product.bulk_create(
                [
                    Product(id=i, company_id=self.company_id, sku=sku, name=sku)
                    for sku, i in new.values()
                ],
                ignore_conflicts=True,
            )
            # Recorded with the products, in their transaction: a job that dies after this
            # still knows what to remove (`settle_sales_import`).
            made = Product.filter(id__in=[i for _sku, i in new.values()])
            await record_created(self.import_id, await made.values_list("id", flat=True))
            self._take(await match_skus(self.company_id, unknown))
        used = set(self.products.values())
        for key, (_sku, product_id) in new.items():
            if product_id in used:  # ours, not one another import made meanwhile
                self.created_products[key] = product_id

    def _take(self, matches: dict[str, SkuMatch]) -> list[str]:
        """Remember the matched spellings' products and every spelling's key; the unmatched
        spellings, in order."""
        unknown = []
        for sku, match in matches.items():
            self.keys[sku] = match.key
            if match.product_id is None:
                unknown.append(sku)
            else:
                self.products[sku] = match.product_id
        return unknown

    async def write(self, sales: list[SaleRow]) -> tuple[int, int, list[RowProblem]]:
        """(imported, skipped as already present, problems for rejected SKUs). A product
        deleted, or whose SKU changed other than in case, since its SKU was resolved is resolved
        again, as a new SKU would be."""
        while True:
            try:
                return await self._write(sales)
            except _ProductsGone as gone:
                lost = {self.products[sku] for sku in gone.skus if sku in self.products}
                for sku in gone.skus:
                    self.created_products.pop(self.keys.get(sku, ""), None)
                for sku in [sku for sku, product_id in self.products.items() if product_id in lost]:
                    del self.products[sku]  # every spelling of a product gone

    async def _write(self, sales: list[SaleRow]) -> tuple[int, int, list[RowProblem]]:
        await self._resolve(dict.fromkeys(sale[0] for sale in sales))
        problems: list[RowProblem] = []
        rejected = self.rejected
        if rejected:
            kept = []
            for sale in sales:
                if sale[0] in rejected:
                    problems.append(
                        problem(sale[6], "sku", sale[0], "unknown SKU (unknown SKUs are rejected)")
                    )
                else:
                    kept.append(sale)
            sales = kept
        if not sales:
            return 0, 0, problems
        products = self._products_of(sales)
        write = self._copy if self.postgres else self._executemany
        inserted = await write(sales, products)
        return inserted, len(sales) - inserted, problems

    def _products_of(self, sales: list[SaleRow]) -> dict[str, uuid.UUID]:
        """The batch's products by SKU. Raises _ProductsGone with the SKUs in neither cache: a
        product created by `_resolve` and deleted before it read it back."""
        products, gone = {}, set()
        for sku in {sale[0] for sale in sales}:
            product_id = self.products.get(sku)
            if product_id is None:
                gone.add(sku)
            else:
                products[sku] = product_id
        if gone:
            raise _ProductsGone(gone)
        return products

    async def _copy(self, sales: list[SaleRow], products: dict[str, uuid.UUID]) -> int:
        """COPY (binary; every value text but the line) into a temporary table, then one
        INSERT ... SELECT: the database casts the values and takes the product ids of the SKUs
        from the products the batch locked (arrays, not a join on `products`: a SKU changed or
        taken by another product meanwhile cannot send a row elsewhere), and the rows go in the
        unique index's order (its pages are touched once, not at random); work_mem is raised
        for this transaction so that sort stays in memory.

        The INSERT is a plain one first (in a savepoint): ON CONFLICT DO NOTHING inserts each
        row speculatively, which cost a quarter of the database's CPU on new rows (1,000,000
        rows: 8.6 -> 6.2-7.5 backend CPU s). A row already stored (or twice in the batch) makes
        it fail; the batch is then inserted again with ON CONFLICT DO NOTHING, the same
        statement as before, so what is stored and skipped does not change. After a batch that
        skipped rows the next one goes straight to ON CONFLICT (a file overlapping an earlier
        import pays the failed attempt once, not per batch)."""
        arguments = (self.company_id, self.import_id, list(products), list(products.values()))
        async with in_transaction() as conn, conn.acquire_connection() as raw:
            await self._hold_products(raw, products)
            await raw.execute("SET LOCAL work_mem = '64MB'")
            await raw.execute(
                "CREATE TEMP TABLE sales_batch (sku text, sold_on text, quantity text, "
                "unit_price text, store text, external_id text, line integer) ON COMMIT DROP"
            )
            await raw.copy_records_to_table("sales_batch", records=sales)
            if self.plain_insert:
                await raw.execute("SAVEPOINT sales_plain_insert")
                try:
                    status = await raw.execute(_INSERT_BATCH, *arguments)
                except asyncpg.UniqueViolationError:
                    await raw.execute("ROLLBACK TO SAVEPOINT sales_plain_insert")
                else:
                    await raw.execute("RELEASE SAVEPOINT sales_plain_insert")
                    return int(status.rsplit(" ", 1)[-1])
            status = await raw.execute(_INSERT_BATCH + _SKIP_STORED, *arguments)
        inserted = int(status.rsplit(" ", 1)[-1])
        self.plain_insert = inserted == len(sales)
        return inserted

    async def _hold_products(self, raw: Any, products: dict[str, uuid.UUID]) -> None:
        """Inside the batch's transaction: lock its products FOR KEY SHARE (PostgreSQL; deletion
        and SKU changes wait, other edits do not) and check each is still there with the SKU
        it was resolved by. Raises _ProductsGone with the SKUs of products deleted or whose SKU
        changed since they were resolved."""
        if self.postgres:
            rows = await raw.fetch(
                "SELECT id, UPPER(sku) AS key FROM products WHERE id = ANY($1::uuid[]) "
                "ORDER BY id FOR KEY SHARE",
                list(products.values()),
            )
            found = {row["id"]: row["key"] for row in rows}
        else:
            marks = ", ".join("?" * len(products))
            rows = await raw.execute_fetchall(
                f"SELECT id, UPPER(sku) FROM products WHERE id IN ({marks})",
                [str(i) for i in products.values()],
            )
            found = {uuid.UUID(str(row[0])): row[1] for row in rows}
        keys = self.keys
        gone = {sku for sku, product_id in products.items() if found.get(product_id) != keys[sku]}
        if gone:
            raise _ProductsGone(gone)

    async def _executemany(self, sales: list[SaleRow], products: dict[str, uuid.UUID]) -> int:
        company, import_id = str(self.company_id), str(self.import_id)
        ids = {sku: str(product_id) for sku, product_id in products.items()}
        values = [
            (company, import_id, ids[sku], day, quantity, price, store, external)
            for sku, day, quantity, price, store, external, _line in sales
        ]
        values.sort(key=_index_order)  # the unique index's pages touched once, not at random
        async with in_transaction() as conn, conn.acquire_connection() as raw:
            await self._hold_products(raw, products)
            cursor = await raw.executemany(
                'INSERT OR IGNORE INTO "sales" (company_id, sales_import_id, product_id, sold_on, '
                "quantity, unit_price, store, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            inserted = cursor.rowcount
            await cursor.close()
        return inserted


# The key of a sales import's `options` (JSON) that lists the products it created, by id.
CREATED_PRODUCTS = "created_product_ids"


async def record_created(import_id: uuid.UUID, product_ids: Iterable[Any]) -> None:
    """Add products to those the import created (its row locked: attempts add in turn)."""
    ids = [str(i) for i in product_ids]
    if not ids:
        return
    row = await SalesImport.filter(id=import_id).select_for_update().first()
    if row is not None:
        options = dict(row.options)
        options[CREATED_PRODUCTS] = [*options.get(CREATED_PRODUCTS, []), *ids]
        await SalesImport.filter(id=import_id).update(options=options)


def created_products(options: dict[str, Any]) -> list[uuid.UUID]:
    """The products an import recorded as created (by every attempt so far), from its
    `options`: some may be gone since."""
    return [uuid.UUID(i) for i in options.get(CREATED_PRODUCTS, [])]


class _ProductsGone(Exception):
    """Products of a batch deleted, or whose SKU changed, since their SKUs were resolved (the
    batch rolled back)."""

    def __init__(self, skus: set[str]) -> None:
        super().__init__(", ".join(sorted(skus)))
        self.skus = skus


# The batch's rows with the product ids the batch locked ($3 SKUs, $4 their ids), in the unique
# index's order.
_INSERT_BATCH = (
    'INSERT INTO "sales" (company_id, sales_import_id, product_id, sold_on, quantity, '
    "unit_price, store, external_id) "
    "SELECT $1, $2, p.id, b.sold_on::date, b.quantity::numeric(16,3), "
    "b.unit_price::numeric(14,4), b.store, b.external_id "
    "FROM sales_batch b JOIN unnest($3::text[], $4::uuid[]) AS p (sku, id) ON p.sku = b.sku "
    "ORDER BY p.id, 4, b.external_id, b.store"
)
_SKIP_STORED = " ON CONFLICT (product_id, sold_on, external_id, store) DO NOTHING"


def _index_order(value: tuple[Any, ...]) -> tuple[Any, ...]:
    """A SQLite row's key in the unique index (product, day, external id, store)."""
    return value[2], value[3], value[7], value[6]
