"""A job's state as published in change events, and the order of those events.

Events come from several processes (the API creates and cancels, a worker runs, recovery
requeues) and progress is persisted at most every ~0.2 s, so a subscriber can receive an event
older than the row it has just read, or the same change twice. `JobState.key` orders them:
attempts first (a new attempt supersedes everything of the previous one), then the phase within
an attempt (running, then queued again for a retry, then terminal), then `revision`, which the
running attempt bumps on every report.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from server.jobs.models import TERMINAL_STATUSES, Job, JobStatus

_PHASE = {JobStatus.RUNNING: 1, JobStatus.QUEUED: 2}
_TERMINAL_PHASE = 3
_DATETIMES = ("created_at", "updated_at", "started_at", "finished_at")


@dataclass(frozen=True, slots=True)
class JobState:
    id: uuid.UUID
    kind: str
    owner_id: uuid.UUID
    status: JobStatus
    progress: float
    stage: str | None
    message: str | None
    attempts: int
    max_attempts: int
    revision: int
    result: Any
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def key(self) -> tuple[int, int, int]:
        phase = _TERMINAL_PHASE if self.is_terminal else _PHASE[self.status]
        return (self.attempts, phase, self.revision)

    def evolve(self, **changes: Any) -> JobState:
        return replace(self, **changes)

    @classmethod
    def from_model(cls, job: Job) -> JobState:
        return cls(
            id=job.id,
            kind=job.kind,
            owner_id=job.owner_id,  # type: ignore[attr-defined]
            status=JobStatus(job.status),
            progress=job.progress,
            stage=job.stage,
            message=job.message,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            revision=job.revision,
            result=job.result,
            error_code=job.error_code,
            error_message=job.error_message,
            created_at=job.created_at,
            updated_at=job.updated_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )

    def to_event(self) -> dict[str, Any]:
        """A JSON-ready dict (what travels through the events broker)."""
        data = asdict(self)
        data["id"] = str(self.id)
        data["owner_id"] = str(self.owner_id)
        data["status"] = self.status.value
        for name in _DATETIMES:
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> JobState:
        values = dict(data)
        values["id"] = uuid.UUID(values["id"])
        values["owner_id"] = uuid.UUID(values["owner_id"])
        values["status"] = JobStatus(values["status"])
        for name in _DATETIMES:
            raw = values.get(name)
            values[name] = datetime.fromisoformat(raw) if raw else None
        return cls(**values)
