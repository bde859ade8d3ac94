"""Brands as rows: listing, creating and changing them, and linking items to them through the
matcher of `brands` (built once per job or validation)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from server.receipts.brands import BrandEntry, BrandMatcher, fold
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    Brand,
    ReceiptItem,
)
from server.receipts.values import KEEP, clean_text, error, unique_names


async def brand_matcher() -> BrandMatcher:
    """A matcher over every brand (a small table, read once per job or validation)."""
    rows = await Brand.all().values("id", "name", "aliases", "category")
    return BrandMatcher(
        BrandEntry(id=r["id"], name=r["name"], aliases=r["aliases"] or [], category=r["category"])
        for r in rows
    )


def link_item(item: ReceiptItem, matcher: BrandMatcher) -> None:
    found = matcher.match(item.name) if matcher else None
    item.brand_id = found.brand.id if found else None  # type: ignore[attr-defined]
    item.brand_score = found.score if found else None
    if found is not None and not item.category and found.brand.category:
        item.category = found.brand.category


def brands_query(*, search: str | None = None) -> QuerySet[Brand]:
    """Every brand, or those whose folded name contains `search`."""
    query = Brand.all()
    if search and fold(search):
        query = query.filter(key__contains=fold(search))
    return query


def _aliases(values: Any) -> Any:
    if values is KEEP:
        return KEEP
    return unique_names(
        values,
        key=fold,
        field="aliases",
        most=50,
        invalid="An alias must have 1 to 100 characters (letters or digits).",
        too_many="At most 50 aliases.",
    )


async def _save_brand(brand: Brand) -> Brand:
    try:
        await brand.save()
    except IntegrityError as exc:
        raise error(ReceiptsErrorCode.DUPLICATE, "A brand already has this name.", "name") from exc
    return brand


async def create_brand(*, name: str, aliases: Sequence[str], category: str | None) -> Brand:
    """Create a brand. Raises INVALID_INPUT, DUPLICATE (the name, folded, is taken)."""
    clean_name = clean_text(name, field="name", limit=100, required=True)
    if not fold(clean_name):
        raise error(ReceiptsErrorCode.INVALID_INPUT, "The name needs letters or digits.", "name")
    brand = Brand(
        name=clean_name,
        key=fold(clean_name),
        aliases=_aliases(list(aliases)),
        category=clean_text(category, field="category", limit=100),
    )
    return await _save_brand(brand)


async def update_brand(
    *, brand_id: uuid.UUID, name: Any = KEEP, aliases: Any = KEEP, category: Any = KEEP
) -> Brand:
    """Change a brand (items already linked keep their link; new matches use the new names).
    Raises NOT_FOUND, INVALID_INPUT, DUPLICATE."""
    brand = await Brand.get_or_none(id=brand_id)
    if brand is None:
        raise error(ReceiptsErrorCode.NOT_FOUND, "No such brand.", "id")
    clean_name = clean_text(name, field="name", limit=100, required=True)
    if clean_name is not KEEP:
        if not fold(clean_name):
            raise error(
                ReceiptsErrorCode.INVALID_INPUT, "The name needs letters or digits.", "name"
            )
        brand.name, brand.key = clean_name, fold(clean_name)
    if (clean_aliases := _aliases(aliases)) is not KEEP:
        brand.aliases = clean_aliases
    if (clean_category := clean_text(category, field="category", limit=100)) is not KEEP:
        brand.category = clean_category
    return await _save_brand(brand)
