from __future__ import annotations

import strawberry
from strawberry import Info

from schema.accounts.inputs import CreateApiKeyInput
from schema.accounts.types import AccountsError, ApiKeyType
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKeyType | None = None
    secret: str | None = strawberry.field(
        default=None, description="The full key for the X-API-Key header. Shown this once only."
    )
    errors: list[AccountsError] = strawberry.field(default_factory=list)


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    """Create a key for a machine client (kiosk, integrator), acting as the calling admin."""
    owner = await info.context.user()
    try:
        key, secret = await services.create_api_key(
            owner=owner, name=input.name, scopes=input.scopes, expires_at=input.expires_at
        )
    except AccountsFailure as exc:
        return CreateApiKeyPayload(errors=[payload_error(AccountsError, exc)])
    return CreateApiKeyPayload(api_key=ApiKeyType.from_model(key), secret=secret)
