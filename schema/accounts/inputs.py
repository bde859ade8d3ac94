"""Inputs of the accounts mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.core.validation import EMAIL, constraint


@strawberry.input
class SignupInput:
    email: str = strawberry.field(metadata=EMAIL, description="Any case; stored lower-cased.")
    password: str = strawberry.field(
        description="10 to 128 characters, any (spaces, any script); not a common password and"
        " not made from the email."
    )


@strawberry.input
class LoginInput:
    email: str = strawberry.field(metadata=EMAIL)
    password: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class CreateApiKeyInput:
    name: str = strawberry.field(metadata=constraint(max_length=100))
    scopes: list[str]
    expires_at: datetime | None = None


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID
