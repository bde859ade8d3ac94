"""A company's products: creating, changing, archiving or deleting them, and listing them.

Rules (README "Companies: products and stock"):
- A SKU is a code of 1 to 64 characters without spaces, stored as typed (surrounding spaces
  stripped) and unique in its company ignoring case: `abc-1` is refused when `ABC-1` exists,
  since imports and people type codes in either case. Archived products keep their SKU.
- Money (cost, price) is 0 or more, at most 4 decimals and below 10^10; quantities (minimum
  order, reorder point) at most 3 decimals and below 10^9; the lead time 0 to 365 days.
- A product with stock movements, sales or forecasts is history: it is archived (hidden from
  lists, refused new movements) rather than deleted; `delete_product` refuses it (PRODUCT_IN_USE).
- Row locks (PostgreSQL): deleting a product or changing its SKU locks it FOR UPDATE, other edits
  FOR NO KEY UPDATE. A sales import batch holds its products FOR KEY SHARE while it writes
  (`sales` has no foreign key): the former wait for it, the latter do not.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, Product, ProductForecast, Sale, StockMovement

Code = CompaniesErrorCode

MAX_MONEY = Decimal("9999999999.9999")  # DECIMAL(14, 4)
MAX_QUANTITY = Decimal("999999999.999")  # well inside DECIMAL(16, 3)
MONEY_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")
MAX_LEAD_TIME_DAYS = 365
SKU_LENGTH = 64


class _Keep:
    """A field the caller left out: keep its value (None means "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
# What makes a product history (delete_product refuses it).
_HISTORY = ((StockMovement, "stock movements"), (Sale, "sales"), (ProductForecast, "forecasts"))


@dataclass(frozen=True, slots=True)
class ProductFields:
    """What a product is made of or changed to; KEEP leaves a field as it is (updates)."""

    sku: Any = KEEP
    name: Any = KEEP
    category: Any = KEEP
    unit: Any = KEEP
    cost: Any = KEEP
    price: Any = KEEP
    lead_time_days: Any = KEEP
    min_order_quantity: Any = KEEP
    reorder_point: Any = KEEP


def fail(code: CompaniesErrorCode, message: str, field: str | None = None) -> CompaniesError:
    return CompaniesError(code, message, field=field)


def clean_sku(value: Any) -> str:
    """The SKU stripped; INVALID_SKU when empty, over 64 characters or holding spaces."""
    sku = str(value or "").strip()
    if not sku or len(sku) > SKU_LENGTH or any(c.isspace() or not c.isprintable() for c in sku):
        raise fail(
            Code.INVALID_SKU,
            f"sku must have 1 to {SKU_LENGTH} characters, without spaces.",
            "sku",
        )
    return sku


def clean_text(value: Any, *, field: str, limit: int, required: bool = False) -> Any:
    """Spaces collapsed; INVALID_INPUT (INVALID_NAME for `name`) when over `limit` or empty
    while `required`. None is "" for an optional text."""
    if value is KEEP:
        return KEEP
    text = " ".join(str(value or "").split())
    code = Code.INVALID_NAME if field == "name" else Code.INVALID_INPUT
    if required and not text:
        raise fail(code, f"{field} cannot be empty.", field)
    if len(text) > limit:
        raise fail(code, f"{field} has more than {limit} characters.", field)
    return text


def checked_decimal(
    value: Any,
    *,
    field: str,
    code: CompaniesErrorCode,
    places: Decimal,
    maximum: Decimal,
    minimum: Decimal = Decimal(0),
    positive: bool = False,
    nullable: bool = True,
) -> Any:
    """A number within [minimum, maximum] (above 0 when `positive`), at most `places` decimals,
    quantized; KEEP and (when `nullable`) None pass. Raises `code` naming `field`."""
    if value is KEEP or (value is None and nullable):
        return value
    if value is None:
        raise fail(code, f"{field} cannot be empty.", field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise fail(code, f"{field} is not a number.", field) from exc
    if not amount.is_finite():
        raise fail(code, f"{field} is not a finite number.", field)
    if amount < minimum or (positive and amount <= 0):
        bound = "above 0" if positive else f"at least {minimum}"
        raise fail(code, f"{field} must be {bound}.", field)
    if amount > maximum:
        raise fail(code, f"{field} must be at most {maximum}.", field)
    if amount != amount.quantize(places, rounding=ROUND_HALF_UP):
        decimals = -int(places.as_tuple().exponent)
        raise fail(code, f"{field} must have at most {decimals} decimals.", field)
    return amount.quantize(places)


def _checked(fields: ProductFields, *, creating: bool) -> dict[str, Any]:
    """The fields given, checked and normalised (KEEP left out)."""
    values: dict[str, Any] = {}
    if fields.sku is not KEEP or creating:
        values["sku"] = clean_sku(None if fields.sku is KEEP else fields.sku)
    if fields.name is not KEEP or creating:
        name = None if fields.name is KEEP else fields.name
        values["name"] = clean_text(name, field="name", limit=200, required=True)
    if fields.category is not KEEP:
        values["category"] = clean_text(fields.category, field="category", limit=100)
    if fields.unit is not KEEP:
        unit = clean_text(fields.unit, field="unit", limit=16)
        values["unit"] = unit or "unit"
    for name in ("cost", "price"):
        value = checked_decimal(
            getattr(fields, name),
            field=name,
            code=Code.INVALID_PRICE,
            places=MONEY_PLACES,
            maximum=MAX_MONEY,
        )
        if value is not KEEP:
            values[name] = value
    if fields.lead_time_days is not KEEP:
        days = fields.lead_time_days
        if days is None or isinstance(days, bool) or not 0 <= int(days) <= MAX_LEAD_TIME_DAYS:
            raise fail(
                Code.INVALID_LEAD_TIME,
                f"lead_time_days must be a whole number from 0 to {MAX_LEAD_TIME_DAYS}.",
                "lead_time_days",
            )
        values["lead_time_days"] = int(days)
    moq = checked_decimal(
        fields.min_order_quantity,
        field="min_order_quantity",
        code=Code.INVALID_QUANTITY,
        places=QUANTITY_PLACES,
        maximum=MAX_QUANTITY,
        positive=True,
        nullable=False,
    )
    if moq is not KEEP:
        values["min_order_quantity"] = moq
    point = checked_decimal(
        fields.reorder_point,
        field="reorder_point",
        code=Code.INVALID_QUANTITY,
        places=QUANTITY_PLACES,
        maximum=MAX_QUANTITY,
    )
    if point is not KEEP:
        values["reorder_point"] = point
    return values


async def _refuse_duplicate(company_id: uuid.UUID, sku: str, *, but: uuid.UUID | None) -> None:
    taken = Product.filter(company_id=company_id, sku__iexact=sku)
    if but is not None:
        taken = taken.exclude(id=but)
    existing = await taken.first()
    if existing is not None:
        raise fail(
            Code.DUPLICATE_SKU,
            f"The SKU {existing.sku} is already used by {existing.name}.",
            "sku",
        )


async def create_product(*, company_id: uuid.UUID, fields: ProductFields) -> Product:
    """Create a product in the company. Raises INVALID_SKU, DUPLICATE_SKU, INVALID_NAME,
    INVALID_INPUT, INVALID_PRICE, INVALID_LEAD_TIME, INVALID_QUANTITY."""
    values = _checked(fields, creating=True)
    try:
        async with in_transaction():
            # Serialise SKU checks within the company (the unique index is case-sensitive).
            await Company.filter(id=company_id).select_for_update().first()
            await _refuse_duplicate(company_id, values["sku"], but=None)
            return await Product.create(company_id=company_id, **values)
    except IntegrityError as exc:  # the same SKU, created meanwhile
        raise fail(Code.DUPLICATE_SKU, "This SKU is already used.", "sku") from exc


async def update_product(
    *, company_id: uuid.UUID, product_id: uuid.UUID, fields: ProductFields
) -> Product:
    """Change a product's fields (KEEP: unchanged; None clears cost, price, reorder_point).
    Stock on hand only changes through movements. Raises NOT_FOUND and create_product's codes."""
    values = _checked(fields, creating=False)
    try:
        async with in_transaction():
            await Company.filter(id=company_id).select_for_update().first()
            product = await _locked(company_id, product_id, key=False)
            if "sku" in values and values["sku"] != product.sku:
                await _refuse_duplicate(company_id, values["sku"], but=product.id)
                # A SKU change is a key change: it waits for import batches holding the product.
                product = await _locked(company_id, product_id)
            if values:
                product.update_from_dict(values)
                await product.save(update_fields=[*values, "updated_at"])
            return product
    except IntegrityError as exc:
        raise fail(Code.DUPLICATE_SKU, "This SKU is already used.", "sku") from exc


async def _locked(company_id: uuid.UUID, product_id: uuid.UUID, *, key: bool = True) -> Product:
    """The product, locked FOR UPDATE (`key`: deleting it or changing its SKU, which conflicts
    with a sales import batch's FOR KEY SHARE) or FOR NO KEY UPDATE (other edits, which do not).
    Raises NOT_FOUND."""
    query = Product.filter(id=product_id, company_id=company_id)
    product = await query.select_for_update(no_key=not key).first()
    if product is None:
        raise fail(Code.NOT_FOUND, "No such product in this company.", "id")
    return product


async def archive_product(
    *, company_id: uuid.UUID, product_id: uuid.UUID, archived: bool = True
) -> Product:
    """Archive a product (hidden from lists unless asked, refused new movements; its history
    and SKU stay), or restore it with `archived=False`. Raises NOT_FOUND."""
    async with in_transaction():
        product = await _locked(company_id, product_id, key=False)
        if archived != (product.archived_at is not None):
            product.archived_at = datetime.now(UTC) if archived else None
            await product.save(update_fields=["archived_at", "updated_at"])
    return product


async def delete_product(*, company_id: uuid.UUID, product_id: uuid.UUID) -> uuid.UUID:
    """Delete a product that has no history (no stock movements, sales or forecasts); one with
    history is archived instead. Raises NOT_FOUND, PRODUCT_IN_USE."""
    async with in_transaction():
        product = await _locked(company_id, product_id)
        for model, what in _HISTORY:
            if await model.filter(product_id=product.id).exists():
                raise fail(
                    Code.PRODUCT_IN_USE,
                    f"This product has {what}: archive it instead, to keep its history.",
                    "id",
                )
        await product.delete()
    return product_id


async def delete_unused_products(
    *, company_id: uuid.UUID, product_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Delete those of these products that have no history, as `delete_product` would (locked
    FOR UPDATE, in id order: a sales import batch holding one commits first and its sales
    count); the others, and those already gone, stay. Returns the ids deleted."""
    if not product_ids:
        return set()
    async with in_transaction():
        locked = (
            await Product.filter(company_id=company_id, id__in=list(product_ids))
            .order_by("id")
            .select_for_update()
            .only("id")
        )
        unused = {product.id for product in locked}
        for model, _what in _HISTORY:
            if unused:
                used = model.filter(product_id__in=list(unused)).distinct()
                unused -= set(await used.values_list("product_id", flat=True))
        if unused:
            await Product.filter(id__in=list(unused)).delete()
    return unused


def products_of(
    *,
    company_id: uuid.UUID,
    search: str | None = None,
    category: str | None = None,
    include_archived: bool = False,
) -> QuerySet[Product]:
    """The company's products: `search` matches a SKU prefix or part of the name (any case),
    `category` the category (any case); archived ones only with `include_archived`."""
    query = Product.filter(company_id=company_id)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    text = " ".join((search or "").split())
    if text:
        query = query.filter(Q(sku__istartswith=text) | Q(name__icontains=text))
    if category is not None:
        query = query.filter(category__iexact=" ".join(category.split()))
    return query


async def get_product(*, company_id: uuid.UUID, product_id: uuid.UUID) -> Product | None:
    """The company's product with this id (archived too), or None."""
    return await Product.filter(id=product_id, company_id=company_id).first()


async def categories_of(*, company_id: uuid.UUID) -> list[str]:
    """The distinct non-empty categories of the company's live products, sorted."""
    rows = (
        await Product.filter(company_id=company_id, archived_at__isnull=True)
        .exclude(category="")
        .distinct()
        .order_by("category")
        .values_list("category", flat=True)
    )
    return [str(row) for row in rows]
