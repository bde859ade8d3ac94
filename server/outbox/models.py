"""The `outbox` table: one row per effect on the outside world (an email, a webhook...), written
in the same transaction as the change that causes it (see `server.outbox`).

`available_at` is when the row may next be claimed: now for a new row, the end of the lease for a
row being delivered (a dispatcher that dies mid-delivery loses it when the lease runs out), the
end of the backoff after a failed attempt. `attempts` counts claims and fences the writes of a
delivery: a dispatcher records its outcome only while the row still has its attempt number.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from server.models_base import BaseModel, DatetimeField


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # out of attempts: left for a person to look at


class OutboxMessage(BaseModel):
    effect_kind = fields.CharField(max_length=64)
    payload = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=255, unique=True)
    status = fields.CharEnumField(OutboxStatus, default=OutboxStatus.PENDING, max_length=16)
    attempts = fields.IntField(default=0)
    available_at = DatetimeField()
    last_attempt_at = DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    delivered_at = DatetimeField(null=True)

    class Meta:
        table = "outbox"
        # The dispatcher's sweep: pending rows that are due, oldest first.
        indexes = (("status", "available_at"),)
