"""Jobs over GraphQL: job(id:), node(id:), myJobs (own jobs only, no N+1), cancelJob, /health."""

from __future__ import annotations

import asyncio
from typing import Any

from schema.core.relay import global_id
from server.jobs import services
from server.jobs.models import Job, JobStatus
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.jobs.conftest import wait_for
from tests.sql import count_sql

JOB = """
query Job($id: ID!) {
  job(id: $id) {
    id kind status progress stage message attempts maxAttempts result
    error { code message } createdAt updatedAt startedAt finishedAt
  }
}"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Job { status } } }"
MY_JOBS = """
query MyJobs($status: JobStatus, $first: Int, $after: String) {
  myJobs(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind status progress stage message attempts result error { code } createdAt } }
  }
}"""
CANCEL = """
mutation Cancel($id: ID!) {
  cancelJob(input: {id: $id}) { job { id status finishedAt } errors { field code message } }
}"""


async def _handler(job: Job, report: Any) -> dict[str, Any]:
    if job.payload.get("fail"):
        from server.jobs.errors import JobFailed

        raise JobFailed("BAD_SCAN", "The scan is unreadable.")
    await report(0.5, "working")
    return {"pages": 2}


async def test_job_is_visible_to_its_owner_and_admins_only(gql, register_kind):
    # given: a finished job, and a failed one
    kind = register_kind(_handler)
    owner, stranger, admin = await make_user(), await make_user(), await make_admin()
    done = await services.create_job(owner=owner.user, kind=kind)
    failed = await services.create_job(owner=owner.user, kind=kind, payload={"fail": True})
    await wait_for(done.id, JobStatus.SUCCEEDED)
    await wait_for(failed.id, JobStatus.FAILED)
    gid = global_id("Job", done.id)
    # when
    mine = data_of(await gql(JOB, {"id": gid}, token=owner.token))["job"]
    mine_failed = data_of(await gql(JOB, {"id": global_id("Job", failed.id)}, token=owner.token))[
        "job"
    ]
    theirs = data_of(await gql(JOB, {"id": gid}, token=stranger.token))["job"]
    as_admin = data_of(await gql(JOB, {"id": gid}, token=admin.token))["job"]
    anonymous = await gql(JOB, {"id": gid})
    node_theirs = data_of(await gql(NODE, {"id": gid}, token=stranger.token))["node"]
    node_mine = data_of(await gql(NODE, {"id": gid}, token=owner.token))["node"]
    # then
    assert mine["id"] == gid
    assert (mine["kind"], mine["status"], mine["progress"], mine["stage"]) == (
        kind,
        "SUCCEEDED",
        1.0,
        "working",
    )
    assert (mine["attempts"], mine["maxAttempts"], mine["result"], mine["error"]) == (
        1,
        3,
        {"pages": 2},
        None,
    )
    assert mine["createdAt"] <= mine["startedAt"] <= mine["finishedAt"]
    assert mine["createdAt"].endswith("+00:00")
    assert mine_failed["status"] == "FAILED"
    assert mine_failed["error"] == {"code": "BAD_SCAN", "message": "The scan is unreadable."}
    assert theirs is None and node_theirs is None
    # anonymous: refused by the field's rule, as myJobs and cancelJob
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert as_admin["id"] == gid
    assert node_mine == {"id": gid, "status": "SUCCEEDED"}


async def test_job_with_a_malformed_id_is_bad_user_input(gql):
    account = await make_user()
    result = await gql(JOB, {"id": global_id("User", account.user.id)}, token=account.token)
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_my_jobs_lists_only_mine_newest_first_with_paging_and_status(
    gql, gate, register_kind
):
    # given: 5 queued jobs of mine, 2 of someone else
    kind = register_kind(_handler)
    me, other = await make_user(), await make_user()
    mine = [await services.create_job(owner=me.user, kind=kind, payload={"n": n}) for n in range(5)]
    for _ in range(2):
        await services.create_job(owner=other.user, kind=kind)
    await services.cancel_job(job_id=mine[0].id, owner=me.user)
    # when
    first = data_of(await gql(MY_JOBS, {"first": 3}, token=me.token))["myJobs"]
    rest = data_of(
        await gql(MY_JOBS, {"first": 3, "after": first["pageInfo"]["endCursor"]}, token=me.token)
    )["myJobs"]
    cancelled = data_of(await gql(MY_JOBS, {"status": "CANCELLED"}, token=me.token))["myJobs"]
    anonymous = await gql(MY_JOBS, {"first": 3})
    # then
    ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert ids == [global_id("Job", j.id) for j in reversed(mine)]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (5, True)
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["status"] for e in cancelled["edges"]] == ["CANCELLED"]
    assert cancelled["totalCount"] == 1
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_my_jobs_costs_the_same_sql_for_3_or_30_jobs(gql, gate, register_kind):
    kind = register_kind(_handler)
    me = await make_user()
    for n in range(30):
        await services.create_job(owner=me.user, kind=kind, payload={"n": n})
    counts = []
    for first in (3, 30):
        with count_sql() as statements:
            page = data_of(await gql(MY_JOBS, {"first": first}, token=me.token))["myJobs"]
        assert len(page["edges"]) == first
        counts.append(len(statements))
    # the caller, the page, the count
    assert counts == [3, 3]


async def test_cancel_job_mutation(gql, gate, register_kind):
    kind = register_kind(_handler)
    owner, stranger = await make_user(), await make_user()
    job = await services.create_job(owner=owner.user, kind=kind)
    gid = global_id("Job", job.id)
    # someone else's job: NOT_FOUND, and it stays queued
    theirs = data_of(await gql(CANCEL, {"id": gid}, token=stranger.token))["cancelJob"]
    assert theirs["job"] is None
    assert [(e["code"], e["field"]) for e in theirs["errors"]] == [("NOT_FOUND", "id")]
    assert (await Job.get(id=job.id)).status == JobStatus.QUEUED
    # the owner: CANCELLED
    mine = data_of(await gql(CANCEL, {"id": gid}, token=owner.token))["cancelJob"]
    assert mine["errors"] == []
    assert mine["job"]["id"] == gid
    assert mine["job"]["status"] == "CANCELLED"
    assert mine["job"]["finishedAt"] is not None
    # again: ALREADY_FINISHED
    again = data_of(await gql(CANCEL, {"id": gid}, token=owner.token))["cancelJob"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_FINISHED"]
    # anonymous: a GraphQL error
    anonymous = await gql(CANCEL, {"id": gid})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await gate.release()
    await asyncio.sleep(0.05)
    assert (await Job.get(id=job.id)).attempts == 0


async def test_health_reports_the_queue_and_the_events_broker(client):
    body = (await client.get("/health")).json()
    assert body["checks"]["queue"].startswith("ok (in-process")
    assert body["checks"]["events"].startswith("ok (memory")
