"""The shared document job on its own, with a fake area: real OCR on a generated image, the
progress every area reports, and the failures it maps (missing file, OCR refusal, done already)."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from server.documents import job as document_job
from server.documents.job import Done, register_document_job
from server.files.models import StoredFile
from server.files.services import get_blob_store, set_blob_store
from server.jobs import registry, services
from server.jobs.errors import JobFailed
from server.jobs.models import Job, JobStatus
from server.jobs.state import JobState
from server.ocr import OcrError
from server.ocr.types import OcrResult
from server.storage.local import LocalBlobStore
from tests.factories import make_user
from tests.jobs.conftest import wait_for
from tests.ocr.conftest import encode, render_rows


class FakeArea:
    """An area that reads all the text and records what the job asked of it."""

    languages = ("eng",)

    def __init__(self) -> None:
        self.extracted_in: list[str] = []
        self.saved: list[str] = []
        self.refuse_save = False

    async def open(self, job: Job) -> StoredFile | Done | None:
        if job.payload.get("done"):
            return Done({"already": "read"})
        return await StoredFile.get_or_none(id=job.payload["file_id"])

    def extract(self, ocr: OcrResult) -> str:
        self.extracted_in.append(threading.current_thread().name)
        return " ".join(line.text for line in ocr.lines)

    async def save(self, job: Job, extracted: str, ocr: OcrResult) -> dict[str, Any]:
        if self.refuse_save:
            raise JobFailed("DOCUMENT_DELETED", "The document was deleted.")
        self.saved.append(extracted)
        return {"text": extracted, "pages": len(ocr.pages)}


@pytest.fixture
def area() -> Iterator[tuple[str, FakeArea]]:
    fake = FakeArea()
    kind = f"test.document.{secrets.token_hex(4)}"
    register_document_job(kind, fake)
    yield kind, fake
    registry.unregister_handler(kind)


async def _stored(owner: Any, data: bytes, content_type: str = "image/png") -> StoredFile:
    info = await get_blob_store().put(data, content_type=content_type)
    return await StoredFile.create(
        owner=owner,
        blob_key=info.key,
        sha256=info.sha256,
        size=info.size,
        content_type=content_type,
        filename="page.png",
    )


async def _run(owner: Any, kind: str, payload: dict[str, Any]) -> tuple[Job, list[JobState]]:
    seen: list[JobState] = []
    # The job is delivered only once the follower holds its first state: a loaded machine may
    # otherwise run the first stages before the subscription starts (seen once in CI).
    job = await services.prepare_job(owner=owner, kind=kind, payload=payload, max_attempts=2)
    following = asyncio.Event()

    async def follow() -> None:
        async for state in services.follow_job(job_id=job.id, owner=owner):
            seen.append(state)
            following.set()

    follower = asyncio.create_task(follow())
    await asyncio.wait_for(following.wait(), 10)
    await services.submit_job(job)
    done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=60)
    await asyncio.wait_for(follower, 10)
    return done, seen


@pytest.mark.slow  # real OCR
async def test_a_document_is_read_with_progress_and_saved_by_its_area(app, area) -> None:
    # given: a generated page with two lines of text
    kind, fake = area
    account = await make_user()
    image = render_rows([((40, 30), "HELLO SCANBASE"), ((40, 150), "TOTAL 12.50")])
    file = await _stored(account.user, encode(image, "PNG"))
    # when
    done, seen = await _run(account.user, kind, {"file_id": str(file.id)})
    # then: the area's extract saw the OCR text, off the event loop; save's result is the job's
    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert "TOTAL" in done.result["text"] and "12.50" in done.result["text"]
    assert "HELLO" in done.result["text"]
    assert done.result["pages"] == 1
    assert fake.saved == [done.result["text"]]
    assert len(fake.extracted_in) == 1 and fake.extracted_in[0] != threading.main_thread().name
    # every stage, in order, with rising progress
    stages = [(s.stage, s.progress) for s in seen if s.status == JobStatus.RUNNING and s.stage]
    assert [stage for stage, _ in stages] == [
        "loading file",
        "ocr: started",
        "ocr: page 1/1",
        "extracting fields",
        "saving",
    ]
    assert [progress for _, progress in stages] == [0.02, 0.05, 0.85, 0.88, 0.95]
    assert (seen[-1].status, seen[-1].progress) == (JobStatus.SUCCEEDED, 1.0)


async def test_a_blob_gone_fails_with_file_missing_without_retrying(app, area) -> None:
    # given: the row exists, its blob does not
    kind, fake = area
    account = await make_user()
    file = await _stored(account.user, encode(render_rows([((40, 30), "X")]), "PNG"))
    await get_blob_store().delete(file.blob_key)
    # when
    done, _ = await _run(account.user, kind, {"file_id": str(file.id)})
    # then
    assert (done.status, done.error_code, done.attempts) == (JobStatus.FAILED, "FILE_MISSING", 1)
    assert done.error_message == "The uploaded file no longer exists."
    assert fake.saved == [] and fake.extracted_in == []


async def test_a_file_row_gone_fails_with_file_missing(app, area) -> None:
    kind, fake = area
    account = await make_user()
    done, _ = await _run(account.user, kind, {"file_id": "00000000-0000-0000-0000-000000000000"})
    assert (done.status, done.error_code, done.attempts) == (JobStatus.FAILED, "FILE_MISSING", 1)
    assert fake.extracted_in == [] and fake.saved == []


async def test_an_ocr_refusal_keeps_the_readers_code(app, area) -> None:
    # given: a blank page (nothing to read)
    kind, fake = area
    account = await make_user()
    file = await _stored(account.user, encode(Image.new("RGB", (400, 300), "white"), "PNG"))
    # when
    done, _ = await _run(account.user, kind, {"file_id": str(file.id)})
    # then
    assert (done.status, done.error_code, done.attempts) == (JobStatus.FAILED, "EMPTY_DOCUMENT", 1)
    assert fake.extracted_in == []


async def test_a_document_already_read_ends_with_its_result_and_no_ocr(app, area) -> None:
    kind, fake = area
    account = await make_user()
    done, _ = await _run(account.user, kind, {"done": True})
    assert (done.status, done.result) == (JobStatus.SUCCEEDED, {"already": "read"})
    assert fake.extracted_in == [] and fake.saved == []


@pytest.mark.slow  # real OCR
async def test_the_areas_own_failure_passes_through(app, area) -> None:
    kind, fake = area
    fake.refuse_save = True
    account = await make_user()
    file = await _stored(account.user, encode(render_rows([((40, 30), "TOTAL 3.00")]), "PNG"))
    done, _ = await _run(account.user, kind, {"file_id": str(file.id)})
    assert (done.status, done.error_code, done.attempts) == (
        JobStatus.FAILED,
        "DOCUMENT_DELETED",
        1,
    )
    assert done.error_message == "The document was deleted."


async def test_the_blob_is_read_from_the_store_its_row_names_with_the_jobs_languages(
    app, area, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a file whose blob is only in the archive store; OCR that records what it was given
    kind, _ = area
    archive = LocalBlobStore(tmp_path / "archive", fsync=False)
    set_blob_store(archive, "archive")
    read: list[tuple[bytes, list[str]]] = []

    async def ocr(data: bytes, *, languages: Sequence[str], **_: Any) -> OcrResult:
        read.append((data, list(languages)))
        raise OcrError("EMPTY_DOCUMENT", "Nothing to read.")

    monkeypatch.setattr(document_job, "run_ocr_with_progress", ocr)
    account = await make_user()
    try:
        info = await archive.put(b"archived page", content_type="image/png")
        file = await StoredFile.create(
            owner=account.user,
            store="archive",
            blob_key=info.key,
            sha256=info.sha256,
            size=info.size,
            content_type="image/png",
            filename="page.png",
        )
        # when: a job whose payload names its languages, and one that does not
        named, _ = await _run(account.user, kind, {"file_id": str(file.id), "languages": ["fra"]})
        default, _ = await _run(account.user, kind, {"file_id": str(file.id)})
    finally:
        set_blob_store(None, "archive")
    # then: both read the archive's bytes (not FILE_MISSING from the originals store)
    assert (named.error_code, default.error_code) == ("EMPTY_DOCUMENT", "EMPTY_DOCUMENT")
    assert read == [(b"archived page", ["fra"]), (b"archived page", ["eng"])]
