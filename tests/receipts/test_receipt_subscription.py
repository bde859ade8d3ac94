"""A client follows a receipt's extraction with `jobUpdated` over a real websocket."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.conftest import data_of
from tests.factories import make_user
from tests.files.uploads import text_image
from tests.jobs.test_subscription import JOB_UPDATED, WsClient
from tests.receipts.factories import upload_receipt

RECEIPT = "query R($id: ID!) { receipt(id: $id) { status total } }"


@pytest.mark.slow
async def test_the_owner_follows_the_extraction_until_the_receipt_is_read(
    client, gql, live_url, held_jobs
):
    # given: an uploaded receipt whose job is held until the client follows it
    account = await make_user()
    image = text_image(["EPICERIE FINE", "TOTAL 7,20 EUR"], size=(700, 200))
    payload = await upload_receipt(client, account, image)
    ws = await WsClient.connect(live_url, account.token)
    try:
        # when
        await ws.subscribe("1", JOB_UPDATED, {"id": payload["job"]["id"]})
        messages = [json.loads(await asyncio.wait_for(ws.ws.recv(), 60))]
        await held_jobs.release()
        while messages[-1]["type"] == "next":
            messages.append(json.loads(await asyncio.wait_for(ws.ws.recv(), 120)))
    finally:
        await ws.close()
    # then: queued, running through its stages, succeeded with the receipt's id
    assert messages[-1] == {"id": "1", "type": "complete"}
    updates = [m["payload"]["data"]["jobUpdated"] for m in messages[:-1]]
    assert updates[0]["status"] == "QUEUED" and updates[-1]["status"] == "SUCCEEDED"
    # every stage, in order, with progress free of float noise (0.05 + 0.8 * 1 is 0.85)
    running = [(u["stage"], u["progress"]) for u in updates if u["status"] == "RUNNING"]
    assert running == [
        (None, 0.0),
        ("loading file", 0.02),
        ("ocr: started", 0.05),
        ("ocr: page 1/1", 0.85),
        ("extracting fields", 0.88),
        ("saving", 0.95),
    ]
    progress = [u["progress"] for u in updates]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert updates[-1]["result"]["receiptId"] == payload["receipt"]["id"]
    receipt = data_of(await gql(RECEIPT, {"id": payload["receipt"]["id"]}, token=account.token))
    assert receipt["receipt"]["status"] != "PROCESSING"
