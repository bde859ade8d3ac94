"""Expected failures of jobs: what the jobs services raise, and what handlers raise to stop."""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class JobsErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    NO_OWNER = "NO_OWNER"
    ALREADY_FINISHED = "ALREADY_FINISHED"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    INVALID_INPUT = "INVALID_INPUT"


class JobErrorCode(StrEnum):
    """Codes the runner itself stores in `Job.error_code` (handlers add their own)."""

    HANDLER_ERROR = "HANDLER_ERROR"
    TIMEOUT = "TIMEOUT"
    WORKER_LOST = "WORKER_LOST"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    INVALID_RESULT = "INVALID_RESULT"


class JobsError(DomainError):
    code: JobsErrorCode


class JobFailed(DomainError):
    """Raised by a handler for an expected failure (unreadable file, empty document...): the job
    ends FAILED with this code and message at once, without retrying."""

    def __init__(self, code: StrEnum | str, message: str, **details: object) -> None:
        super().__init__(code, message, **details)  # type: ignore[arg-type]
        self.code = code  # type: ignore[assignment]


class JobCancelled(BaseException):
    """Raised by the progress reporter when the job was cancelled (or taken over by another
    attempt). A BaseException, like asyncio.CancelledError, so a handler's `except Exception`
    does not swallow it."""
