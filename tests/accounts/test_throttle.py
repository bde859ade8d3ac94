"""Login throttling under concurrency: attempts are counted before the password is checked.

Each test runs on the database counter (SQLite, and PostgreSQL with `-m db`) and on the Redis
counter (TEST_REDIS_URL). Before the fix, 20 concurrent wrong passwords all reached the password
check and the right password at guess #41 succeeded.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.accounts import services
from server.accounts.models import LoginFailure
from server.security.throttle import DatabaseCounter, Limits, RedisCounter
from server.settings import get_settings
from tests.conftest import IN_CI, TEST_REDIS_URL, GraphQLClient, data_of
from tests.factories import PASSWORD, make_user, unique_email

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken errors { field code message retryAfterSeconds } }
}"""


@pytest.fixture(params=["database", "redis"])
def counter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The attempt counter under test, put in place of the one settings would choose."""
    if request.param == "database":
        chosen: Any = DatabaseCounter()
    else:
        if not TEST_REDIS_URL:
            if IN_CI:
                pytest.fail("CI=true but TEST_REDIS_URL is not set")
            pytest.skip("TEST_REDIS_URL not set: the Redis throttling tests are skipped")
        chosen = RedisCounter(
            TEST_REDIS_URL, prefix=f"scanbase:test-throttle:{secrets.token_hex(4)}:"
        )
    monkeypatch.setattr(services, "_counter", lambda settings: chosen)
    yield chosen
    if isinstance(chosen, RedisCounter):  # our keys only, never the whole database
        import redis

        with redis.Redis.from_url(TEST_REDIS_URL) as sync_redis:
            for key in sync_redis.scan_iter(match=chosen.prefix + "*"):
                sync_redis.delete(key)


def client_at(app: Any, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 4000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def fresh_ip() -> str:
    """An address of its own for one test (198.18.0.0/15, reserved for benchmarks)."""
    return f"198.{18 + secrets.randbelow(2)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def login(gql: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    return data_of(await gql(LOGIN, {"input": {"email": email, "password": password}}))["login"]


async def test_concurrent_wrong_passwords_lock_the_account_before_the_right_one(
    app, counter, monkeypatch
):
    # given: an account, and a client address with room for every attempt
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 1000)
    account = await make_user()
    async with client_at(app, fresh_ip()) as http:
        gql = GraphQLClient(http)
        # when: 25 wrong passwords at once, then the right one
        answers = await asyncio.gather(
            *(login(gql, account.email, f"wrong guess number {i}") for i in range(25))
        )
        right = await login(gql, account.email, PASSWORD)
    # then: at most LOGIN_MAX_FAILURES (5) guesses were checked, the rest were refused
    codes = [answer["errors"][0]["code"] for answer in answers]
    assert codes.count("INVALID_CREDENTIALS") <= 5
    assert codes.count("THROTTLED") >= 20
    # and the right password is refused while the account is locked, with a retry time
    assert right["accessToken"] is None
    error = right["errors"][0]
    assert error["code"] == "THROTTLED"
    assert 0 < error["retryAfterSeconds"] <= 900
    assert f"{error['retryAfterSeconds']} seconds" in error["message"]


async def test_concurrent_guesses_from_one_address_are_capped_across_accounts(
    app, counter, monkeypatch
):
    # given: LOGIN_IP_MAX_FAILURES = 4, and a victim whose password the attacker will try last
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 4)
    victim = await make_user()
    async with client_at(app, fresh_ip()) as http:
        gql = GraphQLClient(http)
        # when: 12 concurrent guesses on 12 accounts (one each: no account limit is reached)
        answers = await asyncio.gather(
            *(login(gql, unique_email(), "some guess 12345") for _ in range(12))
        )
        right = await login(gql, victim.email, PASSWORD)
    # then
    codes = [answer["errors"][0]["code"] for answer in answers]
    assert codes.count("INVALID_CREDENTIALS") <= 4
    assert codes.count("THROTTLED") >= 8
    assert right["errors"][0]["code"] == "THROTTLED"


async def test_a_success_does_not_reset_another_address_counter(app, counter, monkeypatch):
    # given: an attacker's address that used 3 of its 3 attempts on the victim's account
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 3)
    victim = await make_user()
    attacker_ip, owner_ip = fresh_ip(), fresh_ip()
    async with client_at(app, attacker_ip) as http:
        attacker = GraphQLClient(http)
        for i in range(3):
            failed = await login(attacker, victim.email, f"wrong guess number {i}")
            assert failed["errors"][0]["code"] == "INVALID_CREDENTIALS"
        # when: the owner signs in from elsewhere
        async with client_at(app, owner_ip) as owner_http:
            owner = await login(GraphQLClient(owner_http), victim.email, PASSWORD)
        assert owner["errors"] == []
        # then: the attacker's address is still throttled, on any account
        again = await login(attacker, victim.email, "yet another guess")
        other = await login(attacker, unique_email(), "yet another guess")
    assert again["errors"][0]["code"] == "THROTTLED"
    assert other["errors"][0]["code"] == "THROTTLED"


async def test_successful_logins_do_not_use_up_a_shared_address(app, counter, monkeypatch):
    # given: an office behind one address, LOGIN_IP_MAX_FAILURES = 2
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 2)
    accounts = [await make_user() for _ in range(4)]
    async with client_at(app, fresh_ip()) as http:
        gql = GraphQLClient(http)
        # when: four people sign in correctly, one after the other
        answers = [await login(gql, account.email, PASSWORD) for account in accounts]
    # then
    assert [answer["errors"] for answer in answers] == [[]] * 4


async def test_the_owner_success_forgets_the_account_failures(app, counter, monkeypatch):
    # given: four failures on the account (one short of the limit of 5)
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 1000)
    account = await make_user()
    async with client_at(app, fresh_ip()) as http:
        gql = GraphQLClient(http)
        for i in range(4):
            await login(gql, account.email, f"typo number {i} here")
        # when: the owner gets it right, then mistypes four more times
        assert (await login(gql, account.email, PASSWORD))["errors"] == []
        later = [await login(gql, account.email, f"later typo {i} here") for i in range(4)]
        final = await login(gql, account.email, PASSWORD)
    # then: the counter started again from zero
    assert {answer["errors"][0]["code"] for answer in later} == {"INVALID_CREDENTIALS"}
    assert final["errors"] == []


async def test_database_rows_detach_from_the_account_but_keep_counting_for_the_address(app):
    # given
    counter = DatabaseCounter()
    limits = Limits(account=5, client=5, window_seconds=900)
    email, ip = unique_email(), fresh_ip()
    attempt = await counter.hit(account=email, client=ip, limits=limits)
    # when
    await counter.reset_account(email)
    # then
    row = await LoginFailure.get(id=attempt.token)
    assert (row.email, row.ip) == ("", ip[:64])
    await counter.release(attempt)
    assert not await LoginFailure.exists(id=attempt.token)


CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { accessToken errors { field code retryAfterSeconds } }
}"""


async def test_guessing_the_current_password_with_a_stolen_token_is_throttled(
    app, counter, monkeypatch
):
    # given: a stolen access token, and concurrent guesses of the current password
    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 1000)
    account = await make_user()
    async with client_at(app, fresh_ip()) as http:
        gql = GraphQLClient(http)

        async def change(current: str) -> dict[str, Any]:
            variables = {
                "input": {"currentPassword": current, "newPassword": "brand new passphrase"}
            }
            return data_of(await gql(CHANGE_PASSWORD, variables, token=account.token))[
                "changePassword"
            ]

        guesses = await asyncio.gather(*(change(f"guess number {i}") for i in range(10)))
        # when: the right current password comes next
        right = await change(PASSWORD)
    # then
    codes = [guess["errors"][0]["code"] for guess in guesses]
    assert codes.count("INVALID_CREDENTIALS") <= 5
    assert right["accessToken"] is None
    assert right["errors"][0]["code"] == "THROTTLED"
    assert right["errors"][0]["retryAfterSeconds"] > 0


@pytest.mark.slow
async def test_several_processes_share_one_database_limit(app, database_url):
    # given: three processes with their own connections, started together
    import sys

    from tests.conftest import REPO_ROOT

    email = unique_email()
    processes = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tests.accounts.throttle_worker", database_url, email, "8"),
            cwd=REPO_ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert (await process.stdout.readline()).strip() == b"ready"
        # when: 24 attempts on one account at once, 8 from each process
        outputs = await asyncio.wait_for(
            asyncio.gather(*(process.communicate(b"go\n") for process in processes)), 60
        )
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    # then: no more than LOGIN_MAX_FAILURES (5) got through, whichever process they came to
    passed = [int(out.strip()) for out, _ in outputs]
    assert sum(passed) <= 5
    # and the account is locked now
    limits = Limits(account=5, client=1000, window_seconds=900)
    after = await DatabaseCounter().hit(account=email, client="198.18.0.2", limits=limits)
    assert after.refused_for_seconds > 0
