"""extractText end to end in one process: upload, job, result, signed download; and refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from schema.jobs.types import public_result
from server.files.models import StoredFile
from server.files.services import get_blob_store, set_blob_store
from server.global_ids import encode_global_id
from server.jobs import services as jobs
from server.jobs.models import Job, JobStatus
from server.ocr.services import EXTRACT_TEXT
from server.security.file_tokens import sign_file_token
from server.settings import get_settings
from server.storage.local import LocalBlobStore
from tests.conftest import data_of
from tests.factories import make_user
from tests.files.uploads import blank_pdf, pdf_with_text, png_bomb, text_image, upload
from tests.jobs.conftest import wait_for

EXTRACT = """
mutation Extract($input: ExtractTextInput!) {
  extractText(input: $input) {
    file { id filename size contentType sha256 width height url }
    job { id kind status }
    errors { field code message }
  }
}"""
JOB = "query J($id: ID!) { job(id: $id) { status progress stage result error { code message } } }"


def _blob_count() -> int:
    root = Path(get_settings().storage_url.removeprefix("file:"))
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


async def _extract(
    client, account, name: str, data: bytes, mime: str = "image/png", **input_fields
):
    response = await upload(
        client,
        EXTRACT,
        {"variables.input.file": (name, data, mime)},
        {"input": {"file": None, **input_fields}},
        token=account.token,
    )
    assert response.status_code == 200, response.text
    return data_of(response.json())["extractText"]


async def test_extract_text_reads_an_image_and_serves_the_original(client, gql):
    # given
    account = await make_user()
    png = text_image(["TOTAL 12.50 EUR", "CREMERIE LAIT"])
    # when
    payload = await _extract(client, account, "scan.png", png)
    assert payload["errors"] == []
    job_id = payload["job"]["id"]
    from schema.core.relay import parse_global_id

    job = await wait_for(
        parse_global_id(job_id, "Job"), JobStatus.SUCCEEDED, JobStatus.FAILED, within=120
    )
    result = data_of(await gql(JOB, {"id": job_id}, token=account.token))["job"]
    # then: the job read the words, with boxes and confidences
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert result["progress"] == 1.0
    text = result["result"]["text"].upper()
    assert "TOTAL" in text and "12.50" in text and "LAIT" in text
    page = result["result"]["pages"][0]
    assert page["width"] == 900 and page["height"] == 420
    assert 0.5 < page["meanConfidence"] <= 1.0
    # the stored result speaks snake_case; clients read camelCase and the file's global id
    assert result["result"]["fileId"] == payload["file"]["id"]
    assert "file_id" in job.result and "mean_confidence" in job.result["pages"][0]
    assert all(len(line["box"]) == 4 for line in page["lines"])
    # and the file is what was sent, downloadable through its signed URL
    file = payload["file"]
    assert (file["contentType"], file["size"], file["width"], file["height"]) == (
        "image/png",
        len(png),
        900,
        420,
    )
    assert file["filename"] == "scan.png"
    path = file["url"].split("testserver", 1)[1]
    download = await client.get(path)
    assert download.status_code == 200
    assert download.content == png
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith('inline; filename="scan.png"')


async def test_type_is_decided_by_content_not_name(client):
    account = await make_user()
    payload = await _extract(
        client, account, "invoice.jpg", pdf_with_text("Facture 42"), "image/jpeg"
    )
    assert payload["errors"] == []
    assert payload["file"]["contentType"] == "application/pdf"
    assert payload["file"]["filename"] == "invoice.pdf"


async def test_bad_files_get_typed_errors_and_leave_nothing(client):
    # given
    account = await make_user()
    jpeg = text_image(["HELLO"], fmt="JPEG")
    cases = [
        ("empty.png", b"", "EMPTY_FILE"),
        ("truncated.jpg", jpeg[: len(jpeg) // 2], "CORRUPT_FILE"),
        ("bomb.png", png_bomb(), "TOO_MANY_PIXELS"),
        ("notes.txt", b"just some text, not a document", "UNSUPPORTED_TYPE"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * 60_000_000, "FILE_TOO_LARGE"),
    ]
    blobs, files, jobs = (
        _blob_count(),
        await StoredFile.filter(owner=account.user).count(),
        await Job.filter(owner=account.user).count(),
    )
    for name, data, code in cases:
        # when
        started = time.monotonic()
        payload = await _extract(client, account, name, data)
        # then
        assert payload["file"] is None and payload["job"] is None, name
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "file")], name
        assert time.monotonic() - started < 20, name
    assert _blob_count() == blobs
    assert await StoredFile.filter(owner=account.user).count() == files
    assert await Job.filter(owner=account.user).count() == jobs


async def test_a_pdf_with_neither_text_nor_image_fails_its_job_with_a_code(client):
    account = await make_user()
    payload = await _extract(client, account, "blank.pdf", blank_pdf(), "application/pdf")
    from schema.core.relay import parse_global_id

    job = await wait_for(
        parse_global_id(payload["job"]["id"], "Job"),
        JobStatus.FAILED,
        JobStatus.SUCCEEDED,
        within=60,
    )
    assert (job.status, job.error_code, job.attempts) == (JobStatus.FAILED, "EMPTY_DOCUMENT", 1)


async def test_invalid_options_are_refused_before_storing(client):
    account = await make_user()
    blobs = _blob_count()
    payload = await _extract(client, account, "a.png", text_image(["A"]), languages=["klingon"])
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "languages")]
    assert _blob_count() == blobs


async def test_uploads_need_the_preflight_header_and_authentication(client):
    account = await make_user()
    no_preflight = await upload(
        client,
        EXTRACT,
        {"variables.input.file": ("a.png", text_image(["A"]), "image/png")},
        {"input": {"file": None}},
        token=account.token,
        headers={"graphql-preflight": ""},
    )
    anonymous = await upload(
        client,
        EXTRACT,
        {"variables.input.file": ("a.png", text_image(["A"]), "image/png")},
        {"input": {"file": None}},
    )
    assert no_preflight.status_code == 400
    assert no_preflight.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_too_many_files_in_one_request(client):
    account = await make_user()
    files = {f"variables.files.{i}": (f"{i}.png", b"x", "image/png") for i in range(11)}
    response = await upload(
        client,
        "mutation($files: [Upload!]!) { __typename }",
        files,
        {"files": [None] * 11},
        token=account.token,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_FILES"


async def test_download_tokens_cannot_be_forged_moved_or_reused_after_expiry(client):
    account = await make_user()
    payload = await _extract(client, account, "a.png", text_image(["A"]))
    file = await StoredFile.get(sha256=payload["file"]["sha256"], owner=account.user)
    secret = get_settings().secret_key
    expired = sign_file_token(file.id, secret=secret, expires_in=60, now=time.time() - 3600)
    forged = sign_file_token(file.id, secret="another-secret-" + "z" * 32, expires_in=60)
    valid = sign_file_token(file.id, secret=secret, expires_in=60)
    payload_part, signature = valid.split(".")
    other = sign_file_token(account.user.id, secret=secret, expires_in=60)  # a token for another id
    for token in (expired, forged, f"{payload_part}.{signature[:-2]}xx", "garbage", other):
        assert (await client.get(f"/files/{token}")).status_code == 404, token
    assert (await client.get(f"/files/{valid}")).status_code == 200
    # a file whose blob vanished is a 404, not a 500
    await get_blob_store().delete(file.blob_key)
    assert (await client.get(f"/files/{valid}")).status_code == 404


async def test_url_expiry_is_bounded(client, gql):
    account = await make_user()
    payload = await _extract(client, account, "a.png", text_image(["A"]))
    assert payload["file"]["url"].startswith("http://testserver/files/")
    response = await upload(
        client,
        EXTRACT.replace("url }", "url(expiresIn: 999999) }"),
        {"variables.input.file": ("a.png", text_image(["A"]), "image/png")},
        {"input": {"file": None}},
        token=account.token,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[LocalBlobStore]:
    store = LocalBlobStore(tmp_path / "archive", fsync=False)
    set_blob_store(store, "archive")
    yield store
    set_blob_store(None, "archive")


async def _file_in(store_name: str, store: LocalBlobStore | None, owner, data: bytes) -> StoredFile:
    info = await (store or get_blob_store()).put(data, content_type="image/png")
    return await StoredFile.create(
        owner=owner,
        store=store_name,
        blob_key=info.key,
        sha256=info.sha256,
        size=info.size,
        content_type="image/png",
        filename="scan.png",
    )


async def test_the_text_job_reads_the_file_from_the_store_its_row_names(client, archive):
    # given: a file whose blob is only in the archive store
    account = await make_user()
    file = await _file_in("archive", archive, account.user, text_image(["TOTAL 12.50 EUR"]))
    assert not await get_blob_store().exists(file.blob_key)
    # when
    job = await jobs.create_job(
        owner=account.user, kind=EXTRACT_TEXT, payload={"file_id": str(file.id)}
    )
    done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=120)
    # then: read from the archive; the result names the file (a global id for clients)
    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert "TOTAL" in done.result["text"].upper()
    assert done.result["file_id"] == str(file.id)
    assert public_result(done.result)["fileId"] == encode_global_id("File", file.id)


async def test_a_text_job_whose_blob_is_gone_fails_with_file_missing_without_retrying(client):
    # given: the file row exists, its blob does not; the job could be tried three times
    account = await make_user()
    file = await _file_in("originals", None, account.user, text_image(["A"]))
    await get_blob_store().delete(file.blob_key)
    # when
    job = await jobs.create_job(
        owner=account.user, kind=EXTRACT_TEXT, payload={"file_id": str(file.id)}, max_attempts=3
    )
    done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=60)
    # then
    assert (done.status, done.error_code, done.attempts) == (JobStatus.FAILED, "FILE_MISSING", 1)
    assert done.error_message == "The uploaded file no longer exists."
