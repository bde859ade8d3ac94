from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import LogoutInput
from schema.accounts.types import AccountsError
from server.accounts import services


@strawberry.type(description="logout: whether the login was ended.")
class LogoutPayload:
    revoked: bool = strawberry.field(
        description="True when the token named a login, now revoked; false for an unknown token."
    )
    errors: list[AccountsError] = strawberry.field(
        default_factory=list, description="Always empty: logout has no expected failure."
    )


async def logout(
    input: Annotated[
        LogoutInput, strawberry.argument(description="A refresh token of the login to end.")
    ],
) -> LogoutPayload:
    """Revoke this login's refresh tokens (access tokens expire on their own within minutes)."""
    return LogoutPayload(revoked=await services.logout(refresh_token=input.refresh_token))
