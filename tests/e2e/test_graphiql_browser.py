"""GraphiQL in a real browser, offline: headless Chromium (playwright-core) opens GraphiQL on a
real API process with every request to another host aborted. The page must render, run
`{ __typename }` over HTTP and a `jobUpdated` subscription over the websocket (credentials from
the headers editor), and try to load nothing from outside. With the former CDN page nothing
rendered and every asset request was aborted."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_migrations
from tests.e2e.conftest import E2E_DIR, api_token, processes
from tests.files.uploads import PREFLIGHT, text_image

EXTRACT = "mutation($f: Upload!) { extractText(input: {file: $f}) { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status } }"


def _pane(text: str) -> dict:
    """The JSON shown in GraphiQL's result pane (the editor renders non-breaking spaces)."""
    return json.loads(text.replace("\xa0", " "))


async def _finished_job(port: int, token: str) -> str:
    """The global id of an extractText job of this user, once it has ended."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        response = await http.post(
            "/graphql",
            data={
                "operations": json.dumps({"query": EXTRACT, "variables": {"f": None}}),
                "map": json.dumps({"0": ["variables.f"]}),
            },
            files={"0": ("hello.png", text_image(["HELLO"], size=(240, 80)), "image/png")},
            headers={**PREFLIGHT, **headers},
        )
        job_id = response.json()["data"]["extractText"]["job"]["id"]
        deadline = time.monotonic() + 120
        while True:
            body = (
                await http.post(
                    "/graphql", json={"query": JOB, "variables": {"id": job_id}}, headers=headers
                )
            ).json()
            if body["data"]["job"]["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return job_id
            assert time.monotonic() < deadline, body
            await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_graphiql_renders_and_runs_a_query_and_a_subscription_offline(
    tmp_path: Path, node: str, chromium: str
):
    # given: one API process (jobs in-process, no Redis) and a finished job of a signed-in user
    database_url = f"sqlite://{tmp_path / 'graphiql.sqlite3'}"
    await asyncio.to_thread(run_migrations, database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "STORAGE_URL": f"file:{tmp_path / 'blobs'}",
        "GRAPHIQL": "true",
        "LOG_LEVEL": "WARNING",
    }
    async with processes(env, replicas=1) as procs:
        port = procs["ports"][0]
        token = await api_token(port)
        job_id = await _finished_job(port, token)
        # when: the browser, cut off from the outside, uses GraphiQL
        browser = await asyncio.create_subprocess_exec(
            node,
            str(E2E_DIR / "graphiql_browser.mjs"),
            f"http://127.0.0.1:{port}",
            token,
            job_id,
            cwd=E2E_DIR,
            env={**os.environ, "CHROMIUM_PATH": chromium},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(browser.communicate(), 180)
    assert browser.returncode == 0, err.decode()[-3000:]
    seen = json.loads(out.decode().strip().splitlines()[-1])
    # then: it rendered, both operations answered, and nothing was fetched from elsewhere
    assert seen["blocked"] == [] and seen["problems"] == [], seen
    assert seen["rendered"] is True
    assert _pane(seen["query"]) == {"data": {"__typename": "Query"}}
    update = _pane(seen["subscription"])["data"]["jobUpdated"]
    assert update["id"] == job_id
    assert update["status"] == "SUCCEEDED" and update["progress"] == 1
