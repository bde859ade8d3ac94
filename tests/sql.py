"""Count the SQL statements a block of code sends, to catch N+1 queries in tests and benches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


@contextmanager
def count_sql() -> Iterator[list[str]]:
    """Yields the list of statements sent inside the block (Tortoise logs each at DEBUG)."""
    logger = logging.getLogger("tortoise.db_client")
    handler = _Counter()
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate
