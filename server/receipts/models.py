"""Receipts, their line items and corrections, brands, and the loyalty ledger with its rules.

Receipts are never deleted outright: `deleteReceipt` marks them (`deleted_at`), removes the file,
and posts a reversal, so the append-only ledger keeps pointing at what it paid for. Only deleting
the owner's account removes the rows.

Keyset pagination needs non-null sort columns (a NULL never compares `<` or `>`), so each receipt
keeps `sort_date` (the printed purchase date and time, else the upload time) and `sort_total`
(the total, else 0) next to the nullable values clients see.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from server.models_base import BaseModel, DatetimeField


class ReceiptStatus(StrEnum):
    PROCESSING = "PROCESSING"  # uploaded; the extraction job has not finished
    EXTRACTED = "EXTRACTED"  # read with confidence, every check passed
    NEEDS_REVIEW = "NEEDS_REVIEW"  # read, but a key field is unsure, a check failed, or a duplicate
    VALIDATED = "VALIDATED"  # confirmed (and maybe corrected) by a person
    # Confirmed by its owner with typed values that earn more than what was read: the excess
    # points wait for an administrator (see `PointsReview`); VALIDATED once decided.
    IN_REVIEW = "IN_REVIEW"
    FAILED = "FAILED"  # the document could not be read (see error_code)


READ_STATUSES = frozenset(
    {
        ReceiptStatus.EXTRACTED,
        ReceiptStatus.NEEDS_REVIEW,
        ReceiptStatus.VALIDATED,
        ReceiptStatus.IN_REVIEW,
    }
)
# Confirmed by a person (a possible duplicate earns once confirmed).
CONFIRMED_STATUSES = frozenset({ReceiptStatus.VALIDATED, ReceiptStatus.IN_REVIEW})


class PointsReview(StrEnum):
    """An administrator's review of points earned from typed values (see `server.receipts.loyalty`)."""

    PENDING = "PENDING"  # waiting in the queue (the receipt is IN_REVIEW)
    APPROVED = "APPROVED"  # granted, up to `approved_points`
    REJECTED = "REJECTED"  # final: the receipt never holds more than what was read


class ItemSource(StrEnum):
    EXTRACTED = "EXTRACTED"
    MANUAL = "MANUAL"


class CorrectionAction(StrEnum):
    CHANGE = "CHANGE"
    ADD_ITEM = "ADD_ITEM"
    REMOVE_ITEM = "REMOVE_ITEM"
    APPROVE = "APPROVE"  # an administrator granted the pending points (field "points")
    REJECT = "REJECT"  # an administrator refused them (field "points")


class LoyaltyReason(StrEnum):
    AWARD = "AWARD"  # the receipt's first points
    CORRECTION = "CORRECTION"  # the difference after a validation changed what it earns
    REVERSAL = "REVERSAL"  # the receipt was deleted: everything it earned is taken back
    APPROVAL = "APPROVAL"  # an administrator approved points earned from typed values


class Brand(BaseModel):
    name = fields.CharField(max_length=100)
    # The folded name (see `server.receipts.brands.fold`): one brand per spelling.
    key = fields.CharField(max_length=100, unique=True)
    aliases = fields.JSONField(default=list)
    category = fields.CharField(max_length=100, null=True)

    class Meta:
        table = "brands"


class LoyaltyRules(BaseModel):
    """One version of the points rules; an update adds a version, never edits one."""

    version = fields.IntField(unique=True)
    base_points = fields.IntField()
    spend_step = fields.DecimalField(max_digits=12, decimal_places=2)
    points_per_step = fields.IntField()
    multiplier = fields.DecimalField(max_digits=6, decimal_places=3)
    multiplier_min_receipts = fields.IntField()
    category_points = fields.IntField()
    strategic_categories = fields.JSONField(default=list)
    created_by = fields.ForeignKeyField(
        "models.User", related_name="loyalty_rules", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "loyalty_rules"


class Receipt(BaseModel):
    owner = fields.ForeignKeyField("models.User", related_name="receipts", on_delete=fields.CASCADE)
    file = fields.ForeignKeyField(
        "models.StoredFile", related_name="receipts", null=True, on_delete=fields.SET_NULL
    )
    job = fields.ForeignKeyField(
        "models.Job", related_name="receipts", null=True, on_delete=fields.SET_NULL
    )
    # Added by Tortoise at run time (declared for type checkers): the foreign keys' columns and
    # the reverse relation of the items.
    owner_id: uuid.UUID
    file_id: uuid.UUID | None
    job_id: uuid.UUID | None
    items: fields.ReverseRelation[ReceiptItem]
    status = fields.CharEnumField(ReceiptStatus, max_length=16, default=ReceiptStatus.PROCESSING)
    sha256 = fields.CharField(max_length=64)
    # The file's sha256 while the receipt is live, NULL once deleted: unique per owner, so one file
    # cannot become two live receipts even when two uploads race (NULLs never collide).
    dedup_key = fields.CharField(max_length=64, null=True)

    store = fields.CharField(max_length=255, null=True)
    location = fields.CharField(max_length=500, null=True)
    purchase_date = fields.DateField(null=True)
    # "HH:MM:SS" as printed (local time): SQLite has no TIME type the driver can bind.
    purchase_time = fields.CharField(max_length=8, null=True)
    total = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3, null=True)
    receipt_number = fields.CharField(max_length=64, null=True)
    payment_method = fields.CharField(max_length=32, null=True)
    taxes = fields.JSONField(default=list)
    warnings = fields.JSONField(default=list)
    # What the pipeline read, with confidences and boxes; written once, never corrected.
    extraction = fields.JSONField(null=True)

    sort_date = DatetimeField()
    sort_total = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    purchase_month = fields.CharField(max_length=7, null=True)  # "YYYY-MM", grouped by stats

    # The owner's earlier receipt with the same store, date and total. A plain id rather than a
    # foreign key: aerich cannot create a self-referencing table, and receipts are only ever
    # soft-deleted, so the id never dangles.
    possible_duplicate_of_id = fields.UUIDField(null=True)
    # A photo holding several receipts (`server.documents.papers`): the uploaded receipt reads
    # the first paper (`paper_index` 0, its file stays the photo), and each other paper is a
    # receipt of its own (its file the paper's crop) pointing at it through `source_receipt_id`
    # (a plain id, as above). (source, paper) is unique: a retried job never makes a paper twice.
    source_receipt_id = fields.UUIDField(null=True)
    paper_index = fields.SmallIntField(null=True)
    # Points: the sum of this receipt's ledger entries (kept in the transaction that posts them),
    # and what the first award decided, reused by every later correction of this receipt.
    # 64-bit: a balance is a sum of these, and an int32 overflows.
    points = fields.BigIntField(default=0)
    # What typed values earn beyond what was read, held until an administrator decides
    # (`review`); `approved_points` is the most an approval granted.
    points_pending = fields.BigIntField(default=0)
    review = fields.CharEnumField(PointsReview, max_length=16, null=True)
    approved_points = fields.BigIntField(null=True)
    awarded_at = DatetimeField(null=True)
    rules_version = fields.IntField(null=True)
    earlier_awarded = fields.IntField(null=True)

    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    extracted_at = DatetimeField(null=True)
    validated_at = DatetimeField(null=True)
    deleted_at = DatetimeField(null=True)

    class Meta:
        table = "receipts"
        unique_together = (("owner", "dedup_key"), ("source_receipt_id", "paper_index"))
        indexes = (
            ("owner_id", "created_at"),
            ("owner_id", "sort_date"),
            ("owner_id", "sort_total"),
            ("owner_id", "purchase_date"),
            ("status", "created_at"),  # the review queue
        )


class ReceiptItem(BaseModel):
    receipt = fields.ForeignKeyField(
        "models.Receipt", related_name="items", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    name = fields.CharField(max_length=255)
    quantity = fields.DecimalField(max_digits=12, decimal_places=3, null=True)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    total = fields.DecimalField(max_digits=12, decimal_places=2)
    # The department printed above it, else the linked brand's category.
    category = fields.CharField(max_length=100, null=True)
    brand = fields.ForeignKeyField(
        "models.Brand", related_name="items", null=True, on_delete=fields.SET_NULL
    )
    brand_score = fields.FloatField(null=True)
    confidence = fields.FloatField(null=True)
    box = fields.JSONField(null=True)
    source = fields.CharEnumField(ItemSource, max_length=16, default=ItemSource.EXTRACTED)

    class Meta:
        table = "receipt_items"
        indexes = (("receipt_id", "position"),)


class ReceiptCorrection(BaseModel):
    """One manual change: who, when (created_at), which field or item, the old and new value."""

    receipt = fields.ForeignKeyField(
        "models.Receipt", related_name="corrections", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField(
        "models.User", related_name="receipt_corrections", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharEnumField(CorrectionAction, max_length=16)
    field = fields.CharField(max_length=64)
    item_id = fields.UUIDField(null=True)
    old_value = fields.JSONField(null=True)  # {"value": ...}: text, a decimal string, an item
    new_value = fields.JSONField(null=True)
    note = fields.TextField(null=True)  # why (an administrator's review decision)

    class Meta:
        table = "receipt_corrections"
        indexes = (("receipt_id", "created_at"),)


class LoyaltyEntry(BaseModel):
    """The append-only points ledger: a user's balance is the sum of their entries.

    `(receipt, sequence)` is unique: a receipt's entries are numbered 0 (its award), 1, 2...,
    so two writers that read the same state (a retried job, a double submit) cannot both post.
    """

    user = fields.ForeignKeyField(
        "models.User", related_name="loyalty_entries", on_delete=fields.CASCADE
    )
    receipt = fields.ForeignKeyField(
        "models.Receipt", related_name="loyalty_entries", on_delete=fields.CASCADE
    )
    sequence = fields.IntField()
    reason = fields.CharEnumField(LoyaltyReason, max_length=16)
    points = fields.BigIntField()
    rules_version = fields.IntField()
    # How the receipt's points were computed (base, spend, categories, multiplier, rounding).
    detail = fields.JSONField(default=dict)

    class Meta:
        table = "loyalty_entries"
        unique_together = (("receipt", "sequence"),)
        indexes = (("user_id", "created_at"),)
