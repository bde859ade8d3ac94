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
from schema.core.permissions import IsAdmin, Public, UserSession


@strawberry.type
class AccountsMutation:
    signup: AuthPayload = strawberry.mutation(resolver=signup, permission_classes=[Public()])
    login: AuthPayload = strawberry.mutation(resolver=login, permission_classes=[Public()])
    refresh_token: AuthPayload = strawberry.mutation(
        resolver=refresh_token, permission_classes=[Public()]
    )
    logout: LogoutPayload = strawberry.mutation(resolver=logout, permission_classes=[Public()])
    # A key can neither change its owner's password nor mint or revoke keys: a leaked key
    # must not outlive its revocation.
    change_password: AuthPayload = strawberry.mutation(
        resolver=change_password, permission_classes=[UserSession()]
    )
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=create_api_key, permission_classes=[UserSession(), IsAdmin()]
    )
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        resolver=revoke_api_key, permission_classes=[UserSession(), IsAdmin()]
    )
