"""Short-lived signed download tokens: `<payload>.<hmac>` naming exactly one stored file.

The payload is base64url JSON {"f": file id, "e": expiry (unix seconds)}; the HMAC-SHA256 over it
uses a key derived from SECRET_KEY for this purpose only, so a token cannot be forged, extended
or moved to another file, and a JWT can never pass as one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid


class InvalidFileToken(Exception):
    pass


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"scanbase file tokens v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_file_token(
    file_id: uuid.UUID, *, secret: str, expires_in: int, now: float | None = None
) -> str:
    payload = _b64(
        json.dumps(
            {"f": str(file_id), "e": int((now or time.time()) + expires_in)}, separators=(",", ":")
        ).encode()
    )
    signature = _b64(hmac.new(_key(secret), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def verify_file_token(token: str, *, secret: str, now: float | None = None) -> uuid.UUID:
    """The file id a valid, unexpired token names. Raises InvalidFileToken."""
    try:
        payload, signature = token.split(".")
        expected = _b64(hmac.new(_key(secret), payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            raise InvalidFileToken("bad signature")
        data = json.loads(_unb64(payload))
        if int(data["e"]) < (now or time.time()):
            raise InvalidFileToken("expired")
        return uuid.UUID(data["f"])
    except InvalidFileToken:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidFileToken("malformed") from exc
