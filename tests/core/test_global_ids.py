"""Every id the API returns is a global id that `node(id:)` resolves for its owner, and for
nobody else: ids of nodes, ids inside job results (JSON) and in the CSV export; no raw UUID
appears anywhere in a response.

The test runs the main queries and mutations (receipts with items, corrections, a possible
duplicate, their extraction job, extractText, the CSV export, the ledger, API keys) and walks
every string of every response.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from schema.core.relay import global_id, parse_global_id
from server.jobs.models import JobStatus
from server.jobs.services import create_job
from server.receipts.extraction_job import EXTRACT_RECEIPT
from tests.conftest import data_of
from tests.factories import make_admin, make_user
from tests.files.uploads import text_image, upload
from tests.jobs.conftest import wait_for
from tests.receipts.conftest import held_jobs  # noqa: F401  (fixture)
from tests.receipts.factories import Item, make_receipt

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
NODE = "query N($id: ID!) { node(id: $id) { id __typename } }"

RECEIPTS = """{
  me { id }
  receipts(first: 10) { edges { node {
    id possibleDuplicateOf { id }
    items { id brand { id } }
    corrections { id itemId oldValue newValue changedBy { id } }
    file { id }
    job { id result }
  } } }
  myJobs(first: 10) { edges { node { id result } } }
  loyalty { entries { edges { node { id detail receipt { id } } } } }
}"""
EXTRACT = """
mutation E($input: ExtractTextInput!) {
  extractText(input: $input) { file { id } job { id } errors { code } }
}"""
JOB = "query J($id: ID!) { job(id: $id) { id status result } }"
VALIDATE = """
mutation V($input: ValidateReceiptInput!) {
  validateReceipt(input: $input) {
    receipt { id items { id } corrections { id itemId } } errors { code message }
  }
}"""
EXPORT = "mutation { exportReceipts(input: {format: CSV}) { file { id url } errors { code } } }"
ADMIN = "{ me { id apiKeys { id } } }"
CREATE_KEY = """
mutation { createApiKey(input: {name: "ids", scopes: ["receipts"]}) { apiKey { id } errors { code } } }
"""


def _global_type(value: str) -> str | None:
    """The type name inside a global id, or None when `value` is not one."""
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, pk = text.partition(":")
    return type_name if type_name.isidentifier() and UUID_RE.fullmatch(pk) else None


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, string) in a JSON value, keys included in the path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def _ids_of(responses: list[Any]) -> dict[str, str]:
    """Global id -> where it was seen; fails on a raw UUID or an id-named key without a global id."""
    found: dict[str, str] = {}
    for response in responses:
        for path, text in _strings(response):
            key = re.split(r"[.\[]", path)[-1]
            assert not UUID_RE.search(text), f"raw UUID at {path}: {text}"
            if _global_type(text):
                found.setdefault(text, path)
            elif key == "id" or key.endswith("Id") or key.endswith("Of"):
                raise AssertionError(f"{path} is not a global id: {text!r}")
    return found


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


async def _job_done(gql, token: str, job_id: str) -> dict[str, Any]:
    await wait_for(parse_global_id(job_id, "Job"), *FINISHED, within=60)
    return data_of(await gql(JOB, {"id": job_id}, token=token))["job"]


@pytest.mark.slow
async def test_every_returned_id_resolves_through_node_for_its_owner_only(
    client,
    gql,
    held_jobs,  # noqa: F811
):
    # given: receipts with items, a possible duplicate and its extraction job, an API key
    owner = await make_user()
    stranger = await make_user()
    day = date(2025, 5, 2)
    await make_receipt(
        owner, store="MONOPRIX", day=day, total="20.00", items=[Item("PAIN", "20.00")]
    )
    second = await make_receipt(owner, store="Monoprix", day=day, total="20.00")
    job = await create_job(
        owner=owner.user, kind=EXTRACT_RECEIPT, payload={"receipt_id": str(second.id)}
    )
    await held_jobs.release()
    await wait_for(job.id, *FINISHED, within=30)
    admin = await make_admin()
    keys = data_of(await gql(CREATE_KEY, token=admin.token))
    responses: list[Any] = []

    # when: the main mutations and queries run
    extracted = await upload(
        client,
        EXTRACT,
        {"variables.input.file": ("hello.png", text_image(["HELLO"], size=(240, 80)), "image/png")},
        {"input": {"file": None}},
        token=owner.token,
    )
    payload = data_of(extracted.json())["extractText"]
    assert payload["errors"] == []
    await held_jobs.release()
    text_job = await _job_done(gql, owner.token, payload["job"]["id"])
    assert text_job["status"] == "SUCCEEDED", text_job
    responses += [payload, text_job]
    before = data_of(await gql(RECEIPTS, token=owner.token))
    duplicate_id = global_id("Receipt", second.id)
    validated = data_of(
        await gql(
            VALIDATE,
            {"input": {"id": duplicate_id, "items": [{"name": "LAIT", "unitPrice": "20.00"}]}},
            token=owner.token,
        )
    )
    assert validated["validateReceipt"]["errors"] == []
    exported = data_of(await gql(EXPORT, token=owner.token))["exportReceipts"]
    assert exported["errors"] == []
    responses += [before, validated, exported, data_of(await gql(RECEIPTS, token=owner.token))]
    csv_text = (await client.get(exported["file"]["url"].split("testserver", 1)[1])).text
    csv_ids = [row["receipt_id"] for row in csv.DictReader(io.StringIO(csv_text))]

    # then: the job results carry global ids of what they made
    job_results = [
        e["node"]["result"] for e in responses[-1]["myJobs"]["edges"] if e["node"]["result"]
    ]
    assert {"fileId": payload["file"]["id"]}.items() <= next(
        r for r in job_results if "fileId" in r
    ).items()
    receipt_result = next(r for r in job_results if "receiptId" in r)
    assert receipt_result["receiptId"] == duplicate_id
    assert _global_type(receipt_result["possibleDuplicateOf"]) == "Receipt"
    # the CSV export too
    assert csv_ids and all(_global_type(i) == "Receipt" for i in csv_ids)
    assert duplicate_id in csv_ids
    # and every id seen resolves, as its owner, to itself; a stranger sees none of them
    ids = _ids_of(responses)
    ids.update({i: "csv.receipt_id" for i in csv_ids})
    types = {_global_type(i) for i in ids}
    assert types == {
        "User",
        "Receipt",
        "ReceiptItem",
        "ReceiptCorrection",
        "File",
        "Job",
        "LoyaltyEntry",
    }
    admin_ids = _ids_of([keys, data_of(await gql(ADMIN, token=admin.token))])
    assert {_global_type(i) for i in admin_ids} == {"User", "ApiKey"}
    for account, seen_ids in ((owner, ids), (admin, admin_ids)):
        for value, where in seen_ids.items():
            seen = data_of(await gql(NODE, {"id": value}, token=account.token))["node"]
            assert seen is not None and seen["id"] == value, f"{where}: {value} does not resolve"
            assert seen["__typename"] == _global_type(value), where
            hidden = data_of(await gql(NODE, {"id": value}, token=stranger.token))["node"]
            assert hidden is None, f"{where}: a stranger resolves {value}"
