"""The per-request session check stays exact while it got cheaper: a verified token's claims are
remembered, the user row is still read on every request (one prepared SELECT by primary key), so
deactivation and "sign out everywhere" take effect on the very next request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.accounts.models import User
from server.security import tokens
from tests.conftest import data_of
from tests.factories import make_user
from tests.sql import count_sql

ME = "query Me { me { email } }"


async def test_a_remembered_token_of_a_deactivated_user_is_refused_at_once(gql):
    # given: a token already used (its claims are remembered)
    account = await make_user()
    assert data_of(await gql(ME, token=account.token))["me"]["email"] == account.email
    # when
    await User.filter(id=account.user.id).update(is_active=False)
    refused = await gql(ME, token=account.token)
    await User.filter(id=account.user.id).update(is_active=True)
    restored = await gql(ME, token=account.token)
    # then
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert data_of(restored)["me"]["email"] == account.email


async def test_a_remembered_token_issued_before_a_sign_out_everywhere_is_refused(gql):
    account = await make_user()
    assert data_of(await gql(ME, token=account.token))["me"]
    later = datetime.now(UTC) + timedelta(seconds=5)
    await User.filter(id=account.user.id).update(tokens_valid_after=later)
    result = await gql(ME, token=account.token)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_remembered_token_expires_on_time(monkeypatch):
    # given: a verified token, remembered
    account = await make_user()
    secret = tokens_secret()
    claims = tokens.decode_access_token(account.token, secret=secret)
    assert tokens.decode_access_token(account.token, secret=secret) is claims  # remembered
    # when: its expiry passes
    monkeypatch.setattr(tokens.time, "time", lambda: claims.expires_at.timestamp() + 1)
    # then
    with pytest.raises(tokens.InvalidToken):
        tokens.decode_access_token(account.token, secret=secret)


async def test_a_token_is_remembered_only_under_its_own_secret():
    account = await make_user()
    tokens.decode_access_token(account.token, secret=tokens_secret())
    with pytest.raises(tokens.InvalidToken):
        tokens.decode_access_token(account.token, secret="another-secret-" + "z" * 32)


async def test_me_costs_one_select_of_the_user_by_primary_key(gql):
    account = await make_user()
    await gql(ME, token=account.token)
    with count_sql() as statements:
        data = data_of(await gql(ME, token=account.token))
    assert data["me"]["email"] == account.email
    assert len(statements) == 1
    assert '"users"' in statements[0] and '"id"=' in statements[0].replace(" ", "")


def tokens_secret() -> str:
    from server.settings import get_settings

    return get_settings().secret_key
