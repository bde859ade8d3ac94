"""Job handlers by kind name: domains register them here, runners look them up.

A domain registers its handlers at import time:

    @job_handler("receipts.extract")
    async def extract(job: Job, report: ProgressReporter) -> dict[str, Any]:
        await report(0.5, "ocr")
        return {"receipt_id": ...}

The handler gets the row (its `payload` is the job's input) and a reporter; what it returns is
stored as the job's JSON `result`. It raises `JobFailed(code, message)` for expected failures
(no retry); any other exception is retried while attempts remain.

Both the API (in-process runner) and the arq worker import every module in `HANDLER_MODULES`
at startup (`load_handler_modules`), so a kind runs the same code wherever it runs. Add your
domain's module to that list: `server/` never imports `jobs/`, the list lives here.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from server.jobs.models import Job

# Modules that register job handlers, imported by the API and the worker at startup.
HANDLER_MODULES: list[str] = ["server.ocr.services", "server.receipts.services"]

KIND_MAX_LENGTH = 64


class ProgressReporter(Protocol):
    async def __call__(self, progress: float, stage: str, message: str | None = None) -> None:
        """Record progress (0..1) and the current stage; raises JobCancelled when the job was
        cancelled, so the handler stops at its next report."""
        ...


JobHandler = Callable[[Job, ProgressReporter], Awaitable[dict[str, Any] | None]]
HandlerT = TypeVar("HandlerT", bound=JobHandler)

_handlers: dict[str, JobHandler] = {}


def register_handler(kind: str, handler: JobHandler) -> None:
    """Register `handler` for `kind`; a kind has exactly one handler."""
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"job kind must be 1..{KIND_MAX_LENGTH} characters: {kind!r}")
    existing = _handlers.get(kind)
    if existing is not None and existing is not handler:
        raise ValueError(f"a handler is already registered for job kind {kind!r}")
    _handlers[kind] = handler


def unregister_handler(kind: str) -> None:
    """Forget a kind (tests register throw-away kinds)."""
    _handlers.pop(kind, None)


def job_handler(kind: str) -> Callable[[HandlerT], HandlerT]:
    """Decorator form of `register_handler`."""

    def decorate(handler: HandlerT) -> HandlerT:
        register_handler(kind, handler)
        return handler

    return decorate


def get_handler(kind: str) -> JobHandler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def load_handler_modules(extra: Iterable[str] = ()) -> None:
    """Import the modules that register handlers; an import error stops the process loudly."""
    for name in [*HANDLER_MODULES, *extra]:
        importlib.import_module(name)
