"""The columns every table has: a UUID primary key and zone-aware created/updated timestamps,
and the faster datetime field every model uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model


class DatetimeField(fields.DatetimeField):
    """Tortoise's DatetimeField, parsing SQLite's ISO text with the C `datetime.fromisoformat`
    (an order of magnitude faster than the iso8601 package on list pages). Values are UTC, as
    the ORM is configured (`use_tz`, `timezone="UTC"`); PostgreSQL returns datetimes and takes
    the parent's path. Same class name, same column: migrations see no change."""

    def to_python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if type(value) is str:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return super().to_python_value(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        return super().to_python_value(value)


class BaseModel(Model):
    id = fields.UUIDField(primary_key=True)
    created_at = DatetimeField(auto_now_add=True)
    updated_at = DatetimeField(auto_now=True)

    class Meta:
        abstract = True
