"""Jobs mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.core.permissions import HasScope
from schema.jobs.mutations.job_cancel import CancelJobPayload, cancel_job


@strawberry.type
class JobsMutation:
    cancel_job: CancelJobPayload = strawberry.mutation(
        resolver=cancel_job,
        permission_classes=[HasScope("jobs")],
        description="Cancel a queued or running job: one you started, a company's job when you "
        "are an ADMIN of the company (its members and API keys may not: FORBIDDEN), any job "
        "for admins. A queued one never starts, a running one stops at its next progress "
        "report. API keys need the `jobs` scope. Errors: NOT_FOUND, FORBIDDEN, "
        "ALREADY_FINISHED.",
    )
