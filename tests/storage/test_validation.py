"""The shared rules for keys and metadata (server.storage.base)."""

from __future__ import annotations

import pytest

from server.storage import InvalidKey, InvalidMetadata
from server.storage.base import (
    new_key,
    quote_metadata_value,
    unquote_metadata_value,
    validate_key,
    validate_metadata,
)


@pytest.mark.parametrize(
    "key",
    ["a", "receipts/2024/04/r-1_final.v2.pdf", "0f3e" * 8, "-dash", "x" * 200, "a/" * 100 + "b"],
)
def test_valid_keys(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "..", "../x", "x/..", "/abs", "a//b", "a/", "./a", ".a", "a/.b", "é", "a b", "a:b"]
)
def test_invalid_keys(key: str) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)


def test_key_length_is_capped() -> None:
    with pytest.raises(InvalidKey, match="longer than 512"):
        validate_key("ab/" * 200 + "c")


def test_non_string_key() -> None:
    with pytest.raises(InvalidKey, match="not a string"):
        validate_key(b"bytes")


def test_invalid_key_message_is_bounded() -> None:
    assert len(str(InvalidKey("x" * 10_000, "too long"))) < 120


def test_new_keys_are_valid_and_unique() -> None:
    keys = {new_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(validate_key(key) == key for key in keys)


@pytest.mark.parametrize(
    "value", ["plain", "reçu 100% – €", " padded ", "", "a%20b", "line\nbreak", "emoji 🧾"]
)
def test_metadata_quoting_round_trips_and_is_ascii(value: str) -> None:
    quoted = quote_metadata_value(value)
    assert quoted.isascii() and quoted.isprintable() and " " not in quoted
    assert unquote_metadata_value(quoted) == value


def test_plain_metadata_values_stay_readable() -> None:
    assert quote_metadata_value("user_42@example.com") == "user_42@example.com"


@pytest.mark.parametrize(
    "metadata",
    [{"Caps": "x"}, {"with space": "x"}, {"": "x"}, {"k": 1}, {"scanbase-anything": "x"}],
)
def test_invalid_metadata(metadata: dict[str, object]) -> None:
    with pytest.raises(InvalidMetadata):
        validate_metadata(metadata)  # type: ignore[arg-type]


def test_metadata_is_copied() -> None:
    original = {"a": "1"}
    copied = validate_metadata(original)
    original["a"] = "2"
    assert copied == {"a": "1"}
