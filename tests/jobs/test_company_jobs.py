"""A company's jobs: seen by its members and its API keys (job, node, jobUpdated), listed in
myJobs only for whoever started them (a company key: its company's), cancelled by their starter
or a company ADMIN; a company key never sees a user's jobs."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from websockets.typing import Subprotocol

from schema.core.relay import global_id
from server.access import actor_for
from server.accounts.models import ApiKey
from server.companies.models import CompanyRole, Membership
from server.jobs import services
from server.jobs.errors import JobsError, JobsErrorCode
from server.jobs.models import Job, JobStatus
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.jobs.test_graphql import CANCEL, JOB, MY_JOBS, NODE
from tests.jobs.test_subscription import JOB_UPDATED, WsClient


async def _noop(job: Job, report: Any) -> None:
    return None


async def _company_job(kind: str) -> dict[str, Any]:
    """Alice (ADMIN) and Mia (MEMBER) of company A, where Mia started a job; Bob, ADMIN of
    company B; Carl, in no company; a job of Alice's own."""
    alice, mia, bob, carl = [await make_user() for _ in range(4)]
    company_a, company_b = await make_company(alice), await make_company(bob)
    await join(company_a, mia)
    job = await services.create_job(owner=mia.user, company=company_a, kind=kind)
    own = await services.create_job(owner=alice.user, kind=kind)
    return {
        "alice": alice,
        "mia": mia,
        "bob": bob,
        "carl": carl,
        "company_a": company_a,
        "company_b": company_b,
        "job": job,
        "gid": global_id("Job", job.id),
        "own": own,
    }


async def test_members_and_the_companys_keys_read_a_company_job_others_do_not(
    gql, gate, register_kind
):
    # given
    w = await _company_job(register_kind(_noop))
    gid = w["gid"]
    key_a = await company_key(w["company_a"], w["alice"], {"jobs"})
    key_a_without = await company_key(w["company_a"], w["alice"], {"companies"})
    key_b = await company_key(w["company_b"], w["bob"], {"jobs"})
    bobs_user_key = await _user_key(w["bob"], {"jobs"})
    alices_key_without = await _user_key(w["alice"], {"files"})

    async def seen(**who: Any) -> tuple[Any, Any]:
        job = await gql(JOB, {"id": gid}, **who)
        node = await gql(NODE, {"id": gid}, **who)
        return job.get("data") and job["data"]["job"], node["data"]["node"]

    # then: the starter, the company's ADMIN, the company's key with `jobs`, a site admin
    for who in (
        {"token": w["mia"].token},
        {"token": w["alice"].token},
        {"api_key": key_a},
        {"token": (await make_admin()).token},
    ):
        job, node = await seen(**who)
        assert job["id"] == gid and job["status"] == "QUEUED", who
        assert node == {"id": gid, "status": "QUEUED"}, who
    # and not: someone in no company, another company's ADMIN and key, a user key of Bob
    for who in ({"token": w["carl"].token}, {"token": w["bob"].token}, {"api_key": key_b}):
        assert await seen(**who) == (None, None), who
    assert await seen(api_key=bobs_user_key) == (None, None)
    # a key without `jobs` (the company's or a member's): refused by the field's rule
    for secret in (key_a_without, alices_key_without):
        refused = await gql(JOB, {"id": gid}, api_key=secret)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert data_of(await gql(NODE, {"id": gid}, api_key=secret))["node"] is None


async def test_a_company_key_never_sees_a_users_job(gql, gate, register_kind):
    # given: Alice's own job (no company), and her company's key holding `jobs`
    w = await _company_job(register_kind(_noop))
    key_a = await company_key(w["company_a"], w["alice"], {"jobs"})
    own = global_id("Job", w["own"].id)
    # when / then
    assert data_of(await gql(JOB, {"id": own}, api_key=key_a))["job"] is None
    assert data_of(await gql(NODE, {"id": own}, api_key=key_a))["node"] is None
    assert data_of(await gql(JOB, {"id": own}, token=w["mia"].token))["job"] is None
    cancel = data_of(await gql(CANCEL, {"id": own}, api_key=key_a))["cancelJob"]
    assert [e["code"] for e in cancel["errors"]] == ["NOT_FOUND"]
    assert (await Job.get(id=w["own"].id)).status == JobStatus.QUEUED


async def test_my_jobs_is_the_jobs_you_started_a_company_keys_its_companys(
    gql, gate, register_kind
):
    # given
    w = await _company_job(register_kind(_noop))
    key_a = await company_key(w["company_a"], w["alice"], {"jobs"})

    async def listed(**who: Any) -> set[str]:
        page = data_of(await gql(MY_JOBS, {"first": 50}, **who))["myJobs"]
        return {edge["node"]["id"] for edge in page["edges"]}

    # then: Mia started the company's job; Alice (its ADMIN) did not, and lists her own only
    assert await listed(token=w["mia"].token) == {w["gid"]}
    assert await listed(token=w["alice"].token) == {global_id("Job", w["own"].id)}
    assert await listed(api_key=key_a) == {w["gid"]}


async def test_a_company_job_is_cancelled_by_its_starter_or_a_company_admin(
    gql, gate, register_kind
):
    # given: two company jobs started by Mia
    kind = register_kind(_noop)
    w = await _company_job(kind)
    second = await services.create_job(owner=w["mia"].user, company=w["company_a"], kind=kind)
    other_member = await make_user()
    await join(w["company_a"], other_member)
    key_a = await company_key(w["company_a"], w["alice"], {"jobs"})

    async def cancel(gid: str, **who: Any) -> dict[str, Any]:
        return data_of(await gql(CANCEL, {"id": gid}, **who))["cancelJob"]

    # when: another member and the company's key try: FORBIDDEN (they see it, may not cancel)
    for who in ({"token": other_member.token}, {"api_key": key_a}):
        refused = await cancel(w["gid"], **who)
        assert refused["job"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("FORBIDDEN", "id")]
    # another company's ADMIN: NOT_FOUND (does not see it)
    assert [e["code"] for e in (await cancel(w["gid"], token=w["bob"].token))["errors"]] == [
        "NOT_FOUND"
    ]
    assert (await Job.get(id=w["job"].id)).status == JobStatus.QUEUED
    # then: the starter cancels one, the company's ADMIN the other
    by_starter = await cancel(w["gid"], token=w["mia"].token)
    by_admin = await cancel(global_id("Job", second.id), token=w["alice"].token)
    assert (by_starter["errors"], by_starter["job"]["status"]) == ([], "CANCELLED")
    assert (by_admin["errors"], by_admin["job"]["status"]) == ([], "CANCELLED")


async def test_a_starter_who_left_no_longer_sees_the_job_a_new_company_admin_cancels_it(
    gql, gate, register_kind
):
    # given: a company job started by Mia, who then leaves (or is removed from) the company
    kind = register_kind(_noop)
    w = await _company_job(kind)
    await Membership.filter(company_id=w["company_a"].id, user_id=w["mia"].user.id).delete()
    promoted = await make_user()
    await join(w["company_a"], promoted, CompanyRole.ADMIN)
    # then: the job is the company's: Mia neither reads, lists nor cancels it any more
    assert (await gql(JOB, {"id": w["gid"]}, token=w["mia"].token))["data"]["job"] is None
    assert (await gql(NODE, {"id": w["gid"]}, token=w["mia"].token))["data"]["node"] is None
    mine = data_of(await gql(MY_JOBS, {}, token=w["mia"].token))["myJobs"]
    assert mine["totalCount"] == 0 and mine["edges"] == []
    refused = await gql(CANCEL, {"id": w["gid"]}, token=w["mia"].token)
    assert refused.get("data") is None or refused["data"]["cancelJob"]["job"] is None
    # and a new ADMIN of the company cancels it
    admin = data_of(await gql(CANCEL, {"id": w["gid"]}, token=promoted.token))["cancelJob"]
    assert admin["job"]["status"] == "CANCELLED"
    # while a job of Mia's own stays hers
    own = await services.create_job(owner=w["mia"].user, kind=kind)
    listed = data_of(await gql(MY_JOBS, {}, token=w["mia"].token))["myJobs"]
    assert [e["node"]["id"] for e in listed["edges"]] == [global_id("Job", own.id)]


async def test_a_member_and_the_companys_key_follow_a_company_job(live_url, gate, register_kind):
    # given: a company job, held QUEUED
    w = await _company_job(register_kind(_noop))
    key_a = await company_key(w["company_a"], w["alice"], {"jobs"})
    outsider_key = await company_key(w["company_b"], w["bob"], {"jobs"})

    async def first_message(*, token: str | None = None, api_key: str | None = None) -> Any:
        if api_key is None:
            client = await WsClient.connect(live_url, token)
        else:
            client = await _connect_with_key(live_url, api_key)
        try:
            await client.subscribe("1", JOB_UPDATED, {"id": w["gid"]})
            return await client.recv()
        finally:
            await client.close()

    # when
    member = await first_message(token=w["alice"].token)
    as_key = await first_message(api_key=key_a)
    outsider = await first_message(token=w["carl"].token)
    other_key = await first_message(api_key=outsider_key)
    # then
    for message in (member, as_key):
        assert message["type"] == "next", message
        job = message["payload"]["data"]["jobUpdated"]
        assert (job["id"], job["status"]) == (w["gid"], "QUEUED")
    for message in (outsider, other_key):
        assert message["type"] == "error", message
        assert [e["extensions"]["code"] for e in message["payload"]] == ["NOT_FOUND"]


async def test_services_take_an_actor_and_refuse_to_guess_who_looks(gate, register_kind):
    # given
    w = await _company_job(register_kind(_noop))
    key = await ApiKey.get(
        prefix=(await company_key(w["company_a"], w["alice"], {"jobs"})).split("_", 2)[1]
    ).prefetch_related("company")
    as_key = actor_for(None, key)
    # then
    assert (await services.get_job(job_id=w["job"].id, actor=as_key)).id == w["job"].id
    assert (await services.get_job(job_id=w["job"].id, owner=w["alice"].user)).id == w["job"].id
    with pytest.raises(JobsError) as refused:
        await services.get_job(job_id=w["own"].id, actor=as_key)
    assert refused.value.code == JobsErrorCode.NOT_FOUND
    with pytest.raises(TypeError):
        await services.get_job(job_id=w["job"].id)  # neither actor nor owner: not "anyone's"
    assert {j.id for j in await services.jobs_of(owner=w["company_a"])} == {w["job"].id}


async def test_a_company_keys_job_is_owned_by_its_creator_and_refused_once_they_are_gone(
    gate, register_kind
):
    # given: a key of company A created by Alice, its ADMIN
    w = await _company_job(register_kind(_noop))
    prefix = (await company_key(w["company_a"], w["alice"], {"jobs"})).split("_", 2)[1]
    key = await ApiKey.get(prefix=prefix).prefetch_related("company")
    # when
    owner = await services.job_owner(actor_for(None, key))
    mine = await services.job_owner(actor_for(w["mia"].user))
    # then
    assert (owner.user.id, owner.company and owner.company.id) == (
        w["alice"].user.id,
        w["company_a"].id,
    )
    assert (mine.user.id, mine.company) == (w["mia"].user.id, None)
    # and once Alice's account is gone, the key still reads but starts no job
    await ApiKey.filter(id=key.id).update(owner_id=None)
    orphan = await ApiKey.get(id=key.id).prefetch_related("company")
    with pytest.raises(JobsError) as refused:
        await services.job_owner(actor_for(None, orphan))
    assert refused.value.code == JobsErrorCode.NO_OWNER


async def _user_key(account: Any, scopes: set[str]) -> str:
    from server.accounts import services as accounts

    _key, secret = await accounts.create_api_key(
        owner=account.user, name="probe", scopes=sorted(scopes), expires_at=None
    )
    return secret


async def _connect_with_key(url: str, api_key: str) -> WsClient:
    ws = await websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": api_key}}))
    client = WsClient(ws)
    assert (await client.recv())["type"] == "connection_ack"
    return client
