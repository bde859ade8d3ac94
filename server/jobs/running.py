"""One attempt of one job: claim the row, run the handler with a progress reporter,
heartbeats and cancellation, and write the outcome (see `server.jobs.services` for the rules).

Progress is published on every report but persisted at most every PERSIST_INTERVAL seconds (a
deferred flush writes the last one), to keep database writes cheap on chatty handlers.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from typing import Any

from tortoise.expressions import F
from tortoise.queryset import QuerySet

from server.events import current_broker
from server.jobs import registry
from server.jobs import services as jobs
from server.jobs.errors import JobCancelled, JobErrorCode, JobFailed
from server.jobs.models import Job, JobStatus
from server.jobs.state import JobState
from server.metrics import JOBS
from server.settings import get_settings

log = jobs.log

PERSIST_INTERVAL = 0.2
PROGRESS_DECIMALS = 3

# The attempts this process is running now, as (job id, attempt number): recovery in this process
# never hands one of them to a new attempt, however late its heartbeat (a loaded event loop).
_in_flight: set[tuple[uuid.UUID, int]] = set()


def in_flight() -> frozenset[tuple[uuid.UUID, int]]:
    """The (job id, attempt number) pairs this process is running right now."""
    return frozenset(_in_flight)


async def _claim(job_id: uuid.UUID, attempt_token: int) -> Job | None:
    """Atomically take `QUEUED, attempts=token` to `RUNNING, attempts=token+1`; None if taken,
    cancelled, or gone."""
    for pause in (0.05, 0.1, 0.2, None):
        now = jobs.utcnow()
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
            message=jobs.clip(message),
            revision=self.state.revision + 1,
            updated_at=jobs.utcnow(),
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
        await jobs.publish(self.state)

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
            heartbeat_at=jobs.utcnow(),
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
                    if not await self._mine().update(heartbeat_at=jobs.utcnow()):
                        self.stop("the job was cancelled or taken over")
                except Exception:
                    log.warning("heartbeat of job %s failed", self.job.id, exc_info=True)
            if self.stopped and self._handler is not None:
                # It had one interval to notice at a report; now stop it for real.
                self._handler.cancel()
                return

    async def _listen_for_cancel(self) -> None:
        async with current_broker().subscribe(jobs.control_channel(self.job.id)) as subscription:
            async for message in subscription:
                if isinstance(message, dict) and message.get("action") == "cancel":
                    self.stop("cancelled")
                    return

    async def run(self, handler: registry.JobHandler) -> str:
        await jobs.publish(self.state)
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
        now = jobs.utcnow()
        revision = self.state.revision + 1
        # The last report may not be saved yet (throttled): the outcome carries it.
        values = {"stage": self.state.stage, "message": self.state.message, **values}
        ended = await jobs.end_job(
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
        await jobs.publish(self.state)
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
            JobStatus.FAILED, error_code=str(code)[:64], error_message=jobs.clip(message)
        )
        return "failed" if done else "superseded"

    async def _retry_or_fail(self, code: str, message: str) -> str:
        if self.number >= self.job.max_attempts:
            return await self._fail(code, message)
        delay = self.policy.retry_delay(self.number)
        now = jobs.utcnow()
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
        await jobs.publish(self.state)
        await jobs.enqueue(self.job.id, self.number, delay=delay)
        return "retrying"

    async def _interrupted(self) -> None:
        """Shutdown cancelled us: back to QUEUED for the next process. The attempt was not the
        job's fault, so it gets one more."""
        values: dict[str, Any] = {
            "status": JobStatus.QUEUED,
            "message": "Interrupted by a shutdown; queued again.",
            "revision": self.state.revision + 1,
            "updated_at": jobs.utcnow(),
        }
        try:
            if await self._mine().update(max_attempts=F("max_attempts") + 1, **values):
                self.state = self.state.evolve(max_attempts=self.state.max_attempts + 1, **values)
                await jobs.publish(self.state)
                await jobs.enqueue(self.job.id, self.number)
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
    mine = (job.id, attempt.number)
    _in_flight.add(mine)
    try:
        handler = registry.get_handler(job.kind)
        if handler is None:
            await jobs.publish(attempt.state)
            return await attempt._fail(
                JobErrorCode.UNKNOWN_KIND, f"No handler for job kind '{job.kind}' here."
            )
        return await attempt.run(handler)
    finally:
        _in_flight.discard(mine)
