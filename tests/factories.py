"""Small async builders for tests: users with tokens, admins, API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from server.accounts import services
from server.accounts.models import Role, User
from server.security.tokens import issue_access_token
from server.settings import get_settings

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    user: User
    token: str
    email: str
    password: str = PASSWORD


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


async def make_user(*, role: Role = Role.USER, email: str | None = None) -> Account:
    email = email or unique_email(role.value.lower())
    user = await services.signup(email=email, password=PASSWORD, role=role)
    settings = get_settings()
    token = issue_access_token(
        user_id=user.id,
        role=user.role.value,
        secret=settings.secret_key,
        minutes=settings.access_token_minutes,
    )
    return Account(user=user, token=token, email=email)


async def make_admin() -> Account:
    return await make_user(role=Role.ADMIN)
