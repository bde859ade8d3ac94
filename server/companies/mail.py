"""Invitation emails: sealed links in the outbox, sent over SMTP (aiosmtplib).

The invitation's link holds its token, which the database never stores in clear (only its
SHA-256). The outbox row that carries the email therefore holds the link sealed (AES-GCM under
a key derived from SECRET_KEY, bound to the invitation's id), never the token itself: a copy of
the database, an outbox row shown to an operator, or a failed attempt's `last_error` and log
line (class and redacted message, `server.outbox.dispatcher.describe_error`) reveal no usable
link. The handler opens it only to write the message.

SMTP_URL: `smtp://user:password@host:587` (STARTTLS when the server offers it; `?starttls=true`
requires it, `?starttls=false` never uses it) or `smtps://user:password@host:465` (TLS from the
start). The user and password are percent-decoded.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.jobs.registry import JobPolicy
from server.outbox import OutboxDelivery, outbox_handler
from server.settings import Settings, get_settings

INVITATION_EMAIL = "email.invitation"  # the outbox effect kind


@dataclass(frozen=True, slots=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None  # None: when the server offers it


def smtp_server(url: str) -> SmtpServer:
    """The server SMTP_URL names. Raises ValueError for another scheme or a missing host."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://...")
    flag = (parse_qs(parts.query).get("starttls") or [""])[0].lower()
    start_tls = {"true": True, "1": True, "false": False, "0": False}.get(flag)
    return SmtpServer(
        hostname=parts.hostname,
        port=parts.port or (465 if scheme == "smtps" else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=scheme == "smtps",
        start_tls=None if scheme == "smtps" else start_tls,
    )


def _key(settings: Settings) -> bytes:
    return hashlib.sha256(b"scanbase:invitation-link:" + settings.secret_key.encode()).digest()


def seal_link(link: str, *, invitation_id: uuid.UUID, settings: Settings | None = None) -> str:
    """The link encrypted for the outbox row (base64 of nonce + ciphertext)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(settings or get_settings())).encrypt(
        nonce, link.encode(), str(invitation_id).encode()
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def open_link(sealed: str, *, invitation_id: uuid.UUID, settings: Settings | None = None) -> str:
    """The link `seal_link` sealed. Raises cryptography's InvalidTag when it was tampered with
    or SECRET_KEY changed since."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    return (
        AESGCM(_key(settings or get_settings()))
        .decrypt(raw[:12], raw[12:], str(invitation_id).encode())
        .decode()
    )


def invitation_message(
    *, to: str, company_name: str, role: str, link: str, expires_at: str, message_id: str
) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = f"You are invited to join {company_name} on Scanbase"
    # One Message-ID per outbox row: a message sent twice (at-least-once delivery) is recognised
    # as one by receiving servers and mail clients.
    message["Message-ID"] = message_id
    message.set_content(
        f"You have been invited to join {company_name} as {role}.\n\n"
        f"Accept the invitation (sign up first with this address if you have no account):\n"
        f"{link}\n\n"
        f"The link works once and expires at {expires_at} (UTC).\n"
        "If you did not expect this invitation, ignore this email.\n"
    )
    return message


@outbox_handler(INVITATION_EMAIL, policy=JobPolicy(max_attempts=8, timeout_seconds=60))
async def send_invitation_email(delivery: OutboxDelivery) -> None:
    """Send one invitation email (an outbox handler: raises to be retried)."""
    settings = get_settings()
    if not settings.smtp_url:
        raise RuntimeError("SMTP_URL is not set in this process")
    payload = delivery.payload
    invitation_id = uuid.UUID(payload["invitation_id"])
    link = open_link(payload["sealed_link"], invitation_id=invitation_id, settings=settings)
    domain = settings.smtp_from.rsplit("@", 1)[-1].strip(" >") or "localhost"
    key_hash = hashlib.sha256(delivery.idempotency_key.encode()).hexdigest()[:32]
    message = invitation_message(
        to=payload["to"],
        company_name=payload["company_name"],
        role=payload["role"],
        link=link,
        expires_at=payload["expires_at"],
        message_id=f"<invitation.{key_hash}@{domain}>",
    )
    server = smtp_server(settings.smtp_url)
    await aiosmtplib.send(
        message,
        # The one invited address, never recipients read back from the To header.
        recipients=[payload["to"]],
        hostname=server.hostname,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=settings.smtp_timeout_seconds,
    )
