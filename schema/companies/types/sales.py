"""A company's sales history: the Sale type and `company.sales`, keyset-paged on (sold_on, id)
so that a page costs the same however deep in the history it is."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry import Info
from tortoise.expressions import Q

from schema.core.errors import BadUserInputError
from schema.core.relay import (
    After,
    Connection,
    Edge,
    First,
    PageInfo,
    check_page_size,
    global_id,
    parse_global_id,
)
from server.companies.sales_reading import sales_of


@strawberry.type(name="Sale", description="One sale line of a company's history.")
class SaleType:
    product_id: strawberry.ID = strawberry.field(description="The product sold.")
    sold_on: date = strawberry.field(description="The day.")
    quantity: Decimal = strawberry.field(description="Units sold; negative for a return.")
    unit_price: Decimal | None = strawberry.field(description="The unit price, when known.")
    store: str = strawberry.field(description="The store, or empty.")
    external_id: str = strawberry.field(description="The invoice or line id, or empty.")


def _sale_cursor(sold_on: date, pk: int | uuid.UUID) -> str:
    """base64url("<day>|<id>"): a sale's place in (sold_on, id) order."""
    return base64.urlsafe_b64encode(f"{sold_on.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _sale_after(cursor: str) -> tuple[date, int | uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, separator, pk = base64.urlsafe_b64decode(padded).decode().partition("|")
        if not separator:
            raise ValueError(cursor)
        # The key is an integer (a BIGINT identity) or a UUID, whichever the table has.
        key: int | uuid.UUID = int(pk) if pk.isdigit() else uuid.UUID(pk)
        return date.fromisoformat(day), key
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadUserInputError("'after' is not a cursor of this list.") from exc


async def resolve_sales(
    root: Any,
    info: Info,
    product_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this product's sales.")
    ] = None,
    since: Annotated[
        date | None, strawberry.argument(name="from", description="From this day (included).")
    ] = None,
    until: Annotated[
        date | None, strawberry.argument(name="to", description="Up to this day (included).")
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[SaleType]:
    """The company's sales, newest day first then newest line, keyset-paged on (sold_on, id)
    (root: the CompanyType)."""
    size = check_page_size(first)
    product = None
    if product_id is not None:
        product = parse_global_id(product_id, "Product")
    base = sales_of(company_id=root.company_pk, product_id=product, since=since, until=until)
    query = base
    if after:
        day, pk = _sale_after(after)
        query = query.filter(Q(sold_on__lt=day) | Q(sold_on=day, id__lt=pk))
    rows = (
        await query.order_by("-sold_on", "-id")
        .limit(size + 1)
        .values("id", "product_id", "sold_on", "quantity", "unit_price", "store", "external_id")
    )
    edges = [
        Edge(
            cursor=_sale_cursor(r["sold_on"], r["id"]),
            node=SaleType(
                product_id=strawberry.ID(global_id("Product", r["product_id"])),
                sold_on=r["sold_on"],
                quantity=Decimal(r["quantity"]),
                unit_price=None if r["unit_price"] is None else Decimal(r["unit_price"]),
                store=r["store"],
                external_id=r["external_id"],
            ),
        )
        for r in rows[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=base.count,
    )
