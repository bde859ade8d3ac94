"""Who is calling and what they may see: the Actor, the scope names, and ownership.

One Actor is made per request (lazily, by the Context) from the user a bearer token names, or
from an API key and its owner. Its `scopes` are everything it may do:

- a user's own token holds every user scope, plus `admin` when the user is an ADMIN;
- an API key holds the scopes it was given, and nothing more: admin powers need the `admin`
  scope, which only an ADMIN's key may carry (and which lapses if the owner stops being one).

GraphQL fields declare the scope they need (schema/core/permissions.py); this module holds the
rules those declarations apply, so the API layer never compares owners by hand. `visible(actor,
Model)` is the one place that says which rows of a model an actor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.accounts.models import ApiKey, User

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
    "companies": "Company inventory: products, stock, sales imports, forecasts (reserved).",
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
    """The caller of one request: a user (own token) or an API key acting for its owner."""

    user: User | None = None
    api_key: ApiKey | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes

    @property
    def owner(self) -> User | None:
        """Whom the actor acts for: what it creates belongs to them (companies will come here)."""
        return self.user

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Actor()


def actor_for(user: User | None, api_key: ApiKey | None = None) -> Actor:
    """The Actor for an authenticated user, or for `api_key` (whose owner `user` is)."""
    if user is None:
        return ANONYMOUS
    if api_key is None:
        return Actor(user=user, scopes=USER_SCOPES | ({ADMIN} if user.is_admin else set()))
    scopes = normalise_scopes(api_key.scopes or [])
    if not user.is_admin:
        scopes -= {ADMIN}
    return Actor(user=user, api_key=api_key, scopes=scopes)


# Model name -> the column naming a row's owner (a user id); None for shared rows that every
# actor allowed to read the type sees (brands, rules). A model not listed is seen by nobody:
# a new model must say here how it is owned.
OWNER_COLUMNS: dict[str, str | None] = {
    "User": "id",
    "ApiKey": "owner_id",
    "Job": "owner_id",
    "StoredFile": "owner_id",
    "Receipt": "owner_id",
    "LoyaltyEntry": "user_id",
    "Brand": None,
    "LoyaltyRules": None,
}

M = TypeVar("M", bound=Model)


def owner_filter(actor: Actor) -> User | None:
    """For services taking `owner=`: the owner whose rows the actor sees, None for any (admins).
    Callers must have refused anonymous actors first (their rules do)."""
    return None if actor.is_admin else actor.user


def visible(actor: Actor, model: type[M]) -> QuerySet[M]:
    """The rows of `model` the actor may see: their owner's, anyone's for an admin, none when
    anonymous. Raises LookupError for a model whose ownership is not declared."""
    name = model.__name__
    if name not in OWNER_COLUMNS:
        raise LookupError(f"declare how {name} is owned in server.access.OWNER_COLUMNS")
    query = model.all()
    column = OWNER_COLUMNS[name]
    if actor.user is None:
        return query.filter(id__in=[])
    if column is None or actor.is_admin:
        return query
    filters: dict[str, Any] = {column: actor.user.id}
    return query.filter(**filters)
