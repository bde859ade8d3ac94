"""`subscription jobUpdated` over a real websocket (uvicorn on loopback, graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import websockets
from websockets.typing import Subprotocol

from schema.core.relay import global_id
from server.jobs import services
from server.jobs.models import Job, JobStatus
from tests.factories import make_admin, make_user
from tests.jobs.conftest import wait_for

JOB_UPDATED = """
subscription Follow($id: ID!) {
  jobUpdated(id: $id) { id status progress stage message attempts result error { code message } }
}"""


class WsClient:
    """A graphql-transport-ws client: connection_init with a bearer token, then operations."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, token: str | None) -> WsClient:
        ws = await websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        client = cls(ws)
        assert (await client.recv())["type"] == "connection_ack"
        return client

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        message = {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables},
        }
        await self.ws.send(json.dumps(message))

    async def recv(self) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            if message["type"] not in ("ping", "pong"):
                return message

    async def close(self) -> None:
        await self.ws.close()


async def test_the_owner_follows_a_job_from_queued_to_succeeded(live_url, gate, register_kind):
    # given: a job held QUEUED, whose handler reports twice
    proceed = asyncio.Event()

    async def handler(job: Job, report: Any) -> dict[str, Any]:
        await proceed.wait()
        await report(0.25, "page 1/2")
        await report(0.75, "page 2/2", "almost")
        return {"pages": 2}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    client = await WsClient.connect(live_url, account.token)
    try:
        # when
        await client.subscribe("1", JOB_UPDATED, {"id": global_id("Job", job.id)})
        first = await client.recv()
        await gate.release()
        await wait_for(job.id, JobStatus.RUNNING)
        proceed.set()
        messages = [first]
        while messages[-1]["type"] == "next":
            messages.append(await client.recv())
    finally:
        await client.close()
    # then: the current state first, then every change in order, then `complete`
    assert messages[-1] == {"id": "1", "type": "complete"}
    updates = [m["payload"]["data"]["jobUpdated"] for m in messages[:-1]]
    assert all("errors" not in m["payload"] for m in messages[:-1])
    assert [(u["status"], u["progress"], u["stage"]) for u in updates] == [
        ("QUEUED", 0.0, None),
        ("RUNNING", 0.0, None),
        ("RUNNING", 0.25, "page 1/2"),
        ("RUNNING", 0.75, "page 2/2"),
        ("SUCCEEDED", 1.0, "page 2/2"),
    ]
    assert {u["id"] for u in updates} == {global_id("Job", job.id)}
    assert updates[3]["message"] == "almost"
    assert (updates[-1]["result"], updates[-1]["attempts"], updates[-1]["error"]) == (
        {"pages": 2},
        1,
        None,
    )


async def test_a_finished_job_sends_its_state_once_and_completes(live_url, register_kind):
    async def handler(job: Job, report: Any) -> dict[str, int]:
        return {"ok": 1}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    await wait_for(job.id, JobStatus.SUCCEEDED)
    client = await WsClient.connect(live_url, account.token)
    try:
        await client.subscribe("7", JOB_UPDATED, {"id": global_id("Job", job.id)})
        update, end = await client.recv(), await client.recv()
    finally:
        await client.close()
    assert update["payload"]["data"]["jobUpdated"]["status"] == "SUCCEEDED"
    assert end == {"id": "7", "type": "complete"}


async def test_others_cannot_follow_a_job_and_unknown_ids_look_the_same(
    live_url, gate, register_kind
):
    async def handler(job: Job, report: Any) -> None:
        return None

    kind = register_kind(handler)
    owner, stranger, admin = await make_user(), await make_user(), await make_admin()
    job = await services.create_job(owner=owner.user, kind=kind)
    cases = [
        (stranger.token, global_id("Job", job.id)),
        (stranger.token, global_id("Job", uuid.uuid4())),
    ]
    refusals = []
    for token, gid in cases:
        client = await WsClient.connect(live_url, token)
        try:
            await client.subscribe("x", JOB_UPDATED, {"id": gid})
            refusals.append(await client.recv())
        finally:
            await client.close()
    anonymous = await WsClient.connect(live_url, None)
    try:
        await anonymous.subscribe("a", JOB_UPDATED, {"id": global_id("Job", job.id)})
        unauthenticated = await anonymous.recv()
    finally:
        await anonymous.close()
    admin_client = await WsClient.connect(live_url, admin.token)
    try:
        await admin_client.subscribe("z", JOB_UPDATED, {"id": global_id("Job", job.id)})
        as_admin = await admin_client.recv()
    finally:
        await admin_client.close()
    # then: an `error` message, no data, the same for someone else's job and a missing one
    for refusal in refusals:
        assert refusal["type"] == "error", refusal
        assert [(e["message"], e["extensions"]["code"]) for e in refusal["payload"]] == [
            ("No such job.", "NOT_FOUND")
        ]
    assert refusals[0]["payload"] == refusals[1]["payload"]
    assert unauthenticated["type"] == "error"
    assert unauthenticated["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert as_admin["type"] == "next"
    assert as_admin["payload"]["data"]["jobUpdated"]["status"] == "QUEUED"
