"""The `File` node (uploaded files and exports, downloadable through short-lived signed URLs) and
`Upload`. A file is its owner's: `node(id:)` finds it for them (an admin sees anyone's, as with
receipts and jobs: `server.access.visible`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import Info
from strawberry.file_uploads import Upload

from schema.core.errors import BadUserInputError
from schema.core.permissions import HasScope
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from server.access import visible
from server.files.models import StoredFile
from server.security.file_tokens import sign_file_token

MAX_URL_SECONDS = 24 * 3600

__all__ = ["FileType", "Upload"]


@register_node
@strawberry.type(
    name="File", description="An uploaded file, as stored (its type decided by content)."
)
class FileType(Node):
    read_permissions = (HasScope("files"),)

    filename: str
    size: int
    content_type: str
    sha256: str
    width: int | None
    height: int | None
    created_at: datetime
    _pk: strawberry.Private[object]

    @classmethod
    def from_model(cls, file: StoredFile) -> FileType:
        return cls(
            id=strawberry.ID(global_id("File", file.id)),
            filename=file.filename,
            size=file.size,
            content_type=file.content_type,
            sha256=file.sha256,
            width=file.width,
            height=file.height,
            created_at=file.created_at,
            _pk=file.id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[FileType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), StoredFile).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)

    @strawberry.field(
        description="A signed download URL valid for `expiresIn` seconds (max 1 day)."
    )
    def url(self, info: Info, expires_in: int | None = None, download: bool = False) -> str:
        settings = info.context.settings
        seconds = settings.file_url_seconds if expires_in is None else expires_in
        if not 1 <= seconds <= MAX_URL_SECONDS:
            raise BadUserInputError(f"'expiresIn' must be between 1 and {MAX_URL_SECONDS} seconds.")
        token = sign_file_token(self._pk, secret=settings.secret_key, expires_in=seconds)
        base = str(info.context.request.base_url).rstrip("/")
        return f"{base}/files/{token}" + ("?download=1" if download else "")
