"""Creating companies and reading who belongs to which, with what role.

Validation uses the standards themselves: ISO 4217 currencies and ISO 3166-1 alpha-2 countries
(pycountry), IANA time zones (zoneinfo), so a company's money and dates are never ambiguous.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

import pycountry
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, CompanyRole, Membership


@dataclass(frozen=True, slots=True)
class CompanyMembership:
    """A company and the role a user holds in it."""

    company: Company
    role: CompanyRole


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def checked_fields(
    name: str, currency: str, timezone: str, country: str
) -> tuple[str, str, str, str]:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise CompaniesError(
            CompaniesErrorCode.INVALID_NAME, "Name must have 1 to 100 characters.", field="name"
        )
    currency = currency.strip().upper()
    if len(currency) != 3 or pycountry.currencies.get(alpha_3=currency) is None:
        raise CompaniesError(
            CompaniesErrorCode.INVALID_CURRENCY,
            "Currency must be an ISO 4217 code such as EUR.",
            field="currency",
        )
    timezone = timezone.strip()
    if timezone not in _timezones():
        raise CompaniesError(
            CompaniesErrorCode.INVALID_TIMEZONE,
            "Time zone must be an IANA name such as Europe/Paris.",
            field="timezone",
        )
    country = country.strip().upper()
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        raise CompaniesError(
            CompaniesErrorCode.INVALID_COUNTRY,
            "Country must be an ISO 3166-1 alpha-2 code such as FR.",
            field="country",
        )
    return name, currency, timezone, country


async def create_company(
    *, creator: User, name: str, currency: str, timezone: str, country: str
) -> Company:
    """Create a company whose creator becomes its ADMIN. Raises INVALID_NAME, INVALID_CURRENCY,
    INVALID_TIMEZONE, INVALID_COUNTRY."""
    name, currency, timezone, country = checked_fields(name, currency, timezone, country)
    async with in_transaction():
        company = await Company.create(
            name=name, currency=currency, timezone=timezone, country=country
        )
        await Membership.create(user=creator, company=company, role=CompanyRole.ADMIN)
    return company


async def add_member(*, company: Company, user: User, role: CompanyRole) -> Membership:
    """Make `user` a member of `company` with `role` (or change their role)."""
    membership, _created = await Membership.update_or_create(
        defaults={"role": role}, user=user, company=company
    )
    return membership


async def roles_of(user_id: uuid.UUID) -> dict[uuid.UUID, CompanyRole]:
    """Every company the user belongs to, with their role there, in one query."""
    rows = await Membership.filter(user_id=user_id).values_list("company_id", "role")
    return {company_id: CompanyRole(role) for company_id, role in rows}


async def companies_of(user_id: uuid.UUID) -> list[CompanyMembership]:
    """The user's companies with their role, by name."""
    memberships = (
        await Membership.filter(user_id=user_id)
        .select_related("company")
        .order_by("company__name", "company_id")
    )
    return [CompanyMembership(company=m.company, role=CompanyRole(m.role)) for m in memberships]
