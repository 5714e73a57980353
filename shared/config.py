"""Settings read from the environment (prefix ``COMMUNITYLAB_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    """Every setting of the three services and their workers."""

    model_config = SettingsConfigDict(env_prefix="COMMUNITYLAB_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/communitylab.db",
        description="SQLAlchemy URL of the shared database (SQLite file or postgresql+psycopg://...).",
    )
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connection pool size per process.")
    db_max_overflow: int = Field(
        default=10, ge=0, description="Extra PostgreSQL connections beyond the pool."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=15000, ge=0, description="SQLite busy timeout in milliseconds."
    )

    registry_url: str = Field(default="http://127.0.0.1:8001", description="Public base URL of the registry.")
    workshops_url: str = Field(default="http://127.0.0.1:8002", description="Public base URL of workshops.")
    reporting_url: str = Field(default="http://127.0.0.1:8003", description="Public base URL of reporting.")
    host: str = Field(default="127.0.0.1", description="Interface `communitylab up` and `serve` bind to.")
    registry_port: int = Field(default=8001, description="Port of the registry service.")
    workshops_port: int = Field(default=8002, description="Port of the workshops service.")
    reporting_port: int = Field(default=8003, description="Port of the reporting service.")

    http_timeout_seconds: float = Field(default=5.0, gt=0, description="Timeout of service-to-service calls.")
    registry_cache_seconds: float = Field(
        default=30.0, ge=0, description="How long resolved registry ids are cached."
    )

    secret_key: str = Field(
        default=DEFAULT_SECRET,
        description="Server secret used to HMAC API keys and sign cursors. Set it in production.",
    )
    environment: Literal["development", "production", "test"] = Field(
        default="development", description="Deployment environment; production refuses the default secret."
    )
    log_level: str = Field(default="INFO", description="Log level of the JSON logs.")
    log_json: bool = Field(default=True, description="Write logs as one JSON object per line.")

    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted (413 above)."
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, description="How long idempotency keys are remembered."
    )
    default_page_size: int = Field(
        default=50, ge=1, le=500, description="Page size when `limit` is not given."
    )

    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one webhook delivery.")
    webhook_max_attempts: int = Field(default=8, ge=1, description="Attempts before a delivery is given up.")
    webhook_disable_after_hours: float = Field(
        default=72.0, gt=0, description="A subscription failing for this long is disabled."
    )
    webhook_poll_seconds: float = Field(default=1.0, gt=0, description="Dispatcher poll interval.")
    webhook_allow_http_loopback: bool = Field(
        default=True, description="Allow http:// targets on loopback (development only)."
    )

    projection_poll_seconds: float = Field(default=0.5, gt=0, description="Reporting consumer poll interval.")

    log_signing_key_file: str | None = Field(
        default=None,
        description="Path of the Ed25519 private key (PEM, PKCS#8) that signs event log checkpoints; keep it "
        "outside the database, e.g. a mounted Kubernetes Secret. Only the checkpoint worker needs it.",
    )
    log_public_keys_file: str | None = Field(
        default=None,
        description="PEM file of the Ed25519 public keys (current and retired) checkpoints are verified "
        "with and that reporting publishes at /log/keys.",
    )
    log_checkpoint_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often `communitylab checkpoint-worker` signs a checkpoint."
    )

    enable_drain_probe: bool = Field(
        default=False,
        description="Expose GET /ops/drain-probe?seconds=N, a request that stays in flight for N seconds "
        "(tests of graceful shutdown only; keep off in production).",
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "COMMUNITYLAB_SECRET_KEY must be set in production (the default secret is public)"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
