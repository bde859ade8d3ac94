"""The document tools exist once: a second row grouping, box union or fold is a regression.

Receipts had two of each (``server/ocr/layout.py`` and ``server/receipts/layout.py``,
``receipts/brands.py``); invoices and cards would have copied them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
TOOLS = (
    "group_rows",
    "build_rows",
    "build_lines",
    "union_box",
    "fold",
    "strip_accents",
    "find_amounts",
    "parse_amount",
    "find_dates",
    "parse_date",
    "currency_votes",
    "respace",
    "name_key",
)


@pytest.mark.parametrize("name", TOOLS)
def test_tool_is_defined_only_in_server_documents(name: str) -> None:
    pattern = re.compile(rf"^\s*def {name}\(", re.MULTILINE)
    defined_in = sorted(
        str(path.relative_to(SERVER))
        for path in SERVER.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    )
    assert len(defined_in) == 1 and defined_in[0].startswith("documents/"), defined_in
