"""JWT tampering: every malformed access token gives UNAUTHENTICATED, never someone's data."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from server.settings import get_settings
from tests.conftest import data_of
from tests.factories import make_user

ME = "query Me { me { email } }"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user_id: str, **overrides) -> dict:
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "role": "USER",
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return claims


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda uid: jwt.encode(_claims(uid), "another-secret-" + "y" * 32, algorithm="HS256"),
            id="bad-signature",
        ),
        pytest.param(
            lambda uid: (
                _b64({"alg": "none", "typ": "JWT"})
                + "."
                + _b64({"sub": uid, "typ": "access", "iat": 1, "exp": 9999999999})
                + "."
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda uid: jwt.encode(
                _claims(
                    uid,
                    iat=datetime.now(UTC) - timedelta(hours=1),
                    exp=datetime.now(UTC) - timedelta(minutes=1),
                ),
                get_settings().secret_key,
                algorithm="HS256",
            ),
            id="expired",
        ),
        pytest.param(
            lambda uid: jwt.encode(
                _claims(uid, typ="refresh"), get_settings().secret_key, algorithm="HS256"
            ),
            id="wrong-type",
        ),
        pytest.param(
            lambda uid: jwt.encode(
                {"sub": uid, "typ": "access"}, get_settings().secret_key, algorithm="HS256"
            ),
            id="no-expiry",
        ),
        pytest.param(lambda uid: "not.a.jwt", id="garbage"),
    ],
)
async def test_tampered_tokens_are_unauthenticated(gql, forge):
    # given
    account = await make_user()
    token = forge(str(account.user.id))
    # when
    result = await gql(ME, token=token)
    # then
    assert result["data"] is None or result["data"]["me"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_payload_with_flipped_claim_fails_signature(gql):
    account = await make_user()
    header, _payload, signature = account.token.split(".")
    forged_payload = _b64(
        {"sub": str(account.user.id), "role": "ADMIN", "typ": "access", "iat": 1, "exp": 9999999999}
    )
    result = await gql(ME, token=f"{header}.{forged_payload}.{signature}")
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_valid_token_of_deactivated_user_is_refused(gql):
    from server.accounts.models import User

    account = await make_user()
    await User.filter(id=account.user.id).update(is_active=False)
    result = await gql(ME, token=account.token)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_valid_token_reads_me(gql):
    account = await make_user()
    assert data_of(await gql(ME, token=account.token))["me"]["email"] == account.email
