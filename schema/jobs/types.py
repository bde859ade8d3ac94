"""GraphQL types of jobs: the Job node, its status enum and failure, and the jobs error."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.core.names import public_name
from schema.core.permissions import HasScope
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from schema.core.scalars import described_enum
from server.access import Actor, visible
from server.jobs import models
from server.jobs.errors import JobsErrorCode
from server.jobs.state import JobState

JobStatus = described_enum(
    models.JobStatus,
    name="JobStatus",
    description="Where a job is: QUEUED and RUNNING are active; the others are final.",
    values={
        "QUEUED": "Waiting for a worker (also between attempts, when one failed and a retry is "
        "pending).",
        "RUNNING": "A worker is on it; `progress` and `stage` say how far.",
        "SUCCEEDED": "Done: `result` holds what it produced.",
        "FAILED": "Gave up, after its last attempt or at once for an unreadable input: see "
        "`error`.",
        "CANCELLED": "Stopped by `cancelJob`.",
    },
)
JobsErrorCodeEnum = described_enum(
    JobsErrorCode,
    name="JobsErrorCode",
    description="Why a jobs mutation did nothing.",
    values={
        "NOT_FOUND": "No such job, or not one you may see (the two look alike).",
        "FORBIDDEN": "You see the job but may not do this: a company's job is cancelled by "
        "whoever started it or an ADMIN of the company (not by its members or API keys).",
        "NO_OWNER": "A company API key whose creator's account is gone cannot start jobs (a "
        "job is owned by the ADMIN who created the key); a company ADMIN can create a new key.",
        "ALREADY_FINISHED": "The job has already ended (SUCCEEDED, FAILED or CANCELLED).",
        "UNKNOWN_KIND": "No handler for this job kind (when a job is submitted; no mutation "
        "returns it today).",
        "INVALID_INPUT": "A job's options are invalid (when a job is submitted; no mutation "
        "returns it today).",
    },
)


@strawberry.type(
    name="JobsError", description="An expected failure of a jobs mutation (nothing changed)."
)
class JobsError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null when it is no one field."
    )
    code: JobsErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for programs."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")


@strawberry.type(
    description="Why a job failed; while a retry is pending, why the last attempt did."
)
class JobFailure:
    code: str = strawberry.field(
        description="The runner's (HANDLER_ERROR, TIMEOUT, WORKER_LOST, UNKNOWN_KIND, "
        "INVALID_RESULT) or the job's own (EMPTY_DOCUMENT, UNREADABLE_IMAGE...)."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")


# Job results are plain JSON written by services, which know nothing of GraphQL (snake_case keys,
# camelCase on the way out): the keys that hold a row's id are named here with the node type they
# refer to (by their public name), and become global ids on the way out, so every id a client
# reads resolves through `node(id:)`. A new result key holding an id goes here
# (tests/core/test_global_ids.py fails on any raw UUID in a response).
RESULT_ID_TYPES: dict[str, str] = {
    "fileId": "File",
    "receiptId": "Receipt",
    "receiptIds": "Receipt",
    "possibleDuplicateOf": "Receipt",
    "salesImportId": "SalesImport",
    "forecastRunId": "ForecastRun",
}


def public_result(value: Any) -> Any:
    """A job result with camelCase keys (`public_name`) and the ids of `RESULT_ID_TYPES` as
    global ids, at any depth."""
    if isinstance(value, dict):
        named = {public_name(str(key)) or "": item for key, item in value.items()}
        return {
            key: global_id(RESULT_ID_TYPES[key], item)
            if key in RESULT_ID_TYPES and isinstance(item, str)
            else [global_id(RESULT_ID_TYPES[key], i) for i in item]
            if key in RESULT_ID_TYPES and isinstance(item, list)
            else public_result(item)
            for key, item in named.items()
        }
    if isinstance(value, list):
        return [public_result(item) for item in value]
    return value


@register_node
@strawberry.type(
    name="Job",
    description="A background job (OCR, extraction...) and its progress. Whoever started it "
    "reads it; a company's job, also the company's members and API keys; admins, any job. API "
    "keys need the `jobs` scope.",
)
class JobType(Node):
    read_permissions = (HasScope("jobs"),)

    kind: str = strawberry.field(
        description="What it does: receipts.extract (read a receipt), ocr.extract_text "
        "(extractText)..."
    )
    status: JobStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where it is; final once SUCCEEDED, FAILED or CANCELLED."
    )
    progress: float = strawberry.field(description="0 to 1; 1 once SUCCEEDED.")
    stage: str | None = strawberry.field(description="What the job is doing, e.g. 'page 2/3'.")
    message: str | None = strawberry.field(
        description="A short note for people on its latest state (e.g. 'Cancelled.'), if any."
    )
    attempts: int = strawberry.field(description="Attempts started so far.")
    max_attempts: int = strawberry.field(
        description="How many attempts it gets before it ends FAILED."
    )
    result: JSON | None = strawberry.field(description="What the job produced, once SUCCEEDED.")
    error: JobFailure | None = strawberry.field(
        description="Why it FAILED (or why the last attempt did); null otherwise."
    )
    created_at: datetime = strawberry.field(description="When it was submitted (ISO-8601).")
    updated_at: datetime = strawberry.field(description="When its state last changed (ISO-8601).")
    started_at: datetime | None = strawberry.field(description="When the latest attempt started.")
    finished_at: datetime | None = strawberry.field(
        description="When it ended (ISO-8601); null while active."
    )

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


async def viewer(info: Info) -> Actor:
    """The caller, who sees the jobs `server.access.visible(actor, Job)` lets it see: its own,
    its companies' (a company key: its company's only), anyone's for an admin."""
    return await info.context.actor()
