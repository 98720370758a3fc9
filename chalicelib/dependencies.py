"""Composition root: every outside client is built here, lazily, once.

Handlers and services ask for collaborators through these functions; tests
reset them with `reset()` after pointing the environment at the emulator.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.adapters.cognito import CognitoUserPool
from chalicelib.adapters.dynamodb.audit import AuditStore
from chalicelib.adapters.dynamodb.batch_writer import BatchWriter
from chalicelib.adapters.dynamodb.campaigns import CampaignStore
from chalicelib.adapters.dynamodb.counters import CounterStore
from chalicelib.adapters.dynamodb.jury_scores import JuryScoreStore
from chalicelib.adapters.dynamodb.links import LinkStore
from chalicelib.adapters.dynamodb.engagement import IngestionRunStore, PublishedEntries, ScoreStore, SnapshotWriter
from chalicelib.adapters.dynamodb.models import IdempotencyRecord
from chalicelib.adapters.dynamodb.organisation import OrgTreeWriter, OrgUnitStore, UnitHistoryStore
from chalicelib.adapters.dynamodb.snapshots import SnapshotStore
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.adapters.dynamodb.week_results import WeekResultStore
from chalicelib.adapters.idempotency import Idempotency
from chalicelib.adapters.engagement_sources import MetricSource
from chalicelib.adapters.engagement_sources.http import JsonHttp, RateLimiter
from chalicelib.adapters.engagement_sources.simulator import SimulatedSource
from chalicelib.adapters.engagement_sources.tiktok import TikTokDisplayApi
from chalicelib.adapters.engagement_sources.youtube import YouTubeDataApi
from chalicelib.adapters.s3 import UploadBucket
from chalicelib.adapters.sqs import Queue
from chalicelib.adapters.ssm import ParameterStore
from chalicelib.config import METRICS_MAX_CONCURRENCY, TIKTOK_REQUESTS_PER_MINUTE, get_settings
from chalicelib.services.audit import AuditLog
from chalicelib.services.directory import UnitDirectory
from chalicelib.services.final_round import FinalRoundService
from chalicelib.services.identity import TokenVerifier
from chalicelib.services.intake import IntakeService
from chalicelib.services.engagement import EngagementService
from chalicelib.services.organisation import OrganisationService
from chalicelib.services.reports import PublicStats, ReportService
from chalicelib.services.review import ReviewService
from chalicelib.services.participants import ParticipantService
from chalicelib.services.week_results import WeekResultsService

_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


@lru_cache(maxsize=None)
def aws_client(service: str) -> Any:
    return boto3.session.Session().client(
        service, region_name=get_settings().region, config=_BOTO_CONFIG
    )


@lru_cache(maxsize=1)
def user_pool() -> CognitoUserPool:
    settings = get_settings()
    return CognitoUserPool(
        aws_client("cognito-idp"),
        settings.user_pool_id,
        settings.user_pool_client_id,
        settings.jwks_url,
    )


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    settings = get_settings()
    return TokenVerifier(
        fetch_jwks=user_pool().fetch_jwks,
        issuer=settings.token_issuer,
        audience=settings.user_pool_client_id,
    )


@lru_cache(maxsize=1)
def campaign_store() -> CampaignStore:
    return CampaignStore()


@lru_cache(maxsize=1)
def org_unit_store() -> OrgUnitStore:
    return OrgUnitStore()


@lru_cache(maxsize=1)
def audit_store() -> AuditStore:
    return AuditStore()


@lru_cache(maxsize=1)
def audit_log() -> AuditLog:
    return AuditLog(audit_store())


@lru_cache(maxsize=1)
def submission_store() -> SubmissionStore:
    return SubmissionStore()


@lru_cache(maxsize=1)
def upload_bucket() -> UploadBucket:
    settings = get_settings()
    # The emulator answers on one host, so it needs path-style URLs; AWS prefers virtual hosts.
    style = "path" if settings.aws_endpoint_url else "virtual"
    client = boto3.session.Session().client(
        "s3",
        region_name=settings.region,
        config=_BOTO_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": style})),
    )
    return UploadBucket(client, settings.upload_bucket)


@lru_cache(maxsize=1)
def idempotency() -> Idempotency:
    return Idempotency(IdempotencyRecord.Meta.table_name, aws_client("dynamodb"))


@lru_cache(maxsize=1)
def unit_directory() -> UnitDirectory:
    return UnitDirectory(org_unit_store())


@lru_cache(maxsize=1)
def participant_service() -> ParticipantService:
    return ParticipantService(campaign_store(), org_unit_store(), submission_store(), upload_bucket())


@lru_cache(maxsize=1)
def intake_service() -> IntakeService:
    return IntakeService(campaign_store(), submission_store(), upload_bucket())


@lru_cache(maxsize=1)
def intake_queue() -> Queue:
    return Queue(aws_client("sqs"), get_settings().intake_queue_name)


@lru_cache(maxsize=1)
def intake_dead_letter_queue() -> Queue:
    return Queue(aws_client("sqs"), get_settings().intake_queue_name + "-dlq")


@lru_cache(maxsize=1)
def snapshot_store() -> SnapshotStore:
    return SnapshotStore()


@lru_cache(maxsize=1)
def week_result_store() -> WeekResultStore:
    return WeekResultStore(upload_bucket().archive())


@lru_cache(maxsize=1)
def jury_score_store() -> JuryScoreStore:
    return JuryScoreStore()


@lru_cache(maxsize=1)
def week_results_service() -> WeekResultsService:
    return WeekResultsService(
        campaign_store(), submission_store(), snapshot_store(), week_result_store(), org_unit_store(), audit_log(),
        counter_store(),
    )


@lru_cache(maxsize=1)
def review_service() -> ReviewService:
    return ReviewService(submission_store(), snapshot_store(), week_results_service(), audit_log())


@lru_cache(maxsize=1)
def final_round_service() -> FinalRoundService:
    return FinalRoundService(week_results_service(), jury_score_store(), audit_log())


@lru_cache(maxsize=1)
def metrics_queue() -> Queue:
    return Queue(aws_client("sqs"), get_settings().metrics_queue_name)


@lru_cache(maxsize=1)
def batch_writer() -> BatchWriter:
    return BatchWriter(aws_client("dynamodb"))


@lru_cache(maxsize=1)
def parameter_store() -> ParameterStore:
    return ParameterStore(aws_client("ssm"))


@lru_cache(maxsize=None)
def metric_source(platform: str) -> MetricSource | None:
    """The reader of one platform's counters: the real API, or the simulator on the local stage."""
    settings = get_settings()
    if settings.metrics_mode == "simulated":
        return SimulatedSource(platform, settings.metrics_seed)
    if platform == "tiktok":
        limiter = RateLimiter(TIKTOK_REQUESTS_PER_MINUTE // METRICS_MAX_CONCURRENCY, 60)
        return TikTokDisplayApi(JsonHttp("TikTok", limiter=limiter), parameter_store(),
                                settings.tiktok_token_parameter, settings.tiktok_api_base_url)
    if platform == "youtube":
        return YouTubeDataApi(JsonHttp("YouTube"), parameter_store(), settings.youtube_key_parameter,
                              settings.youtube_api_base_url)
    return None  # Facebook: organisers import its figures


@lru_cache(maxsize=1)
def metrics_service() -> EngagementService:
    writer = batch_writer()
    return EngagementService(campaign_store(), PublishedEntries(), SnapshotWriter(writer), ScoreStore(writer),
                          IngestionRunStore(), metrics_queue(), metric_source)


@lru_cache(maxsize=1)
def counter_store() -> CounterStore:
    return CounterStore()


@lru_cache(maxsize=1)
def link_store() -> LinkStore:
    return LinkStore()


@lru_cache(maxsize=1)
def organisation_service() -> OrganisationService:
    return OrganisationService(
        org_unit_store(), OrgTreeWriter(), UnitHistoryStore(), campaign_store(), counter_store(),
        submission_store(), link_store(), audit_log(),
    )


@lru_cache(maxsize=1)
def report_service() -> ReportService:
    return ReportService(campaign_store(), org_unit_store(), counter_store(), submission_store(), link_store(),
                         audit_log())


@lru_cache(maxsize=1)
def public_stats() -> PublicStats:
    return PublicStats(campaign_store(), counter_store())


def reset() -> None:
    get_settings.cache_clear()
    for factory in (aws_client, user_pool, token_verifier, campaign_store, org_unit_store, audit_store, audit_log,
                    submission_store, upload_bucket, unit_directory, participant_service, idempotency, intake_service,
                    intake_queue, intake_dead_letter_queue, snapshot_store, week_result_store, jury_score_store,
                    week_results_service, review_service, final_round_service,
                    metrics_queue, batch_writer, parameter_store, metric_source, metrics_service,
                    counter_store, link_store, organisation_service, report_service, public_stats):
        factory.cache_clear()
