from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.jobs.inputs import CancelJobInput
from schema.jobs.types import JobsError, JobType, viewer
from server.jobs import services
from server.jobs.errors import JobsError as JobsFailure


@strawberry.type(description="cancelJob: the cancelled job, or why nothing was done.")
class CancelJobPayload:
    job: JobType | None = strawberry.field(
        default=None, description="The job, now CANCELLED (null on an error)."
    )
    errors: list[JobsError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, FORBIDDEN, ALREADY_FINISHED.",
    )


async def cancel_job(
    info: Info,
    input: Annotated[CancelJobInput, strawberry.argument(description="The job to cancel.")],
) -> CancelJobPayload:
    """Cancel a queued or running job (its starter, a company ADMIN for a company's job, or an
    admin): a queued one never starts, a running one stops at its next progress report."""
    try:
        job = await services.cancel_job(
            job_id=parse_global_id(input.id, "Job"), actor=await viewer(info)
        )
    except JobsFailure as exc:
        return CancelJobPayload(errors=[payload_error(JobsError, exc)])
    return CancelJobPayload(job=JobType.from_model(job))
