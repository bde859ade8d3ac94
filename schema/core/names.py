"""Service names to GraphQL names: services speak snake_case (`items.0.unit_price`, a job result's
`receipt_id`), clients see camelCase (`items.0.unitPrice`, `receiptId`). Every translation goes
through here, so no service knows the schema's spelling. Already-camelCase names pass unchanged
(rows written before the services spoke snake_case still read the same)."""

from __future__ import annotations

import re
from typing import Any

_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _camel(word: str) -> str:
    head, *rest = word.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def public_name(name: str | None) -> str | None:
    """A field path as clients name it: "items.0.unit_price" -> "items.0.unitPrice"."""
    if not name or "_" not in name:
        return name
    return ".".join(_camel(part) for part in name.split("."))


def public_text(text: str) -> str:
    """A message with the service's snake_case names (words with an underscore) in camelCase."""
    return _SNAKE.sub(lambda match: _camel(match.group(0)), text) if "_" in text else text


def public_keys(value: Any) -> Any:
    """JSON with every dict key in camelCase, at any depth."""
    if isinstance(value, dict):
        return {public_name(str(key)): public_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [public_keys(item) for item in value]
    return value
