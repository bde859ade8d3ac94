"""The `jobs` table: one row per background job, the source of truth for its state.

Queues (arq or the in-process runner) only carry a job's id and attempt number; whatever they
deliver, the row decides what runs. `revision` orders the change events of a job (see
`server.jobs.state.JobState.key`), so subscribers can drop stale or duplicate ones.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from server.accounts.models import User
from server.models_base import BaseModel, DatetimeField


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class Job(BaseModel):
    kind = fields.CharField(max_length=64, db_index=True)
    status = fields.CharEnumField(JobStatus, default=JobStatus.QUEUED, max_length=16, db_index=True)
    progress = fields.FloatField(default=0.0)
    stage = fields.CharField(max_length=64, null=True)
    message = fields.TextField(null=True)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=3)
    revision = fields.IntField(default=0)
    payload = fields.JSONField(default=dict)
    result = fields.JSONField(null=True)
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    # The user who started the job (for a company's key: the ADMIN who created the key); with
    # `company` set, the job works for that company and all its members see it.
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="jobs", on_delete=fields.CASCADE
    )
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="jobs", null=True, on_delete=fields.CASCADE
    )
    started_at = DatetimeField(null=True)
    finished_at = DatetimeField(null=True)
    heartbeat_at = DatetimeField(null=True)

    class Meta:
        table = "jobs"
        # myJobs pages: one owner's jobs, newest first, optionally by status.
        indexes = (("owner_id", "created_at"), ("status", "heartbeat_at"))

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES
