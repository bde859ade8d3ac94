"""Jobs queries: one job by id, and the caller's jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.permissions import HasScope, require_user
from schema.core.relay import After, Connection, First, paginate, parse_global_id
from schema.jobs.types import JobStatus, JobType, owner_scope
from server.jobs import services
from server.jobs.errors import JobsError


@strawberry.type
class JobsQuery:
    @strawberry.field(
        permission_classes=[HasScope("jobs")],
        description="A job of yours (admins: anyone's); null if absent or not yours. API keys "
        "need the `jobs` scope.",
    )
    async def job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The Job's global id.")],
    ) -> JobType | None:
        job_id = parse_global_id(id, "Job")
        try:
            job = await services.get_job(job_id=job_id, owner=await owner_scope(info))
        except JobsError:
            return None
        return JobType.from_model(job)

    @strawberry.field(
        permission_classes=[HasScope("jobs")],
        description="Your own jobs (an admin's too: only their own), newest first. API keys "
        "need the `jobs` scope.",
    )
    async def my_jobs(
        self,
        info: Info,
        status: Annotated[
            JobStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only jobs in this status; all when left out."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[JobType]:
        viewer = await require_user(info)
        query = services.jobs_of(owner=viewer, status=status)
        return await paginate(query, first=first, after=after, to_node=JobType.from_model)
