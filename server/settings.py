"""Every setting of the service, read from the environment (and `.env`), documented in .env.example.

Nothing else in the code base reads `os.environ`: call `get_settings()` (cached; tests clear the
cache after changing the environment).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"
# Parts of the placeholder secrets shipped in the defaults, .env.example and
# deploy/compose.env.example: production refuses a SECRET_KEY containing one.
PLACEHOLDER_SECRET_MARKERS = ("change-me", "changeme", "insecure", "placeholder")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # production: refuses to start with a placeholder SECRET_KEY (every process: API, worker, CLI)
    environment: Literal["development", "production"] = "development"
    debug: bool = False
    database_url: str = "sqlite://var/scanbase.sqlite3"
    redis_url: str | None = None
    storage_url: str = "file:var/blobs"
    # Named blob stores, one per purpose (server/files/stores.py); unset: STORAGE_URL. Same URL
    # formats as STORAGE_URL, so e.g. originals stay local while the archive goes to S3.
    storage_originals_url: str | None = None  # uploads (receipt photos, scans)
    storage_generated_url: str | None = None  # reports and exports
    storage_temporary_url: str | None = None  # short-lived blobs, swept after the TTL below
    storage_archive_url: str | None = None  # documents kept for the long term
    storage_temporary_ttl_seconds: float = Field(default=86400.0, ge=60)
    secret_key: str = Field(default="dev-insecure-change-me-0123456789abcdef", min_length=32)

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    password_min_length: int = 10
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_ip_max_failures: int = 30
    # Signups per client address per LOGIN_WINDOW_SECONDS (a taken email answers like a new one;
    # this bounds how fast anyone can probe for registered addresses).
    signup_ip_max_attempts: int = Field(default=10, ge=1)
    # argon2id cost (defaults: RFC 9106's low-memory profile); tests set it cheap.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)

    cors_origins: list[str] = Field(default_factory=list)
    # Addresses/CIDRs of the reverse proxies and load balancers in front of the API: only their
    # X-Forwarded-For / X-Forwarded-Proto are believed (server/http.py).
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    introspection: bool = True
    graphiql: bool = True
    # Query limits, checked before execution (schema/core/cost.py explains how cost is counted).
    max_query_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_tokens: int = Field(default=2000, ge=1)
    max_query_cost: int = Field(default=50_000, ge=1)
    max_fields: int = Field(default=500, ge=1)
    max_directives: int = Field(default=50, ge=0)
    max_page_size: int = Field(default=100, ge=1)
    max_input_list_length: int = Field(default=500, ge=1)
    max_response_bytes: int = Field(default=10_000_000, ge=1)
    # The lean JSON POST path and compiled completion (schema/core/http_executor.py,
    # schema/core/compiled_completion.py); false: Strawberry's view and graphql-core's own
    # execution for every request, same results, a safety switch after a graphql-core upgrade.
    fast_execution: bool = True
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 25_000_000
    max_files_per_request: int = 10
    max_image_pixels: int = 40_000_000
    max_image_pages: int = Field(default=20, ge=1)  # pages of a multi-page TIFF, each pixel-checked
    file_url_seconds: int = 900

    ocr_engine: str = "rapidocr"
    # onnxruntime threads per RapidOCR session; 0: the cores divided by JOB_CONCURRENCY (at least 1)
    ocr_onnx_threads: int = Field(default=0, ge=0)
    job_concurrency: int = 2
    job_timeout_seconds: int = 600
    job_max_tries: int = 3
    job_heartbeat_seconds: float = 5.0
    job_retry_delay_seconds: float = Field(default=2.0, ge=0)
    # Full jitter: a retry waits uniform(0, min(this, delay x 2^(attempt-1))) (per-kind overrides:
    # `job_handler(kind, policy=JobPolicy(...))`).
    job_retry_max_delay_seconds: float = Field(default=300.0, ge=0)
    job_recovery_seconds: float = 30.0
    # The transactional outbox (`server.outbox`): effects (email, webhook...) delivered at least
    # once after their transaction committed; per-effect overrides in `outbox_handler(policy=)`.
    outbox_max_attempts: int = Field(default=10, ge=1)
    outbox_timeout_seconds: float = Field(default=30.0, gt=0)
    outbox_retry_delay_seconds: float = Field(default=5.0, ge=0)
    outbox_retry_max_delay_seconds: float = Field(default=3600.0, ge=0)
    outbox_sweep_seconds: float = Field(default=30.0, gt=0)
    job_queue_name: str = "scanbase:jobs"
    # The sweeper (run where jobs are recovered): blobs no file row references and stale temp
    # files are removed once older than ORPHAN_GRACE_SECONDS, exports after
    # EXPORT_RETENTION_SECONDS; SWEEP_INTERVAL_SECONDS=0 turns it off.
    sweep_interval_seconds: float = Field(default=300.0, ge=0)
    orphan_grace_seconds: float = Field(default=3600.0, ge=60)
    export_retention_seconds: float = Field(default=86400.0, ge=60)

    # Receipts: the largest total or line amount a person may type (DECIMAL(12, 2) holds less
    # than 10^10), and how far a typed total may move from the one read and still count as read
    # (the larger of the two); points beyond what was read wait for an administrator's review.
    receipt_max_total: Decimal = Field(default=Decimal(100_000), gt=0, le=Decimal("9999999999"))
    receipt_review_tolerance: Decimal = Field(default=Decimal("0.05"), ge=0)
    receipt_review_tolerance_percent: Decimal = Field(default=Decimal(1), ge=0, le=100)

    # Companies: invitations (server/companies/invitations.py). SMTP_URL unset: the link goes back
    # to the inviting admin instead of by email. smtp://user:pass@host:587?starttls=true (or
    # false; absent: STARTTLS when the server offers it), smtps://user:pass@host:465.
    smtp_url: str | None = None
    smtp_from: str = "Scanbase <no-reply@localhost>"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    invitation_ttl_hours: int = Field(default=72, ge=1)
    invitation_url_template: str = "http://localhost:5173/invitations/{token}"
    invitations_per_hour: int = Field(default=50, ge=1)  # per company, sent or re-sent
    # Sales import: the largest file (server/companies/sales_import.py, sales_preview.py), the
    # row errors kept per import (all are counted) and the rows per written batch
    # (sales_import_job.py, which hands each batch to sales_writer.py).
    sales_import_max_bytes: int = Field(default=200_000_000, ge=1)
    sales_import_max_errors: int = Field(default=1000, ge=0)
    sales_import_batch_rows: int = Field(default=50_000, ge=1)

    log_level: str = "INFO"
    log_json: bool = True

    # The worker's Prometheus endpoint (`python -m server worker`); unset: none.
    worker_metrics_port: int | None = None
    worker_metrics_host: str = "0.0.0.0"
    # prometheus_client's multiprocess mode: a folder shared by the uvicorn processes of one host,
    # so /metrics sums them all. `serve --workers N` (N > 1) makes a fresh one when unset.
    prometheus_multiproc_dir: str | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> Settings:
        lowered = self.secret_key.lower()
        if self.environment == "production" and any(
            marker in lowered for marker in PLACEHOLDER_SECRET_MARKERS
        ):
            raise ValueError(
                "ENVIRONMENT=production refuses the placeholder SECRET_KEY: set a long random one,"
                " e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        return self

    @model_validator(mode="after")
    def _quiet_schema_in_production(self) -> Settings:
        """Production hides GraphiQL and introspection (and so "did you mean" suggestions)
        unless GRAPHIQL / INTROSPECTION are set explicitly: safe by default."""
        if self.environment == "production":
            for name in ("graphiql", "introspection"):
                if name not in self.model_fields_set:
                    setattr(self, name, False)
        return self

    def deployment_warnings(self) -> list[str]:
        """Settings that work on one host but not across several processes or hosts."""
        warnings = []
        local: list[str] = []  # the settings naming a local folder that some blob store uses
        for purpose in ("originals", "generated", "temporary", "archive"):
            name = (
                f"storage_{purpose}_url"
                if getattr(self, f"storage_{purpose}_url")
                else "storage_url"
            )
            if getattr(self, name).startswith("file:") and name.upper() not in local:
                local.append(name.upper())
        if self.redis_url and local:
            warnings.append(
                f"REDIS_URL is set (API and workers in several processes) but {', '.join(local)}"
                " is a local folder: a worker on another host cannot read the uploads; use s3://"
                " or mongodb:// storage that every process reaches"
            )
        return warnings

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
