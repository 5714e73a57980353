"""Settings read from the environment (prefix ``COMMUNITYLAB_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"
MIN_PRODUCTION_SECRET_BYTES = 32

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""The JWS algorithms an issuer may be trusted with: never ``none`` and never a shared-secret HS*."""


class OidcIssuer(BaseModel):
    """One OpenID Provider whose JWT access tokens the services accept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(min_length=1, max_length=500, description="The exact `iss` of its tokens.")
    discovery_url: str | None = Field(
        default=None,
        max_length=1000,
        description="Its discovery document; defaults to `<issuer>/.well-known/openid-configuration`.",
    )
    audience: str = Field(min_length=1, max_length=500, description="The `aud` tokens must carry for us.")
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256", "PS256"], min_length=1)
    link_claim: str = Field(
        default="sub",
        min_length=1,
        max_length=100,
        description="The claim linking a token to a registry person: `fiscal_number` (SPID/CIE), `sub`, `email`.",
    )
    create_participants: bool = Field(
        default=False, description="Whether a first sign-in may register a new participant (citizen)."
    )
    consent_purpose: str = Field(
        default="participation_sign_in",
        max_length=64,
        description="Consent purpose recorded when a first sign-in registers a participant.",
    )
    groups_claim: str = Field(default="groups", max_length=100, description="Claim holding the groups.")
    admin_groups: list[str] = Field(
        default_factory=list, description="Groups whose members act as regional administrators."
    )

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        refused = [alg for alg in value if alg not in ASYMMETRIC_ALGORITHMS]
        if refused:
            raise ValueError(
                f"only asymmetric algorithms may be trusted ({', '.join(sorted(ASYMMETRIC_ALGORITHMS))}); "
                f"refused: {', '.join(refused)}"
            )
        return value

    @property
    def discovery(self) -> str:
        """The discovery document's URL."""
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


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
    write_queue_limit: int = Field(
        default=200,
        ge=1,
        description="Write requests one process lets wait for their turn at SQLite's single writer; a write "
        "arriving when this many wait answers 503 with Retry-After instead of queueing.",
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

    api_key_cache_seconds: float = Field(
        default=0.0,
        ge=0,
        le=300,
        description="How long a service reuses an API key it has authenticated without looking it up again "
        "(0, the default: look it up on every request; 5 is a good value under load). A key revoked by another process (another instance, the "
        "revoke-key command) stops working here within this time; in this process, at once.",
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
    data_dir: str = Field(
        default="./data",
        description="Folder for the files the services keep on disk (attachments under `attachments/` with the "
        "local storage).",
    )
    attachment_storage: Literal["local", "s3"] = Field(
        default="local",
        description="Where attachment files are kept: `local` (under `data_dir`, downloads stream through the "
        "workshops API) or `s3` (an S3-compatible bucket, downloads by presigned URL).",
    )
    attachment_max_bytes: int = Field(
        default=26_214_400,
        ge=1,
        description="Largest attachment file accepted (413 above; 25 MiB by default).",
    )
    attachment_link_seconds: int = Field(
        default=900, ge=1, le=604_800, description="How long a download link of an attachment stays valid."
    )
    attachment_link_secret: str = Field(
        default="",
        description="Secret that signs local download links (HMAC over id and expiry); empty: derived from "
        "`secret_key`. Changing it invalidates links already handed out.",
    )
    attachment_scanner: str = Field(
        default="",
        description="Virus-scan hook run on every upload before it is stored: `module:function` (called with "
        "the file's path, returns None when clean or the reason to refuse it) or `command:<program and "
        "arguments>` (the file's path is appended; exit 0 clean, 1 infected, anything else an error). Empty: "
        "no scan.",
    )
    attachment_s3_endpoint_url: str = Field(
        default="", description="S3-compatible endpoint (empty: AWS's own for the region)."
    )
    attachment_s3_bucket: str = Field(
        default="", description="Bucket attachments are kept in (storage `s3`)."
    )
    attachment_s3_region: str = Field(default="us-east-1", description="Region of the attachments bucket.")
    attachment_s3_access_key_id: str = Field(
        default="", description="Access key of the bucket (empty: boto3's own credential chain)."
    )
    attachment_s3_secret_access_key: str = Field(
        default="", description="Secret access key of the bucket (a secret: set it from a Secret)."
    )
    attachment_s3_prefix: str = Field(
        default="attachments/", description="Key prefix of attachment objects in the bucket."
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
        default=False,
        description="Allow webhook targets on loopback, http:// included (development and tests only; "
        "refused in production).",
    )
    webhooks_metrics_port: int = Field(
        default=8004,
        ge=0,
        le=65535,
        description="Port on which `webhooks-worker` serves its Prometheus `/metrics` (0 or empty: no "
        "metrics server). Two workers on one host need two ports.",
    )
    notifications_metrics_port: int = Field(
        default=8005,
        ge=0,
        le=65535,
        description="Port on which `notifications-worker` serves its Prometheus `/metrics` (0 or empty: "
        "no metrics server).",
    )

    @field_validator("webhooks_metrics_port", "notifications_metrics_port", mode="before")
    @classmethod
    def _empty_port_disables(cls, value: object) -> object:
        return 0 if value is None or (isinstance(value, str) and not value.strip()) else value

    smtp_host: str = Field(
        default="",
        description="SMTP server the notifications worker sends e-mail through (empty: in-app notifications only).",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(
        default="starttls",
        description="TLS to the SMTP server: `starttls` (upgrade a plain connection), `ssl` (TLS from the "
        "start, usually port 465) or `none` (loopback relays only).",
    )
    smtp_username: str = Field(default="", description="SMTP login (empty: no authentication).")
    smtp_password: str = Field(default="", description="SMTP password (a secret: set it from a Secret).")
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, description="Timeout of one SMTP conversation.")
    smtp_sender: str = Field(
        default="Community Lab <noreply@communitylab.example>",
        description="The From of notification e-mails.",
    )
    notification_base_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Public base URL of the participation site; links to processes and proposals in e-mails "
        "start with it (unsubscribe links use the registry URL).",
    )
    notification_email_consent_purpose: str = Field(
        default="email_notifications",
        description="Consent purpose a person must have given (and not withdrawn) to receive e-mail.",
    )
    notification_digest_hour: int = Field(
        default=8, ge=0, le=23, description="Hour (Europe/Rome) after which daily digests are sent."
    )
    notification_poll_seconds: float = Field(
        default=1.0, gt=0, description="Notifications worker poll interval."
    )
    notification_max_attempts: int = Field(
        default=10, ge=1, description="SMTP attempts before an e-mail is given up."
    )

    rate_limit_anonymous_per_minute: int = Field(
        default=0,
        ge=0,
        description="Requests a minute from one client address without a key (0: no limit); per instance.",
    )
    rate_limit_key_per_minute: int = Field(
        default=0, ge=0, description="Requests a minute with one key or token (0: no limit); per instance."
    )

    projection_poll_seconds: float = Field(default=0.5, gt=0, description="Reporting consumer poll interval.")

    opendata_base_url: str = Field(
        default="",
        max_length=500,
        description="Absolute public base URL of the open data's links and catalogue identifiers (the address "
        "harvesters reach reporting at, e.g. https://dati.communitylab.example); empty: `reporting_url`.",
    )
    opendata_publisher_name: str = Field(
        default="Regione Emilia-Romagna",
        max_length=200,
        description="Publisher and rights holder of the open data in the DCAT-AP_IT catalogue.",
    )
    opendata_publisher_identifier: str = Field(
        default="r_emiro",
        max_length=100,
        description="The publisher's identifier as DCAT-AP_IT asks (its IPA code; r_emiro is the region's).",
    )
    opendata_contact_name: str = Field(
        default="Community Lab - Regione Emilia-Romagna",
        max_length=200,
        description="The catalogue's contact point (an office, never a person).",
    )
    opendata_contact_email: str = Field(
        default="opendata@communitylab.example",
        max_length=200,
        description="The contact point's e-mail address (an office mailbox). Set it in production.",
    )

    oidc_issuers: list[OidcIssuer] = Field(
        default=[],
        description="OpenID Providers whose JWT access tokens are accepted, as a JSON list of objects with "
        "issuer, audience, discovery_url, algorithms, link_claim, create_participants, consent_purpose, "
        "groups_claim, admin_groups (docs/identity.md).",
    )
    oidc_clock_skew_seconds: int = Field(
        default=60, ge=0, le=300, description="Clock skew tolerated on a token's exp, nbf and iat."
    )
    oidc_jwks_cache_seconds: float = Field(
        default=3600.0, gt=0, description="How long an issuer's discovery document and JWKS are reused."
    )
    oidc_jwks_min_refetch_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Least time between two JWKS fetches of one issuer caused by unknown key ids.",
    )
    cors_origins: list[str] = Field(
        default=[],
        description="Front-end origins allowed to call the APIs from a browser (JSON list, e.g. "
        '["https://partecipa.example"]); empty disables CORS.',
    )
    cors_max_age_seconds: int = Field(
        default=600, ge=0, le=86400, description="How long browsers may cache a CORS preflight."
    )
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
    def _refuse_weak_settings_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "COMMUNITYLAB_SECRET_KEY must be set in production (the default secret is public)"
            )
        if len(self.secret_key.encode()) < MIN_PRODUCTION_SECRET_BYTES:
            raise ValueError(
                f"COMMUNITYLAB_SECRET_KEY must be at least {MIN_PRODUCTION_SECRET_BYTES} bytes in production "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if self.attachment_storage == "s3" and not self.attachment_s3_bucket:
            raise ValueError("COMMUNITYLAB_ATTACHMENT_S3_BUCKET must be set when attachment_storage is s3")
        if self.webhook_allow_http_loopback:
            raise ValueError(
                "COMMUNITYLAB_WEBHOOK_ALLOW_HTTP_LOOPBACK is for development; production refuses it"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
