"""Access JWTs (HS256, short-lived) and opaque refresh tokens.

Decoding pins the algorithm list, so `alg: none` and key-confusion tokens are refused, and
requires `exp`, `iat`, `sub` and `typ` so a refresh or file token is never taken for access.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from jwt.utils import base64url_encode

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


# token -> its claims, for tokens that passed every check once (signature, algorithm, claims).
# A JWT cannot change, so until `exp` the answer is the same: a repeated token (every request of
# a session) costs a dict lookup instead of ~130 µs of PyJWT. Only verified tokens enter, so
# garbage cannot fill it; revocation is not a property of the token (the user row is read on
# every request, see accounts.services.user_for_access_token).
_verified: OrderedDict[tuple[str, str], AccessClaims] = OrderedDict()
_MAX_VERIFIED = 4096


@functools.lru_cache(maxsize=4)
def _hmac_key(secret: str) -> jwt.PyJWK:
    """The secret as a PyJWK bound to HS256: PyJWT then verifies with that algorithm whatever
    the token's header says, and skips re-checking what kind of key it was given."""
    jwk = {"kty": "oct", "k": base64url_encode(secret.encode()).decode(), "alg": ALGORITHM}
    return jwt.PyJWK(jwk)


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    cached = _verified.get((secret, token))
    if cached is not None:
        if cached.expires_at.timestamp() > time.time():
            return cached
        del _verified[(secret, token)]
        raise InvalidToken("Signature has expired")
    claims = _decode_access_token(token, secret=secret)
    if len(_verified) >= _MAX_VERIFIED:
        _verified.popitem(last=False)
    _verified[(secret, token)] = claims
    return claims


def _decode_access_token(token: str, *, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            _hmac_key(secret),
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
