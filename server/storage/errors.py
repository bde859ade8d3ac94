"""Errors raised by every blob store, whatever the backend.

Callers catch these (never botocore, pymongo or OSError types) so that a service does not depend on
the backend that is configured. Backend failures are wrapped in `StorageError` with the original
exception chained as `__cause__` for the logs.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class: the store could not do what was asked (backend down, I/O error...)."""


class BlobNotFound(StorageError, KeyError):
    """No blob under this key; also a `KeyError` so mapping-style code reads naturally."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"blob not found: {self.key!r}"


class BlobTooLarge(StorageError):
    """The data went over `max_bytes`; the store kept nothing of it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.max_bytes = max_bytes

    def __str__(self) -> str:
        return f"blob larger than the limit of {self.max_bytes} bytes"


class InvalidKey(StorageError, ValueError):
    """The key is not a safe relative name (a client-supplied key must never escape the store)."""

    def __init__(self, key: object, reason: str) -> None:
        super().__init__(key, reason)
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        shown = repr(self.key)
        if len(shown) > 80:  # keys come from clients: keep log lines bounded
            shown = shown[:77] + "..."
        return f"invalid blob key {shown}: {self.reason}"


class InvalidMetadata(StorageError, ValueError):
    """Content type or user metadata that every backend could not store faithfully."""
