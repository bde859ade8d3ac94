"""`open_blob_store` picks and configures the backend from the STORAGE_URL setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.storage import BlobStore, open_blob_store
from server.storage.gridfs import GridFSBlobStore
from server.storage.local import LocalBlobStore
from server.storage.s3 import S3BlobStore


def test_relative_file_url_resolves_against_base_dir(tmp_path: Path) -> None:
    store = open_blob_store("file:var/blobs", base_dir=tmp_path)
    assert isinstance(store, LocalBlobStore)
    assert isinstance(store, BlobStore)
    assert store.root == tmp_path / "var" / "blobs"


@pytest.mark.parametrize(
    "url", ["file:///srv/scanbase/blobs", "file://localhost/srv/scanbase/blobs"]
)
def test_absolute_file_url(url: str, tmp_path: Path) -> None:
    store = open_blob_store(url, base_dir=tmp_path)
    assert isinstance(store, LocalBlobStore)
    assert store.root == Path("/srv/scanbase/blobs")


async def test_file_store_from_url_works(tmp_path: Path) -> None:
    store = open_blob_store("file:blobs", base_dir=tmp_path)
    await store.put(b"hi", content_type="text/plain", key="k")
    assert (tmp_path / "blobs" / "k").read_bytes() == b"hi"


def test_s3_url_with_every_parameter() -> None:
    # given
    url = (
        "s3://scans/prod/blobs/?endpoint_url=http://127.0.0.1:9000&region=eu-west-1"
        "&sse=aws:kms&sse_kms_key_id=arn%3Aaws%3Akms%3Ak&access_key=AKIAX"
        "&secret_key=ab+c%2Fd%3D&session_token=tok&addressing_style=virtual&part_size_mb=16"
    )
    # when
    store = open_blob_store(url)
    # then
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == ("scans", "prod/blobs")
    assert store.endpoint_url == "http://127.0.0.1:9000"
    assert store.region == "eu-west-1"
    assert store.part_size == 16 * 1024 * 1024
    assert store._sse == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "arn:aws:kms:k"}
    assert store._credentials == {
        "aws_access_key_id": "AKIAX",
        "aws_secret_access_key": "ab+c/d=",
        "aws_session_token": "tok",
    }
    assert vars(store._config)["s3"] == {"addressing_style": "virtual"}


def test_minimal_s3_url_uses_default_credential_chain() -> None:
    store = open_blob_store("s3://scans")
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix, store.endpoint_url, store._sse) == ("scans", "", None, {})
    assert set(store._credentials.values()) == {None}
    assert vars(store._config)["s3"] == {"addressing_style": "auto"}


def test_s3_endpoint_defaults_to_path_style() -> None:
    store = open_blob_store("s3://scans?endpoint_url=https://fra1.digitaloceanspaces.com")
    assert isinstance(store, S3BlobStore)
    assert vars(store._config)["s3"] == {"addressing_style": "path"}


@pytest.mark.parametrize(
    "url",
    ["mongodb://db1:27017,db2:27017/scanbase", "mongodb+srv://u:p%40ss@cluster.example/scanbase"],
)
def test_mongodb_url(url: str) -> None:
    store = open_blob_store(url + "?bucket=blobs&replicaSet=rs0&authSource=admin")
    assert isinstance(store, GridFSBlobStore)
    assert (store.database, store.bucket) == ("scanbase", "blobs")
    assert store._url == url + "?replicaSet=rs0&authSource=admin"
    assert "p%40ss" not in repr(store)


def test_mongodb_bucket_defaults_to_fs() -> None:
    store = open_blob_store("mongodb://localhost/scanbase")
    assert isinstance(store, GridFSBlobStore)
    assert store.bucket == "fs"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/blobs", "unsupported storage URL scheme"),
        ("var/blobs", "unsupported storage URL scheme"),
        ("", "unsupported storage URL scheme"),
        ("file:", "needs a directory"),
        ("file://otherhost/blobs", "local path"),
        ("file:blobs?fsync=0", "no parameters"),
        ("s3://", "s3://BUCKET"),
        ("s3://key:secret@bucket", "s3://BUCKET"),
        ("s3://bucket?regoin=eu-west-1", "unknown s3:// storage URL parameter"),
        ("s3://bucket?region=a&region=b", "given twice"),
        ("s3://bucket?sse=DES", "sse must be"),
        ("s3://bucket?part_size_mb=big", "whole number"),
        ("s3://bucket?part_size_mb=1", "part_size"),
        ("s3://bucket?access_key=only", "both access_key and secret_key"),
        ("s3://bucket/../escape", "invalid blob key"),
        ("mongodb://host", "needs a database"),
        ("mongodb:///scanbase", "needs a host"),
    ],
)
def test_bad_urls_raise_clear_value_errors(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_blob_store(url)


def test_errors_never_echo_secrets() -> None:
    with pytest.raises(ValueError) as raised:
        open_blob_store("s3://bucket?secret_key=TOPSECRET&typo=1")
    assert "TOPSECRET" not in str(raised.value)
