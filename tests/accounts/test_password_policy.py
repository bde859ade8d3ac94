"""The password policy (NIST SP 800-63B): length, any characters, common and email-derived
passwords, repetition; NFKC normalisation end to end; signup throttled per address."""

from __future__ import annotations

import unicodedata

import httpx
import pytest

from server.security import passwords
from server.settings import get_settings
from tests.conftest import GraphQLClient, data_of
from tests.factories import unique_email

SIGNUP = """
mutation Signup($input: SignupInput!) {
  signup(input: $input) { user { id } errors { field code message retryAfterSeconds } }
}"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken errors { code message } }
}"""
EMAIL = "john.smith85@example.com"


def problem(password: str, email: str = EMAIL) -> str | None:
    return passwords.password_problem(password, email=email, min_length=10)


def test_the_blocklist_holds_the_100k_most_common_passwords():
    listed = passwords.common_passwords()
    # ~101k entries shipped; case variants ("Dragon", "dragon") fold into one
    assert len(listed) > 95_000
    # from the top, the middle and the tail of the ranked list, far beyond the old 12 entries
    for entry in ("qwertyuiop", "1q2w3e4r5t", "butterfly1", "bluedevils", "159753258456"):
        assert entry in listed, entry


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop",  # rank ~20
        "Butterfly1",  # rank ~50,000, any case
        "159753258456",  # rank ~99,000
        "ｂｌｕｅｄｅｖｉｌｓ",  # fullwidth: NFKC makes it "bluedevils"
        "password1234",  # a listed password with digits around it
        "dragon2024",
    ],
)
def test_common_passwords_are_refused(password):
    assert problem(password) == "Password is too common."


@pytest.mark.parametrize(
    "password",
    [
        "xjohnsmith85x",
        "JohnSmith2024!",
        "smith.john.1985",  # pieces in another order
        "htimsnhoj!!",  # reversed
        "john85smith",
        "my johnsmith85 pass",  # the whole local part inside
        "example12345",  # the domain
    ],
)
def test_passwords_built_from_the_email_are_refused(password):
    assert problem(password) == "Password must not be made from your email address."


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "abababababab", "abcdefghijkl", "9876543210", "zzzzyyyyxxxx"]
)
def test_repetitive_or_sequential_passwords_are_refused(password):
    assert problem(password) == "Password is too repetitive or sequential."


def test_length_is_counted_in_characters_after_normalisation():
    assert problem("short one") == "Password must have at least 10 characters."
    assert problem("ten chars!") is None
    assert problem("éüöäßçñåøæ") is None  # 10 characters, 20 bytes
    assert problem("four words, no more " * 6 + "and 8 mo") is None  # 128
    assert problem("four words, no more " * 6 + "and 9 mor") == (
        "Password must have at most 128 characters."
    )


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "mañana café ☕ tea",
        "Ключ от сарая 42",
        "夜空に星がきらめく夜に",
        "     spaces count too     ",
        "johns red bicycle",  # shares a piece with the email, but is more than it
    ],
)
def test_any_characters_are_welcome(password):
    assert problem(password) is None


async def test_signup_refuses_each_kind_with_weak_password(gql):
    for password in ("password1234", "johnsmith85!", "abcdefghijkl", "x" * 129):
        payload = data_of(await gql(SIGNUP, {"input": {"email": EMAIL, "password": password}}))
        errors = payload["signup"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("WEAK_PASSWORD", "password")], (
            password
        )


async def test_a_password_is_the_same_however_its_accents_are_encoded(gql):
    # given: a signup with decomposed accents (e + U+0301), as some keyboards send them
    email = unique_email()
    decomposed = unicodedata.normalize("NFD", "crème brûlée à minuit")
    composed = unicodedata.normalize("NFC", decomposed)
    assert decomposed != composed
    assert (
        data_of(await gql(SIGNUP, {"input": {"email": email, "password": decomposed}}))["signup"][
            "errors"
        ]
        == []
    )
    # when: the login comes with composed accents
    login = data_of(await gql(LOGIN, {"input": {"email": email, "password": composed}}))["login"]
    # then
    assert login["errors"] == []
    assert login["accessToken"]


async def test_signup_is_throttled_per_client_address(app, monkeypatch):
    # given: SIGNUP_IP_MAX_ATTEMPTS = 3 for one address
    monkeypatch.setattr(get_settings(), "signup_ip_max_attempts", 3)
    transport = httpx.ASGITransport(app=app, client=("198.19.7.77", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        # when: a fourth signup within the window (taken or not, it makes no difference)
        answers = [
            data_of(
                await gql(
                    SIGNUP, {"input": {"email": unique_email(), "password": "lantern harbour 9"}}
                )
            )["signup"]
            for _ in range(4)
        ]
    # then
    assert [answer["errors"] for answer in answers[:3]] == [[]] * 3
    error = answers[3]["errors"][0]
    assert error["code"] == "THROTTLED"
    assert 0 < error["retryAfterSeconds"] <= 900
