"""A company's settings and its deletion.

Deleting a company deletes everything it owns, in one transaction, by the database's
ON DELETE CASCADE: its memberships and invitations, products with their stock ledger, sales and
sales imports (with their row errors), forecast runs and product forecasts, its API keys, its
jobs and its file rows. The blobs of those files are deleted right after the commit; one that
cannot be deleted then (a store briefly down) has no row any more, so the files sweeper removes
it as an orphan (ORPHAN_GRACE_SECONDS later): nothing is left behind. Users are not deleted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.memberships import checked_fields
from server.companies.models import Company, Sale
from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.storage import StorageError

log = logging.getLogger("scanbase.companies")


def _not_found() -> CompaniesError:
    return CompaniesError(CompaniesErrorCode.NOT_FOUND, "No such company.", field="company_id")


async def update_company(
    *,
    company_id: uuid.UUID,
    name: str | None = None,
    currency: str | None = None,
    timezone: str | None = None,
    country: str | None = None,
) -> Company:
    """Change a company's name, currency, time zone or country (None: keep). Raises NOT_FOUND,
    INVALID_NAME, INVALID_CURRENCY, INVALID_TIMEZONE, INVALID_COUNTRY."""
    async with in_transaction():
        company = await Company.filter(id=company_id).select_for_update().first()
        if company is None:
            raise _not_found()
        checked = checked_fields(
            company.name if name is None else name,
            company.currency if currency is None else currency,
            company.timezone if timezone is None else timezone,
            company.country if country is None else country,
        )
        company.name, company.currency, company.timezone, company.country = checked
        await company.save(update_fields=["name", "currency", "timezone", "country", "updated_at"])
    return company


@dataclass(frozen=True, slots=True)
class CompanyDeletion:
    """What deleteCompany removed: the company's id and how many file blobs went with it."""

    company_id: uuid.UUID
    files_deleted: int
    blobs_left_to_sweeper: int


async def delete_company(*, company_id: uuid.UUID, confirm_name: str) -> CompanyDeletion:
    """Delete a company and all it owns (see the module's docstring); `confirm_name` must repeat
    its name exactly (spaces around it ignored), as a guard against deleting the wrong one.
    Raises NOT_FOUND, CONFIRMATION_MISMATCH."""
    async with in_transaction():
        company = await Company.filter(id=company_id).select_for_update().first()
        if company is None:
            raise _not_found()
        if " ".join(confirm_name.split()) != company.name:
            raise CompaniesError(
                CompaniesErrorCode.CONFIRMATION_MISMATCH,
                "Type the company's name exactly to confirm its deletion.",
                field="confirm_name",
            )
        blobs = await StoredFile.filter(company_id=company_id).values_list("store", "blob_key")
        await Sale.filter(company_id=company_id).delete()  # sales have no foreign keys
        await Company.filter(id=company_id).delete()  # ON DELETE CASCADE does the rest
    left = 0
    for store, key in blobs:
        try:
            await get_blob_store(str(store)).delete(str(key))
        except (StorageError, OSError, ValueError):
            left += 1  # no row references it any more: the orphan sweep removes it
            log.warning("company %s deleted; a blob is left to the sweeper", company_id)
    return CompanyDeletion(
        company_id=company_id, files_deleted=len(blobs), blobs_left_to_sweeper=left
    )
