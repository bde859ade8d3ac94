"""A real worker process for the kill -9 test: `python -m tests.jobs.crash_worker KIND MARKS_DIR`.

Its handler for KIND hangs on attempt 1 (the test kills the process there) and finishes later
attempts, appending one line per completion to MARKS_DIR/completions.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from jobs.worker import run_worker
from server.jobs.models import Job
from server.jobs.registry import ProgressReporter, register_handler


def main() -> None:
    kind, marks = sys.argv[1], Path(sys.argv[2])

    async def handler(job: Job, report: ProgressReporter) -> dict[str, Any]:
        if job.attempts == 1:
            await report(0.1, "hanging")
            await asyncio.sleep(3600)
        with (marks / "completions").open("a") as out:
            out.write(f"{job.id} {job.attempts}\n")
        return {"attempt": job.attempts, "pid": os.getpid()}

    register_handler(kind, handler)
    run_worker()


if __name__ == "__main__":
    main()
