"""Fixtures of the receipts tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from server.jobs.models import ACTIVE_STATUSES, Job
from server.jobs.runtime import using
from server.jobs.services import cancel_job
from server.queue import current_queue

# live_url: the live uvicorn server of the jobs tests, for websocket subscriptions.
from tests.jobs.conftest import GatedQueue, live_url  # noqa: F401


@pytest_asyncio.fixture
async def held_jobs(app: Any) -> AsyncIterator[GatedQueue]:
    """Extraction jobs are created but never run (no OCR); cancelled after the test."""
    gated = GatedQueue(current_queue())
    with using(queue=gated):
        yield gated
    for job_id, _attempt, _delay in gated.held:
        if await Job.exists(id=job_id, status__in=list(ACTIVE_STATUSES)):
            await cancel_job(job_id=job_id, owner=None)
