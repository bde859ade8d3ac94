from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.inputs import CreateApiKeyInput
from schema.accounts.types import AccountsError, ApiKeyType
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


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
    """Create a key for a machine client (kiosk, integrator), acting as the calling admin."""
    owner = await info.context.user()
    try:
        key, secret = await services.create_api_key(
            owner=owner, name=input.name, scopes=input.scopes, expires_at=input.expires_at
        )
    except AccountsFailure as exc:
        return CreateApiKeyPayload(errors=[payload_error(AccountsError, exc)])
    return CreateApiKeyPayload(api_key=ApiKeyType.from_model(key), secret=secret)
