from __future__ import annotations

from schema.accounts.inputs import SignupInput
from schema.accounts.types import AccountsError, AuthPayload, UserType
from schema.core.scalars import payload_error
from server.accounts import services
from server.accounts.errors import AccountsError as AccountsFailure


async def signup(input: SignupInput) -> AuthPayload:
    """Create an account. Log in afterwards to get tokens."""
    try:
        user = await services.signup(email=input.email, password=input.password)
    except AccountsFailure as exc:
        return AuthPayload(errors=[payload_error(AccountsError, exc)])
    return AuthPayload(user=UserType.from_model(user))
