"""Settings: one validated model, read once from the environment.

The same names are set by .chalice/config.json (per stage), by the merge
template (resource names known only at deploy time) and by the local cloud.
Defaults that name local resources apply on the local stage only: a deployed
stage with a missing or malformed setting refuses to start and names it.

Kept free of third-party imports: every function reads it at cold start.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from chalicelib import __version__

LOCAL_STAGE = "local"
# "live" reads the platforms' APIs; "simulated" serves the deterministic demo curves;
# "off" reads no platform, so only organisers' imports feed engagement (the simulator
# would otherwise overwrite the figures an organiser imports).
METRICS_MODES = ("live", "simulated", "off")

# So that `make run` and the tests need no configuration. A deployed stage names its own
# resources (.chalice/config.json and the merge template), so these never reach AWS.
LOCAL_DEFAULTS: Mapping[str, str] = {
    "AWS_REGION": "ap-southeast-1",
    "TABLE_PREFIX": "contest-local-",
    "UPLOAD_BUCKET": "contest-local-uploads",
    "INTAKE_QUEUE_NAME": "contest-local-intake",
    "METRICS_QUEUE_NAME": "contest-local-metrics",
    "NOTIFICATIONS_QUEUE_NAME": "contest-local-notifications",
    "PUBLIC_BASE_URL": "http://localhost:8000",
    "NOTIFICATION_SENDER": "no-reply@contest.local",
    # The emulated pool is created at start-up; until then there is none to name.
    "USER_POOL_ID": "",
    "USER_POOL_CLIENT_ID": "",
}

# Deliveries of one upload event before SQS moves it to the dead-letter queue; the
# validator marks the entry validation_error when the last one fails too.
INTAKE_MAX_RECEIVE_COUNT = 3
# Lambda's SQS event source runs at most this many chunk handlers at once (2 is AWS's
# minimum), so each process may spend 1/N of TikTok's 600 requests a minute.
METRICS_MAX_CONCURRENCY = 2
# Tries of one notification before SQS moves it to the dead-letter queue.
NOTIFICATIONS_MAX_RECEIVE_COUNT = 5
TIKTOK_REQUESTS_PER_MINUTE = 600

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_TABLE_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,76}$")  # room for the "-dlq" suffix within SQS's 80
_USER_POOL_ID = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")
_CLIENT_ID = re.compile(r"^[0-9A-Za-z]{1,128}$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_PARAMETER = re.compile(r"^/[A-Za-z0-9_.\-/]+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z0-9-]+$")


class SettingsError(ValueError):
    """Missing or malformed settings, each named with what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("invalid settings: " + "; ".join(f"{name} {why}" for name, why in self.problems.items()))


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
    metrics_mode: str = "live"
    metrics_seed: str = "000"
    metrics_interval_minutes: int = 60
    tiktok_api_base_url: str = "https://open.tiktokapis.com"
    tiktok_token_parameter: str = "/contest-local/tiktok/oauth"
    youtube_api_base_url: str = "https://www.googleapis.com/youtube/v3"
    youtube_key_parameter: str = "/contest-local/youtube/api-key"
    notifications_queue_name: str = "contest-local-notifications"
    public_base_url: str = "http://localhost:8000"
    notification_sender: str = "no-reply@contest.local"
    notification_sender_name: str = "Ban tổ chức cuộc thi"
    ses_configuration_set: str | None = None
    notification_key_parameter: str = "/contest-local/notifications/signing-key"
    zalo_api_base_url: str = "https://business.openapi.zalo.me"
    zalo_credentials_parameter: str = "/contest-local/zalo/zns"
    local_outbox_file: str | None = None  # the local stage: where sent messages are also kept for `./contest outbox`
    version: str = __version__

    @property
    def token_issuer(self) -> str:
        # Cognito's issuer is the real AWS URL even when the pool is emulated,
        # so the verifier checks the same claim on every stage.
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def table_name(self, short_name: str) -> str:
        return f"{self.table_prefix}{short_name}"


class _Reader:
    """Reads variables from one environment, collecting every problem before refusing."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.stage = environ.get("STAGE") or LOCAL_STAGE
        self.problems: dict[str, str] = {}

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    def raw(self, name: str) -> str:
        return self.environ.get(name, "").strip()

    def required(self, name: str, pattern: re.Pattern[str], aliases: tuple[str, ...] = ()) -> str:
        """A value every deployed stage must set; the local stage falls back to LOCAL_DEFAULTS."""
        value = self.raw(name) or next((self.raw(alias) for alias in aliases if self.raw(alias)), "")
        if not value:
            if self.is_local:
                return LOCAL_DEFAULTS[name]
            self.problems[name] = "is missing (required on stage %r)" % self.stage
            return ""
        return self.checked(name, value, pattern)

    def optional(self, name: str, default: str, pattern: re.Pattern[str]) -> str:
        return self.checked(name, self.raw(name) or default, pattern)

    def checked(self, name: str, value: str, pattern: re.Pattern[str]) -> str:
        if not pattern.match(value):
            self.problems[name] = f"is malformed: {value[:80]!r}"
        return value

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.raw(name) or default
        if value not in allowed:
            self.problems[name] = f"must be one of {'/'.join(allowed)}, not {value[:80]!r}"
        return value

    def integer(self, name: str, default: int, minimum: int) -> int:
        raw = self.raw(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems[name] = f"must be a whole number, not {raw[:80]!r}"
            return default
        if value < minimum:
            self.problems[name] = f"must be at least {minimum}, not {value}"
        return value

    def done(self) -> None:
        if self.problems:
            raise SettingsError(self.problems)


def _one(read: Callable[[_Reader], object]):
    """A single variable, read and validated on its own (for module-level decorators)."""
    reader = _Reader(os.environ)
    value = read(reader)
    reader.done()
    return value


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Every setting, validated at once; raises SettingsError naming each one at fault."""
    reader = _Reader(os.environ if environ is None else environ)
    stage = reader.stage
    region = reader.required("AWS_REGION", _REGION, aliases=("AWS_DEFAULT_REGION",))
    endpoint = reader.raw("AWS_ENDPOINT_URL") or None
    if endpoint:
        reader.checked("AWS_ENDPOINT_URL", endpoint, _URL)
    pool_id = reader.required("USER_POOL_ID", _USER_POOL_ID)
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    # The emulator serves the pool's keys under its own host; AWS under the issuer.
    jwks = f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json" if endpoint else f"{issuer}/.well-known/jwks.json"
    origins = tuple(o.strip() for o in reader.raw("ALLOWED_ORIGINS").split(",") if o.strip())
    for origin in origins:
        reader.checked("ALLOWED_ORIGINS", origin, _URL)
    settings = Settings(
        stage=stage,
        region=region,
        table_prefix=reader.required("TABLE_PREFIX", _TABLE_PREFIX),
        upload_bucket=reader.required("UPLOAD_BUCKET", _BUCKET),
        intake_queue_name=reader.required("INTAKE_QUEUE_NAME", _QUEUE),
        metrics_queue_name=reader.required("METRICS_QUEUE_NAME", _QUEUE),
        user_pool_id=pool_id,
        user_pool_client_id=reader.required("USER_POOL_CLIENT_ID", _CLIENT_ID),
        jwks_url=reader.checked("JWKS_URL", reader.raw("JWKS_URL"), _URL) if reader.raw("JWKS_URL") else jwks,
        aws_endpoint_url=endpoint,
        allowed_origins=origins,
        metrics_mode=reader.choice("METRICS_MODE", "live", METRICS_MODES),
        metrics_seed=reader.raw("METRICS_SEED") or "000",
        metrics_interval_minutes=reader.integer("METRICS_INTERVAL_MINUTES", 60, minimum=1),
        tiktok_api_base_url=reader.optional("TIKTOK_API_BASE_URL", "https://open.tiktokapis.com", _URL).rstrip("/"),
        tiktok_token_parameter=reader.optional("TIKTOK_TOKEN_PARAMETER", f"/contest-{stage}/tiktok/oauth", _PARAMETER),
        youtube_api_base_url=reader.optional(
            "YOUTUBE_API_BASE_URL", "https://www.googleapis.com/youtube/v3", _URL
        ).rstrip("/"),
        youtube_key_parameter=reader.optional("YOUTUBE_KEY_PARAMETER", f"/contest-{stage}/youtube/api-key", _PARAMETER),
        notifications_queue_name=reader.required("NOTIFICATIONS_QUEUE_NAME", _QUEUE),
        public_base_url=reader.required("PUBLIC_BASE_URL", _URL).rstrip("/"),
        notification_sender=reader.required("NOTIFICATION_SENDER", _EMAIL),
        notification_sender_name=reader.raw("NOTIFICATION_SENDER_NAME") or "Ban tổ chức cuộc thi",
        ses_configuration_set=reader.raw("SES_CONFIGURATION_SET") or None,
        notification_key_parameter=reader.optional(
            "NOTIFICATION_KEY_PARAMETER", f"/contest-{stage}/notifications/signing-key", _PARAMETER),
        zalo_api_base_url=reader.optional("ZALO_API_BASE_URL", "https://business.openapi.zalo.me", _URL).rstrip("/"),
        zalo_credentials_parameter=reader.optional("ZALO_CREDENTIALS_PARAMETER", f"/contest-{stage}/zalo/zns", _PARAMETER),
        local_outbox_file=(reader.raw("LOCAL_OUTBOX_FILE") or None) if reader.is_local else None,
    )
    reader.done()
    return settings


# Read at import time, before any Settings exist: PynamoDB's table names and the
# trigger decorators' queue names and schedule, which `chalice package` reads from the
# stage's environment in .chalice/config.json.

def table_prefix() -> str:
    return _one(lambda r: r.required("TABLE_PREFIX", _TABLE_PREFIX))


def intake_queue_name() -> str:
    return _one(lambda r: r.required("INTAKE_QUEUE_NAME", _QUEUE))


def metrics_queue_name() -> str:
    return _one(lambda r: r.required("METRICS_QUEUE_NAME", _QUEUE))


def notifications_queue_name() -> str:
    return _one(lambda r: r.required("NOTIFICATIONS_QUEUE_NAME", _QUEUE))


def metrics_interval_minutes() -> int:
    """How often engagement is read (default hourly)."""
    return _one(lambda r: r.integer("METRICS_INTERVAL_MINUTES", 60, minimum=1))
