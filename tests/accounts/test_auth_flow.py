"""Signup, login, refresh rotation and reuse detection, logout, me, password change."""

from __future__ import annotations

from tests.conftest import data_of
from tests.factories import PASSWORD, make_user, unique_email

SIGNUP = """
mutation Signup($input: SignupInput!) {
  signup(input: $input) { user { id email role } errors { field code message } }
}"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
    user { email }
    errors { field code message retryAfterSeconds }
  }
}"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(input: {refreshToken: $token}) { accessToken refreshToken errors { code message } }
}"""
LOGOUT = "mutation Logout($token: String!) { logout(input: {refreshToken: $token}) { revoked } }"
ME = "query Me { me { id email role } }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken refreshToken errors { field code message } }
}"""


async def test_signup_answers_a_taken_email_exactly_like_a_new_one(gql):
    # given
    email = unique_email("MiXeD").upper()
    # when: a new address, then the same one again with another password
    first = await gql(SIGNUP, {"input": {"email": f"  {email} ", "password": PASSWORD}})
    again = await gql(
        SIGNUP, {"input": {"email": email.lower(), "password": "a different long passphrase"}}
    )
    # then: the same answer, so signup does not tell who is registered
    assert first == again == {"data": {"signup": {"user": None, "errors": []}}}
    # and the account is the first one, its email normalised, its password unchanged
    from server.accounts.models import User

    assert await User.filter(email=email.lower()).count() == 1
    owner = data_of(await gql(LOGIN, {"input": {"email": email, "password": PASSWORD}}))
    assert owner["login"]["errors"] == []
    assert owner["login"]["user"]["email"] == email.lower()
    intruder = data_of(
        await gql(LOGIN, {"input": {"email": email, "password": "a different long passphrase"}})
    )
    assert intruder["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_signup_validates_email_and_password_policy(gql):
    cases = [
        ({"email": "not-an-email", "password": PASSWORD}, "INVALID_EMAIL", "email"),
        ({"email": unique_email(), "password": "short"}, "WEAK_PASSWORD", "password"),
        ({"email": unique_email(), "password": "password123"}, "WEAK_PASSWORD", "password"),
        ({"email": unique_email(), "password": "aaaaaaaaaaaaaa"}, "WEAK_PASSWORD", "password"),
        (
            {"email": "johnsmith@example.com", "password": "johnsmith-2024!"},
            "WEAK_PASSWORD",
            "password",
        ),
    ]
    for variables, code, field in cases:
        payload = data_of(await gql(SIGNUP, {"input": variables}))["signup"]
        assert payload["user"] is None, variables
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], variables


async def test_login_returns_tokens_that_authenticate_me(gql):
    # given
    account = await make_user()
    # when
    login = data_of(
        await gql(LOGIN, {"input": {"email": account.email.upper(), "password": PASSWORD}})
    )["login"]
    me = data_of(await gql(ME, token=login["accessToken"]))["me"]
    # then
    assert login["errors"] == []
    assert login["user"]["email"] == account.email
    assert login["accessTokenExpiresAt"] < login["refreshTokenExpiresAt"]
    assert me["email"] == account.email
    assert me["role"] == "USER"


async def test_login_with_wrong_password_or_unknown_email_says_the_same(gql):
    account = await make_user()
    wrong = data_of(
        await gql(LOGIN, {"input": {"email": account.email, "password": "nope-nope-nope"}})
    )
    unknown = data_of(await gql(LOGIN, {"input": {"email": unique_email(), "password": PASSWORD}}))
    for payload in (wrong["login"], unknown["login"]):
        assert payload["accessToken"] is None
        assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"
        assert payload["errors"][0]["message"] == "Email or password is wrong."


async def test_login_is_throttled_per_email_with_retry_time(gql):
    # given: five failures (LOGIN_MAX_FAILURES) for one email
    account = await make_user()
    for _ in range(5):
        await gql(LOGIN, {"input": {"email": account.email, "password": "wrong-password-x"}})
    # when: even the right password is refused now
    payload = data_of(await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}}))[
        "login"
    ]
    # then
    assert payload["accessToken"] is None
    error = payload["errors"][0]
    assert error["code"] == "THROTTLED"
    assert 0 < error["retryAfterSeconds"] <= 900
    assert f"{error['retryAfterSeconds']} seconds" in error["message"]


async def test_login_is_throttled_per_ip(app, monkeypatch):
    # given: one client IP failing on many different emails
    import httpx

    from server.settings import get_settings
    from tests.conftest import GraphQLClient

    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 3)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql_ip = GraphQLClient(http)
        for _ in range(3):
            await gql_ip(LOGIN, {"input": {"email": unique_email(), "password": "wrong-password"}})
        # when
        account = await make_user()
        payload = data_of(
            await gql_ip(LOGIN, {"input": {"email": account.email, "password": PASSWORD}})
        )
    # then
    assert payload["login"]["errors"][0]["code"] == "THROTTLED"


async def test_refresh_rotates_and_reuse_revokes_the_family(gql):
    # given
    account = await make_user()
    login = data_of(await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}}))[
        "login"
    ]
    first_refresh = login["refreshToken"]
    # when: a normal rotation
    rotated = data_of(await gql(REFRESH, {"token": first_refresh}))["refreshToken"]
    # then
    assert rotated["errors"] == []
    assert rotated["refreshToken"] != first_refresh
    assert data_of(await gql(ME, token=rotated["accessToken"]))["me"]["email"] == account.email
    # when: the spent token comes back (stolen?)
    reused = data_of(await gql(REFRESH, {"token": first_refresh}))["refreshToken"]
    # then: refused, and the legitimate newer token is revoked too
    assert reused["accessToken"] is None
    assert reused["errors"][0]["code"] == "REFRESH_TOKEN_REUSED"
    newer = data_of(await gql(REFRESH, {"token": rotated["refreshToken"]}))["refreshToken"]
    assert newer["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_refresh_with_garbage_token(gql):
    payload = data_of(await gql(REFRESH, {"token": "garbage"}))["refreshToken"]
    assert payload["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_logout_revokes_the_refresh_token(gql):
    account = await make_user()
    login = data_of(await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}}))[
        "login"
    ]
    assert data_of(await gql(LOGOUT, {"token": login["refreshToken"]}))["logout"]["revoked"] is True
    after = data_of(await gql(REFRESH, {"token": login["refreshToken"]}))["refreshToken"]
    assert after["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert data_of(await gql(LOGOUT, {"token": "unknown"}))["logout"]["revoked"] is False


async def test_me_is_null_when_anonymous(gql):
    assert data_of(await gql(ME))["me"] is None


async def test_change_password_signs_out_other_sessions(gql):
    # given: two sessions
    account = await make_user()
    other = data_of(await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}}))[
        "login"
    ]
    new_password = "another long passphrase 42"
    # when
    changed = data_of(
        await gql(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": PASSWORD, "newPassword": new_password}},
            token=account.token,
        )
    )["changePassword"]
    # then
    assert changed["errors"] == []
    refresh_other = data_of(await gql(REFRESH, {"token": other["refreshToken"]}))["refreshToken"]
    assert refresh_other["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    old_login = data_of(
        await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}})
    )["login"]
    assert old_login["errors"][0]["code"] == "INVALID_CREDENTIALS"
    new_login = data_of(
        await gql(LOGIN, {"input": {"email": account.email, "password": new_password}})
    )["login"]
    assert new_login["errors"] == []
    assert data_of(await gql(ME, token=changed["accessToken"]))["me"]["email"] == account.email


async def test_change_password_checks_current_and_policy(gql):
    account = await make_user()
    wrong = data_of(
        await gql(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": "not-it-at-all", "newPassword": "x" * 20}},
            token=account.token,
        )
    )["changePassword"]
    weak = data_of(
        await gql(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": PASSWORD, "newPassword": "short"}},
            token=account.token,
        )
    )["changePassword"]
    assert (wrong["errors"][0]["code"], wrong["errors"][0]["field"]) == (
        "INVALID_CREDENTIALS",
        "currentPassword",
    )
    assert (weak["errors"][0]["code"], weak["errors"][0]["field"]) == (
        "WEAK_PASSWORD",
        "newPassword",
    )


async def test_change_password_requires_authentication(gql):
    result = await gql(
        CHANGE_PASSWORD, {"input": {"currentPassword": "a" * 12, "newPassword": "b" * 12}}
    )
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_password_hash_is_argon2id_and_rehashed_when_parameters_change(gql, monkeypatch):
    # given: an account whose hash was made with weaker parameters
    from argon2 import PasswordHasher

    from server.accounts.models import User

    account = await make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await User.filter(id=account.user.id).update(password_hash=weak)
    # when
    data_of(await gql(LOGIN, {"input": {"email": account.email, "password": PASSWORD}}))
    # then
    stored = (await User.get(id=account.user.id)).password_hash
    assert stored.startswith("$argon2id$")
    assert stored != weak
