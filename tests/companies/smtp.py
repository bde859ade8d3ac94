"""A real SMTP server (aiosmtpd) on loopback, on a free port, capturing what it receives; the
service is pointed at it through SMTP_URL for the test."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, Envelope, Session

from server.settings import get_settings

LINK_RE = re.compile(r"https?://\S+/invitations/(\S+)")


@dataclass
class Mailbox:
    """What the server received: one parsed message per delivery, in order."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[EmailMessage]:
        """The first `count` messages, once they have arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len(self.messages) < count:
            if loop.time() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} emails arrived")
            await asyncio.sleep(0.02)
        return self.messages[:count]

    @staticmethod
    def token_in(message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        found = LINK_RE.search(body.get_content())
        assert found is not None, body.get_content()
        return found.group(1)


class _Capture:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed: Any = email.message_from_bytes(raw, policy=email.policy.default)
        self.mailbox.messages.append(parsed)
        return "250 Message accepted for delivery"


@pytest_asyncio.fixture(name="smtp")
async def smtp_fixture(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Mailbox]:
    """A running SMTP server; SMTP_URL points at it while the test runs."""
    loop = asyncio.get_running_loop()
    mailbox = Mailbox(url="")
    handler = _Capture(mailbox)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost"), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    mailbox.url = f"smtp://127.0.0.1:{port}?starttls=false"
    monkeypatch.setattr(get_settings(), "smtp_url", mailbox.url)
    try:
        yield mailbox
    finally:
        server.close()
        await server.wait_closed()
