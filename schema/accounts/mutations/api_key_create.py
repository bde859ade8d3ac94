from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.inputs import CreateApiKeyInput
from schema.accounts.types import AccountsError, ApiKeyType
from schema.core.permissions import require_user
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure
from server.companies.models import Company


@strawberry.type(description="createApiKey: the new key and its secret, or why none was made.")
class CreateApiKeyPayload:
    api_key: ApiKeyType | None = strawberry.field(
        default=None, description="The new key (null on an error)."
    )
    secret: str | None = strawberry.field(
        default=None, description="The full key for the X-API-Key header. Shown this once only."
    )
    errors: list[AccountsError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT (name, scopes, expiresAt) naming the field.",
    )


async def create_api_key(
    info: Info,
    input: Annotated[
        CreateApiKeyInput, strawberry.argument(description="The key's name, scopes and expiry.")
    ],
) -> CreateApiKeyPayload:
    """Create a key for a machine client (kiosk, integrator), acting as the calling admin, or
    for the company named (the field's IsCompanyMember has checked the caller is its ADMIN)."""
    owner = await require_user(info)
    company = None
    if input.company_id is not None:
        company = await Company.get(id=parse_global_id(input.company_id, "Company"))
    try:
        key, secret = await services.create_api_key(
            owner=owner,
            name=input.name,
            scopes=input.scopes,
            expires_at=input.expires_at,
            company=company,
        )
    except AccountsFailure as exc:
        return CreateApiKeyPayload(errors=[payload_error(AccountsError, exc)])
    return CreateApiKeyPayload(api_key=ApiKeyType.from_model(key), secret=secret)
