"""Recovery after crashes: hand a dead worker's job to a new attempt (or fail it WORKER_LOST),
deliver QUEUED jobs whose delivery was lost, and let each domain reconcile its documents.
Run by the scheduler (`server.scheduler`) at startup and periodically."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import F, Q

from server.jobs import registry, running
from server.jobs import services as jobs
from server.jobs.errors import JobErrorCode
from server.jobs.models import Job, JobStatus
from server.jobs.state import JobState
from server.metrics import JOBS

log = jobs.log


@dataclass
class Recovery:
    requeued: int = 0  # running attempts lost with their worker, handed to a new attempt
    failed: int = 0  # lost attempts of jobs that had none left
    enqueued: int = 0  # queued jobs delivered again (a delivery still pending is not repeated)


async def recover_jobs(
    *, kinds: Collection[str] | None = None, queued_for: float | None = 0.0
) -> Recovery:
    """Deliver jobs a crash left behind: RUNNING with a heartbeat older than 3 intervals (its
    process died; never an attempt this process is running) and QUEUED ones (their delivery may
    be lost). Only kinds this process can run (`kinds`, default: every registered kind).
    `queued_for`: only QUEUED rows unchanged for that many seconds (None: leave QUEUED rows
    alone)."""
    kinds = list(registry.registered_kinds() if kinds is None else kinds)
    report = Recovery()
    if not kinds:
        return report
    now = jobs.utcnow()
    cutoff = now - timedelta(seconds=jobs.stale_after())
    stale = Job.filter(status=JobStatus.RUNNING, kind__in=kinds, heartbeat_at__lt=cutoff)
    # An attempt this process is running is alive, however late its heartbeat (a loaded event
    # loop, a slow database): handing it over would run the job twice here.
    for job_id, attempt in running.in_flight():
        # Not exclude(id=..., attempts=...): Tortoise makes that NOT id AND NOT attempts.
        stale = stale.filter(~Q(id=job_id, attempts=attempt))
    lost = await stale.order_by("heartbeat_at").limit(jobs.RECOVERY_BATCH)
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
                await jobs.publish(JobState.from_model(await Job.get(id=job.id)))
                await jobs.enqueue(job.id, job.attempts)
        else:
            ended = await jobs.end_job(
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
                await jobs.publish(JobState.from_model(ended))
        if updated:
            log.warning(
                "job %s (%s) attempt %d was lost with its worker", job.id, job.kind, job.attempts
            )
    if queued_for is not None:
        waiting = Job.filter(status=JobStatus.QUEUED, kind__in=kinds)
        if queued_for > 0:
            waiting = waiting.filter(updated_at__lt=now - timedelta(seconds=queued_for))
        for job_id, attempts in (
            await waiting.order_by("created_at")
            .limit(jobs.RECOVERY_BATCH)
            .values_list("id", "attempts")
        ):
            if await jobs.enqueue(job_id, attempts):
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
