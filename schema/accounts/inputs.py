"""Inputs of the accounts mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input
class SignupInput:
    email: str
    password: str


@strawberry.input
class LoginInput:
    email: str
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
    name: str
    scopes: list[str]
    expires_at: datetime | None = None


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID
