"""Access JWTs (HS256, short-lived) and opaque refresh tokens.

Decoding pins the algorithm list, so `alg: none` and key-confusion tokens are refused, and
requires `exp`, `iat`, `sub` and `typ` so a refresh or file token is never taken for access.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
ACCESS = "access"


class InvalidToken(Exception):
    """The token is malformed, tampered with, expired or of the wrong type."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    issued_at: datetime
    expires_at: datetime


def issue_access_token(*, user_id: uuid.UUID, role: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "role": role,
        "typ": ACCESS,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub", "typ"]},
        )
        if payload.get("typ") != ACCESS:
            raise InvalidToken("not an access token")
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            role=str(payload.get("role", "")),
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken(str(exc)) from exc


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """sha256 hex of a high-entropy secret: what the database stores instead of the secret."""
    return hashlib.sha256(token.encode()).hexdigest()
