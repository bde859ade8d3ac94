from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import RefreshTokenInput
from schema.accounts.types import AccountsError, AuthPayload
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


async def refresh_token(
    input: Annotated[
        RefreshTokenInput, strawberry.argument(description="The refresh token to spend.")
    ],
) -> AuthPayload:
    """Spend a refresh token for a new pair; a spent token presented again revokes its family."""
    try:
        pair = await services.refresh(refresh_token=input.refresh_token)
    except AccountsFailure as exc:
        return AuthPayload(errors=[payload_error(AccountsError, exc)])
    return AuthPayload.from_pair(pair)
