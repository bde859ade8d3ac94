"""Inputs of companies mutations."""

from __future__ import annotations

import strawberry

from schema.core.validation import constraint


@strawberry.input(description="A new company; you become its ADMIN.")
class CreateCompanyInput:
    name: str = strawberry.field(
        metadata=constraint(max_length=100),
        description="Its name, 1 to 100 characters (spaces collapsed).",
    )
    currency: str = strawberry.field(
        metadata=constraint(max_length=3), description="An ISO 4217 currency code, e.g. EUR."
    )
    timezone: str = strawberry.field(
        metadata=constraint(max_length=64),
        description="An IANA time zone name, e.g. Europe/Paris.",
    )
    country: str = strawberry.field(
        metadata=constraint(max_length=2),
        description="An ISO 3166-1 alpha-2 country code, e.g. FR.",
    )
