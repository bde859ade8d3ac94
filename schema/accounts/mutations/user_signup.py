from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.inputs import SignupInput
from schema.accounts.types import AccountsError, AuthPayload
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure
from server.accounts.errors import AccountsErrorCode


async def signup(
    info: Info,
    input: Annotated[
        SignupInput, strawberry.argument(description="Email and password of the new account.")
    ],
) -> AuthPayload:
    """Create an account, then log in to get tokens. The answer is the same (`user` null, no
    errors) whether the email was free or already registered, so signup does not reveal who has
    an account; attempts are throttled per client address."""
    try:
        await services.signup(email=input.email, password=input.password, ip=info.context.ip)
    except AccountsFailure as exc:
        if exc.code is not AccountsErrorCode.EMAIL_TAKEN:
            return AuthPayload(errors=[payload_error(AccountsError, exc)])
    return AuthPayload()
