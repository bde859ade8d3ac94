"""Jobs subscriptions: follow one job until it ends (graphql-transport-ws on /graphql)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import Info

from schema.core.permissions import HasScope
from schema.core.relay import parse_global_id
from schema.jobs.types import JobType, viewer
from server.access import Actor
from server.jobs import services
from server.jobs.errors import JobsError


class JobNotFoundError(GraphQLError):
    def __init__(self) -> None:
        super().__init__("No such job.", extensions={"code": "NOT_FOUND"})


async def _updates(job_id: uuid.UUID, actor: Actor) -> AsyncGenerator[JobType, None]:
    async for state in services.follow_job(job_id=job_id, actor=actor):
        yield JobType.from_state(state)


@strawberry.type
class JobsSubscription:
    @strawberry.subscription(
        permission_classes=[HasScope("jobs")],
        description="A job's current state, then every change, until it ends (the stream then "
        "completes). Whoever may read it follows it: whoever started it, a company's job also "
        "the company's members and API keys, admins any job; otherwise NOT_FOUND. API keys "
        "need the `jobs` scope.",
    )
    async def job_updated(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The Job's global id (from the mutation that started it)."
            ),
        ],
    ) -> AsyncGenerator[JobType, None]:
        job_id = parse_global_id(id, "Job")
        actor = await viewer(info)
        try:
            # Checked here, before the stream starts, so a refusal is an `error` message with
            # no data; the stream checks again when it reads the state after subscribing.
            await services.get_job(job_id=job_id, actor=actor)
        except JobsError as exc:
            raise JobNotFoundError() from exc
        return _updates(job_id, actor)
