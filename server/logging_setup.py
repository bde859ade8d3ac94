"""JSON logs with a request id in every line, and secrets scrubbed before anything is written.

The request id lives in a contextvar set by the HTTP middleware, so every log line emitted while
serving a request (ORM, services, GraphQL) carries it without passing it around.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SECRET_PATTERNS = [
    # "password": "...", password=..., "refreshToken": "..." (JSON or query-string shapes)
    re.compile(
        r'(?i)("?(?:password|currentPassword|newPassword|refreshToken|accessToken|secret|token|api[_-]?key|authorization)"?\s*[:=]\s*"?)([^"&,\s}]+)'
    ),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"sbk_[0-9a-f]+_[A-Za-z0-9_-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"),
]


def scrub(text: str) -> str:
    """Replace anything that looks like a password, token or API key with [REDACTED]."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 2 or pattern.groups == 1:
            text = pattern.sub(r"\1[REDACTED]", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
            "message": scrub(record.getMessage()),
        }
        for key in ("method", "path", "status", "duration_ms", "job_id", "operation"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id = request_id_var.get()
        return scrub(super().format(record))


def configure_logging(*, level: str = "INFO", json_logs: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            PlainFormatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "tortoise", "aiosqlite", "asyncio", "botocore", "arq.worker"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
