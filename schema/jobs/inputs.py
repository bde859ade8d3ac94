"""Inputs of the jobs mutations."""

from __future__ import annotations

import strawberry


@strawberry.input
class CancelJobInput:
    id: strawberry.ID
