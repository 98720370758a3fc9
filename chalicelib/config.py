"""Settings, read once from the environment.

The same names are set by .chalice/config.json (per stage), by the merge
template (resource names known only at deploy time) and by the local cloud.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from chalicelib import __version__


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    upload_bucket: str
    intake_queue_name: str
    metrics_queue_name: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    aws_endpoint_url: str | None
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    # "live" reads the platforms' APIs; "simulated" serves the deterministic demo curves (local stage).
    metrics_mode: str = "live"
    metrics_seed: str = "000"
    tiktok_api_base_url: str = "https://open.tiktokapis.com"
    tiktok_token_parameter: str = "/contest-local/tiktok/oauth"
    youtube_api_base_url: str = "https://www.googleapis.com/youtube/v3"
    youtube_key_parameter: str = "/contest-local/youtube/api-key"
    version: str = __version__

    @property
    def token_issuer(self) -> str:
        # Cognito's issuer is the real AWS URL even when the pool is emulated,
        # so the verifier checks the same claim on every stage.
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def table_name(self, short_name: str) -> str:
        return f"{self.table_prefix}{short_name}"


# Deliveries of one upload event before SQS moves it to the dead-letter queue; the
# validator marks the entry validation_error when the last one fails too.
INTAKE_MAX_RECEIVE_COUNT = 3


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"


def table_prefix() -> str:
    """Needed at import time by the PynamoDB models, before Settings exist."""
    return os.environ.get("TABLE_PREFIX", "contest-local-")


def intake_queue_name() -> str:
    """Needed at import time by the @app.on_sqs_message decorator."""
    return os.environ.get("INTAKE_QUEUE_NAME", "contest-local-intake")


# Lambda's SQS event source runs at most this many chunk handlers at once (2 is AWS's
# minimum), so each process may spend 1/N of TikTok's 600 requests a minute.
METRICS_MAX_CONCURRENCY = 2
TIKTOK_REQUESTS_PER_MINUTE = 600


def metrics_queue_name() -> str:
    """Needed at import time by the metrics chunk handler's decorator."""
    return os.environ.get("METRICS_QUEUE_NAME", "contest-local-metrics")


def metrics_interval_minutes() -> int:
    """How often engagement is read (default hourly); needed at import time by @schedule."""
    value = int(os.environ.get("METRICS_INTERVAL_MINUTES", "60"))
    if value < 1:
        raise ValueError("METRICS_INTERVAL_MINUTES must be at least 1")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    region = _region()
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    pool_id = os.environ.get("USER_POOL_ID", "")
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    jwks_default = (
        f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"
        if endpoint
        else f"{issuer}/.well-known/jwks.json"
    )
    origins = tuple(
        o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()
    )
    stage = os.environ.get("STAGE", "local")
    return Settings(
        stage=stage,
        region=region,
        table_prefix=table_prefix(),
        upload_bucket=os.environ.get("UPLOAD_BUCKET", "contest-local-uploads"),
        intake_queue_name=intake_queue_name(),
        metrics_queue_name=metrics_queue_name(),
        user_pool_id=pool_id,
        user_pool_client_id=os.environ.get("USER_POOL_CLIENT_ID", ""),
        jwks_url=os.environ.get("JWKS_URL") or jwks_default,
        aws_endpoint_url=endpoint,
        allowed_origins=origins,
        metrics_mode=os.environ.get("METRICS_MODE", "live"),
        metrics_seed=os.environ.get("METRICS_SEED", "000"),
        tiktok_api_base_url=os.environ.get("TIKTOK_API_BASE_URL", "https://open.tiktokapis.com").rstrip("/"),
        tiktok_token_parameter=os.environ.get("TIKTOK_TOKEN_PARAMETER", f"/contest-{stage}/tiktok/oauth"),
        youtube_api_base_url=os.environ.get(
            "YOUTUBE_API_BASE_URL", "https://www.googleapis.com/youtube/v3"
        ).rstrip("/"),
        youtube_key_parameter=os.environ.get("YOUTUBE_KEY_PARAMETER", f"/contest-{stage}/youtube/api-key"),
    )
