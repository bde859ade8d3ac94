"""One API-like process hitting the database attempt counter (run by test_throttle.py).

Usage: python -m tests.accounts.throttle_worker DATABASE_URL ACCOUNT ATTEMPTS; waits for a line
on stdin (so every process starts together), then prints how many attempts got through.
"""

from __future__ import annotations

import asyncio
import sys

from server.db import close_db, init_db
from server.security.throttle import DatabaseCounter, Limits


async def main(database_url: str, account: str, attempts: int) -> None:
    await init_db(database_url)
    try:
        counter = DatabaseCounter()
        limits = Limits(account=5, client=1000, window_seconds=900)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        results = await asyncio.gather(
            *(
                counter.hit(account=account, client="198.18.0.1", limits=limits)
                for _ in range(attempts)
            )
        )
        print(sum(1 for result in results if not result.refused_for_seconds), flush=True)
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
