"""Fixtures for the blob store contract: one `backend` per store, each able to list what it holds.

S3 runs against moto in server mode on loopback (a real HTTP endpoint, so aiobotocore's wire
behaviour is exercised); GridFS runs only when MONGO_URL points at a real MongoDB server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiobotocore.session import get_session
from moto.server import ThreadedMotoServer

from server.storage.base import BlobStore
from server.storage.local import LocalBlobStore
from server.storage.s3 import S3BlobStore

S3_REGION = "us-east-1"
S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}
# Small enough that the >10 MiB contract case needs several parts.
S3_PART_SIZE = 5 * 1024 * 1024
GRIDFS_SKIP_REASON = "MONGO_URL not set: no MongoDB server on this machine, GridFS contract not run"


@dataclass
class Backend:
    """A store under test plus a way to see everything it persisted (to prove nothing leaked)."""

    name: str
    store: BlobStore
    contents: Callable[[], Awaitable[set[str]]]
    # Leaves what a write killed mid-way leaves under the key (temp file, multipart upload...).
    interrupt_write: Callable[[str], Awaitable[None]]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 API over HTTP on 127.0.0.1, on a port the OS picks."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def s3_client(s3_endpoint: str) -> AsyncIterator[Any]:
    """A raw aiobotocore client, to create buckets and look behind the store's back."""
    async with get_session().create_client(
        "s3",
        region_name=S3_REGION,
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
    ) as client:
        yield client


@pytest.fixture
async def s3_bucket(s3_client: Any) -> str:
    name = f"scanbase-test-{uuid.uuid4().hex[:12]}"
    await s3_client.create_bucket(Bucket=name)
    return name


async def s3_contents(client: Any, bucket: str) -> set[str]:
    """Every object and every pending multipart upload in the bucket."""
    found: set[str] = set()
    listing = await client.list_objects_v2(Bucket=bucket)
    found.update(f"object:{item['Key']}" for item in listing.get("Contents", []))
    uploads = await client.list_multipart_uploads(Bucket=bucket)
    found.update(f"upload:{item['Key']}" for item in uploads.get("Uploads", []))
    return found


def local_contents(root: Path) -> set[str]:
    """Every file under the root, hidden temp files and sidecars included."""
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


@pytest.fixture
async def local_backend(tmp_path: Path) -> AsyncIterator[Backend]:
    root = tmp_path / "blobs"
    store = LocalBlobStore(root, fsync=False)

    async def contents() -> set[str]:
        return local_contents(root)

    async def interrupt_write(key: str) -> None:
        path = store._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_name(f".{path.name}.k1ll3d.tmp").write_bytes(b"partial")

    yield Backend("local", store, contents, interrupt_write)
    await store.close()


@pytest.fixture
def make_s3_store(s3_endpoint: str) -> Callable[..., S3BlobStore]:
    """Build a store on the moto endpoint: `make_s3_store(bucket, sse="AES256", ...)`."""

    def make(bucket: str, **options: Any) -> S3BlobStore:
        settings: dict[str, Any] = {
            "prefix": "scans/2024",
            "endpoint_url": s3_endpoint,
            "region": S3_REGION,
            "part_size": S3_PART_SIZE,
            **S3_CREDENTIALS,
        }
        return S3BlobStore(bucket, **(settings | options))

    return make


@pytest.fixture
async def s3_backend(
    make_s3_store: Callable[..., S3BlobStore], s3_client: Any, s3_bucket: str
) -> AsyncIterator[Backend]:
    store = make_s3_store(s3_bucket)

    async def contents() -> set[str]:
        return await s3_contents(s3_client, s3_bucket)

    async def interrupt_write(key: str) -> None:
        await s3_client.create_multipart_upload(Bucket=s3_bucket, Key=store._object_key(key))

    yield Backend("s3", store, contents, interrupt_write)
    await store.close()


@pytest.fixture
async def gridfs_backend() -> AsyncIterator[Backend]:
    mongo_url = os.environ.get("MONGO_URL")
    if not mongo_url:
        pytest.skip(GRIDFS_SKIP_REASON)
    from motor.motor_asyncio import AsyncIOMotorClient

    from server.storage.gridfs import GridFSBlobStore

    client: Any = AsyncIOMotorClient(mongo_url, serverSelectionTimeoutMS=5000)
    database = f"scanbase_test_{uuid.uuid4().hex[:12]}"
    store = GridFSBlobStore(client, database=database, bucket="blobs")

    async def contents() -> set[str]:
        db = client[database]
        files = {f"file:{doc['_id']}" async for doc in db["blobs.files"].find({}, {"_id": 1})}
        chunks = {f"chunk:{doc['_id']}" async for doc in db["blobs.chunks"].find({}, {"_id": 1})}
        return files | chunks

    async def interrupt_write(key: str) -> None:
        from bson import ObjectId

        # An upload stream never closed: its chunks, without the file document written last.
        chunk = {"files_id": ObjectId(), "n": 0, "data": b"partial"}
        await client[database]["blobs.chunks"].insert_one(chunk)

    yield Backend("gridfs", store, contents, interrupt_write)
    await store.close()
    await client.drop_database(database)
    client.close()


@pytest.fixture(params=["local", "s3", "gridfs"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each contract test runs once per backend."""
    return request.getfixturevalue(f"{request.param}_backend")
