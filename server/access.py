"""Who is calling and what they may see: the Actor, the scope names, and ownership.

One Actor is made per request (lazily, by the Context) from the user a bearer token names, or
from an API key and its owner. Its `scopes` are everything it may do:

- a user's own token holds every user scope, plus `admin` when the user is an ADMIN;
- an API key holds the scopes it was given, and nothing more: admin powers need the `admin`
  scope, which only an ADMIN's key may carry (and which lapses if the owner stops being one).

A company's API key acts for the company: `owner` is the company, `user` is None (it is never a
user session), and its scopes are at most COMPANY_KEY_SCOPES. Company membership (ADMIN,
MEMBER) is read at most once per request, lazily (`Actor.company_roles`), so a request that
never touches companies pays nothing for it.

GraphQL fields declare the scope they need (schema/core/permissions.py); this module holds the
rules those declarations apply, so the API layer never compares owners by hand. `visible(actor,
Model)` is the one place that says which rows of a model an actor may see.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.accounts.models import ApiKey, User
from server.companies.models import Company, CompanyRole, Membership
from server.errors import Forbidden

ADMIN = "admin"

# Every scope, with what it allows. Adding a product area adds its scopes here.
SCOPES: dict[str, str] = {
    "receipts:read": "Read receipts, loyalty points, spending stats; export receipts.",
    "receipts:write": "Upload, validate and delete receipts.",
    "jobs": "Read, follow (jobUpdated) and cancel jobs.",
    "files": "Read stored files and their download links.",
    "ocr": "Extract text from images and PDFs.",
    # Reserved for the product areas to come: accepted on keys (some already carry them), and
    # granting nothing until those areas declare fields that need them.
    "cards": "Trading-card collection: imports, detections, catalog matches (reserved).",
    "captures": "Selfie-kiosk captures, downloads and kiosk admin (reserved).",
    "invoices": "Energy invoices: extraction, reports, webhooks (reserved).",
    "companies": "Your companies (myCompanies, a Company by id); to come: products, stock, "
    "sales imports, forecasts.",
    ADMIN: "Administrator powers; only an ADMIN's key may carry it.",
}

# Scope names keys were created with before scopes were split; read as their replacements.
LEGACY_SCOPES: dict[str, frozenset[str]] = {
    "receipts": frozenset({"receipts:read", "receipts:write"}),
}

# What a user's own token may do (an ADMIN's also has ADMIN).
USER_SCOPES = frozenset(SCOPES) - {ADMIN}

# The names createApiKey accepts (legacy names are stored as their replacements).
KEY_SCOPE_NAMES = frozenset(SCOPES) | frozenset(LEGACY_SCOPES)

# What a company's key may carry: the company-aware areas. Jobs and files may belong to a company
# (a company key reads and follows its company's, never a user's). Receipts and OCR belong to
# users, so a company key is refused there by the fields' own HasScope.
COMPANY_KEY_SCOPES = frozenset({"companies", "jobs", "files", "cards", "captures", "invoices"})


def normalise_scopes(names: Iterable[str]) -> frozenset[str]:
    """Known scope names with legacy names replaced; unknown names are dropped (fail closed)."""
    out: set[str] = set()
    for name in names:
        if name in SCOPES:
            out.add(name)
        else:
            out |= LEGACY_SCOPES.get(name, frozenset())
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of one request: a user (own token), a user's API key acting for that user, or
    a company's API key acting for the company (`company` set, `user` None)."""

    user: User | None = None
    api_key: ApiKey | None = None
    scopes: frozenset[str] = frozenset()
    company: Company | None = None
    # The caller's memberships once read (at most once per request); see `company_roles`.
    _roles: dict[uuid.UUID, CompanyRole] | None = field(default=None, compare=False, repr=False)
    _loaded: list[bool] = field(default_factory=list, compare=False, repr=False)
    _loading: list[asyncio.Future[dict[uuid.UUID, CompanyRole]]] = field(
        default_factory=list, compare=False, repr=False
    )

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.company is not None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes

    @property
    def owner(self) -> User | Company | None:
        """Whom the actor acts for: what it creates belongs to them."""
        return self.company if self.company is not None else self.user

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    async def company_roles(self) -> Mapping[uuid.UUID, CompanyRole]:
        """Company id -> the caller's role there. A company key is a MEMBER of its company
        (never ADMIN: a key cannot manage the company). One query per request, on first use."""
        if self.company is not None:
            return {self.company.id: CompanyRole.MEMBER}
        if self.user is None:
            return {}
        if not self._loaded:
            # Sibling fields check concurrently: they all wait for the one query.
            if not self._loading:
                from server.companies.memberships import roles_of

                self._loading.append(asyncio.ensure_future(roles_of(self.user.id)))
            roles = await self._loading[0]
            if not self._loaded:
                object.__setattr__(self, "_roles", roles)
                self._loaded.append(True)
        return self._roles or {}

    async def role_in(self, company_id: uuid.UUID) -> CompanyRole | None:
        """The caller's role in that company, None when not a member."""
        return (await self.company_roles()).get(company_id)


ANONYMOUS = Actor()


def actor_for(user: User | None, api_key: ApiKey | None = None) -> Actor:
    """The Actor for an authenticated user, or for `api_key` (whose owner `user` is). A company's
    key (its `company` loaded) acts for the company, with at most COMPANY_KEY_SCOPES."""
    if api_key is not None and api_key.company_id is not None:
        scopes = normalise_scopes(api_key.scopes or []) & COMPANY_KEY_SCOPES
        return Actor(api_key=api_key, company=api_key.company, scopes=scopes)
    if user is None:
        return ANONYMOUS
    if api_key is None:
        return Actor(user=user, scopes=USER_SCOPES | ({ADMIN} if user.is_admin else set()))
    scopes = normalise_scopes(api_key.scopes or [])
    if not user.is_admin:
        scopes -= {ADMIN}
    return Actor(user=user, api_key=api_key, scopes=scopes)


@dataclass(frozen=True, slots=True)
class Owned:
    """How a model's rows are owned: `user` names the column holding the owning user's id,
    `company` the column holding the owning company's id (either or both: a row belongs to one
    of them)."""

    user: str | None = None
    company: str | None = None


# Model name -> how its rows are owned: a column holding the owning user's id (str), an `Owned`
# declaration (a user and/or a company column), or None for shared rows that every actor allowed
# to read the type sees (brands, rules). A model not listed is seen by nobody: a new model must
# say here how it is owned. Company-owned areas declare e.g. `"Invoice": Owned(company="company_id")`.
OWNER_COLUMNS: dict[str, str | Owned | None] = {
    "User": "id",
    "ApiKey": "owner_id",
    "Job": Owned(user="owner_id", company="company_id"),
    "StoredFile": Owned(user="owner_id", company="company_id"),
    "Receipt": "owner_id",
    "LoyaltyEntry": "user_id",
    "Brand": None,
    "LoyaltyRules": None,
    "Company": Owned(company="id"),
    "Membership": Owned(company="company_id"),
    "Invitation": Owned(company="company_id"),
    "Product": Owned(company="company_id"),
    "StockMovement": Owned(company="company_id"),
    "SalesImport": Owned(company="company_id"),
    "Sale": Owned(company="company_id"),
    "ForecastRun": Owned(company="company_id"),
    "ProductForecast": Owned(company="company_id"),
}

M = TypeVar("M", bound=Model)


def owner_filter(actor: Actor) -> User | None:
    """For services taking `owner=`: the owner whose rows the actor sees, None for any (admins).
    Callers must have refused anonymous actors first (their rules do). Raises Forbidden for a
    company's key, which owns no user's rows (None would mean everyone's)."""
    if actor.is_admin:
        return None
    if actor.user is None:
        raise Forbidden("A company's API key cannot read a user's rows.")
    return actor.user


def _q(column: str, value: Any) -> Q:
    """Q(column=value) for a column named at run time (typed: Q's `join_type` is a keyword too)."""
    return Q(**{column: value})


def visible(actor: Actor, model: type[M]) -> QuerySet[M]:
    """The rows of `model` the actor may see: anyone's for an admin, none when anonymous;
    otherwise a user sees their own rows and those of the companies they belong to, a company's
    key its company's rows only. Raises LookupError for a model whose ownership is not declared.
    No query of its own: company membership is a subquery of the returned queryset."""
    name = model.__name__
    if name not in OWNER_COLUMNS:
        raise LookupError(f"declare how {name} is owned in server.access.OWNER_COLUMNS")
    query = model.all()
    ownership = OWNER_COLUMNS[name]
    if not actor.is_authenticated:
        return query.filter(id__in=[])
    if ownership is None or actor.is_admin:
        return query
    if isinstance(ownership, str):  # the common case, kept as cheap as it was
        if actor.user is None:
            return query.filter(id__in=[])
        return query.filter(**{ownership: actor.user.id})
    mine: list[Q] = []
    if actor.user is not None:
        if ownership.user and ownership.company:
            # A row that belongs to a company is the company's, whoever made it: a member who
            # leaves (or is removed) no longer sees what they started there.
            mine.append(
                Q(_q(ownership.user, actor.user.id), _q(f"{ownership.company}__isnull", True))
            )
        elif ownership.user:
            mine.append(_q(ownership.user, actor.user.id))
        if ownership.company:
            companies: Any = (
                list(actor._roles or ())
                if actor._loaded
                else Subquery(Membership.filter(user_id=actor.user.id).values("company_id"))
            )
            mine.append(Q(**{f"{ownership.company}__in": companies}))
    elif actor.company is not None and ownership.company:
        mine.append(_q(ownership.company, actor.company.id))
    if not mine:
        return query.filter(id__in=[])
    return query.filter(Q(*mine, join_type="OR"))
