"""A real worker process for the Redis outage test: `python -m tests.core.outage_worker KIND MARKS`.

Its handler for KIND appends "<job id> <attempt> <pid>" to MARKS/runs when it starts, works for
OUTAGE_JOB_SECONDS (so jobs are in flight when Redis goes away), and finishes.
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
    seconds = float(os.environ.get("OUTAGE_JOB_SECONDS", "0.4"))

    async def handler(job: Job, report: ProgressReporter) -> dict[str, Any]:
        with (marks / "runs").open("a") as out:
            out.write(f"{job.id} {job.attempts} {os.getpid()}\n")
        await report(0.5, "working")
        await asyncio.sleep(seconds)
        return {"pid": os.getpid()}

    register_handler(kind, handler)
    run_worker()


if __name__ == "__main__":
    main()
