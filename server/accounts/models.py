"""Users, their refresh-token families, API keys for machine clients, and login failures."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from server.models_base import BaseModel, DatetimeField


class Role(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"


class User(BaseModel):
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, default=Role.USER, max_length=16)
    is_active = fields.BooleanField(default=True)
    # Access tokens issued before this instant are refused (password change, logout everywhere).
    tokens_valid_after = DatetimeField(null=True)

    class Meta:
        table = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class RefreshToken(BaseModel):
    """One issued refresh token. Tokens of one login share a `family`; rotation spends a token
    (sets `used_at`) and issues the next; presenting a spent token revokes the whole family."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    family = fields.UUIDField(db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = DatetimeField()
    used_at = DatetimeField(null=True)
    revoked_at = DatetimeField(null=True)

    class Meta:
        table = "refresh_tokens"


class ApiKey(BaseModel):
    """A machine client's key: shown once as `sbk_<prefix>_<secret>`, stored as sha256(secret).
    The secret has 256 bits of entropy, so a fast hash is safe and keeps lookups cheap.

    A user's key acts for `owner`, and dies with the account (refused once `owner` is inactive
    or gone). A company's key (`company` set) acts for the company only; `owner` is then the
    company ADMIN who created it, kept for the record: deleting that account sets it to null
    and the key keeps working (it belongs to the company, and goes with it)."""

    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16, unique=True)
    secret_hash = fields.CharField(max_length=64)
    scopes = fields.JSONField(default=list)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", null=True, on_delete=fields.SET_NULL
    )
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="api_keys", null=True, on_delete=fields.CASCADE
    )
    # The foreign keys' columns, which Tortoise adds at run time (declared for type checkers).
    owner_id: uuid.UUID | None
    company_id: uuid.UUID | None
    expires_at = DatetimeField(null=True)
    revoked_at = DatetimeField(null=True)
    last_used_at = DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class LoginFailure(BaseModel):
    """A failed login, kept in the database so throttling holds across API replicas."""

    email = fields.CharField(max_length=254, db_index=True)
    ip = fields.CharField(max_length=64, db_index=True)

    class Meta:
        table = "login_failures"
