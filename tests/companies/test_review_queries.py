"""Review of issue 13: a company page (members, invitations, products with their movements,
sales imports with their row errors, forecasts, reorder advice) costs the same number of SQL
statements whatever the number of rows under it (no N+1)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from schema.core.relay import global_id
from server.companies.models import (
    CompanyRole,
    Invitation,
    SalesImport,
    SalesImportRowError,
)
from tests.companies.factories import join, make_company, make_forecast, make_product, receive
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

PAGE = """
query Page($id: ID!) {
  company(id: $id) {
    name
    members { email role }
    invitations { email status }
    products(first: 20) { edges { node { sku stockOnHand
      movements(first: 5) { totalCount edges { node { sequence kind } } } } } }
    salesImports(first: 20) { edges { node { filename errors { line reason } job { id } } } }
    forecasts(first: 20) { edges { node { model points { period mean
      intervals { level lo hi } } } } }
    reorderAdvice(serviceLevel: 0.95) { urgency product { sku } }
  }
}"""


async def company_of_size(n: int) -> tuple[Any, str]:
    """A company with n of everything under it: members, invitations, products with two
    movements and a forecast each, sales imports with two row errors each."""
    admin = await make_user()
    company = await make_company(admin)
    monday = date(2030, 1, 7)
    for i in range(n):
        await join(company, await make_user(), CompanyRole.MEMBER)
        await Invitation.create(
            company=company,
            email=f"i{i}@example.com",
            token_hash=uuid.uuid4().hex * 2,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        product = await make_product(company, sku=f"P{i}")
        await receive(product, "5")
        await receive(product, "2")
        points = [
            {
                "period": (monday + timedelta(weeks=w)).isoformat(),
                "mean": 1.0,
                "lo": {"80": 0.5, "95": 0.2},
                "hi": {"80": 1.5, "95": 2.0},
            }
            for w in range(8)
        ]
        await make_forecast(product, points)
        done = await SalesImport.create(
            company=company,
            filename=f"f{i}.csv",
            sha256=uuid.uuid4().hex * 2,
            mapping={},
            options={},
        )
        for line in (2, 3):
            await SalesImportRowError.create(sales_import=done, line=line, reason="bad")
    return admin, global_id("Company", company.id)


async def test_a_company_page_costs_the_same_statements_for_2_or_8_of_everything(gql):
    counts = []
    for n in (2, 8):
        # given: a company with n of everything
        admin, company_id = await company_of_size(n)
        await gql("{ me { id } }", token=admin.token)  # the session's own lookups, warmed
        # when: its whole page is read
        with count_sql() as statements:
            page = data_of(await gql(PAGE, {"id": company_id}, token=admin.token))["company"]
        # then: everything is there
        assert len(page["members"]) == n + 1
        assert len(page["invitations"]) == n
        assert len(page["products"]["edges"]) == n
        assert all(e["node"]["movements"]["totalCount"] == 2 for e in page["products"]["edges"])
        assert all(len(e["node"]["errors"]) == 2 for e in page["salesImports"]["edges"])
        assert len(page["forecasts"]["edges"]) == n
        assert len(page["reorderAdvice"]) == n
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
