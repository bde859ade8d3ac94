"""Companies (an owner besides a user), their members and invitations, and their inventory:
products, the stock ledger, sales history and its imports, demand forecasts."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models_base import BaseModel, DatetimeField


class CompanyRole(StrEnum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class Company(BaseModel):
    name = fields.CharField(max_length=100)
    currency = fields.CharField(max_length=3)  # ISO 4217, e.g. EUR
    timezone = fields.CharField(max_length=64)  # IANA, e.g. Europe/Paris
    country = fields.CharField(max_length=2)  # ISO 3166-1 alpha-2, e.g. FR

    class Meta:
        table = "companies"


class Membership(BaseModel):
    """A user's role in a company; one per (user, company)."""

    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(CompanyRole, default=CompanyRole.MEMBER, max_length=16)
    # The foreign keys' columns, which Tortoise adds at run time (declared for type checkers).
    user_id: uuid.UUID
    company_id: uuid.UUID

    class Meta:
        table = "memberships"
        unique_together = (("user", "company"),)


class Invitation(BaseModel):
    """An invitation to join a company: single use, expires. Only the token's SHA-256 is stored;
    the token itself travels once, in the email (or back to the inviting admin without SMTP)."""

    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="invitations", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)  # normalised: stripped, lower case
    role = fields.CharEnumField(CompanyRole, default=CompanyRole.MEMBER, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    invited_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    expires_at = DatetimeField()
    accepted_at = DatetimeField(null=True)
    accepted_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="invitations_accepted", null=True, on_delete=fields.SET_NULL
    )
    revoked_at = DatetimeField(null=True)
    company_id: uuid.UUID

    class Meta:
        table = "invitations"
        indexes = (("company_id", "created_at"),)


class Product(BaseModel):
    """A product a company stocks and sells; its SKU is unique within the company."""

    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="products", on_delete=fields.CASCADE
    )
    sku = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    category = fields.CharField(max_length=100, default="")
    unit = fields.CharField(max_length=16, default="unit")
    cost = fields.DecimalField(max_digits=14, decimal_places=4, null=True)
    price = fields.DecimalField(max_digits=14, decimal_places=4, null=True)
    lead_time_days = fields.IntField(default=7)
    min_order_quantity = fields.DecimalField(max_digits=16, decimal_places=3, default=1)
    # Overrides the computed reorder point when set.
    reorder_point = fields.DecimalField(max_digits=16, decimal_places=3, null=True)
    # The running balance of the stock ledger (the last movement's balance_after), kept on the
    # row so that lists and advice read it without summing the ledger.
    stock_on_hand = fields.DecimalField(max_digits=16, decimal_places=3, default=0)
    archived_at = DatetimeField(null=True)
    company_id: uuid.UUID

    class Meta:
        table = "products"
        unique_together = (("company", "sku"),)
        indexes = (("company_id", "name"), ("company_id", "category"))


class StockMovementKind(StrEnum):
    RECEIPT = "RECEIPT"  # goods received
    SALE = "SALE"  # goods sold
    ADJUSTMENT = "ADJUSTMENT"  # a correction by a signed quantity (damage, loss, found)
    COUNT = "COUNT"  # a physical count: the balance becomes the counted quantity


class StockMovement(BaseModel):
    """One line of a product's append-only stock ledger: never updated, never deleted (except
    with its company). `sequence` numbers a product's movements 1, 2, 3... (unique), so two
    concurrent writers cannot both extend the same balance."""

    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="stock_movements", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="movements", on_delete=fields.CASCADE
    )
    sequence = fields.IntField()
    kind = fields.CharEnumField(StockMovementKind, max_length=16)
    quantity = fields.DecimalField(max_digits=16, decimal_places=3)  # signed change
    balance_after = fields.DecimalField(max_digits=16, decimal_places=3)
    reason = fields.CharField(max_length=200, default="")
    occurred_at = DatetimeField()
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="stock_movements", null=True, on_delete=fields.SET_NULL
    )
    company_id: uuid.UUID
    product_id: uuid.UUID

    class Meta:
        table = "stock_movements"
        unique_together = (("product", "sequence"),)


class SalesImportStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"  # every good row committed (rows_failed may be > 0)
    FAILED = "FAILED"  # nothing committed
    DUPLICATE = "DUPLICATE"  # the same file was already imported into this company


class SalesImport(BaseModel):
    """One sales file imported into a company, with its mapping, options and outcome."""

    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="sales_imports", on_delete=fields.CASCADE
    )
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="sales_imports", null=True, on_delete=fields.SET_NULL
    )
    file: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.StoredFile", related_name="sales_imports", null=True, on_delete=fields.SET_NULL
    )
    job: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Job", related_name="sales_imports", null=True, on_delete=fields.SET_NULL
    )
    filename = fields.CharField(max_length=255)
    sha256 = fields.CharField(max_length=64)
    mapping = fields.JSONField(default=dict)
    options = fields.JSONField(default=dict)
    status = fields.CharEnumField(
        SalesImportStatus, default=SalesImportStatus.QUEUED, max_length=16
    )
    # The earlier import of the same file, for a DUPLICATE (a plain id: a self reference would
    # be a cyclic foreign key for the migration tool).
    duplicate_of_id = fields.UUIDField(null=True)
    rows_read = fields.IntField(default=0)
    rows_imported = fields.IntField(default=0)
    rows_skipped = fields.IntField(default=0)  # already present (overlapping rows)
    rows_failed = fields.IntField(default=0)
    products_created = fields.IntField(default=0)
    finished_at = DatetimeField(null=True)
    company_id: uuid.UUID

    class Meta:
        table = "sales_imports"
        indexes = (("company_id", "sha256"), ("company_id", "created_at"))


class SalesImportRowError(BaseModel):
    """Why one row of an import was refused (the first SALES_IMPORT_MAX_ERRORS of them)."""

    sales_import: fields.ForeignKeyRelation[SalesImport] = fields.ForeignKeyField(
        "models.SalesImport", related_name="row_errors", on_delete=fields.CASCADE
    )
    line = fields.IntField()  # 1-based line (CSV) or row (XLSX) in the file
    column = fields.CharField(max_length=100, default="")
    value = fields.CharField(max_length=200, default="")
    reason = fields.CharField(max_length=300)

    class Meta:
        table = "sales_import_row_errors"
        indexes = (("sales_import_id", "line"),)


class Sale(Model):
    """One sale line: demand history for forecasts. Unique per (product, day, external id, store),
    so an overlapping import skips the rows already present.

    An append-mostly fact table, lean for the bulk import: a BIGINT identity key (not a node),
    no timestamps, and no foreign-key constraints (the relations stay for the ORM): the import
    takes its product ids from `products` in the same statement, deleteProduct refuses a product
    with sales, and deleteCompany deletes the company's sales itself."""

    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="sales", on_delete=fields.CASCADE, db_constraint=False
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="sales", on_delete=fields.CASCADE, db_constraint=False
    )
    sold_on = fields.DateField()
    quantity = fields.DecimalField(max_digits=16, decimal_places=3)  # negative: a return
    unit_price = fields.DecimalField(max_digits=14, decimal_places=4, null=True)
    store = fields.CharField(max_length=64, default="")
    external_id = fields.CharField(max_length=64, default="")
    sales_import: fields.ForeignKeyNullableRelation[SalesImport] = fields.ForeignKeyField(
        "models.SalesImport",
        related_name="sales",
        null=True,
        on_delete=fields.SET_NULL,
        db_constraint=False,
    )
    company_id: uuid.UUID
    product_id: uuid.UUID

    class Meta:
        table = "sales"
        unique_together = (("product", "sold_on", "external_id", "store"),)
        indexes = (("company_id", "sold_on"),)


class Frequency(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class ForecastRunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ForecastRun(BaseModel):
    """One forecastDemand request: its parameters, the strategy its backtest chose over all the
    company's series, and the backtest's figures."""

    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="forecast_runs", on_delete=fields.CASCADE
    )
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="forecast_runs", null=True, on_delete=fields.SET_NULL
    )
    job: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Job", related_name="forecast_runs", null=True, on_delete=fields.SET_NULL
    )
    frequency = fields.CharEnumField(Frequency, max_length=8)
    horizon = fields.IntField()
    levels = fields.JSONField(default=list)  # e.g. [80, 95]
    product_ids = fields.JSONField(default=list)  # empty: every product
    status = fields.CharEnumField(
        ForecastRunStatus, default=ForecastRunStatus.QUEUED, max_length=16
    )
    strategy = fields.CharField(max_length=64, null=True)  # e.g. "ensemble", "auto_ets"
    backtest = fields.JSONField(null=True)  # per candidate strategy: mase, smape, coverage
    finished_at = DatetimeField(null=True)
    company_id: uuid.UUID

    class Meta:
        table = "forecast_runs"
        indexes = (("company_id", "created_at"),)


class ProductForecast(BaseModel):
    """A product's forecast from one run: the model used, its backtest error and interval
    coverage, and the points (period start, mean, and the bounds of each level)."""

    run: fields.ForeignKeyRelation[ForecastRun] = fields.ForeignKeyField(
        "models.ForecastRun", related_name="product_forecasts", on_delete=fields.CASCADE
    )
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="product_forecasts", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="forecasts", on_delete=fields.CASCADE
    )
    model = fields.CharField(max_length=64)
    fallback = fields.CharField(max_length=64, null=True)  # why a simpler model was used
    history_periods = fields.IntField(default=0)
    mase = fields.FloatField(null=True)
    smape = fields.FloatField(null=True)
    coverage = fields.JSONField(null=True)  # level -> share of backtest actuals inside
    # [{"period": "2019-10-14", "mean": 12.5, "lo": {"80": 9.1}, "hi": {"80": 15.8}}, ...]
    points = fields.JSONField(default=list)
    company_id: uuid.UUID
    product_id: uuid.UUID
    run_id: uuid.UUID

    class Meta:
        table = "product_forecasts"
        indexes = (("company_id", "product_id", "created_at"),)
