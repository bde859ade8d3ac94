"""Job handlers by kind name: domains register them here, runners look them up.

A domain registers its handlers at import time:

    @job_handler("receipts.extract")
    async def extract(job: Job, report: ProgressReporter) -> dict[str, Any]:
        await report(0.5, "ocr")
        return {"receipt_id": ...}

The handler gets the row (its `payload` is the job's input) and a reporter; what it returns is
stored as the job's JSON `result`. It raises `JobFailed(code, message)` for expected failures
(no retry); any other exception is retried while attempts remain.

Each kind declares its policy where it registers (`job_handler(kind, policy=JobPolicy(
timeout_seconds=120, max_attempts=5))`): what it leaves unset comes from the JOB_* settings. A
retry waits a random delay in [0, min(max delay, base x 2^(attempt-1))] ("full jitter"), so
jobs that failed together (an outage) do not all come back at the same instant.

A domain whose documents follow a job (a receipt is PROCESSING while its extraction runs) also
registers an end hook, so that the document's state and the job's state change together:

    @on_job_end("receipts.extract")
    async def settle(job: Job) -> None:
        ...  # e.g. a receipt still PROCESSING becomes FAILED with the job's error code

The hook runs inside the transaction that writes the job's terminal state (SUCCEEDED, FAILED,
CANCELLED), whoever writes it: the attempt's outcome, a cancel, or recovery after a lost worker.
It must only write to the database (no events, no blobs) and be idempotent. A reconciler
(`register_reconciler`) runs with periodic recovery and repairs what no hook could: a document
whose job is missing, or that ended before the hook existed.

Both the API (in-process runner) and the arq worker import every module in `HANDLER_MODULES`
at startup (`load_handler_modules`), so a kind runs the same code wherever it runs. Add your
domain's `jobs/<area>.py` to that list: `server/` never imports `jobs/`, the list lives here.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from server.jobs.models import Job
from server.settings import Settings, get_settings

# Modules that register job handlers, imported by the API and the worker at startup.
HANDLER_MODULES: list[str] = ["server.ocr.services", "jobs.receipts", "jobs.companies"]

KIND_MAX_LENGTH = 64


class ProgressReporter(Protocol):
    async def __call__(self, progress: float, stage: str, message: str | None = None) -> None:
        """Record progress (0..1) and the current stage; raises JobCancelled when the job was
        cancelled, so the handler stops at its next report."""
        ...


JobHandler = Callable[[Job, ProgressReporter], Coroutine[Any, Any, dict[str, Any] | None]]
HandlerT = TypeVar("HandlerT", bound=JobHandler)
# Called with the ended row inside the transaction that ended it (what it returns is ignored).
EndHook = Callable[[Job], Awaitable[Any]]
EndHookT = TypeVar("EndHookT", bound=EndHook)
# Repairs documents left inconsistent with their jobs; returns how many it changed.
Reconciler = Callable[[], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class JobPolicy:
    """How a kind of work runs and retries; None means "the setting's default" (`resolve`)."""

    timeout_seconds: float | None = None  # JOB_TIMEOUT_SECONDS
    max_attempts: int | None = None  # JOB_MAX_TRIES
    backoff_seconds: float | None = None  # JOB_RETRY_DELAY_SECONDS: the first retry's ceiling
    max_delay_seconds: float | None = None  # JOB_RETRY_MAX_DELAY_SECONDS

    def __post_init__(self) -> None:
        for name in ("timeout_seconds", "backoff_seconds", "max_delay_seconds"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be >= 0, not {value!r}")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be > 0")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def resolve(self, settings: Settings | None = None) -> ResolvedPolicy:
        """This policy with every unset value taken from the JOB_* settings."""
        settings = settings or get_settings()
        return self.with_defaults(
            timeout_seconds=float(settings.job_timeout_seconds),
            max_attempts=settings.job_max_tries,
            backoff_seconds=settings.job_retry_delay_seconds,
            max_delay_seconds=settings.job_retry_max_delay_seconds,
        )

    def with_defaults(
        self,
        *,
        timeout_seconds: float,
        max_attempts: int,
        backoff_seconds: float,
        max_delay_seconds: float,
    ) -> ResolvedPolicy:
        """This policy with every unset value taken from the arguments (another family of
        settings: the outbox's)."""
        return ResolvedPolicy(
            timeout_seconds=_first(self.timeout_seconds, timeout_seconds),
            max_attempts=_first(self.max_attempts, max_attempts),
            backoff_seconds=_first(self.backoff_seconds, backoff_seconds),
            max_delay_seconds=_first(self.max_delay_seconds, max_delay_seconds),
        )


@dataclass(frozen=True, slots=True)
class ResolvedPolicy:
    """A policy with every value known (what runners use)."""

    timeout_seconds: float
    max_attempts: int
    backoff_seconds: float
    max_delay_seconds: float

    def retry_delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): full jitter, uniform in
        [0, min(max delay, base x 2^(attempt-1))]."""
        exponent = min(max(attempt - 1, 0), 64)  # 2**64 x base is past any cap already
        ceiling = min(self.max_delay_seconds, self.backoff_seconds * 2.0**exponent)
        return (rng or _rng).uniform(0.0, ceiling)


NumberT = TypeVar("NumberT", int, float)


def _first(value: NumberT | None, default: NumberT) -> NumberT:
    return default if value is None else value


_rng = random.Random()
DEFAULT_POLICY = JobPolicy()

_handlers: dict[str, JobHandler] = {}
_policies: dict[str, JobPolicy] = {}
_end_hooks: dict[str, EndHook] = {}
_reconcilers: dict[str, Reconciler] = {}


def register_handler(kind: str, handler: JobHandler, *, policy: JobPolicy | None = None) -> None:
    """Register `handler` for `kind` with its policy (default: the settings'); a kind has
    exactly one handler."""
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"job kind must be 1..{KIND_MAX_LENGTH} characters: {kind!r}")
    existing = _handlers.get(kind)
    if existing is not None and existing is not handler:
        raise ValueError(f"a handler is already registered for job kind {kind!r}")
    _handlers[kind] = handler
    _policies[kind] = policy or DEFAULT_POLICY


def unregister_handler(kind: str) -> None:
    """Forget a kind (tests register throw-away kinds)."""
    _handlers.pop(kind, None)
    _policies.pop(kind, None)


def job_handler(kind: str, *, policy: JobPolicy | None = None) -> Callable[[HandlerT], HandlerT]:
    """Decorator form of `register_handler`."""

    def decorate(handler: HandlerT) -> HandlerT:
        register_handler(kind, handler, policy=policy)
        return handler

    return decorate


def get_handler(kind: str) -> JobHandler | None:
    return _handlers.get(kind)


def policy_of(kind: str, settings: Settings | None = None) -> ResolvedPolicy:
    """The resolved policy of `kind` (the settings' defaults for an unknown kind)."""
    return _policies.get(kind, DEFAULT_POLICY).resolve(settings)


def longest_timeout(settings: Settings | None = None) -> float:
    """The largest timeout of any registered kind (what arq's own backstop timeout must exceed)."""
    settings = settings or get_settings()
    timeouts = [policy_of(kind, settings).timeout_seconds for kind in _handlers]
    return max([float(settings.job_timeout_seconds), *timeouts])


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def on_job_end(kind: str) -> Callable[[EndHookT], EndHookT]:
    """Register the hook that settles the document of a `kind` job when the job ends (see the
    module docstring); a kind has at most one."""

    def decorate(hook: EndHookT) -> EndHookT:
        existing = _end_hooks.get(kind)
        if existing is not None and existing is not hook:
            raise ValueError(f"an end hook is already registered for job kind {kind!r}")
        _end_hooks[kind] = hook
        return hook

    return decorate


def unregister_end_hook(kind: str) -> None:
    _end_hooks.pop(kind, None)


def get_end_hook(kind: str) -> EndHook | None:
    return _end_hooks.get(kind)


def register_reconciler(name: str, reconciler: Reconciler) -> None:
    """Run `reconciler` with every periodic recovery (by name: registering again replaces it)."""
    _reconcilers[name] = reconciler


def reconcilers() -> dict[str, Reconciler]:
    return dict(_reconcilers)


def load_handler_modules(extra: Iterable[str] = ()) -> None:
    """Import the modules that register handlers; an import error stops the process loudly."""
    for name in [*HANDLER_MODULES, *extra]:
        importlib.import_module(name)
