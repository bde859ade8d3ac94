"""Inputs of the accounts mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.core.validation import EMAIL, constraint


@strawberry.input(description="A new account's credentials.")
class SignupInput:
    email: str = strawberry.field(metadata=EMAIL, description="Any case; stored lower-cased.")
    password: str = strawberry.field(
        description="10 to 128 characters, any (spaces, any script); not a common password and"
        " not made from the email."
    )


@strawberry.input(description="The credentials to sign in with.")
class LoginInput:
    email: str = strawberry.field(metadata=EMAIL, description="The account's email, any case.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="The refresh token to spend.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(
        description="The latest `refreshToken` of this login; each one works once."
    )


@strawberry.input(description="The login to end.")
class LogoutInput:
    refresh_token: str = strawberry.field(
        description="Any refresh token of this login: its whole family is revoked."
    )


@strawberry.input(description="The current password, to prove it is you, and the new one.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="Wrong guesses count as failed logins (THROTTLED after too many)."
    )
    new_password: str = strawberry.field(
        description="The same rules as at signup: 10 to 128 characters, not common, not made "
        "from the email."
    )


@strawberry.input(
    description="A new API key, acting for you (the calling admin), or for a company of which "
    "you are an ADMIN (`companyId`)."
)
class CreateApiKeyInput:
    name: str = strawberry.field(
        metadata=constraint(max_length=100),
        description="A label for people, 1 to 100 characters (e.g. 'Kiosk, shop 12').",
    )
    scopes: list[str] = strawberry.field(
        description="At least one of receipts:read, receipts:write, jobs, files, ocr, admin; "
        "cards, captures, invoices, companies are reserved (grant nothing yet); `receipts` "
        "stands for both receipts scopes."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the key stops working (ISO-8601, in the future); null: never.",
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A Company's global id: the key acts for that company (you must be its "
        "ADMIN; scopes among companies, cards, captures, invoices). Null: a key for yourself "
        "(admins only).",
    )


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The ApiKey's global id.")
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="As a company's ADMIN: the Company's global id (the key must be one of its "
        "keys). Null: as an admin, any key.",
    )
