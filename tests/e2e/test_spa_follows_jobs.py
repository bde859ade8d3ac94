"""End to end with real processes: two API replicas and arq workers on the real Redis, and the
JavaScript `graphql-ws` client (what SPAs use) run with node.

The client uploads a real receipt through `extractText` on API 1 and follows the job over
graphql-transport-ws on API 2 (events cross replicas through Redis pub/sub). The worker starts
only once the subscription is live, so the client must see QUEUED, then RUNNING, progress and
SUCCEEDED. A second test kills the worker with SIGKILL in the middle of the OCR: a new worker
recovers the job, which succeeds exactly once, on attempt 2.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    REPO_ROOT,
)
from tests.e2e.conftest import E2E_DIR, api_token, processes


@pytest.fixture
def receipt_image(tmp_path: Path) -> Path:
    """A real scanned receipt (SROIE) as PNG, or a rendered one when the dataset is absent."""
    from PIL import Image

    source = REPO_ROOT.parent / "shared" / "datasets" / "receipts-sroie" / "img" / "000.jpg"
    target = tmp_path / "receipt.png"
    if source.is_file():
        Image.open(source).convert("RGB").save(target)
    else:
        from tests.files.uploads import text_image

        target.write_bytes(text_image(["TOTAL 12.50", "THANK YOU"]))
    return target


class NodeClient:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.events: list[dict[str, Any]] = []

    async def next_event(self, within: float = 120) -> dict[str, Any]:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), within)
        assert line, f"node exited early: {(await self.proc.stderr.read()).decode()[-2000:]}"
        event = json.loads(line)
        self.events.append(event)
        assert event["event"] != "error", event
        return event

    async def until(self, predicate: Any, within: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while True:
            event = await self.next_event(max(1.0, deadline - time.monotonic()))
            if predicate(event):
                return event

    def updates(self) -> list[dict[str, Any]]:
        return [e["data"]["jobUpdated"] for e in self.events if e["event"] == "update"]


@asynccontextmanager
async def node_client(
    node_bin: str, ports: list[int], token: str, image: Path
) -> AsyncIterator[NodeClient]:
    proc = await asyncio.create_subprocess_exec(
        node_bin,
        str(E2E_DIR / "follow_job.mjs"),
        f"http://127.0.0.1:{ports[0]}",
        f"ws://127.0.0.1:{ports[1]}/graphql",
        token,
        str(image),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=E2E_DIR,
    )
    client = NodeClient(proc)
    try:
        yield client
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


def _statuses(updates: list[dict[str, Any]]) -> list[str]:
    collapsed: list[str] = []
    for update in updates:
        if not collapsed or collapsed[-1] != update["status"]:
            collapsed.append(update["status"])
    return collapsed


@pytest.mark.slow
async def test_spa_follows_extract_text_across_replicas(environment, node, receipt_image):
    async with processes(environment, replicas=2) as procs:
        token = await api_token(procs["ports"][0])
        async with node_client(node, procs["ports"], token, receipt_image) as client:
            # given: the job exists and the subscription on API 2 is live, with no worker yet
            await client.until(lambda e: e["event"] == "update", within=60)
            assert client.updates()[0]["status"] == "QUEUED"
            # when: a worker starts
            procs["spawn_worker"]()
            await client.until(lambda e: e["event"] == "complete")
    # then: QUEUED -> RUNNING (with progress) -> SUCCEEDED, and the text of the receipt
    updates = client.updates()
    assert _statuses(updates) == ["QUEUED", "RUNNING", "SUCCEEDED"]
    running = [u["progress"] for u in updates if u["status"] == "RUNNING"]
    assert len(running) >= 3 and running == sorted(running) and 0 < running[-1] < 1
    final = updates[-1]
    assert final["progress"] == 1.0 and final["attempts"] == 1
    assert len(final["result"]["text"]) > 50
    assert final["result"]["pages"][0]["lines"]


@pytest.mark.slow
async def test_worker_killed_mid_job_is_retried_and_succeeds_once(environment, node, receipt_image):
    async with processes(environment, replicas=2) as procs:
        token = await api_token(procs["ports"][0])
        async with node_client(node, procs["ports"], token, receipt_image) as client:
            await client.until(lambda e: e["event"] == "update", within=60)
            first = procs["spawn_worker"]()
            # when: the worker is killed with SIGKILL while the OCR runs
            await client.until(
                lambda e: (
                    e["event"] == "update"
                    and e["data"]["jobUpdated"]["status"] == "RUNNING"
                    and "ocr" in (e["data"]["jobUpdated"]["stage"] or "")
                )
            )
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            procs["spawn_worker"]()
            await client.until(lambda e: e["event"] == "complete")
    # then: a second attempt ran and the job succeeded exactly once
    updates = client.updates()
    succeeded = [u for u in updates if u["status"] == "SUCCEEDED"]
    assert len(succeeded) == 1
    assert succeeded[0]["attempts"] == 2
    assert {u["attempts"] for u in updates if u["status"] == "RUNNING"} == {1, 2}
    assert _statuses(updates)[-1] == "SUCCEEDED"
    assert len(succeeded[0]["result"]["text"]) > 50
