"""botocore's errors as the storage layer's: BlobNotFound for a missing object, StorageError else."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError

from server.storage.errors import BlobNotFound, StorageError

NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def translate_errors(key: str | None) -> Iterator[None]:
    """botocore errors become BlobNotFound / StorageError (the cause stays chained)."""
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        if key is not None and code in NOT_FOUND_CODES:
            raise BlobNotFound(key) from exc
        raise StorageError(
            f"S3 error {code or 'unknown'}" + (f" on {key!r}" if key else "")
        ) from exc
    except BotoCoreError as exc:
        raise StorageError(f"S3 unavailable: {type(exc).__name__}") from exc
