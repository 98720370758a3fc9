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
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    aws_endpoint_url: str | None
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
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
    return Settings(
        stage=os.environ.get("STAGE", "local"),
        region=region,
        table_prefix=table_prefix(),
        upload_bucket=os.environ.get("UPLOAD_BUCKET", "contest-local-uploads"),
        intake_queue_name=intake_queue_name(),
        user_pool_id=pool_id,
        user_pool_client_id=os.environ.get("USER_POOL_CLIENT_ID", ""),
        jwks_url=os.environ.get("JWKS_URL") or jwks_default,
        aws_endpoint_url=endpoint,
        allowed_origins=origins,
    )
