"""Every setting of the service, read from the environment (and `.env`), documented in .env.example.

Nothing else in the code base reads `os.environ`: call `get_settings()` (cached; tests clear the
cache after changing the environment).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    debug: bool = False
    database_url: str = "sqlite://var/scanbase.sqlite3"
    redis_url: str | None = None
    storage_url: str = "file:var/blobs"
    secret_key: str = Field(default="dev-insecure-change-me-0123456789abcdef", min_length=32)

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    password_min_length: int = 10
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_ip_max_failures: int = 30

    cors_origins: list[str] = Field(default_factory=list)
    introspection: bool = True
    graphiql: bool = True
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_page_size: int = 100
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 25_000_000
    max_files_per_request: int = 10
    max_image_pixels: int = 40_000_000
    file_url_seconds: int = 900

    ocr_engine: str = "rapidocr"
    job_concurrency: int = 2
    job_timeout_seconds: int = 600
    job_max_tries: int = 3
    job_heartbeat_seconds: float = 5.0
    job_retry_delay_seconds: float = 2.0
    job_recovery_seconds: float = 30.0
    job_queue_name: str = "scanbase:jobs"

    log_level: str = "INFO"
    log_json: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
