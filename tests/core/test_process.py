"""Real processes: migrations from zero, the server as a process (HTTP and websocket), the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.conftest import REPO_ROOT, TEST_DATABASE_URL, run_migrations


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "LOG_JSON": "true", "LOG_LEVEL": "INFO"}


@pytest.mark.slow
def test_migrations_apply_from_zero_and_match_the_models(tmp_path: Path):
    # given: an empty SQLite database
    url = f"sqlite://{tmp_path / 'fresh.sqlite3'}"
    # when
    first = run_migrations(url)
    second = run_migrations(url)
    # then: every migration applied once, the second run is a no-op
    applied = len(list((REPO_ROOT / "migrations" / "sqlite" / "models").glob("*.py")))
    assert f"applied {applied} migration(s)" in first
    assert "applied 0 migration(s)" in second


def test_models_have_no_unmigrated_changes(tmp_path: Path):
    """Generating a migration against a migrated scratch database must find nothing to do."""
    url = f"sqlite://{tmp_path / 'scratch.sqlite3'}"
    run_migrations(url)
    done = subprocess.run(
        [sys.executable, "-m", "server", "makemigrations", "check", "--database-url", url],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    leftover = [p for p in (REPO_ROOT / "migrations" / "sqlite" / "models").glob("*_check.py")]
    for path in leftover:
        path.unlink()
    assert done.stdout.strip() == "no changes", (
        "models changed without a migration: run `make migrations name=...`"
    )
    assert not leftover


@pytest.mark.slow
@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="TEST_DATABASE_URL not set: PostgreSQL migrations not run"
)
async def test_migrations_apply_from_zero_on_postgres():
    from tests.conftest import _create_pg_database, _drop_pg_database

    url, name = await _create_pg_database(TEST_DATABASE_URL)
    try:
        first = await asyncio.to_thread(run_migrations, url)
        second = await asyncio.to_thread(run_migrations, url)
    finally:
        await _drop_pg_database(TEST_DATABASE_URL, name)
    applied = len(list((REPO_ROOT / "migrations" / "postgres" / "models").glob("*.py")))
    assert f"applied {applied} migration(s)" in first
    assert "applied 0 migration(s)" in second


async def test_server_process_serves_http_and_authenticated_websockets(tmp_path: Path):
    # given: a migrated database, an account, and the server started as a real process
    url = f"sqlite://{tmp_path / 'smoke.sqlite3'}"
    await asyncio.to_thread(run_migrations, url)
    port = _free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, then only polled over HTTP
        [sys.executable, "-m", "server", "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if (await http.get("/health/ping")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                await asyncio.sleep(0.2)
            # when
            typename = await http.post("/graphql", json={"query": "{ __typename }"})
            await http.post(
                "/graphql",
                json={
                    "query": 'mutation { signup(input: {email: "smoke@example.com", password: "quiet harbour lantern 7"}) { errors { code } } }'
                },
            )
            login = await http.post(
                "/graphql",
                json={
                    "query": 'mutation { login(input: {email: "smoke@example.com", password: "quiet harbour lantern 7"}) { accessToken } }'
                },
            )
            token = login.json()["data"]["login"]["accessToken"]
        # then
        assert typename.json() == {"data": {"__typename": "Query"}}
        ws_url = f"ws://127.0.0.1:{port}/graphql"
        async with websockets.connect(
            ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]
        ) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        ws = await websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")])
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": "Bearer forged.token.x"}}
            )
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    # the JSON logs carry request ids and never the password or the token
    log_lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/graphql" and line["request_id"] != "-" for line in log_lines)
    assert "quiet harbour lantern 7" not in output
    assert token not in output


def test_create_admin_command(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    run_migrations(url)
    ok = subprocess.run(
        [sys.executable, "-m", "server", "create-admin", "Boss@Example.com"],
        input="a long admin passphrase\n",
        cwd=REPO_ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    weak = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "create-admin",
            "other@example.com",
            "--password",
            "short",
        ],
        cwd=REPO_ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "admin boss@example.com" in ok.stdout
    assert weak.returncode == 1
    assert "WEAK_PASSWORD" in weak.stderr


@pytest.mark.slow
async def test_nginx_config_proxies_http_and_websockets_to_the_api(tmp_path: Path):
    """deploy/nginx.conf in front of a real server process: GraphQL over HTTP and a
    graphql-transport-ws handshake go through (Upgrade and Connection passed on)."""
    import shutil

    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx): the proxy is not exercised")
    # given: the API, and nginx with the deployment's config aimed at it instead of `api:8000`
    url = f"sqlite://{tmp_path / 'proxy.sqlite3'}"
    await asyncio.to_thread(run_migrations, url)
    api_port, proxy_port = _free_port(), _free_port()
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("set $api http://api:8000;", f"set $api http://127.0.0.1:{api_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{proxy_port};"),
        ("pid /tmp/nginx.pid;", f"pid {tmp_path / 'nginx.pid'};"),
    ]:
        assert old in conf
        conf = conf.replace(old, new)
    (tmp_path / "nginx.conf").write_text(conf)
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, then only polled over HTTP
        [sys.executable, "-m", "server", "serve", "--port", str(api_port)],
        cwd=REPO_ROOT,
        env=_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = subprocess.Popen(  # noqa: ASYNC220
        [
            nginx,
            "-c",
            str(tmp_path / "nginx.conf"),
            "-p",
            str(tmp_path),
            "-e",
            "stderr",
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{proxy_port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if (await http.get("/health/ping")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proxy.poll() is None, "nginx stopped"
                assert time.monotonic() < deadline, "the API did not answer through nginx"
                await asyncio.sleep(0.2)
            # when
            typename = await http.post("/graphql", json={"query": "{ __typename }"})
            hidden = await http.get("/metrics")
        async with websockets.connect(
            f"ws://127.0.0.1:{proxy_port}/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    finally:
        for process in (proxy, server):
            process.terminate()
        proxy_output = proxy.communicate(timeout=20)[0].decode()
        server.wait(timeout=20)
    # then
    assert typename.json() == {"data": {"__typename": "Query"}}, proxy_output
    assert ack["type"] == "connection_ack"
    assert hidden.status_code == 404  # scraped on each replica, not through the entry point
