"""JSON logs with a request id in every line, and secrets scrubbed before anything is written.

The request id lives in a contextvar set by the HTTP middleware, so every log line emitted while
serving a request (ORM, services, GraphQL) carries it without passing it around; a job's lines
carry its job id the same way (set by the queue runners). Both are stamped on the record when
it is created (a record factory), not when it is formatted, so a line formatted later or
elsewhere (pytest's caplog, a queue handler) still has the ids of the moment it was logged.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
job_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)

_SECRET_PATTERNS = [
    # "password": "...", password=..., "refreshToken": "..." (JSON or query-string shapes)
    re.compile(
        r'(?i)("?(?:password|currentPassword|newPassword|refreshToken|accessToken|secret|token|api[_-]?key|authorization)"?\s*[:=]\s*"?)([^"&,\s}]+)'
    ),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"sbk_[0-9a-f]+_[A-Za-z0-9_-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"),
]


# Every match of a pattern above contains one of these words (matched ignoring case) or, for
# the last two patterns, "sbk_" or "eyJ" as written: ASCII text (where lower() and the patterns'
# ignoring of case agree) without any of them has nothing to scrub, e.g. an access-log line.
_TRIGGERS = ("password", "token", "secret", "api", "authorization", "bearer")


def scrub(text: str) -> str:
    """Replace anything that looks like a password, token or API key with [REDACTED]."""
    if text.isascii() and "sbk_" not in text and "eyJ" not in text:
        lowered = text.lower()
        for word in _TRIGGERS:
            if word in lowered:
                break
        else:
            return text
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 2 or pattern.groups == 1:
            text = pattern.sub(r"\1[REDACTED]", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


def _stamping_factory(
    base: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        # Own attribute names, so a call's `extra={"job_id": ...}` cannot collide with them.
        record.ctx_request_id = request_id_var.get()
        record.ctx_job_id = job_id_var.get()
        return record

    factory.stamps_ids = True  # type: ignore[attr-defined]
    return factory


def install_record_factory() -> None:
    """Stamp the current request id and job id on every log record (once per process)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "stamps_ids", False):
        logging.setLogRecordFactory(_stamping_factory(current))


install_record_factory()


def _request_id(record: logging.LogRecord) -> str:
    return getattr(record, "ctx_request_id", None) or request_id_var.get()


def _job_id(record: logging.LogRecord) -> str | None:
    return getattr(record, "job_id", None) or getattr(record, "ctx_job_id", None)


_JSON = json.JSONEncoder(ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": _request_id(record),
            "message": scrub(record.getMessage()),
        }
        if job_id := _job_id(record):
            entry["job_id"] = job_id
        for key in ("method", "path", "status", "duration_ms", "client", "operation"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return _JSON.encode(entry)  # json.dumps(entry, ensure_ascii=False), encoder made once


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id, job_id = _request_id(record), _job_id(record)
        record.ids = f"{request_id} job={job_id}" if job_id else request_id
        return scrub(super().format(record))


def configure_logging(*, level: str = "INFO", json_logs: bool = True) -> None:
    """Send logs to stderr, JSON or plain. Calling it again (each app a process builds) replaces
    the handler it installed before and leaves other handlers alone (pytest's caplog)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.scanbase = True  # type: ignore[attr-defined]
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            PlainFormatter("%(asctime)s %(levelname)s [%(ids)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "scanbase", False)] + [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "tortoise", "aiosqlite", "asyncio", "botocore", "arq.worker"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
