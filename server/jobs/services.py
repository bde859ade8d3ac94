"""Jobs: create, cancel and follow a job; the state writes every part of a job's life shares.

Exactly once, with at-least-once queues: every state change is a conditional write on the row.
- An attempt starts only by claiming the row: `QUEUED with attempts=n` -> `RUNNING with
  attempts=n+1`. A duplicate delivery, or a delivery for a cancelled job, claims nothing.
- The running attempt writes progress, heartbeats and its outcome only `where status=RUNNING and
  attempts=n+1`; once the job was cancelled or handed to another attempt, the zombie's writes
  match no row, its reporter raises JobCancelled, and it can never finish the job a second time.
- A worker that dies (kill -9) stops heartbeating; `recovery.recover_jobs` (at startup and periodically)
  hands its job to a new attempt, or fails it with WORKER_LOST when no attempt is left.
- Every write that ends a job (outcome, cancel, WORKER_LOST) runs its kind's end hook in the
  same transaction (`end_job`), so the document a job works on never outlives it in progress; the
  domains' reconcilers repair the rest periodically (see `server.jobs.registry`).

Running an attempt lives in `server.jobs.running`, recovery in `server.jobs.recovery`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F, Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.access import Actor, visible
from server.accounts.models import User
from server.companies.models import Company, CompanyRole, Membership
from server.events import MISSED, current_broker
from server.jobs import registry
from server.jobs.errors import (
    JobsError,
    JobsErrorCode,
)
from server.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from server.jobs.state import JobState
from server.metrics import JOBS
from server.queue import current_queue
from server.settings import get_settings

log = logging.getLogger("scanbase.jobs")

STALE_AFTER_HEARTBEATS = 3
RECOVERY_BATCH = 500
MESSAGE_MAX_LENGTH = 2000
RESYNC_SECONDS = 30.0
# How long the broker keeps a job's last published state for new subscribers. The row catches up
# within PERSIST_INTERVAL of a report, so this is a wide margin, not a correctness bound.
RETAIN_SECONDS = 600.0


def job_channel(job_id: uuid.UUID) -> str:
    """Where a job's state changes are published (what subscribers follow)."""
    return f"job:{job_id}"


def control_channel(job_id: uuid.UUID) -> str:
    """Where the process running a job hears that it was cancelled."""
    return f"job:{job_id}:control"


def utcnow() -> datetime:
    return datetime.now(UTC)


def stale_after(settings: Any = None) -> float:
    """Seconds without a heartbeat after which a running attempt is considered lost."""
    return STALE_AFTER_HEARTBEATS * (settings or get_settings()).job_heartbeat_seconds


async def publish(state: JobState) -> None:
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


async def enqueue(job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
    # The row is QUEUED already: if the queue is down, recovery delivers it later.
    try:
        return await current_queue().enqueue(job_id, attempt, delay=delay)
    except Exception:
        log.warning("could not enqueue job %s (recovery will)", job_id, exc_info=True)
        return False


def clip(text: str | None) -> str | None:
    return text if text is None or len(text) <= MESSAGE_MAX_LENGTH else text[:MESSAGE_MAX_LENGTH]


async def end_job(
    query: QuerySet[Job], *, job_id: uuid.UUID, kind: str, **values: Any
) -> Job | None:
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


@dataclass(frozen=True, slots=True)
class JobOwner:
    """Whom a job an actor starts belongs to: `prepare_job(owner=user, company=company)`."""

    user: User
    company: Company | None


async def job_owner(actor: Actor) -> JobOwner:
    """The owner of a job `actor` starts: a user (own token or key) owns it alone; a company's
    key starts it for the company, owned by the ADMIN who created the key (`api_key.owner`).
    Raises JobsError(NO_OWNER) for a company key whose creator's account is gone (a job needs a
    user; a new key, created by a current ADMIN, can start jobs again)."""
    if actor.user is not None:
        return JobOwner(user=actor.user, company=None)
    key, company = actor.api_key, actor.company
    owner_id = key.owner_id if key is not None else None
    user = await User.get_or_none(id=owner_id) if owner_id is not None else None
    if company is None or user is None:
        raise JobsError(
            JobsErrorCode.NO_OWNER,
            "This company API key's creator no longer has an account, so it cannot start jobs; "
            "a company ADMIN can create a new key.",
        )
    return JobOwner(user=user, company=company)


async def create_job(
    *,
    owner: User,
    kind: str,
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
    company: Company | None = None,
) -> Job:
    """Store a QUEUED job, publish it and enqueue it by id; returns the row.

    Call it once the caller's transaction has committed: a runner that cannot see the row yet
    skips the delivery and the job waits for recovery. A caller that creates a document with its
    job uses `prepare_job` inside its transaction and `submit_job` after it instead. Raises
    JobsError (UNKNOWN_KIND, INVALID_INPUT).
    """
    job = await prepare_job(
        owner=owner, kind=kind, payload=payload, max_attempts=max_attempts, company=company
    )
    await submit_job(job)
    return job


async def prepare_job(
    *,
    owner: User,
    kind: str,
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
    company: Company | None = None,
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
    return await Job.create(
        owner=owner, company=company, kind=kind, payload=payload, max_attempts=attempts
    )


async def submit_job(job: Job) -> None:
    """Publish a prepared job and enqueue it; never raises (recovery delivers what fails here)."""
    await publish(JobState.from_model(job))
    await enqueue(job.id, 0)


# Who looks at a job: an Actor (it sees what `server.access.visible(actor, Job)` lets it see: its
# user's jobs and those of their companies, a company key its company's), a User (shorthand for
# that user's own view, without admin powers), or None (the system: any job).
# Callers say which, explicitly: leaving both `actor` and `owner` out is a TypeError, not "any".
Viewer = Actor | User | None
_UNSET: Any = object()


def _as_actor(actor: Viewer, owner: Viewer) -> Actor | None:
    viewer = actor if actor is not _UNSET else owner
    if viewer is _UNSET:
        raise TypeError("say who looks at the job: actor=... (None: the system)")
    return Actor(user=viewer) if isinstance(viewer, User) else viewer


async def get_job(*, job_id: uuid.UUID, actor: Viewer = _UNSET, owner: Viewer = _UNSET) -> Job:
    """The job, if `actor` (or `owner`, the same thing under its older name) may see it; None
    for any job (system callers). Raises JobsError(NOT_FOUND) when absent or not visible,
    alike, so ids of other people's jobs reveal nothing."""
    viewer = _as_actor(actor, owner)
    job = await Job.get_or_none(id=job_id)
    if job is None or not await _sees(viewer, job):
        raise JobsError(JobsErrorCode.NOT_FOUND, "No such job.", field="id")
    return job


async def _sees(viewer: Actor | None, job: Job) -> bool:
    """Whether `viewer` may see `job`, as `visible(viewer, Job)` decides. One's own job (the
    common case) is settled without a query, as before company jobs, since building visible()'s
    membership subquery costs ~1 ms of Python per lookup; any other job asks visible()."""
    if viewer is None or viewer.is_admin:
        return True
    if job.company_id is None:  # type: ignore[attr-defined]
        # A user's job: its owner's (and admins') only.
        return viewer.user is not None and job.owner_id == viewer.user.id  # type: ignore[attr-defined]
    # A company's job is seen through the company: whoever started it sees it only while a
    # member (or through the company's key).
    return await visible(viewer, Job).filter(id=job.id).exists()


def jobs_of(*, owner: User | Company, status: JobStatus | None = None) -> QuerySet[Job]:
    """The jobs a user started, or a company's jobs (what its key calls its own), for paging;
    optionally with one status."""
    if isinstance(owner, Company):
        query = Job.filter(company_id=owner.id)
    else:
        # Company jobs the user started, only while still a member of that company.
        member_of = Subquery(Membership.filter(user_id=owner.id).values("company_id"))
        query = Job.filter(
            Q(company_id__isnull=True) | Q(company_id__in=member_of), owner_id=owner.id
        )
    return query if status is None else query.filter(status=status)


async def may_cancel(viewer: Actor | None, job: Job) -> bool:
    """Whether a viewer who sees `job` may cancel it: the system and admins any job, a user's job
    its owner; a company's job whoever started it or an ADMIN of that company (not its members
    nor its keys: a key is never a company ADMIN)."""
    if viewer is None or viewer.is_admin:
        return True
    user = viewer.user
    if user is None:
        return False
    if job.owner_id == user.id:  # type: ignore[attr-defined]
        return True
    company_id = job.company_id  # type: ignore[attr-defined]
    return company_id is not None and await viewer.role_in(company_id) == CompanyRole.ADMIN


async def cancel_job(*, job_id: uuid.UUID, actor: Viewer = _UNSET, owner: Viewer = _UNSET) -> Job:
    """Cancel a queued or running job (see `may_cancel` for who may). A queued job never
    starts; a running handler stops at its next progress report (at the latest at its next
    heartbeat). Raises JobsError (NOT_FOUND, FORBIDDEN, ALREADY_FINISHED)."""
    viewer = _as_actor(actor, owner)
    job = await get_job(job_id=job_id, actor=viewer)
    if not await may_cancel(viewer, job):
        raise JobsError(
            JobsErrorCode.FORBIDDEN,
            "Only whoever started a company's job, or an ADMIN of the company, may cancel it.",
            field="id",
        )
    if job.is_terminal:
        raise JobsError(
            JobsErrorCode.ALREADY_FINISHED, f"The job has already ended ({job.status})."
        )
    now = utcnow()
    ended = await end_job(
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
    await publish(JobState.from_model(job))
    with contextlib.suppress(Exception):  # the heartbeat notices within one interval anyway
        await current_broker().publish(control_channel(job.id), {"action": "cancel"})
    return job


# --- following a job -------------------------------------------------------------------------


async def follow_job(
    *, job_id: uuid.UUID, actor: Viewer = _UNSET, owner: Viewer = _UNSET
) -> AsyncIterator[JobState]:
    """The job's current state, then each change, ending after a terminal state.

    Subscribes before reading the row, so no change between the read and the first event is
    lost. The first state is the newer of the row and the last published state the broker kept
    (progress is published on every report but saved at most every PERSIST_INTERVAL). Events
    older than what was already sent (or repeated) are dropped by `JobState.key`, so progress
    never goes backwards within an attempt. Raises JobsError(NOT_FOUND) before yielding anything
    when the job is not visible to `actor` (`owner`: its older name; None: the system).
    """
    broker = current_broker()
    channel = job_channel(job_id)
    async with broker.subscribe(channel) as subscription:
        viewer = _as_actor(actor, owner)
        last = JobState.from_model(await get_job(job_id=job_id, actor=viewer))
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
