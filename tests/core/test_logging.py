"""Logs: a caller's mistakes at INFO and faults at ERROR, on every execution path, and the request
id (or, inside a job, the job id) on every line."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from jobs import worker
from server.jobs import registry, services
from server.jobs.models import Job
from server.jobs.runtime import using
from server.logging_setup import JsonFormatter, PlainFormatter, job_id_var, request_id_var
from server.queue import JobQueue
from tests.factories import make_user
from tests.files.uploads import text_image, upload

REQUEST_ID = "log-test-0001"
MISTAKES = [  # (query, as a signed-in user, the code the log line names)
    ("{ nope }", False, "GRAPHQL_VALIDATION_FAILED"),
    ("{ myJobs(first: 1) { totalCount } }", False, "UNAUTHENTICATED"),
    ('{ receipts(first: 1, after: "not-a-cursor") { totalCount } }', True, "BAD_USER_INPUT"),
    ("{ " + "a: __typename " * 40 + "}", False, ""),  # a limit (aliases)
]


def _graphql_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("scanbase.graphql", "strawberry"))]


@pytest.mark.parametrize(("query", "signed_in", "code"), MISTAKES)
async def test_a_callers_mistake_is_logged_at_info_with_the_request_id(
    client, caplog, query, signed_in, code
):
    # given
    headers = {"x-request-id": REQUEST_ID}
    if signed_in:
        headers["authorization"] = f"Bearer {(await make_user()).token}"
    caplog.set_level(logging.INFO)
    # when
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    # then: the caller got an error, the log says so at INFO, never at ERROR
    assert response.json()["errors"]
    records = _graphql_records(caplog)
    assert [r.levelno for r in records] == [logging.INFO] * len(records) != []
    assert {getattr(r, "ctx_request_id", None) for r in records} == {REQUEST_ID}
    assert all(code in r.getMessage() for r in records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_mistake_on_strawberrys_path_is_info_too(client, caplog):
    # given: a multipart upload (Strawberry's view, not the JSON fast path) without credentials
    caplog.set_level(logging.INFO)
    query = "mutation X($input: ExtractTextInput!) { extractText(input: $input) { file { id } } }"
    files = {"variables.input.file": ("a.png", text_image(["hi"]), "image/png")}
    # when
    response = await upload(
        client, query, files, {"input": {}}, headers={"x-request-id": REQUEST_ID}
    )
    # then
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    records = _graphql_records(caplog)
    assert [(r.levelno, getattr(r, "ctx_request_id", None)) for r in records] == [
        (logging.INFO, REQUEST_ID)
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_bug_is_logged_at_error_with_its_traceback_and_masked(gql, caplog, monkeypatch):
    # given: a resolver that fails unexpectedly
    from server.accounts import services as accounts

    async def broken(token: str) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(accounts, "user_for_access_token", broken)
    account = await make_user()
    caplog.set_level(logging.INFO)
    # when
    result = await gql("{ me { id } }", token=account.token)
    # then
    assert result["errors"][0]["message"] == "Internal server error."
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info and "a bug" in str(errors[0].exc_info[1])


class HeldQueue(JobQueue):
    """Takes deliveries and runs nothing: the test runs the attempt itself."""

    name = "held"

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        return True

    async def ping(self) -> str:
        return "ok (held)"


async def test_lines_logged_inside_a_worker_job_carry_its_job_id(app, caplog):
    # given: a job whose handler logs, run as the arq worker runs it
    async def handler(job: Job, report: Any) -> None:
        logging.getLogger("scanbase.test").info("inside the job")

    kind = f"log.{uuid.uuid4().hex[:8]}"
    registry.register_handler(kind, handler)
    account = await make_user()
    caplog.set_level(logging.INFO)
    try:
        with using(queue=HeldQueue()):
            job = await services.create_job(owner=account.user, kind=kind)
            # when
            assert await worker.run_job({}, str(job.id), 0) == "succeeded"
    finally:
        registry.unregister_handler(kind)
    # then: the line carries the job id, in both formats
    (line,) = [r for r in caplog.records if r.getMessage() == "inside the job"]
    assert line.ctx_job_id == str(job.id)
    assert f'"job_id": "{job.id}"' in JsonFormatter().format(line)
    assert f"job={job.id}" in PlainFormatter("%(ids)s %(message)s").format(line)
    assert job_id_var.get() is None  # nothing leaked into the caller's context


def test_ids_are_stamped_when_a_line_is_logged_not_when_it_is_formatted(caplog):
    caplog.set_level(logging.INFO)
    token = request_id_var.set("stamped-at-log-time")
    try:
        logging.getLogger("scanbase.test").info("hello")
    finally:
        request_id_var.reset(token)
    (record,) = [r for r in caplog.records if r.getMessage() == "hello"]
    assert '"request_id": "stamped-at-log-time"' in JsonFormatter().format(record)


async def test_lines_of_an_in_process_job_carry_its_job_id_and_the_request_that_made_it(app):
    # given: the API runs jobs itself (no REDIS_URL); a handler that logs
    from server.jobs.models import JobStatus
    from tests.jobs.conftest import wait_for

    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage() == "in-process job line":
                seen.append(record)

    async def handler(job: Job, report: Any) -> None:
        logging.getLogger("scanbase.test").warning("in-process job line")

    kind = f"log.{uuid.uuid4().hex[:8]}"
    registry.register_handler(kind, handler)
    keep = Keep()
    logging.getLogger("scanbase.test").addHandler(keep)
    account = await make_user()
    try:
        # when: a request creates the job
        token = request_id_var.set("upload-request-01")
        try:
            job = await services.create_job(owner=account.user, kind=kind)
        finally:
            request_id_var.reset(token)
        await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED)
    finally:
        logging.getLogger("scanbase.test").removeHandler(keep)
        registry.unregister_handler(kind)
    # then: the job's line names the job and the request that started it
    (line,) = seen
    assert (getattr(line, "ctx_job_id", None), getattr(line, "ctx_request_id", None)) == (
        str(job.id),
        "upload-request-01",
    )
