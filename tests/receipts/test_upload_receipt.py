"""uploadReceipt end to end in one process: upload, extraction job, receipt fields with their
confidence and box, points; a real SROIE receipt; duplicates; refused files."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from schema.core.relay import parse_global_id
from server.documents.dates import parse_date
from server.files.models import StoredFile
from server.jobs.models import Job, JobStatus
from server.receipts.brands import fold
from server.receipts.loyalty import current_rules
from server.receipts.models import LoyaltyEntry, Receipt
from tests.conftest import data_of, shared_dataset
from tests.factories import make_user
from tests.files.uploads import blank_pdf, pdf_with_text, png_bomb, text_image, upload
from tests.jobs.conftest import wait_for
from tests.receipts.factories import UPLOAD, blob_count, upload_receipt
from tests.receipts.receipt_images import render_french_receipt

RECEIPT = """
query R($id: ID!) {
  receipt(id: $id) {
    id status store location date time total currency paymentMethod receiptNumber points
    fields { name value extractedValue confidence box { x0 y0 x1 y1 } corrected }
    items { id name quantity unitPrice total category source confidence box { x0 y0 x1 y1 } }
    taxes { rate base amount }
    warnings { code message }
    error { code message }
    file { contentType size url }
    job { id status }
  }
}"""
LOYALTY = "{ loyalty { balance entries { edges { node { points reason rulesVersion } } } } }"


async def _finished(payload: dict) -> Job:
    return await wait_for(
        parse_global_id(payload["job"]["id"], "Job"),
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        within=180,
    )


@pytest.mark.slow
async def test_french_receipt_is_read_into_fields_items_and_points(client, gql):
    # given
    account = await make_user()
    png, expected = render_french_receipt()
    # when
    payload = await upload_receipt(client, account, png, "ticket.png")
    assert payload["errors"] == []
    assert payload["receipt"]["status"] == "PROCESSING"
    assert payload["job"]["kind"] == "receipts.extract"
    job = await _finished(payload)
    receipt = data_of(await gql(RECEIPT, {"id": payload["receipt"]["id"]}, token=account.token))[
        "receipt"
    ]
    # then: the printed values, money as decimal strings
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert receipt["status"] == "EXTRACTED"
    assert receipt["store"] == expected["merchant"]
    assert receipt["location"] == expected["address"]
    assert receipt["date"] == expected["date"].isoformat() == "2025-03-18"
    assert receipt["time"] == "14:32:00"
    assert receipt["total"] == str(expected["total"]) == "18.56"
    assert receipt["currency"] == "EUR"
    assert receipt["paymentMethod"] == "CARD"
    assert receipt["receiptNumber"] == "004512"
    assert receipt["warnings"] == [] and receipt["error"] is None
    # items, with their department heading as category
    got = {
        (fold(i["name"]), i["total"], fold(i["category"]), i["source"]) for i in receipt["items"]
    }
    want = {
        (fold(i["name"]), str(i["total"]), fold(i["category"]), "EXTRACTED")
        for i in expected["items"]
    }
    assert got == want
    milk = next(i for i in receipt["items"] if i["name"].startswith("LAIT"))
    assert (milk["quantity"], milk["unitPrice"], milk["total"]) == ("2", "0.99", "1.98")
    # every field read carries a confidence and the box it came from, inside the image
    fields = {f["name"]: f for f in receipt["fields"]}
    for name in ("store", "location", "date", "time", "total", "currency"):
        field = fields[name]
        assert 0.5 < field["confidence"] <= 1, name
        box = field["box"]
        assert 0 <= box["x0"] < box["x1"] <= 640 and 0 <= box["y0"] < box["y1"], name
        assert field["value"] == field["extractedValue"] and not field["corrected"], name
    assert all(0 < i["confidence"] <= 1 and i["box"] for i in receipt["items"])
    assert receipt["taxes"][0]["rate"] in ("5.5", "5.50")
    # the job's result names the receipt; the original file is downloadable
    assert job.result["receipt_id"] == str(parse_global_id(receipt["id"], "Receipt"))
    assert receipt["job"] == {"id": payload["job"]["id"], "status": "SUCCEEDED"}
    assert receipt["file"]["contentType"] == "image/png"
    download = await client.get(receipt["file"]["url"].split("testserver", 1)[1])
    assert download.status_code == 200 and download.content == png
    # points: 10 for the receipt + 1 per full 10 EUR (18.56 -> 1), first receipt: no multiplier
    assert receipt["points"] == 11
    loyalty = data_of(await gql(LOYALTY, token=account.token))["loyalty"]
    assert loyalty["balance"] == 11
    assert [e["node"] for e in loyalty["entries"]["edges"]] == [
        {"points": 11, "reason": "AWARD", "rulesVersion": (await current_rules()).version}
    ]


@pytest.mark.slow
async def test_real_sroie_receipt_end_to_end(client, gql):
    # given
    folder = shared_dataset("receipts-sroie")
    image, key_file = folder / "img" / "010.jpg", folder / "key" / "010.json"
    if not image.exists() or not key_file.exists():
        pytest.skip("SROIE receipt 010 not found in ../shared/datasets/receipts-sroie")
    key = json.loads(key_file.read_text(encoding="utf-8"))
    account = await make_user()
    # when
    payload = await upload_receipt(client, account, image.read_bytes(), "010.jpg", "image/jpeg")
    job = await _finished(payload)
    receipt = data_of(await gql(RECEIPT, {"id": payload["receipt"]["id"]}, token=account.token))[
        "receipt"
    ]
    # then
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert receipt["status"] in ("EXTRACTED", "NEEDS_REVIEW")
    assert receipt["store"].upper() == key["company"]
    expected_date = parse_date(key["date"])
    assert expected_date is not None
    assert receipt["date"] == expected_date.isoformat()
    assert receipt["total"] == key["total"] == "14.10"
    assert receipt["currency"] == "MYR"
    assert receipt["file"]["contentType"] == "image/jpeg"
    total_field = next(f for f in receipt["fields"] if f["name"] == "total")
    assert total_field["confidence"] > 0.5 and total_field["box"]["x1"] > total_field["box"]["x0"]
    # 10 + 1 (one full 10 of 14.10 MYR)
    assert receipt["points"] == 11


async def test_the_same_file_again_is_a_duplicate_and_stores_nothing(client, held_jobs):
    # given
    account = await make_user()
    data = text_image(["SUPER U", "TOTAL 12,50"], size=(300, 120))
    first = await upload_receipt(client, account, data)
    assert first["errors"] == []
    counts = (
        blob_count(),
        await StoredFile.filter(owner=account.user).count(),
        await Receipt.filter(owner=account.user).count(),
        await Job.filter(owner=account.user).count(),
    )
    # when
    again = await upload_receipt(client, account, data, "renamed.png")
    # then
    assert again["receipt"] is None and again["job"] is None
    assert again["errors"] == [
        {
            "field": "file",
            "code": "DUPLICATE",
            "message": "You already uploaded this file.",
            "existingReceiptId": first["receipt"]["id"],
        }
    ]
    assert counts == (
        blob_count(),
        await StoredFile.filter(owner=account.user).count(),
        await Receipt.filter(owner=account.user).count(),
        await Job.filter(owner=account.user).count(),
    )
    # another user may upload the same file
    other = await make_user()
    assert (await upload_receipt(client, other, data))["errors"] == []


async def test_a_deleted_receipt_does_not_block_its_file(client, gql, held_jobs):
    account = await make_user()
    data = text_image(["CASINO", "TOTAL 3,20"], size=(300, 120))
    first = await upload_receipt(client, account, data)
    deleted = await gql(
        "mutation D($id: ID!) { deleteReceipt(input: {id: $id}) { deletedReceiptId errors { code } } }",
        {"id": first["receipt"]["id"]},
        token=account.token,
    )
    assert data_of(deleted)["deleteReceipt"]["errors"] == []
    again = await upload_receipt(client, account, data)
    assert again["errors"] == [] and again["receipt"]["id"] != first["receipt"]["id"]


async def test_bad_files_get_typed_errors_and_leave_nothing(client):
    # given
    account = await make_user()
    jpeg = text_image(["HELLO"], fmt="JPEG")
    cases = [
        ("empty.png", b"", "EMPTY_FILE"),
        ("truncated.jpg", jpeg[: len(jpeg) // 2], "CORRUPT_FILE"),
        ("blank.pdf", blank_pdf(), "EMPTY_DOCUMENT"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * 60_000_000, "FILE_TOO_LARGE"),
        ("bomb.png", png_bomb(), "TOO_MANY_PIXELS"),
        ("notes.txt", b"just some text, not a receipt", "UNSUPPORTED_TYPE"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf\n%%EOF\n", "CORRUPT_FILE"),
    ]
    before = (
        blob_count(),
        await StoredFile.filter(owner=account.user).count(),
        await Receipt.filter(owner=account.user).count(),
        await Job.filter(owner=account.user).count(),
    )
    for name, data, code in cases:
        # when
        payload = await upload_receipt(client, account, data, name)
        # then
        assert payload["receipt"] is None and payload["job"] is None, name
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "file")], name
    assert before == (
        blob_count(),
        await StoredFile.filter(owner=account.user).count(),
        await Receipt.filter(owner=account.user).count(),
        await Job.filter(owner=account.user).count(),
    )


async def test_a_digital_pdf_passes_the_upload_checks(client, held_jobs):
    account = await make_user()
    payload = await upload_receipt(
        client, account, pdf_with_text("CARREFOUR TOTAL 12,00"), "r.pdf", "application/pdf"
    )
    assert payload["errors"] == [] and payload["receipt"]["status"] == "PROCESSING"


async def test_a_blank_photo_fails_its_job_with_empty_document(client, gql):
    # given: a well-formed image with nothing on it (no OCR runs: blank pages are skipped)
    account = await make_user()
    white = text_image([], size=(400, 300))
    # when
    payload = await upload_receipt(client, account, white)
    job = await _finished(payload)
    receipt = data_of(await gql(RECEIPT, {"id": payload["receipt"]["id"]}, token=account.token))[
        "receipt"
    ]
    # then
    assert (job.status, job.error_code, job.attempts) == (JobStatus.FAILED, "EMPTY_DOCUMENT", 1)
    assert receipt["status"] == "FAILED"
    assert receipt["error"]["code"] == "EMPTY_DOCUMENT"
    assert receipt["points"] == 0 and receipt["items"] == []
    assert not await LoyaltyEntry.filter(user_id=account.user.id).exists()


async def test_uploads_need_authentication(client):
    response = await upload(
        client,
        UPLOAD,
        {"variables.input.file": ("a.png", text_image(["A"]), "image/png")},
        {"input": {"file": None}},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_expected_values_of_the_generated_receipt() -> None:
    _png, expected = render_french_receipt()
    assert expected["total"] == Decimal("18.56")
    assert expected["date"] == date(2025, 3, 18)
