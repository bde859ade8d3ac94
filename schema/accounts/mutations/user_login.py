from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.inputs import LoginInput
from schema.accounts.types import AccountsError, AuthPayload
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


async def login(
    info: Info, input: Annotated[LoginInput, strawberry.argument(description="Email and password.")]
) -> AuthPayload:
    """Exchange email and password for an access token (~15 min) and a refresh token (~30 days)."""
    try:
        pair = await services.login(email=input.email, password=input.password, ip=info.context.ip)
    except AccountsFailure as exc:
        return AuthPayload(errors=[payload_error(AccountsError, exc)])
    return AuthPayload.from_pair(pair)
