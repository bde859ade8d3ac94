"""A stored file: its blob in one of the named stores, what it really is, who owns it, and
until when it is kept."""

from __future__ import annotations

from tortoise import fields

from server.models_base import BaseModel


class StoredFile(BaseModel):
    # The user who stored it; with `company` set, the file belongs to that company (its members
    # see it).
    owner = fields.ForeignKeyField("models.User", related_name="files", on_delete=fields.CASCADE)
    company = fields.ForeignKeyField(
        "models.Company", related_name="files", null=True, on_delete=fields.CASCADE
    )
    # The purpose whose store holds the blob (server/files/stores.py): the row says where to
    # read, so changing STORAGE_<PURPOSE>_URL later does not lose track of older blobs' kind.
    store = fields.CharField(max_length=16, default="originals")
    blob_key = fields.CharField(max_length=512, unique=True)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.BigIntField()
    content_type = fields.CharField(max_length=100)
    filename = fields.CharField(max_length=255)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    # The sweeper deletes the row and its blob after this; None: kept.
    expires_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "files"
