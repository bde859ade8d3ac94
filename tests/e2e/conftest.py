"""What the end-to-end tests need besides Python: node with tests/e2e/node_modules, Debian's
Chromium (driven by playwright-core), and a Redis. `make test` installs all of them
(system-deps, e2e-deps). Missing, a test is skipped with the reason; with CI=true it fails.

Without TEST_REDIS_URL, the tests start a private redis-server of their own on a free loopback
port, so plain `make test` runs them too.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from tests.conftest import (
    IN_CI,
    REPO_ROOT,
    TEST_DATABASE_URL,
    TEST_REDIS_URL,
    _create_pg_database,
    _drop_pg_database,
    run_migrations,
)

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "end to end passphrase 7"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing(reason: str) -> NoReturn:
    """Skip, or fail in CI, where every end-to-end test must run."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node() -> str:
    binary = shutil.which("node")
    if binary is None or not (E2E_DIR / "node_modules" / "graphql-ws").is_dir():
        missing("node or tests/e2e/node_modules missing (`make setup` installs them)")
    return binary  # type: ignore[return-value]


@pytest.fixture(scope="session")
def chromium(node: str) -> str:
    if not (E2E_DIR / "node_modules" / "playwright-core").is_dir():
        missing("playwright-core missing from tests/e2e/node_modules (`make e2e-deps`)")
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"Chromium not found at {CHROMIUM} (`make system-deps` installs Debian's)")
    return CHROMIUM


@pytest.fixture(scope="session")
def e2e_redis_url() -> Iterator[str]:
    """TEST_REDIS_URL when set (checked like the jobs tests do), else a private redis-server."""
    if TEST_REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
        except Exception as exc:
            missing(f"Redis at TEST_REDIS_URL is unreachable: {exc}")
        yield TEST_REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server not installed and TEST_REDIS_URL not set (`make system-deps`)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="scanbase-e2e-redis-") as folder:
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder]
        proc = subprocess.Popen(
            [binary, "--port", str(port), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert proc.poll() is None, "redis-server exited at start"
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@asynccontextmanager
async def processes(env: dict[str, str], *, replicas: int) -> AsyncIterator[dict[str, Any]]:
    """`replicas` API processes (uvicorn) on free ports; workers are started by the test."""
    ports = [free_port() for _ in range(replicas)]
    started: list[subprocess.Popen] = []

    def spawn(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
        return proc

    for port in ports:
        spawn("serve", "--port", str(port))
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for port, proc in zip(ports, started, strict=True):
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if (
                            await http.get(f"http://127.0.0.1:{port}/health/ping")
                        ).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    # A process that died at start fails now, with its reason, not after 60 s.
                    if proc.poll() is not None:
                        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                        pytest.fail(f"API exited at start ({proc.returncode}): {stderr[-2000:]}")
                    assert time.monotonic() < deadline, "API did not start"
                    await asyncio.sleep(0.2)
        yield {"ports": ports, "spawn_worker": lambda: spawn("worker")}
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def api_token(port: int) -> str:
    """A new user's access token, through signup and login on the API at `port`."""
    email = f"spa-{secrets.token_hex(3)}@example.com"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        mutation = "mutation($e: String!, $p: String!) { signup(input: {email: $e, password: $p}) { errors { code } } }"
        await http.post(
            "/graphql", json={"query": mutation, "variables": {"e": email, "p": PASSWORD}}
        )
        login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }"
        response = await http.post(
            "/graphql", json={"query": login, "variables": {"e": email, "p": PASSWORD}}
        )
    return response.json()["data"]["login"]["accessToken"]


@pytest.fixture
async def environment(tmp_path: Path, e2e_redis_url: str) -> AsyncIterator[dict[str, str]]:
    """A migrated database (PostgreSQL when TEST_DATABASE_URL is set, else SQLite), local blobs, a
    queue of its own on Redis and fast job timings: the env of the API and worker processes."""
    if TEST_DATABASE_URL:
        database_url, name = await _create_pg_database(TEST_DATABASE_URL)
    else:
        database_url, name = f"sqlite://{tmp_path / 'e2e.sqlite3'}", None
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": e2e_redis_url,
        "STORAGE_URL": f"file:{tmp_path / 'blobs'}",
        "JOB_QUEUE_NAME": f"scanbase:e2e:{secrets.token_hex(4)}",
        "JOB_HEARTBEAT_SECONDS": "0.5",
        "JOB_RECOVERY_SECONDS": "1",
        "JOB_RETRY_DELAY_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    await asyncio.to_thread(run_migrations, database_url)
    yield env
    if name:
        await _drop_pg_database(TEST_DATABASE_URL, name)
