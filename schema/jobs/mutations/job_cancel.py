from __future__ import annotations

import strawberry
from strawberry import Info

from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.jobs.inputs import CancelJobInput
from schema.jobs.types import JobsError, JobType, owner_scope
from server.jobs import services
from server.jobs.errors import JobsError as JobsFailure


@strawberry.type
class CancelJobPayload:
    job: JobType | None = None
    errors: list[JobsError] = strawberry.field(default_factory=list)


async def cancel_job(info: Info, input: CancelJobInput) -> CancelJobPayload:
    """Cancel a queued or running job of yours: a queued one never starts, a running one stops
    at its next progress report."""
    try:
        job = await services.cancel_job(
            job_id=parse_global_id(input.id, "Job"), owner=await owner_scope(info)
        )
    except JobsFailure as exc:
        return CancelJobPayload(errors=[payload_error(JobsError, exc)])
    return CancelJobPayload(job=JobType.from_model(job))
