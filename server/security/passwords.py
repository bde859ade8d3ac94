"""argon2id password hashing (argon2-cffi) and the password policy.

Hashing costs ~50 ms of CPU by design, so the async wrappers run it in a thread to keep the
event loop free.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "123456789", "1234567890", "qwertyuiop",
        "azertyuiop", "iloveyou12", "motdepasse", "letmein123", "admin12345", "welcome123",
    }
)  # fmt: skip


def password_problem(password: str, *, email: str, min_length: int) -> str | None:
    """Return why a password is refused, or None when it passes the policy."""
    if len(password) < min_length:
        return f"Password must have at least {min_length} characters."
    if len(password) > 256:
        return "Password must have at most 256 characters."
    if password.lower() in COMMON_PASSWORDS:
        return "Password is too common."
    if len(set(password)) < 4:
        return "Password must use at least 4 different characters."
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return "Password must not contain your email address."
    return None


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with older argon2 parameters."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# A valid hash to verify against when the email is unknown, so timing does not reveal accounts.
DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")
