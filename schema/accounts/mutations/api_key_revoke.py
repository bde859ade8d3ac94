from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import RevokeApiKeyInput
from schema.accounts.types import AccountsError, ApiKeyType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


@strawberry.type(description="revokeApiKey: the revoked key, or why nothing was done.")
class RevokeApiKeyPayload:
    api_key: ApiKeyType | None = strawberry.field(
        default=None, description="The key, with its `revokedAt` (null on an error)."
    )
    errors: list[AccountsError] = strawberry.field(
        default_factory=list, description="Empty on success; NOT_FOUND."
    )


async def revoke_api_key(
    input: Annotated[RevokeApiKeyInput, strawberry.argument(description="The key to revoke.")],
) -> RevokeApiKeyPayload:
    """Revoke a key at once; requests carrying it are refused from now on. With `companyId`
    (the field's IsCompanyMember has checked the caller is its ADMIN), only that company's."""
    company_id = None if input.company_id is None else parse_global_id(input.company_id, "Company")
    try:
        key = await services.revoke_api_key(
            key_id=parse_global_id(input.id, "ApiKey"), company_id=company_id
        )
    except AccountsFailure as exc:
        return RevokeApiKeyPayload(errors=[payload_error(AccountsError, exc)])
    return RevokeApiKeyPayload(api_key=ApiKeyType.from_model(key))
