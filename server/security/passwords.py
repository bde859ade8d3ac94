"""argon2id password hashing (argon2-cffi) and the password policy (NIST SP 800-63B).

Hashing costs ~50 ms of CPU by design, so the async wrappers run it in a thread to keep the
event loop free. Its cost is a setting (PASSWORD_HASH_*): the test suite uses cheap parameters.

The policy (see README, "Passwords"): PASSWORD_MIN_LENGTH (10) to 128 characters counted after
Unicode NFKC normalisation, any characters (spaces, emoji, any script); refused when it is one
of the ~100,000 most common passwords (`common-passwords.txt.gz`, provenance in README.md next to
it), when it is built from the email address, or when it is repetitive or sequential
("aaaaaaaaaa", "abababababab", "1234567890"), which SP 800-63B names as a check. There is no
composition rule (no "a digit and a symbol"): NIST advises against them. The 4-distinct-characters
rule stays as the repetitiveness check: it refuses only strings that any guesser tries early.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.settings import get_settings

MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common-passwords.txt.gz"
_SEPARATORS = re.compile(r"[^\w]|_", re.UNICODE)
_EDGE_NOISE = re.compile(r"^[\d\W_]+|[\d\W_]+$", re.UNICODE)
_DIGITS = "0123456789"


def normalise(password: str) -> str:
    """NFKC (as SP 800-63B asks before hashing and comparing); the stored hash is of this form,
    so one password typed on different keyboards or input methods stays one password."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The blocklist, case-folded (loaded once, on first use: ~100k entries)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n").casefold() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """True when the password is listed, or is a listed one with at most 4 digits or symbols
    around it ("password1234", "!dragon2024" are guessed as early as the word itself)."""
    folded = normalise(password).casefold()
    listed = common_passwords()
    if folded in listed:
        return True
    core = _EDGE_NOISE.sub("", folded)
    return bool(core) and len(folded) - len(core) <= 4 and core in listed


def _email_words(email: str) -> set[str]:
    """What a password built from an email is made of: the local part, whole and compacted, its
    pieces (split on dots, dashes, pluses, underscores, digits) and the domain's first label."""
    local, _, domain = email.casefold().partition("@")
    words = {local, _SEPARATORS.sub("", local)}
    words.update(re.split(r"[\W_\d]+", local))
    if domain:
        words.add(domain.split(".", 1)[0])
    return {word for word in words if len(word) >= 3}


def built_from_email(password: str, email: str) -> bool:
    """True when the password contains the whole local part (or it reversed), or is made only of
    the email's words (any order, either direction) and digits or symbols."""
    compact = _SEPARATORS.sub("", normalise(password).casefold())
    local = _SEPARATORS.sub("", email.casefold().partition("@")[0])
    if len(local) >= 4 and (local in compact or local[::-1] in compact):
        return True
    words = sorted(_email_words(email), key=len, reverse=True)
    for candidate in (compact, compact[::-1]):
        rest = candidate
        for word in words:
            rest = rest.replace(word, "")
        if rest != candidate and not rest.strip(_DIGITS):
            return True
    return False


def is_repetitive_or_sequential(password: str) -> bool:
    """Fewer than 4 distinct characters, or one step repeated (abcdef..., 98765...)."""
    if len(set(password)) < 4:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(password)}
    return len(steps) == 1 and abs(next(iter(steps))) <= 1


def password_problem(password: str, *, email: str, min_length: int) -> str | None:
    """Return why a password is refused, or None when it passes the policy."""
    value = normalise(password)
    if len(value) < min_length:
        return f"Password must have at least {min_length} characters."
    if len(value) > MAX_LENGTH:
        return f"Password must have at most {MAX_LENGTH} characters."
    if is_repetitive_or_sequential(value):
        return "Password is too repetitive or sequential."
    if is_common(value):
        return "Password is too common."
    if email and built_from_email(value, email):
        return "Password must not be made from your email address."
    return None


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """argon2id with the configured cost (defaults: RFC 9106's low-memory profile)."""
    settings = get_settings()
    return _hasher_for(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )


def hash_password_sync(password: str) -> str:
    return hasher().hash(normalise(password))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Check the NFKC form; hashes made before normalisation (of a non-NFKC password) are
    checked as typed too, and get rehashed at login (see `needs_rehash`)."""

    def verify() -> bool:
        candidates = dict.fromkeys((normalise(password), password))
        for candidate in candidates:
            try:
                if hasher().verify(password_hash, candidate):
                    return True
            except (VerificationError, InvalidHashError):
                continue
        return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other argon2 parameters than the configured."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher_for(time_cost, memory_kib, parallelism).hash("not-a-real-password")


def dummy_hash() -> str:
    """A valid hash of the configured cost, to verify against when the email is unknown, so
    timing does not reveal which accounts exist."""
    settings = get_settings()
    return _dummy_hash(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )
