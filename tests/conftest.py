"""Test harness: the app inside its lifespan on a freshly migrated database, once per backend.

`TEST_DB_BACKEND` picks the database: sqlite (default) or postgres (a fresh database on the
TEST_DATABASE_URL server). Tortoise caches dialect-specific SQL per model class, so one process
serves one backend: `make test` runs the whole suite on SQLite, then the tests marked `db` (all
that touch the database, marked automatically) again on PostgreSQL when TEST_DATABASE_URL is set.
In CI (CI=true) an unreachable PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"

# Test defaults, set before any settings are read.
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ["LOG_JSON"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["LOGIN_IP_MAX_FAILURES"] = "1000"
os.environ["SIGNUP_IP_MAX_ATTEMPTS"] = "100000"
# argon2 at its cheapest (the production cost is ~50 ms per hash; the suite hashes hundreds).
os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "8")
os.environ.setdefault("PASSWORD_HASH_PARALLELISM", "1")
os.environ.setdefault("REDIS_URL", "")
# One thread per library: pytest-xdist already runs a worker per core, and the thread pools of
# onnxruntime (RapidOCR), OpenMP (tesseract, LightGBM) and BLAS would only spin on the same cores
# waiting for each other (onnxruntime alone cost a third more CPU on the OCR tests).
os.environ.setdefault("OCR_ONNX_THREADS", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Blobs of the test run go to a temporary folder, never into the repo's var/: one per process,
# as the database is, since pytest-xdist workers inherit the controller's environment and a sweep
# deletes the blobs its own database does not know.
if "STORAGE_URL" not in os.environ or os.environ.get("SCANBASE_TEST_OWN_STORAGE") == "1":
    os.environ["STORAGE_URL"] = "file:" + tempfile.mkdtemp(prefix="scanbase-test-blobs-")
    os.environ["SCANBASE_TEST_OWN_STORAGE"] = "1"

import httpx  # noqa: E402
import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from server.settings import get_settings  # noqa: E402

get_settings.cache_clear()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
TEST_DB_BACKEND = os.environ.get("TEST_DB_BACKEND", "sqlite")


def pytest_report_header(config: pytest.Config) -> list[str]:
    pg = TEST_DATABASE_URL or "not set: the PostgreSQL pass is skipped (CI sets it)"
    return [
        f"database backend: {TEST_DB_BACKEND} (TEST_DATABASE_URL: {pg})",
        f"redis: {TEST_REDIS_URL or 'TEST_REDIS_URL not set: Redis tests skipped (CI sets it)'}",
    ]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: touches the database (run again on PostgreSQL)")
    config.addinivalue_line(
        "markers",
        "slow: worker or API processes, a browser, real OCR over many images, big files, races "
        "between processes; `make test` leaves them out, `make test-slow` runs them (CI runs both)",
    )


# The longest files (measured), longest first: those of the slow tests (`make test-slow`), then
# those of the fast ones (`make test`). pytest-xdist's `--dist loadfile` hands files out in
# collection order, so a long file collected last keeps one worker busy while the other idles;
# started first, the short files fill in around them and both workers end together. A stale entry
# costs nothing (an unknown file keeps its place after these; a file none of whose tests are
# selected is not handed out).
HEAVY_FIRST = (
    "tests/companies/test_sales_import.py",
    "tests/e2e/test_spa_follows_jobs.py",
    "tests/e2e/test_companies_flow.py",
    "tests/documents/test_papers.py",
    "tests/core/test_fast_path_corpus.py",
    "tests/core/test_process.py",
    "tests/ocr/test_engines.py",
    "tests/ocr/test_documents.py",
    "tests/companies/test_forecasts.py",
    "tests/receipts/test_upload_receipt.py",
    "tests/core/test_metrics.py",
    "tests/receipts/test_pipeline.py",
    "tests/files/test_extract_text.py",
    "tests/e2e/test_graphiql_browser.py",
    "tests/ocr/test_pdf.py",
    "tests/storage/test_contract.py",
    "tests/receipts/test_extract_job.py",
    "tests/ocr/test_images.py",
    "tests/receipts/test_multi_receipt.py",
    "tests/jobs/test_arq.py",
    "tests/documents/test_document_job.py",
    "tests/receipts/test_upload_crash.py",
    "tests/core/test_migrate_lock.py",
    "tests/storage/test_s3.py",
    "tests/core/test_outages.py",
    "tests/accounts/test_throttle.py",
    "tests/core/test_access_matrix.py",
    "tests/core/test_deploy.py",
    "tests/core/test_input_fuzz.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
    # Heaviest files first (a stable sort: tests keep their order inside each file).
    rank = {name: index for index, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def shared_dataset(name: str) -> Path:
    """A folder of ../shared/datasets, or a skip that says plainly it is absent."""
    path = SHARED_DIR / "datasets" / name
    if not path.is_dir():
        pytest.skip(f"dataset {name} not found at ../shared/datasets (outside the repo): skipped")
    return path


def run_migrations(database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "server", "migrate"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _create_pg_database(base_url: str) -> tuple[str, str]:
    """Create a fresh database on the TEST_DATABASE_URL server; returns (its url, its name)."""
    import asyncpg

    parts = urlsplit(base_url)
    admin_dsn = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
    name = f"scanbase_test_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(admin_dsn, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(("asyncpg", parts.netloc, f"/{name}", parts.query, "")), name


async def _drop_pg_database(base_url: str, name: str) -> None:
    import asyncpg

    parts = urlsplit(base_url)
    conn = await asyncpg.connect(
        urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _migrate(database_url: str) -> None:
    """`server migrate`'s own code, in this process: a `python -m server migrate` subprocess
    would import the whole app again (~2 s of CPU) in every worker of both passes. The command
    itself is run as a process by tests/core/test_process.py."""
    from server.db import apply_migrations

    await apply_migrations(database_url)


@pytest_asyncio.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if TEST_DB_BACKEND == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        await _migrate(url)
        yield url
        return
    if not TEST_DATABASE_URL:
        pytest.fail("TEST_DB_BACKEND=postgres needs TEST_DATABASE_URL")
    try:
        url, name = await _create_pg_database(TEST_DATABASE_URL)
    except (OSError, Exception) as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    await _migrate(url)
    yield url
    await _drop_pg_database(TEST_DATABASE_URL, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Any:
    return get_settings().model_copy(update={"database_url": database_url})


@pytest_asyncio.fixture(scope="session")
async def app(settings: Any) -> AsyncIterator[Any]:
    from server.app import create_app

    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60) as manager:
        yield manager.app


@pytest_asyncio.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    """Posts one operation and returns the decoded body; the HTTP status must be 200."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        api_key: str | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        response = await self.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


def data_of(result: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a response that must have no GraphQL errors."""
    assert not result.get("errors"), result.get("errors")
    return result["data"]


@pytest_asyncio.fixture
async def restore_default_rules(app: Any) -> AsyncIterator[None]:
    """Loyalty rules are global: publish the defaults again afterwards, so that a test which
    changes them (on purpose, or by fuzzing `updateLoyaltyRules`) leaves none behind."""
    from server.receipts.loyalty import RULE_FIELDS, RulesEdit, update_loyalty_rules
    from server.receipts.points import DEFAULT_RULES
    from tests.factories import make_admin

    yield
    admin = await make_admin()
    defaults = {name: getattr(DEFAULT_RULES, name) for name in RULE_FIELDS}
    await update_loyalty_rules(actor=admin.user, edit=RulesEdit(**defaults))
