"""The `File` node (uploaded files and exports, downloadable through short-lived signed URLs) and
`Upload`. A file is its owner's: `node(id:)` finds it for them (an admin sees anyone's, as with
receipts and jobs: `server.access.visible`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Info
from strawberry.file_uploads import Upload

from schema.core.errors import BadUserInputError
from schema.core.permissions import HasScope
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from schema.core.validation import InvalidInputError
from server.access import visible
from server.files.models import StoredFile
from server.files.services import UploadLike
from server.security.file_tokens import sign_file_token

MAX_URL_SECONDS = 24 * 3600

__all__ = ["FileType", "Upload", "uploaded"]


def uploaded(value: object, *, field: str) -> UploadLike:
    """The file of an `Upload` argument. Only the multipart parser makes files: a JSON value in
    its place is BAD_USER_INPUT naming the field. Called by the resolver, after its permission
    check, so an anonymous caller still learns only that it must sign in."""
    if not (hasattr(value, "read") and hasattr(value, "seek")):
        raise InvalidInputError(field, "must be a file sent as a multipart upload.")
    return value  # type: ignore[return-value]


@register_node
@strawberry.type(
    name="File", description="An uploaded file, as stored (its type decided by content)."
)
class FileType(Node):
    read_permissions = (HasScope("files"),)

    filename: str = strawberry.field(
        description="Display name: the uploaded name without any path, with the extension of "
        "its real type."
    )
    size: int = strawberry.field(description="In bytes.")
    content_type: str = strawberry.field(
        description="MIME type read from the content, not from the name (image/jpeg, "
        "application/pdf, text/csv...)."
    )
    sha256: str = strawberry.field(description="SHA-256 of the content, lower-case hex.")
    width: int | None = strawberry.field(
        description="In pixels, of an image's first page; null for PDFs and other files."
    )
    height: int | None = strawberry.field(
        description="In pixels, of an image's first page; null for PDFs and other files."
    )
    created_at: datetime = strawberry.field(description="When it was stored (ISO-8601).")
    _pk: strawberry.Private[uuid.UUID]

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
    def url(
        self,
        info: Info,
        expires_in: Annotated[
            int | None,
            strawberry.argument(
                description="Seconds the link stays valid, 1 to 86400; left out, the server's "
                "FILE_URL_SECONDS (900 by default)."
            ),
        ] = None,
        download: Annotated[
            bool,
            strawberry.argument(
                description="Serve it as an attachment (save) rather than inline (show)."
            ),
        ] = False,
    ) -> str:
        settings = info.context.settings
        seconds = settings.file_url_seconds if expires_in is None else expires_in
        if not 1 <= seconds <= MAX_URL_SECONDS:
            raise BadUserInputError(f"'expiresIn' must be between 1 and {MAX_URL_SECONDS} seconds.")
        token = sign_file_token(self._pk, secret=settings.secret_key, expires_in=seconds)
        base = str(info.context.request.base_url).rstrip("/")
        return f"{base}/files/{token}" + ("?download=1" if download else "")
