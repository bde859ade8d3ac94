"""Shared pieces of the sales-writer tests: a writer for a fresh import, a sale row, the orphan
count, and a batch paused while it holds its products (to race other writers against it)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.companies.models import Company, Product, Sale, SalesImport
from server.companies.sales_mapping import ImportOptions, UnknownSkus
from server.companies.sales_records import SaleRow
from server.companies.sales_writer import SalesWriter


async def writer_for(
    company: Company, unknown_skus: UnknownSkus = UnknownSkus.REJECT
) -> SalesWriter:
    row = await SalesImport.create(
        company=company, filename="s.csv", sha256="0" * 64, mapping={}, options={}
    )
    options = ImportOptions(unknown_skus=unknown_skus)
    return SalesWriter(company_id=company.id, import_id=row.id, options=options)


async def orphans(company: Company) -> int:
    """The company's sales whose product is gone."""
    kept = await Product.filter(company_id=company.id).values_list("id", flat=True)
    return await Sale.filter(company_id=company.id).exclude(product_id__in=list(kept)).count()


def sale(sku: str, day: str, quantity: str, external_id: str, line: int) -> SaleRow:
    return (sku, day, quantity, None, "", external_id, line)


def pause_holding_batches(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """From now on a batch pauses once it holds its products: `held` is set then, and the batch
    goes on when `release` is set."""
    held, release = asyncio.Event(), asyncio.Event()
    hold = SalesWriter._hold_products

    async def hold_then_pause(self: SalesWriter, raw: Any, products: dict[str, Any]) -> None:
        await hold(self, raw, products)
        held.set()
        await release.wait()

    monkeypatch.setattr(SalesWriter, "_hold_products", hold_then_pause)
    return held, release
