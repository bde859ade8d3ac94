"""GraphQL types of jobs: the Job node, its status enum and failure, and the jobs error."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.core.permissions import current_user
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from server.jobs import models
from server.jobs.errors import JobsErrorCode
from server.jobs.state import JobState

JobStatus = strawberry.enum(models.JobStatus, name="JobStatus")
JobsErrorCodeEnum = strawberry.enum(JobsErrorCode, name="JobsErrorCode")


@strawberry.type(name="JobsError")
class JobsError:
    field: str | None
    code: JobsErrorCodeEnum  # type: ignore[valid-type]
    message: str


@strawberry.type(
    description="Why a job failed; while a retry is pending, why the last attempt did."
)
class JobFailure:
    code: str
    message: str


@register_node
@strawberry.type(name="Job", description="A background job (OCR, extraction...) and its progress.")
class JobType(Node):
    kind: str
    status: JobStatus  # type: ignore[valid-type]
    progress: float = strawberry.field(description="0 to 1; 1 once SUCCEEDED.")
    stage: str | None = strawberry.field(description="What the job is doing, e.g. 'page 2/3'.")
    message: str | None
    attempts: int = strawberry.field(description="Attempts started so far.")
    max_attempts: int
    result: JSON | None = strawberry.field(description="What the job produced, once SUCCEEDED.")
    error: JobFailure | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = strawberry.field(description="When the latest attempt started.")
    finished_at: datetime | None

    @classmethod
    def from_state(cls, state: JobState) -> JobType:
        error = None
        if state.error_code:
            error = JobFailure(code=state.error_code, message=state.error_message or "")
        return cls(
            id=global_id("Job", state.id),
            kind=state.kind,
            status=state.status,
            progress=state.progress,
            stage=state.stage,
            message=state.message,
            attempts=state.attempts,
            max_attempts=state.max_attempts,
            result=state.result,
            error=error,
            created_at=state.created_at,
            updated_at=state.updated_at,
            started_at=state.started_at,
            finished_at=state.finished_at,
        )

    @classmethod
    def from_model(cls, job: models.Job) -> JobType:
        return cls.from_state(JobState.from_model(job))

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[JobType | None]:
        ids = list(node_ids)
        viewer = await current_user(info)
        if viewer is None:
            return [None] * len(ids)
        query = models.Job.filter(id__in=ids)
        owner = await owner_scope(info, viewer)
        if owner is not None:
            query = query.filter(owner_id=owner.id)
        return nodes_in_order(ids, await query, cls.from_model)


async def owner_scope(info: Info, viewer: Any) -> Any:
    """The owner whose jobs the caller may see: themself, or None (anyone's) for an admin.
    An API key never acts as an admin, whatever its owner's role."""
    if viewer.is_admin and await info.context.api_key() is None:
        return None
    return viewer
