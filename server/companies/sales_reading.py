"""Reading a company's sales and sales imports (querysets for paging)."""

from __future__ import annotations

import uuid
from datetime import date

from server.companies.models import Sale, SalesImport


def sales_imports_of(*, company_id: uuid.UUID):
    """A company's imports (for paging)."""
    return SalesImport.filter(company_id=company_id)


def sales_of(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """A company's sales, optionally one product's, within [since, until]."""
    query = Sale.filter(company_id=company_id)
    if product_id is not None:
        query = query.filter(product_id=product_id)
    if since is not None:
        query = query.filter(sold_on__gte=since)
    if until is not None:
        query = query.filter(sold_on__lte=until)
    return query
