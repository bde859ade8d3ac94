"""An uploaded file: its blob in the store, what it really is, and who owns it."""

from __future__ import annotations

from tortoise import fields

from server.models_base import BaseModel


class StoredFile(BaseModel):
    owner = fields.ForeignKeyField("models.User", related_name="files", on_delete=fields.CASCADE)
    blob_key = fields.CharField(max_length=512, unique=True)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.BigIntField()
    content_type = fields.CharField(max_length=100)
    filename = fields.CharField(max_length=255)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)

    class Meta:
        table = "files"
