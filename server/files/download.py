"""`GET /files/<token>`: stream one stored file to whoever holds a valid signed token.

The token is the whole authorisation (it is short-lived and names one file), so links work in
<img> tags and downloads without an Authorization header. Every failure looks the same (404) so
that tokens and file ids cannot be probed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.security.file_tokens import InvalidFileToken, verify_file_token
from server.settings import get_settings
from server.storage import BlobNotFound


def _not_found() -> Response:
    return JSONResponse({"error": "not found or link expired"}, status_code=404)


def content_disposition(filename: str, *, attachment: bool) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def download(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        file_id = verify_file_token(token, secret=get_settings().secret_key)
    except InvalidFileToken:
        return _not_found()
    file = await StoredFile.get_or_none(id=file_id)
    if file is None or (file.expires_at is not None and file.expires_at <= datetime.now(UTC)):
        return _not_found()  # an expired file is gone even before the sweeper deletes it
    store = get_blob_store(file.store)
    try:
        stream = await store.open(file.blob_key)
    except BlobNotFound:
        return _not_found()
    attachment = request.query_params.get("download") == "1"
    return StreamingResponse(
        stream,
        media_type=file.content_type,
        headers={
            "Content-Length": str(file.size),
            "Content-Disposition": content_disposition(file.filename, attachment=attachment),
            "Cache-Control": "private, max-age=300",
            "ETag": f'"{file.sha256}"',
            "Last-Modified": time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", file.created_at.utctimetuple()
            ),
        },
    )
