"""Inputs of the jobs mutations."""

from __future__ import annotations

import strawberry


@strawberry.input(description="The job to cancel.")
class CancelJobInput:
    id: strawberry.ID = strawberry.field(description="The Job's global id; a job you may cancel.")
