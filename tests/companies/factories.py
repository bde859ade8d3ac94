"""Small async builders of companies, members and company API keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from server.accounts import services as accounts
from server.companies.memberships import add_member, create_company
from server.companies.models import (
    Company,
    CompanyRole,
    ForecastRun,
    ForecastRunStatus,
    Frequency,
    Product,
    ProductForecast,
    StockMovement,
)
from tests.factories import Account


async def make_company(admin: Account, *, name: str | None = None) -> Company:
    """A company whose ADMIN is `admin`."""
    return await create_company(
        creator=admin.user,
        name=name or f"Company {uuid.uuid4().hex[:8]}",
        currency="EUR",
        timezone="Europe/Paris",
        country="FR",
    )


async def join(company: Company, account: Account, role: CompanyRole = CompanyRole.MEMBER) -> None:
    await add_member(company=company, user=account.user, role=role)


async def company_key(
    company: Company, admin: Account, scopes: Iterable[str], *, revoked: bool = False
) -> str:
    """The secret of a key acting for `company`, created by its ADMIN `admin`."""
    key, secret = await accounts.create_api_key(
        owner=admin.user,
        name="company probe",
        scopes=sorted(scopes),
        expires_at=None,
        company=company,
    )
    if revoked:
        await accounts.revoke_api_key(key_id=key.id)
    return secret


async def make_product(company: Company, **fields: Any) -> Product:
    """A product of `company` (a unique SKU unless given); other fields as given."""
    values: dict[str, Any] = {"sku": f"SKU-{uuid.uuid4().hex[:8]}", "name": "Product"}
    values.update(fields)
    return await Product.create(company=company, **values)


async def make_forecast(
    product: Product,
    points: list[dict[str, Any]],
    *,
    frequency: Frequency = Frequency.WEEK,
    model: str = "ensemble",
    mase: float | None = 0.8,
    levels: Iterable[int] = (80, 95),
) -> ProductForecast:
    """A succeeded forecast run for `product` alone, holding these points."""
    run = await ForecastRun.create(
        company_id=product.company_id,
        frequency=frequency,
        horizon=len(points),
        levels=list(levels),
        product_ids=[str(product.id)],
        status=ForecastRunStatus.SUCCEEDED,
        strategy=model,
    )
    return await ProductForecast.create(
        run=run,
        company_id=product.company_id,
        product=product,
        model=model,
        mase=mase,
        history_periods=104,
        points=points,
    )


async def receive(product: Product, quantity: str) -> StockMovement:
    """Goods of `product` received: a RECEIPT movement (through the stock ledger)."""
    from server.companies.stock import receive_stock

    return (
        await receive_stock(company_id=product.company_id, product_id=product.id, quantity=quantity)
    ).movement
