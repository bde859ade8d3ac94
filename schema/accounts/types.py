"""GraphQL types of accounts: User, ApiKey, auth payloads and the accounts error."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Info

from schema.accounts.loaders import API_KEY_COLUMNS, api_keys_by_owner, api_keys_of_owners
from schema.core.compiled_completion import prefetched
from schema.core.permissions import IsAdmin, IsAuthenticated
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from schema.core.scalars import described_enum
from server.access import visible
from server.accounts import models
from server.accounts.errors import AccountsErrorCode

if TYPE_CHECKING:
    from schema.companies.types import CompanyMembership

Role = described_enum(
    models.Role,
    name="Role",
    description="What an account may do.",
    values={
        "USER": "Works with their own receipts, jobs and files.",
        "ADMIN": "Also sees everyone's data and manages accounts, API keys, brands, loyalty "
        "rules and points reviews.",
    },
)
AccountsErrorCodeEnum = described_enum(
    AccountsErrorCode,
    name="AccountsErrorCode",
    description="Why an accounts mutation did nothing.",
    values={
        "INVALID_EMAIL": "The email address is malformed or longer than 254 characters.",
        "EMAIL_TAKEN": "An account already uses this email (never returned by `signup`, which "
        "answers it like a success).",
        "WEAK_PASSWORD": "The new password is too short or long, common, or made from the email.",
        "INVALID_CREDENTIALS": "The email or (current) password is wrong.",
        "THROTTLED": "Too many attempts from this client or on this account: retry after "
        "`retryAfterSeconds`.",
        "INVALID_REFRESH_TOKEN": "The refresh token is unknown, expired, revoked, or its user "
        "is deactivated: sign in again.",
        "REFRESH_TOKEN_REUSED": "The refresh token was already spent (it may have been "
        "stolen): every session of this login is now signed out.",
        "INVALID_INPUT": "A field is out of its bounds; `field` names it.",
        "NOT_FOUND": "No such API key.",
    },
)


@strawberry.type(
    name="AccountsError",
    description="An expected failure of an accounts mutation (the mutation changed nothing).",
)
class AccountsError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null when it is no one field."
    )
    code: AccountsErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for programs."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="THROTTLED: seconds to wait before the next attempt."
    )


# What the User type shows; list pages read rows as plain dicts of these (no ORM objects).
USER_COLUMNS = ("id", "email", "role", "created_at")


@register_node
@strawberry.type(
    name="User",
    description="An account. Through `node(id:)`: yourself; an admin sees anyone.",
)
class UserType(Node):
    # Yourself; an admin (server.access.visible): anyone.
    read_permissions = (IsAuthenticated(),)

    email: str = strawberry.field(description="The sign-in address, lower-cased.")
    role: Role = strawberry.field(description="USER or ADMIN.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When the account was created (ISO-8601).")
    _pk: strawberry.Private[uuid.UUID]
    # Filled by `prefetch_api_keys` (or by the field's own first load); None: not loaded yet.
    _api_keys: strawberry.Private[list[ApiKeyType] | None] = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> UserType:
        return cls(
            id=global_id("User", row["id"]),
            email=row["email"],
            role=row["role"],
            created_at=row["created_at"],
            _pk=row["id"],
        )

    @classmethod
    def from_model(cls, user: models.User) -> UserType:
        return cls.from_row({column: getattr(user, column) for column in USER_COLUMNS})

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="The API keys this user owns, newest first (admins only; batched per request).",
        metadata=prefetched("_api_keys"),
    )
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        if self._api_keys is None:
            rows = await api_keys_by_owner(info.context).load(self._pk)
            self._api_keys = [ApiKeyType.from_row(row) for row in rows]
        return self._api_keys

    @staticmethod
    async def prefetch_api_keys(users: list[UserType]) -> None:
        """Load every user's API keys in one query, for a resolver that has itself required an
        admin (the `apiKeys` field's own permission), so the keys are served without a check
        per user."""
        if not users:
            return
        lists = await api_keys_of_owners([user._pk for user in users])
        for user, rows in zip(users, lists, strict=True):
            user._api_keys = [ApiKeyType.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UserType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.User).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@register_node
@strawberry.type(
    name="ApiKey",
    description="A key a machine client sends in the X-API-Key header, acting for its owner "
    "(a user, or a company: `companyId`) with only its scopes (admins only; a company's ADMINs "
    "see its keys on `Company.apiKeys`). Its secret is shown once, by `createApiKey`.",
)
class ApiKeyType(Node):
    read_permissions = (IsAdmin(),)

    name: str = strawberry.field(description="A label for people, 1 to 100 characters.")
    prefix: str = strawberry.field(
        description="The public part of the key (`sbk_<prefix>_...`), to recognise it in logs."
    )
    scopes: list[str] = strawberry.field(
        description="What the key may do: receipts:read, receipts:write, jobs, files, ocr, admin..."
    )
    expires_at: datetime | None = strawberry.field(
        description="When it stops working (ISO-8601); null: never."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked (ISO-8601); null while live."
    )
    last_used_at: datetime | None = strawberry.field(
        description="When a request last carried it (ISO-8601); null if never."
    )
    created_at: datetime = strawberry.field(description="When it was created (ISO-8601).")
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The Company's global id when the key acts for a company; null for a "
        "user's key.",
    )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ApiKeyType:
        return cls(
            id=global_id("ApiKey", row["id"]),
            name=row["name"],
            prefix=row["prefix"],
            scopes=list(row["scopes"]),
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
            last_used_at=row["last_used_at"],
            created_at=row["created_at"],
            company_id=global_id("Company", row["company_id"]) if row["company_id"] else None,
        )

    @classmethod
    def from_model(cls, key: models.ApiKey) -> ApiKeyType:
        return cls.from_row({column: getattr(key, column) for column in API_KEY_COLUMNS})

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ApiKeyType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.ApiKey).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@strawberry.type(
    description="A session: tokens and the signed-in user. All null on an error, and always "
    "from `signup` (sign in with `login` next)."
)
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description="Send as `Authorization: Bearer <token>`; valid 15 minutes by default.",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="Spend it with `refreshToken` for a new pair (once only); valid 30 days by "
        "default.",
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires (ISO-8601)."
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the refresh token expires (ISO-8601)."
    )
    user: UserType | None = strawberry.field(default=None, description="Who signed in.")
    errors: list[AccountsError] = strawberry.field(
        default_factory=list,
        description="Empty on success. signup: INVALID_EMAIL, WEAK_PASSWORD, THROTTLED; login: "
        "INVALID_CREDENTIALS, THROTTLED; refreshToken: INVALID_REFRESH_TOKEN, "
        "REFRESH_TOKEN_REUSED; changePassword: INVALID_CREDENTIALS, WEAK_PASSWORD, THROTTLED.",
    )

    # The signed-in user's id, for `companies` (None: no one signed in).
    user_pk: strawberry.Private[uuid.UUID | None] = None

    @strawberry.field(
        description="The companies the signed-in user belongs to, with their role, by name "
        "(as myCompanies); null when no one signed in (always from `signup`)."
    )
    async def companies(
        self,
    ) -> list[Annotated[CompanyMembership, strawberry.lazy("schema.companies.types")]] | None:
        if self.user_pk is None:
            return None
        from schema.companies.types import CompanyMembership, CompanyType
        from server.companies.memberships import companies_of

        return [
            CompanyMembership(company=CompanyType.from_model(m.company), role=m.role)
            for m in await companies_of(self.user_pk)
        ]

    @classmethod
    def from_pair(cls, pair: Any) -> AuthPayload:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            access_token_expires_at=pair.access_expires_at,
            refresh_token_expires_at=pair.refresh_expires_at,
            user=UserType.from_model(pair.user),
            user_pk=pair.user.id,
        )
