from __future__ import annotations

import strawberry

from schema.accounts.inputs import LogoutInput
from schema.accounts.types import AccountsError
from server.accounts import services


@strawberry.type
class LogoutPayload:
    revoked: bool
    errors: list[AccountsError] = strawberry.field(default_factory=list)


async def logout(input: LogoutInput) -> LogoutPayload:
    """Revoke this login's refresh tokens (access tokens expire on their own within minutes)."""
    return LogoutPayload(revoked=await services.logout(refresh_token=input.refresh_token))
