"""An API process killed with -9 in the middle of an upload, for the crash tests:
`python -m tests.receipts.crash_upload USER_ID IMAGE_PATH POINT` (DATABASE_URL, STORAGE_URL from
the environment).

It uploads IMAGE_PATH as USER_ID's receipt through the service, as the uploadReceipt mutation
does, and sends itself SIGKILL at POINT:
- `job-row`: when the extraction job's row is being written (blob stored, nothing committed);
- `enqueue`: when the job is handed to the queue (receipt and job committed, nothing delivered).
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any, NoReturn

from starlette.datastructures import UploadFile

from server.accounts.models import User
from server.db import init_db
from server.events import MemoryBroker, install_broker
from server.jobs import registry
from server.jobs.models import Job
from server.queue import JobQueue, install_queue
from server.receipts.upload import upload_receipt


def die(*args: Any, **kwargs: Any) -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)
    raise SystemExit("unreachable")


class KilledAtEnqueue(JobQueue):
    name = "killed"

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        die()

    async def ping(self) -> str:
        return "ok"


async def main() -> None:
    user_id, image, point = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    await init_db()
    registry.load_handler_modules()
    install_broker(MemoryBroker())
    install_queue(KilledAtEnqueue())
    if point == "job-row":
        Job.create = classmethod(die)  # type: ignore[assignment,method-assign]
    elif point != "enqueue":
        raise SystemExit(f"unknown kill point {point!r}")
    owner = await User.get(id=user_id)
    data = await asyncio.to_thread(image.read_bytes)
    upload = UploadFile(file=io.BytesIO(data), filename="receipt.png")
    await upload_receipt(owner=owner, upload=upload)
    raise SystemExit("the upload finished without reaching the kill point")


if __name__ == "__main__":
    asyncio.run(main())
