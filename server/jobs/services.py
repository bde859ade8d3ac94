"""Jobs: create, run one attempt, cancel, recover after crashes, and follow a job's changes.

Exactly once, with at-least-once queues: every state change is a conditional write on the row.
- An attempt starts only by claiming the row: `QUEUED with attempts=n` -> `RUNNING with
  attempts=n+1`. A duplicate delivery, or a delivery for a cancelled job, claims nothing.
- The running attempt writes progress, heartbeats and its outcome only `where status=RUNNING and
  attempts=n+1`; once the job was cancelled or handed to another attempt, the zombie's writes
  match no row, its reporter raises JobCancelled, and it can never finish the job a second time.
- A worker that dies (kill -9) stops heartbeating; `recover_jobs` (at startup and periodically)
  hands its job to a new attempt, or fails it with WORKER_LOST when no attempt is left.
- Every write that ends a job (outcome, cancel, WORKER_LOST) runs its kind's end hook in the
  same transaction (`_end`), so the document a job works on never outlives it in progress; the
  domains' reconcilers repair the rest periodically (see `server.jobs.registry`).

Progress is published on every report but persisted at most every PERSIST_INTERVAL seconds (a
deferred flush writes the last one), to keep database writes cheap on chatty handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.events import MISSED, current_broker
from server.jobs import registry
from server.jobs.errors import (
    JobCancelled,
    JobErrorCode,
    JobFailed,
    JobsError,
    JobsErrorCode,
)
from server.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from server.jobs.state import JobState
from server.metrics import JOBS
from server.queue import current_queue
from server.settings import get_settings

log = logging.getLogger("scanbase.jobs")

PERSIST_INTERVAL = 0.2
STALE_AFTER_HEARTBEATS = 3
RECOVERY_BATCH = 500
MESSAGE_MAX_LENGTH = 2000
RESYNC_SECONDS = 30.0
PROGRESS_DECIMALS = 3
# How long the broker keeps a job's last published state for new subscribers. The row catches up
# within PERSIST_INTERVAL of a report, so this is a wide margin, not a correctness bound.
RETAIN_SECONDS = 600.0


def job_channel(job_id: uuid.UUID) -> str:
    """Where a job's state changes are published (what subscribers follow)."""
    return f"job:{job_id}"


def control_channel(job_id: uuid.UUID) -> str:
    """Where the process running a job hears that it was cancelled."""
    return f"job:{job_id}:control"


def _now() -> datetime:
    return datetime.now(UTC)


def stale_after(settings: Any = None) -> float:
    """Seconds without a heartbeat after which a running attempt is considered lost."""
    return STALE_AFTER_HEARTBEATS * (settings or get_settings()).job_heartbeat_seconds


async def _publish(state: JobState) -> None:
    # A lost event costs a subscriber a refresh, never the job: log and carry on. The broker
    # keeps the last one, so a new subscriber starts from it rather than from the row, which
    # lags behind by up to PERSIST_INTERVAL.
    try:
        # A terminal state is in the row already (written before it is published), and may
        # carry a large result: not worth keeping twice.
        retain = None if state.is_terminal else RETAIN_SECONDS
        await current_broker().publish(job_channel(state.id), state.to_event(), retain=retain)
    except Exception:
        log.warning("could not publish the state of job %s", state.id, exc_info=True)


async def _enqueue(job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
    # The row is QUEUED already: if the queue is down, recovery delivers it later.
    try:
        return await current_queue().enqueue(job_id, attempt, delay=delay)
    except Exception:
        log.warning("could not enqueue job %s (recovery will)", job_id, exc_info=True)
        return False


def _clip(text: str | None) -> str | None:
    return text if text is None or len(text) <= MESSAGE_MAX_LENGTH else text[:MESSAGE_MAX_LENGTH]


async def _end(query: QuerySet[Job], *, job_id: uuid.UUID, kind: str, **values: Any) -> Job | None:
    """The conditional write that ends a job, with its kind's end hook (the document the job
    works on), in one transaction: both change, or neither. Returns the ended row, or None when
    `query` no longer matches (someone else ended or took the job)."""
    hook = registry.get_end_hook(kind)
    async with in_transaction():
        if not await query.update(**values):
            return None
        job = await Job.get(id=job_id)
        if hook is not None:
            await hook(job)
    return job


# --- requests --------------------------------------------------------------------------------


async def create_job(
    *,
    owner: User,
    kind: str,
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Store a QUEUED job, publish it and enqueue it by id; returns the row.

    Call it once the caller's transaction has committed: a runner that cannot see the row yet
    skips the delivery and the job waits for recovery. A caller that creates a document with its
    job uses `prepare_job` inside its transaction and `submit_job` after it instead. Raises
    JobsError (UNKNOWN_KIND, INVALID_INPUT).
    """
    job = await prepare_job(owner=owner, kind=kind, payload=payload, max_attempts=max_attempts)
    await submit_job(job)
    return job


async def prepare_job(
    *,
    owner: User,
    kind: str,
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Store a QUEUED job row without delivering it, so that it can be written in the same
    transaction as the document it works on; `submit_job` it once that transaction committed.
    A process killed in between leaves a QUEUED job that periodic recovery delivers. Raises
    JobsError (UNKNOWN_KIND, INVALID_INPUT)."""
    if registry.get_handler(kind) is None:
        raise JobsError(
            JobsErrorCode.UNKNOWN_KIND, f"No handler for job kind '{kind}'.", field="kind"
        )
    attempts = registry.policy_of(kind).max_attempts if max_attempts is None else max_attempts
    if attempts < 1:
        raise JobsError(
            JobsErrorCode.INVALID_INPUT, "max_attempts must be at least 1.", field="max_attempts"
        )
    payload = payload or {}
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise JobsError(
            JobsErrorCode.INVALID_INPUT, "The payload must be JSON.", field="payload"
        ) from exc
    return await Job.create(owner=owner, kind=kind, payload=payload, max_attempts=attempts)


async def submit_job(job: Job) -> None:
    """Publish a prepared job and enqueue it; never raises (recovery delivers what fails here)."""
    await _publish(JobState.from_model(job))
    await _enqueue(job.id, 0)


async def get_job(*, job_id: uuid.UUID, owner: User | None) -> Job:
    """The job; `owner=None` means any owner (admins). Raises JobsError(NOT_FOUND) when absent
    or someone else's, alike, so ids of other people's jobs reveal nothing."""
    job = await Job.get_or_none(id=job_id)
    if job is None or (owner is not None and job.owner_id != owner.id):  # type: ignore[attr-defined]
        raise JobsError(JobsErrorCode.NOT_FOUND, "No such job.", field="id")
    return job


def jobs_of(*, owner: User, status: JobStatus | None = None) -> QuerySet[Job]:
    """One owner's jobs (for paging), optionally with one status."""
    query = Job.filter(owner_id=owner.id)
    return query if status is None else query.filter(status=status)


async def cancel_job(*, job_id: uuid.UUID, owner: User | None) -> Job:
    """Cancel a queued or running job. A queued job never starts; a running handler stops at its
    next progress report (at the latest at its next heartbeat). Raises JobsError (NOT_FOUND,
    ALREADY_FINISHED)."""
    job = await get_job(job_id=job_id, owner=owner)
    if job.is_terminal:
        raise JobsError(
            JobsErrorCode.ALREADY_FINISHED, f"The job has already ended ({job.status})."
        )
    now = _now()
    ended = await _end(
        Job.filter(id=job.id, status__in=list(ACTIVE_STATUSES)),
        job_id=job.id,
        kind=job.kind,
        status=JobStatus.CANCELLED,
        message="Cancelled.",
        finished_at=now,
        updated_at=now,
        revision=F("revision") + 1,
    )
    if ended is None:
        job = await Job.get(id=job.id)
        raise JobsError(
            JobsErrorCode.ALREADY_FINISHED, f"The job has already ended ({job.status})."
        )
    job = ended
    JOBS.labels(job.kind, JobStatus.CANCELLED.value).inc()
    await _publish(JobState.from_model(job))
    with contextlib.suppress(Exception):  # the heartbeat notices within one interval anyway
        await current_broker().publish(control_channel(job.id), {"action": "cancel"})
    return job


# --- following a job -------------------------------------------------------------------------


async def follow_job(*, job_id: uuid.UUID, owner: User | None) -> AsyncIterator[JobState]:
    """The job's current state, then each change, ending after a terminal state.

    Subscribes before reading the row, so no change between the read and the first event is
    lost. The first state is the newer of the row and the last published state the broker kept
    (progress is published on every report but saved at most every PERSIST_INTERVAL). Events
    older than what was already sent (or repeated) are dropped by `JobState.key`, so progress
    never goes backwards within an attempt. Raises JobsError(NOT_FOUND) before yielding anything
    when the job is not visible.
    """
    broker = current_broker()
    channel = job_channel(job_id)
    async with broker.subscribe(channel) as subscription:
        last = JobState.from_model(await get_job(job_id=job_id, owner=owner))
        retained = await _retained(channel)
        if retained is not None and retained.id == last.id and retained.key > last.key:
            last = retained
        yield last
        while not last.is_terminal:
            try:
                message = await asyncio.wait_for(subscription.get(), RESYNC_SECONDS)
            except TimeoutError:
                message = MISSED  # quiet for long: make sure no event was lost on the way
            if message is MISSED:
                job = await Job.get_or_none(id=job_id)
                if job is None:
                    return  # deleted with its owner
                state = JobState.from_model(job)
            else:
                assert isinstance(message, dict)
                state = JobState.from_event(message)
            if state.key > last.key:
                last = state
                yield state


async def _retained(channel: str) -> JobState | None:
    """The last state published on `channel`, if the broker still has it (best effort)."""
    try:
        message = await current_broker().last(channel)
        return JobState.from_event(message) if message is not None else None
    except Exception:
        log.warning("could not read the last state on %s", channel, exc_info=True)
        return None


# --- running ---------------------------------------------------------------------------------


async def _claim(job_id: uuid.UUID, attempt_token: int) -> Job | None:
    """Atomically take `QUEUED, attempts=token` to `RUNNING, attempts=token+1`; None if taken,
    cancelled, or gone."""
    for pause in (0.05, 0.1, 0.2, None):
        now = _now()
        claimed = await Job.filter(
            id=job_id, status=JobStatus.QUEUED, attempts=attempt_token
        ).update(
            status=JobStatus.RUNNING,
            attempts=attempt_token + 1,
            progress=0.0,
            stage=None,
            message=None,
            error_code=None,
            error_message=None,
            started_at=now,
            heartbeat_at=now,
            updated_at=now,
            revision=F("revision") + 1,
        )
        if claimed:
            return await Job.get(id=job_id)
        if pause is None or await Job.exists(id=job_id):
            return None
        # Enqueued before the creating transaction committed? Look again briefly.
        await asyncio.sleep(pause)
    return None


class _Attempt:
    """One attempt of one job: the progress reporter, heartbeats, cancellation, the outcome."""

    def __init__(self, job: Job) -> None:
        self.settings = get_settings()
        self.policy = registry.policy_of(job.kind, self.settings)
        self.job = job
        self.number = job.attempts
        self.state = JobState.from_model(job)
        self.stopped: str | None = None
        self._last_persist = time.monotonic()
        self._dirty = False
        self._flush: asyncio.Task[None] | None = None
        self._handler: asyncio.Task[Any] | None = None

    def _mine(self) -> QuerySet[Job]:
        return Job.filter(id=self.job.id, status=JobStatus.RUNNING, attempts=self.number)

    def stop(self, reason: str) -> None:
        """The row is no longer ours (cancelled, or handed to another attempt)."""
        if self.stopped is None:
            self.stopped = reason
            log.info("job %s attempt %d stops: %s", self.job.id, self.number, reason)

    # The ProgressReporter handed to the handler.
    async def report(self, progress: float, stage: str, message: str | None = None) -> None:
        if self.stopped:
            raise JobCancelled(self.stopped)
        if not isinstance(progress, int | float) or math.isnan(progress):
            raise ValueError(f"progress must be a number in 0..1, not {progress!r}")
        self.state = self.state.evolve(
            # Rounded: fractions computed by handlers (0.05 + 0.8 * 1) carry float noise.
            progress=round(min(max(float(progress), 0.0), 1.0), PROGRESS_DECIMALS),
            stage=stage[:64] if stage else None,
            message=_clip(message),
            revision=self.state.revision + 1,
            updated_at=_now(),
        )
        self._dirty = True
        if time.monotonic() - self._last_persist >= PERSIST_INTERVAL:
            try:
                await self._persist()
            except Exception:  # progress is best effort; the outcome write is what counts
                log.warning("could not save progress of job %s", self.job.id, exc_info=True)
            if self.stopped:
                raise JobCancelled(self.stopped)
        elif self._flush is None:
            self._flush = asyncio.create_task(self._flush_later())
        await _publish(self.state)

    async def _persist(self) -> None:
        self._dirty = False
        self._last_persist = time.monotonic()
        state = self.state
        updated = await self._mine().update(
            progress=state.progress,
            stage=state.stage,
            message=state.message,
            revision=state.revision,
            updated_at=state.updated_at,
            heartbeat_at=_now(),
        )
        if not updated:
            self.stop("the job was cancelled or taken over")

    async def _flush_later(self) -> None:
        try:
            await asyncio.sleep(max(PERSIST_INTERVAL - (time.monotonic() - self._last_persist), 0))
            if self._dirty and not self.stopped:
                await self._persist()
        except Exception:
            log.warning("could not save progress of job %s", self.job.id, exc_info=True)
        finally:
            self._flush = None

    async def _heartbeat(self) -> None:
        interval = self.settings.job_heartbeat_seconds
        while True:
            await asyncio.sleep(interval)
            if not self.stopped:
                try:
                    if not await self._mine().update(heartbeat_at=_now()):
                        self.stop("the job was cancelled or taken over")
                except Exception:
                    log.warning("heartbeat of job %s failed", self.job.id, exc_info=True)
            if self.stopped and self._handler is not None:
                # It had one interval to notice at a report; now stop it for real.
                self._handler.cancel()
                return

    async def _listen_for_cancel(self) -> None:
        async with current_broker().subscribe(control_channel(self.job.id)) as subscription:
            async for message in subscription:
                if isinstance(message, dict) and message.get("action") == "cancel":
                    self.stop("cancelled")
                    return

    async def run(self, handler: registry.JobHandler) -> str:
        await _publish(self.state)
        self._handler = asyncio.create_task(handler(self.job, self.report))
        watchers = [
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._listen_for_cancel()),
        ]
        timeout = self.policy.timeout_seconds
        try:
            result = await asyncio.wait_for(self._handler, timeout)
        except JobCancelled:
            return "cancelled"
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                await self._interrupted()
                raise
            return "cancelled"  # stopped by our own heartbeat after a cancel
        except JobFailed as exc:
            return await self._fail(str(exc.code), exc.message)
        except TimeoutError:
            if self._handler.cancelled():
                return await self._retry_or_fail(
                    JobErrorCode.TIMEOUT, f"The job took longer than {timeout:g} s."
                )
            log.exception("job %s (%s) attempt %d failed", self.job.id, self.job.kind, self.number)
            return await self._retry_or_fail(
                JobErrorCode.HANDLER_ERROR, "The job failed (TimeoutError)."
            )
        except Exception as exc:
            log.exception("job %s (%s) attempt %d failed", self.job.id, self.job.kind, self.number)
            return await self._retry_or_fail(
                JobErrorCode.HANDLER_ERROR, f"The job failed ({type(exc).__name__})."
            )
        else:
            return await self._succeed(result)
        finally:
            for task in [*watchers, self._flush]:
                if task is not None:
                    task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)

    async def _finish(self, status: JobStatus, **values: Any) -> bool:
        """The one write that ends this attempt; false when the row is no longer ours."""
        if self._flush is not None:
            self._flush.cancel()
        now = _now()
        revision = self.state.revision + 1
        # The last report may not be saved yet (throttled): the outcome carries it.
        values = {"stage": self.state.stage, "message": self.state.message, **values}
        ended = await _end(
            self._mine(),
            job_id=self.job.id,
            kind=self.job.kind,
            status=status,
            finished_at=now,
            heartbeat_at=now,
            updated_at=now,
            revision=revision,
            **values,
        )
        if ended is None:
            log.info(
                "job %s attempt %d: outcome dropped, the job is no longer ours",
                self.job.id,
                self.number,
            )
            return False
        self.state = self.state.evolve(
            status=status, finished_at=now, updated_at=now, revision=revision, **values
        )
        JOBS.labels(self.job.kind, status.value).inc()
        await _publish(self.state)
        return True

    async def _succeed(self, result: Any) -> str:
        try:
            json.dumps(result)
        except (TypeError, ValueError):
            return await self._fail(
                JobErrorCode.INVALID_RESULT, "The job returned a result that is not JSON."
            )
        done = await self._finish(JobStatus.SUCCEEDED, progress=1.0, result=result)
        return "succeeded" if done else "superseded"

    async def _fail(self, code: str, message: str) -> str:
        done = await self._finish(
            JobStatus.FAILED, error_code=str(code)[:64], error_message=_clip(message)
        )
        return "failed" if done else "superseded"

    async def _retry_or_fail(self, code: str, message: str) -> str:
        if self.number >= self.job.max_attempts:
            return await self._fail(code, message)
        delay = self.policy.retry_delay(self.number)
        now = _now()
        revision = self.state.revision + 1
        values: dict[str, Any] = {
            "status": JobStatus.QUEUED,
            "stage": self.state.stage,
            "progress": self.state.progress,
            "error_code": str(code),
            "error_message": message,
            "message": f"Attempt {self.number} failed; retrying in {delay:.3g} s.",
            "revision": revision,
            "updated_at": now,
        }
        if not await self._mine().update(**values):
            return "superseded"
        self.state = self.state.evolve(**values)
        await _publish(self.state)
        await _enqueue(self.job.id, self.number, delay=delay)
        return "retrying"

    async def _interrupted(self) -> None:
        """Shutdown cancelled us: back to QUEUED for the next process. The attempt was not the
        job's fault, so it gets one more."""
        values: dict[str, Any] = {
            "status": JobStatus.QUEUED,
            "message": "Interrupted by a shutdown; queued again.",
            "revision": self.state.revision + 1,
            "updated_at": _now(),
        }
        try:
            if await self._mine().update(max_attempts=F("max_attempts") + 1, **values):
                self.state = self.state.evolve(max_attempts=self.state.max_attempts + 1, **values)
                await _publish(self.state)
                await _enqueue(self.job.id, self.number)
        except Exception:
            log.warning(
                "could not requeue interrupted job %s (recovery will)", self.job.id, exc_info=True
            )


async def run_job(job_id: uuid.UUID | str, attempt_token: int) -> str:
    """Run attempt `attempt_token + 1` of a job, if the row still wants it; what queues call.

    Returns what happened ("succeeded", "failed", "retrying", "cancelled", "skipped",
    "superseded"). Handler errors never escape: they become retries or a FAILED job.
    """
    job_id = uuid.UUID(str(job_id))
    job = await _claim(job_id, attempt_token)
    if job is None:
        log.debug("job %s attempt %d: nothing to run", job_id, attempt_token + 1)
        return "skipped"
    attempt = _Attempt(job)
    handler = registry.get_handler(job.kind)
    if handler is None:
        await _publish(attempt.state)
        return await attempt._fail(
            JobErrorCode.UNKNOWN_KIND, f"No handler for job kind '{job.kind}' here."
        )
    return await attempt.run(handler)


# --- recovery --------------------------------------------------------------------------------


@dataclass
class Recovery:
    requeued: int = 0  # running attempts lost with their worker, handed to a new attempt
    failed: int = 0  # lost attempts of jobs that had none left
    enqueued: int = 0  # queued jobs delivered again (a delivery still pending is not repeated)


async def recover_jobs(
    *, kinds: Collection[str] | None = None, queued_for: float | None = 0.0
) -> Recovery:
    """Deliver jobs a crash left behind: RUNNING with a heartbeat older than 3 intervals (its
    process died) and QUEUED ones (their delivery may be lost). Only kinds this process can run
    (`kinds`, default: every registered kind). `queued_for`: only QUEUED rows unchanged for that
    many seconds (None: leave QUEUED rows alone)."""
    kinds = list(registry.registered_kinds() if kinds is None else kinds)
    report = Recovery()
    if not kinds:
        return report
    now = _now()
    cutoff = now - timedelta(seconds=stale_after())
    lost = (
        await Job.filter(status=JobStatus.RUNNING, kind__in=kinds, heartbeat_at__lt=cutoff)
        .order_by("heartbeat_at")
        .limit(RECOVERY_BATCH)
    )
    for job in lost:
        mine = Job.filter(
            id=job.id, status=JobStatus.RUNNING, attempts=job.attempts, heartbeat_at__lt=cutoff
        )
        message = "The worker running this job stopped responding."
        if job.attempts < job.max_attempts:
            updated = await mine.update(
                status=JobStatus.QUEUED,
                error_code=JobErrorCode.WORKER_LOST.value,
                error_message=message,
                message="Worker lost; queued again.",
                updated_at=now,
                revision=F("revision") + 1,
            )
            if updated:
                report.requeued += 1
                await _publish(JobState.from_model(await Job.get(id=job.id)))
                await _enqueue(job.id, job.attempts)
        else:
            ended = await _end(
                mine,
                job_id=job.id,
                kind=job.kind,
                status=JobStatus.FAILED,
                error_code=JobErrorCode.WORKER_LOST.value,
                error_message=message,
                finished_at=now,
                updated_at=now,
                revision=F("revision") + 1,
            )
            updated = int(ended is not None)
            if ended is not None:
                report.failed += 1
                JOBS.labels(job.kind, JobStatus.FAILED.value).inc()
                await _publish(JobState.from_model(ended))
        if updated:
            log.warning(
                "job %s (%s) attempt %d was lost with its worker", job.id, job.kind, job.attempts
            )
    if queued_for is not None:
        waiting = Job.filter(status=JobStatus.QUEUED, kind__in=kinds)
        if queued_for > 0:
            waiting = waiting.filter(updated_at__lt=now - timedelta(seconds=queued_for))
        for job_id, attempts in (
            await waiting.order_by("created_at").limit(RECOVERY_BATCH).values_list("id", "attempts")
        ):
            if await _enqueue(job_id, attempts):
                report.enqueued += 1
    if report.requeued or report.failed:
        log.warning("recovery: %s", report)
    return report


async def reconcile_documents() -> dict[str, int]:
    """Run every registered reconciler (documents left inconsistent with their jobs); returns how
    many documents each one repaired. One failing reconciler does not stop the others."""
    repaired: dict[str, int] = {}
    for name, reconciler in registry.reconcilers().items():
        try:
            repaired[name] = await reconciler()
        except Exception:
            log.warning("reconciler %s failed; will try again", name, exc_info=True)
    if any(repaired.values()):
        log.warning("reconciled documents: %s", repaired)
    return repaired
