"""Accounts mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.accounts.mutations.api_key_create import CreateApiKeyPayload, create_api_key
from schema.accounts.mutations.api_key_revoke import RevokeApiKeyPayload, revoke_api_key
from schema.accounts.mutations.password_change import change_password
from schema.accounts.mutations.token_refresh import refresh_token
from schema.accounts.mutations.user_login import login
from schema.accounts.mutations.user_logout import LogoutPayload, logout
from schema.accounts.mutations.user_signup import signup
from schema.accounts.types import AuthPayload
from schema.core.permissions import IsAdmin, IsCompanyMember, Public, UserSession
from server.companies.models import CompanyRole


@strawberry.type
class AccountsMutation:
    signup: AuthPayload = strawberry.mutation(
        resolver=signup,
        permission_classes=[Public()],
        description="Create an account (anyone). Returns no tokens: `login` next. The answer "
        "is the same whether the email was free or taken, so signup does not reveal who has an "
        "account; attempts are throttled per client address. Errors: INVALID_EMAIL, "
        "WEAK_PASSWORD, THROTTLED.",
    )
    login: AuthPayload = strawberry.mutation(
        resolver=login,
        permission_classes=[Public()],
        description="Exchange email and password for an access token and a refresh token "
        "(anyone). Errors: INVALID_CREDENTIALS, THROTTLED (failures counted per email and per "
        "client address).",
    )
    refresh_token: AuthPayload = strawberry.mutation(
        resolver=refresh_token,
        permission_classes=[Public()],
        description="Spend a refresh token for a new pair (anyone holding one). A spent token "
        "presented again revokes its whole login. Errors: INVALID_REFRESH_TOKEN, "
        "REFRESH_TOKEN_REUSED.",
    )
    logout: LogoutPayload = strawberry.mutation(
        resolver=logout,
        permission_classes=[Public()],
        description="Revoke a login's refresh tokens (anyone holding one); its access tokens "
        "expire on their own within minutes.",
    )
    # A key can neither change its owner's password nor mint or revoke keys: a leaked key
    # must not outlive its revocation.
    change_password: AuthPayload = strawberry.mutation(
        resolver=change_password,
        permission_classes=[UserSession()],
        description="Change your password: every other session is signed out and fresh tokens "
        "are returned. Signed-in users only, never an API key. Errors: INVALID_CREDENTIALS, "
        "WEAK_PASSWORD, THROTTLED.",
    )
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=create_api_key,
        permission_classes=[
            UserSession(),
            IsCompanyMember(role=CompanyRole.ADMIN, otherwise=IsAdmin()),
        ],
        description="Create an API key for a machine client (kiosk, integrator), acting as you "
        "with the scopes given, or for a company (`companyId`: its ADMINs only); its secret is "
        "in the answer, once only. Admins (for themselves) and company ADMINs signed in as "
        "users only, never an API key. Errors: INVALID_INPUT.",
    )
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        resolver=revoke_api_key,
        permission_classes=[
            UserSession(),
            IsCompanyMember(role=CompanyRole.ADMIN, otherwise=IsAdmin()),
        ],
        description="Revoke an API key at once (again: no change); requests carrying it are "
        "refused from now on. Admins: any key; a company's ADMINs: its keys (`companyId`). "
        "Signed in as users only, never an API key. Errors: NOT_FOUND.",
    )
