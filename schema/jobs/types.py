"""GraphQL types of jobs: the Job node, its status enum and failure, and the jobs error."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.core.permissions import HasScope
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from server.access import owner_filter, visible
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


# Job results are plain JSON written by services, which know nothing of GraphQL: the keys that
# hold a row's id are named here with the node type they refer to, and become global ids on the
# way out, so every id a client reads resolves through `node(id:)`. A new result key holding an
# id goes here (tests/core/test_global_ids.py fails on any raw UUID in a response).
RESULT_ID_TYPES: dict[str, str] = {
    "fileId": "File",
    "receiptId": "Receipt",
    "possibleDuplicateOf": "Receipt",
}


def public_result(value: Any) -> Any:
    """A job result with the ids of `RESULT_ID_TYPES` as global ids, at any depth."""
    if isinstance(value, dict):
        return {
            key: global_id(RESULT_ID_TYPES[key], item)
            if key in RESULT_ID_TYPES and isinstance(item, str)
            else public_result(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [public_result(item) for item in value]
    return value


@register_node
@strawberry.type(name="Job", description="A background job (OCR, extraction...) and its progress.")
class JobType(Node):
    read_permissions = (HasScope("jobs"),)

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
            result=public_result(state.result),
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
        query = visible(await info.context.actor(), models.Job).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


async def owner_scope(info: Info) -> Any:
    """The owner whose jobs the caller sees (`server.access.owner_filter`): themself, or None
    (anyone's) for an admin; for resolvers whose field rule has refused anonymous callers."""
    return owner_filter(await info.context.actor())
