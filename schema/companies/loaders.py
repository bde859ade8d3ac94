"""Request-scoped DataLoaders of the companies area: one batch of SQL queries per kind of nested
data on a page, whatever the page size."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from server.companies import models
from server.companies.invitations import invitations_of
from server.companies.members import Member, members_of
from server.companies.models import SalesImportRowError
from server.companies.stock import MovementPage, movements_of
from server.context import Context
from server.jobs.models import Job

# (product id, page size, before sequence or None): a page of that product's movements.
MovementKey = tuple[uuid.UUID, int, int | None]


def movements_by_product(context: Context) -> DataLoader[MovementKey, MovementPage]:
    async def load(keys: list[MovementKey]) -> list[MovementPage]:
        # Products on one page ask for the same page size and cursor: one batch per such pair.
        groups: dict[tuple[int, int | None], list[uuid.UUID]] = {}
        for product_id, first, before in keys:
            groups.setdefault((first, before), []).append(product_id)
        pages: dict[MovementKey, MovementPage] = {}
        for (first, before), product_ids in groups.items():
            found = await movements_of(product_ids, first=first, before_sequence=before)
            for product_id, page in found.items():
                pages[(product_id, first, before)] = page
        return [pages[key] for key in keys]

    return context.loader("companies.movements_by_product", lambda: DataLoader(load_fn=load))


def members_by_company(context: Context) -> DataLoader[uuid.UUID, list[Member]]:
    """The request's loader of companies' members (`server.companies.members.members_of`)."""
    return context.loader("companies.members_by_company", lambda: DataLoader(load_fn=members_of))


def invitations_by_company(context: Context) -> DataLoader[uuid.UUID, list[models.Invitation]]:
    """The request's loader of companies' invitations (`invitations_of`)."""
    return context.loader(
        "companies.invitations_by_company", lambda: DataLoader(load_fn=invitations_of)
    )


def sales_import_errors(context: Context) -> DataLoader[uuid.UUID, list[SalesImportRowError]]:
    """The request's loader of sales imports' row errors, by line."""

    async def load(ids: list[uuid.UUID]) -> list[list[SalesImportRowError]]:
        found: dict[uuid.UUID, list[SalesImportRowError]] = {i: [] for i in ids}
        rows = await SalesImportRowError.filter(sales_import_id__in=ids).order_by("line", "id")
        for row in rows:
            found[row.sales_import_id].append(row)  # type: ignore[attr-defined]
        return [found[i] for i in ids]

    return context.loader("companies.sales_import_errors", lambda: DataLoader(load_fn=load))


def sales_import_jobs(context: Context) -> DataLoader[uuid.UUID, Job | None]:
    """The request's loader of sales imports' jobs (None for a job gone)."""

    async def load(ids: list[uuid.UUID]) -> list[Job | None]:
        found = {j.id: j for j in await Job.filter(id__in=ids)}
        return [found.get(i) for i in ids]

    return context.loader("companies.sales_import_jobs", lambda: DataLoader(load_fn=load))
