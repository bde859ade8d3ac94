"""Jobs queries: one job by id, and the caller's jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.errors import UnauthenticatedError
from schema.core.permissions import HasScope
from schema.core.relay import After, Connection, First, paginate, parse_global_id
from schema.jobs.types import JobStatus, JobType, viewer
from server.jobs import services
from server.jobs.errors import JobsError


@strawberry.type
class JobsQuery:
    @strawberry.field(
        permission_classes=[HasScope("jobs")],
        description="A job you may see: one you started, or one of your companies' (a company's "
        "API key: its company's only); admins, anyone's. Null if absent or not visible. API "
        "keys need the `jobs` scope.",
    )
    async def job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The Job's global id.")],
    ) -> JobType | None:
        job_id = parse_global_id(id, "Job")
        try:
            job = await services.get_job(job_id=job_id, actor=await viewer(info))
        except JobsError:
            return None
        return JobType.from_model(job)

    @strawberry.field(
        permission_classes=[HasScope("jobs")],
        description="The jobs you started (an admin's too: only their own), including those you "
        "started for a company, newest first; your companies' other jobs are reached by id "
        "(job, node, jobUpdated). A company's API key: its company's jobs. API keys need the "
        "`jobs` scope.",
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
        owner = (await viewer(info)).owner
        if owner is None:  # the field's rule refuses anonymous callers; never everyone's jobs
            raise UnauthenticatedError()
        query = services.jobs_of(owner=owner, status=status)
        return await paginate(query, first=first, after=after, to_node=JobType.from_model)
