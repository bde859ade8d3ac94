from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.inputs import ChangePasswordInput
from schema.accounts.types import AccountsError, AuthPayload
from schema.core.permissions import require_user
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


async def change_password(
    info: Info,
    input: Annotated[
        ChangePasswordInput, strawberry.argument(description="The current and the new password.")
    ],
) -> AuthPayload:
    """Change your password; every other session is signed out and fresh tokens are returned."""
    user = await require_user(info)  # a signed-in user, never a key: the field's UserSession
    try:
        pair = await services.change_password(
            user=user,
            current_password=input.current_password,
            new_password=input.new_password,
            ip=info.context.ip,
        )
    except AccountsFailure as exc:
        return AuthPayload(errors=[payload_error(AccountsError, exc)])
    return AuthPayload.from_pair(pair)
