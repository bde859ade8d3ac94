"""Blob storage: one `BlobStore` protocol, three backends, chosen by one URL setting.

`open_blob_store(url)` builds the store from `STORAGE_URL` (read by `server.settings`):

Local filesystem (`server.storage.local`)
    `file:var/blobs`              relative path, resolved against `base_dir`
    `file:///srv/scanbase/blobs`  absolute path (`file://localhost/...` too)

S3 or compatible (`server.storage.s3`)
    `s3://BUCKET[/PREFIX][?PARAM=VALUE&...]`, parameters all optional:
    - `endpoint_url`     service URL for MinIO, OVH, DigitalOcean Spaces... (omit for AWS), e.g.
                         `http://127.0.0.1:9000`, `https://s3.gra.io.cloud.ovh.net`,
                         `https://fra1.digitaloceanspaces.com`
    - `region`           e.g. `eu-west-1`; omit to use botocore's default
    - `access_key`, `secret_key`, `session_token`
                         explicit credentials (access and secret go together); omit them to use
                         botocore's default chain (environment, ~/.aws, instance or task role)
    - `sse`              server-side encryption: `AES256` or `aws:kms`
    - `sse_kms_key_id`   KMS key id or ARN, with `sse=aws:kms` (else the account's default key)
    - `addressing_style` `path`, `virtual` or `auto`; default `path` when `endpoint_url` is set
    - `part_size_mb`     multipart part size in MiB, 5 to 5120 (default 8)
    Values are percent-decoded, and "+" stays a plus (AWS secret keys contain "+" and "/":
    write "/" as %2F). Any other parameter is an error, so a typo cannot go unnoticed.
    Example: `s3://scans/prod?endpoint_url=http://minio:9000&region=eu-west-1&sse=AES256`

MongoDB GridFS (`server.storage.gridfs`)
    `mongodb://[USER:PASS@]HOST[:PORT][,HOST...]/DATABASE[?bucket=NAME&DRIVER_OPTIONS]`, or
    `mongodb+srv://...` alike. The database is required; `bucket` is the GridFS bucket (default
    `fs`); every other parameter (replicaSet, authSource, tls...) goes to the driver unchanged.

Anything else raises ValueError. Errors never echo the URL, which may hold secrets.
The backends' modules are imported only when chosen, so aiobotocore or motor load only if used.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from server.storage.base import BlobData, BlobInfo, BlobStore, validate_key
from server.storage.errors import (
    BlobNotFound,
    BlobTooLarge,
    InvalidKey,
    InvalidMetadata,
    StorageError,
)

__all__ = [
    "BlobData",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "InvalidKey",
    "InvalidMetadata",
    "StorageError",
    "open_blob_store",
    "validate_key",
]

_S3_PARAMETERS = frozenset(
    {
        "endpoint_url",
        "region",
        "access_key",
        "secret_key",
        "session_token",
        "sse",
        "sse_kms_key_id",
        "addressing_style",
        "part_size_mb",
    }
)


def open_blob_store(url: str, *, base_dir: str | Path = ".") -> BlobStore:
    """Build the store that `url` names (formats in the module docstring); no I/O happens yet.

    Raises ValueError for an unknown scheme or a malformed URL.
    """
    scheme, _, _ = url.partition(":")
    scheme = scheme.lower()
    if scheme == "file":
        return _open_local(url, Path(base_dir))
    if scheme == "s3":
        return _open_s3(url)
    if scheme in ("mongodb", "mongodb+srv"):
        return _open_gridfs(url)
    raise ValueError(
        f"unsupported storage URL scheme {scheme!r:.40}: use file:, s3://, mongodb:// "
        "or mongodb+srv://"
    )


def _open_local(url: str, base_dir: Path) -> BlobStore:
    from server.storage.local import LocalBlobStore

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError("file: storage URL must name a local path (file:DIR or file:///DIR)")
    if parts.query or parts.fragment:
        raise ValueError("file: storage URL takes no parameters")
    path = unquote(parts.path)
    if not path:
        raise ValueError("file: storage URL needs a directory, e.g. file:var/blobs")
    root = Path(path)
    return LocalBlobStore(root if root.is_absolute() else base_dir / root)


def _open_s3(url: str) -> BlobStore:
    from server.storage.s3 import S3BlobStore

    parts = urlsplit(url)
    if not parts.netloc or "@" in parts.netloc or ":" in parts.netloc:
        raise ValueError(
            "s3:// storage URL must be s3://BUCKET[/PREFIX]; credentials go in "
            "access_key/secret_key parameters"
        )
    if parts.fragment:
        raise ValueError("s3:// storage URL takes no #fragment")
    params = _parse_query(parts.query)
    unknown = sorted(set(params) - _S3_PARAMETERS)
    if unknown:
        raise ValueError(
            f"unknown s3:// storage URL parameter(s) {unknown}; allowed: {sorted(_S3_PARAMETERS)}"
        )
    part_size_mb = params.pop("part_size_mb", None)
    kwargs: dict[str, object] = {}
    if part_size_mb is not None:
        try:
            kwargs["part_size"] = int(part_size_mb) * 1024 * 1024
        except ValueError:
            raise ValueError("part_size_mb must be a whole number of MiB") from None
    return S3BlobStore(
        parts.netloc,
        prefix=unquote(parts.path).strip("/"),
        endpoint_url=params.get("endpoint_url"),
        region=params.get("region"),
        access_key=params.get("access_key"),
        secret_key=params.get("secret_key"),
        session_token=params.get("session_token"),
        sse=params.get("sse"),  # type: ignore[arg-type]  # checked by S3BlobStore
        sse_kms_key_id=params.get("sse_kms_key_id"),
        addressing_style=params.get("addressing_style"),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def _open_gridfs(url: str) -> BlobStore:
    from server.storage.gridfs import GridFSBlobStore

    parts = urlsplit(url)
    if not parts.netloc:
        raise ValueError("mongodb:// storage URL needs a host")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ValueError("mongodb:// storage URL needs a database: mongodb://HOST/DATABASE")
    bucket = "fs"
    driver_options = []
    for item in filter(None, parts.query.split("&")):
        name, _, value = item.partition("=")
        if name == "bucket":
            bucket = unquote(value)
        else:
            driver_options.append(item)
    client_url = parts._replace(query="&".join(driver_options), fragment="").geturl()
    return GridFSBlobStore(client_url, database=database, bucket=bucket)


def _parse_query(query: str) -> dict[str, str]:
    """Like parse_qs, but "+" stays a plus and a repeated parameter is an error."""
    params: dict[str, str] = {}
    for item in filter(None, query.split("&")):
        name, _, value = item.partition("=")
        name = unquote(name)
        if name in params:
            raise ValueError(f"storage URL parameter {name!r:.40} given twice")
        params[name] = unquote(value)
    return params
