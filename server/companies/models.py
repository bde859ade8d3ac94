"""Companies and their members: an owner besides a user (issue 11). The companies area builds
invitations, products and the rest on these two tables."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from server.models_base import BaseModel


class CompanyRole(StrEnum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class Company(BaseModel):
    name = fields.CharField(max_length=100)
    currency = fields.CharField(max_length=3)  # ISO 4217, e.g. EUR
    timezone = fields.CharField(max_length=64)  # IANA, e.g. Europe/Paris
    country = fields.CharField(max_length=2)  # ISO 3166-1 alpha-2, e.g. FR

    class Meta:
        table = "companies"


class Membership(BaseModel):
    """A user's role in a company; one per (user, company)."""

    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(CompanyRole, default=CompanyRole.MEMBER, max_length=16)
    # The foreign keys' columns, which Tortoise adds at run time (declared for type checkers).
    user_id: uuid.UUID
    company_id: uuid.UUID

    class Meta:
        table = "memberships"
        unique_together = (("user", "company"),)
