"""The composition root: `bootstrap(settings, **overrides)` wires every collaborator.

Nothing is built, or even imported, until first asked for: each builder imports its
own adapter or service module, so a Lambda function pays at cold start only for what
its routes or triggers use. Every collaborator is built once per container.

Handlers reach the process's container through `services()`; tests and the local
cloud build their own (`bootstrap(settings, submission_store=FakeStore())`) and make
it current with `install()` or `installed()`.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator

from chalicelib.config import METRICS_MAX_CONCURRENCY, TIKTOK_REQUESTS_PER_MINUTE, Settings, read_settings

if TYPE_CHECKING:
    from chalicelib.adapters.cognito import CognitoUserPool
    from chalicelib.adapters.dynamodb.audit import AuditStore
    from chalicelib.adapters.dynamodb.batch_writer import BatchWriter
    from chalicelib.adapters.dynamodb.campaigns import CampaignStore
    from chalicelib.adapters.dynamodb.console import EntryActivity, ReasonTemplateStore
    from chalicelib.adapters.dynamodb.counters import CounterStore
    from chalicelib.adapters.dynamodb.jury_panel import JudgePanelStore
    from chalicelib.adapters.dynamodb.jury_scores import JuryScoreStore
    from chalicelib.adapters.dynamodb.links import LinkStore
    from chalicelib.adapters.dynamodb.engagement import IngestionRunStore, PublishedEntries, ScoreStore, SnapshotWriter
    from chalicelib.adapters.dynamodb.organisation import OrgTreeWriter, OrgUnitStore, UnitHistoryStore
    from chalicelib.adapters.dynamodb.snapshots import SnapshotStore
    from chalicelib.adapters.dynamodb.submissions import SubmissionStore
    from chalicelib.adapters.dynamodb.week_results import LateReadingStore, WeekResultStore
    from chalicelib.adapters.dynamodb.notifications import NotificationLogStore
    from chalicelib.adapters.idempotency import Idempotency
    from chalicelib.adapters.notification_queue import QueuedNotifications
    from chalicelib.adapters.ses import SesMailer
    from chalicelib.adapters.zalo import ZaloZns
    from chalicelib.adapters.engagement_sources import MetricSource
    from chalicelib.adapters.s3 import UploadBucket
    from chalicelib.adapters.sqs import Queue
    from chalicelib.adapters.ssm import ParameterStore
    from chalicelib.services.access_recovery import AccessRecovery
    from chalicelib.services.announcements import Announcements
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.campaigns import CampaignService
    from chalicelib.services.console import ConsoleService
    from chalicelib.services.directory import UnitDirectory
    from chalicelib.services.entry_progress import EntryProgress
    from chalicelib.services.final_round import FinalRoundService
    from chalicelib.adapters.dynamodb.result_publications import ResultPublicationStore
    from chalicelib.services.identity import TokenVerifier
    from chalicelib.services.intake import IntakeService
    from chalicelib.services.engagement import EngagementService
    from chalicelib.services.notifications import NotificationFailures, Notifier
    from chalicelib.services.organisation import OrganisationService
    from chalicelib.services.overview import OverviewService
    from chalicelib.services.public_pages import LeaderboardView, PublicBoard
    from chalicelib.services.reports import PublicStats, ReportService
    from chalicelib.services.spreadsheets import ExportService
    from chalicelib.services.review import ReviewService
    from chalicelib.services.participants import ParticipantService
    from chalicelib.services.privacy import PrivacyService
    from chalicelib.services.video_access import VideoAccessService
    from chalicelib.services.week_results import WeekResultsService


class Services:
    """Every collaborator of the handlers, built lazily from one Settings; see bootstrap()."""

    def __init__(self, settings: Settings, overrides: dict[str, Any]) -> None:
        unknown = sorted(set(overrides) - COLLABORATORS)
        if unknown:
            raise TypeError(f"bootstrap() has no collaborator named {', '.join(unknown)}")
        self.settings = settings
        self._clients: dict[str, Any] = {}
        # cached_property keeps its value in the instance's __dict__ and reads it from
        # there first, so an override simply takes the place of the built value.
        vars(self).update(overrides)

    # --- AWS clients -----------------------------------------------------------------

    def aws_client(self, service: str, **config: Any) -> Any:
        """One botocore client per service and extra configuration, with bounded retries and timeouts."""
        key = f"{service}{sorted(config.items())}"
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            base = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
            self._clients[key] = boto3.session.Session().client(
                service, region_name=self.settings.region, config=base.merge(Config(**config)) if config else base
            )
        return self._clients[key]

    @cached_property
    def user_pool(self) -> CognitoUserPool:
        from chalicelib.adapters.cognito import CognitoUserPool

        s = self.settings
        return CognitoUserPool(self.aws_client("cognito-idp"), s.user_pool_id, s.user_pool_client_id, s.jwks_url)

    @cached_property
    def upload_bucket(self) -> UploadBucket:
        from chalicelib.adapters.s3 import UploadBucket

        # The emulator answers on one host, so it needs path-style URLs; AWS prefers virtual hosts.
        style = "path" if self.settings.aws_endpoint_url else "virtual"
        client = self.aws_client("s3", signature_version="s3v4", s3={"addressing_style": style})
        return UploadBucket(client, self.settings.upload_bucket)

    @cached_property
    def intake_queue(self) -> Queue:
        from chalicelib.adapters.sqs import Queue

        return Queue(self.aws_client("sqs"), self.settings.intake_queue_name)

    @cached_property
    def intake_dead_letter_queue(self) -> Queue:
        from chalicelib.adapters.sqs import Queue

        return Queue(self.aws_client("sqs"), self.settings.intake_queue_name + "-dlq")

    @cached_property
    def engagement_queue(self) -> Queue:
        from chalicelib.adapters.sqs import Queue

        return Queue(self.aws_client("sqs"), self.settings.metrics_queue_name)

    @cached_property
    def notifications_queue(self) -> Queue:
        from chalicelib.adapters.sqs import Queue

        return Queue(self.aws_client("sqs"), self.settings.notifications_queue_name)

    @cached_property
    def notification_events(self) -> QueuedNotifications:
        from chalicelib.adapters.notification_queue import QueuedNotifications

        return QueuedNotifications(self.notifications_queue)

    @cached_property
    def mailer(self) -> SesMailer:
        from chalicelib.adapters.ses import SesMailer

        s = self.settings
        mailer = SesMailer(self.aws_client("ses"), s.notification_sender, s.notification_sender_name,
                           s.ses_configuration_set)
        if s.local_outbox_file:
            from chalicelib.adapters.outbox_file import RecordingMailer  # the local stage only

            return RecordingMailer(mailer, s.local_outbox_file)  # type: ignore[return-value]
        return mailer

    @cached_property
    def zalo(self) -> ZaloZns:
        from chalicelib.adapters.zalo import ZaloZns
        from chalicelib.domain.errors import DependencyUnavailable

        def credentials() -> dict | None:
            try:
                return self.parameter_store.get_json(self.settings.zalo_credentials_parameter)
            except DependencyUnavailable:
                return None  # not configured: Zalo stays off

        return ZaloZns(credentials, self.settings.zalo_api_base_url)

    @cached_property
    def notification_signing_key(self) -> Callable[[], bytes]:
        if self.settings.stage == "local":
            return lambda: b"local-stage-notification-signing-key"
        key: list[bytes] = []

        def signing_key() -> bytes:
            if not key:
                key.append(self.parameter_store.get_text(self.settings.notification_key_parameter).encode())
            return key[0]

        return signing_key

    @cached_property
    def parameter_store(self) -> ParameterStore:
        from chalicelib.adapters.ssm import ParameterStore

        return ParameterStore(self.aws_client("ssm"))

    @cached_property
    def idempotency(self) -> Idempotency:
        from chalicelib.adapters.dynamodb.models import IdempotencyRecord
        from chalicelib.adapters.idempotency import Idempotency

        return Idempotency(IdempotencyRecord.Meta.table_name, self.aws_client("dynamodb"))

    # --- DynamoDB stores ---------------------------------------------------------------

    @cached_property
    def tables_reachable(self) -> Callable[[], dict[str, bool]]:
        from chalicelib.adapters.dynamodb.health import tables_reachable

        return tables_reachable

    @cached_property
    def batch_writer(self) -> BatchWriter:
        from chalicelib.adapters.dynamodb.batch_writer import BatchWriter

        return BatchWriter(self.aws_client("dynamodb"))

    @cached_property
    def campaign_store(self) -> CampaignStore:
        from chalicelib.adapters.dynamodb.campaigns import CampaignStore

        return CampaignStore()

    @cached_property
    def org_unit_store(self) -> OrgUnitStore:
        from chalicelib.adapters.dynamodb.organisation import OrgUnitStore

        return OrgUnitStore()

    @cached_property
    def org_tree_writer(self) -> OrgTreeWriter:
        from chalicelib.adapters.dynamodb.organisation import OrgTreeWriter

        return OrgTreeWriter()

    @cached_property
    def unit_history_store(self) -> UnitHistoryStore:
        from chalicelib.adapters.dynamodb.organisation import UnitHistoryStore

        return UnitHistoryStore()

    @cached_property
    def audit_store(self) -> AuditStore:
        from chalicelib.adapters.dynamodb.audit import AuditStore

        return AuditStore()

    @cached_property
    def submission_store(self) -> SubmissionStore:
        from chalicelib.adapters.dynamodb.submissions import SubmissionStore

        # Only a disqualification needs the week results (and their S3 archive): built when it happens.
        return SubmissionStore(week_results=lambda: self.week_result_store)

    @cached_property
    def snapshot_store(self) -> SnapshotStore:
        from chalicelib.adapters.dynamodb.snapshots import SnapshotStore

        return SnapshotStore()

    @cached_property
    def week_result_store(self) -> WeekResultStore:
        from chalicelib.adapters.dynamodb.week_results import WeekResultStore

        return WeekResultStore(self.upload_bucket.archive())

    @cached_property
    def late_reading_store(self) -> LateReadingStore:
        from chalicelib.adapters.dynamodb.week_results import LateReadingStore

        return LateReadingStore()

    @cached_property
    def judge_panel_store(self) -> JudgePanelStore:
        from chalicelib.adapters.dynamodb.jury_panel import JudgePanelStore

        return JudgePanelStore()

    @cached_property
    def jury_score_store(self) -> JuryScoreStore:
        from chalicelib.adapters.dynamodb.jury_scores import JuryScoreStore

        return JuryScoreStore()

    @cached_property
    def counter_store(self) -> CounterStore:
        from chalicelib.adapters.dynamodb.counters import CounterStore

        return CounterStore()

    @cached_property
    def link_store(self) -> LinkStore:
        from chalicelib.adapters.dynamodb.links import LinkStore

        return LinkStore()

    @cached_property
    def published_entries(self) -> PublishedEntries:
        from chalicelib.adapters.dynamodb.engagement import PublishedEntries

        return PublishedEntries()

    @cached_property
    def snapshot_writer(self) -> SnapshotWriter:
        from chalicelib.adapters.dynamodb.engagement import SnapshotWriter

        return SnapshotWriter(self.batch_writer)

    @cached_property
    def score_store(self) -> ScoreStore:
        from chalicelib.adapters.dynamodb.engagement import ScoreStore

        return ScoreStore(self.batch_writer)

    @cached_property
    def ingestion_run_store(self) -> IngestionRunStore:
        from chalicelib.adapters.dynamodb.engagement import IngestionRunStore

        return IngestionRunStore()

    @cached_property
    def entry_activity(self) -> EntryActivity:
        from chalicelib.adapters.dynamodb.console import EntryActivity

        return EntryActivity()

    @cached_property
    def reason_template_store(self) -> ReasonTemplateStore:
        from chalicelib.adapters.dynamodb.console import ReasonTemplateStore

        return ReasonTemplateStore()

    @cached_property
    def notification_log(self) -> NotificationLogStore:
        from chalicelib.adapters.dynamodb.notifications import NotificationLogStore

        return NotificationLogStore()

    # --- Engagement sources (platform counts) ------------------------------------------

    @cached_property
    def engagement_source(self) -> Callable[[str], MetricSource | None]:
        """The reader of one platform's counters: its API, the simulator (METRICS_MODE=simulated),
        or None when no platform is read (METRICS_MODE=off)."""
        built: dict[str, MetricSource | None] = {}

        def source_for(platform: str) -> MetricSource | None:
            if platform not in built:
                built[platform] = self._build_engagement_source(platform)
            return built[platform]

        return source_for

    def _build_engagement_source(self, platform: str) -> MetricSource | None:
        s = self.settings
        if s.metrics_mode == "off":
            return None  # scheduled runs still record themselves, their entries named as without a source
        if s.metrics_mode == "simulated":
            from chalicelib.adapters.engagement_sources.simulator import SimulatedSource

            return SimulatedSource(platform, s.metrics_seed)
        if platform == "tiktok":
            from chalicelib.adapters.engagement_sources.http import JsonHttp, RateLimiter
            from chalicelib.adapters.engagement_sources.tiktok import TikTokDisplayApi

            limiter = RateLimiter(TIKTOK_REQUESTS_PER_MINUTE // METRICS_MAX_CONCURRENCY, 60)
            return TikTokDisplayApi(JsonHttp("TikTok", limiter=limiter), self.parameter_store,
                                    s.tiktok_token_parameter, s.tiktok_api_base_url)
        if platform == "youtube":
            from chalicelib.adapters.engagement_sources.http import JsonHttp
            from chalicelib.adapters.engagement_sources.youtube import YouTubeDataApi

            return YouTubeDataApi(JsonHttp("YouTube"), self.parameter_store, s.youtube_key_parameter,
                                  s.youtube_api_base_url)
        return None  # Facebook: organisers import its figures

    # --- Services ----------------------------------------------------------------------

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        from chalicelib.services.identity import TokenVerifier

        return TokenVerifier(fetch_jwks=self.user_pool.fetch_jwks, issuer=self.settings.token_issuer,
                             audience=self.settings.user_pool_client_id)

    @cached_property
    def audit_log(self) -> AuditLog:
        from chalicelib.services.audit import AuditLog

        return AuditLog(self.audit_store)

    @cached_property
    def unit_directory(self) -> UnitDirectory:
        from chalicelib.services.directory import UnitDirectory

        return UnitDirectory(self.org_unit_store)

    @cached_property
    def participants(self) -> ParticipantService:
        from chalicelib.services.participants import ParticipantService

        return ParticipantService(self.campaign_store, self.org_unit_store, self.submission_store, self.upload_bucket,
                                  notifications=self.notification_events, progress=self.entry_progress)

    @cached_property
    def entry_progress(self) -> EntryProgress:
        from chalicelib.services.entry_progress import EntryProgress

        return EntryProgress(self.campaign_store, self.score_store, self.week_result_store)

    @cached_property
    def privacy(self) -> PrivacyService:
        from chalicelib.services.privacy import PrivacyService

        return PrivacyService(self.campaign_store, self.submission_store, self.audit_log, self.upload_bucket)

    @cached_property
    def intake(self) -> IntakeService:
        from chalicelib.services.intake import IntakeService

        return IntakeService(self.campaign_store, self.submission_store, self.upload_bucket,
                             notifications=self.notification_events)

    @cached_property
    def week_results(self) -> WeekResultsService:
        from chalicelib.services.week_results import WeekResultsService

        return WeekResultsService(self.campaign_store, self.submission_store, self.snapshot_store,
                                  self.week_result_store, self.org_unit_store, self.audit_log, self.counter_store,
                                  boundary_runs=self.ingestion_run_store, late_readings=self.late_reading_store,
                                  notifications=self.notification_events,
                                  boundary_readings=self.score_store)

    @cached_property
    def campaigns(self) -> CampaignService:
        from chalicelib.services.campaigns import CampaignService

        return CampaignService(self.campaign_store, self.org_unit_store, self.week_result_store, self.counter_store,
                               self.audit_log)

    @cached_property
    def review(self) -> ReviewService:
        from chalicelib.services.review import ReviewService

        return ReviewService(self.submission_store, self.snapshot_store, self.week_results, self.audit_log,
                             self.org_unit_store, notifications=self.notification_events)

    @cached_property
    def final_round(self) -> FinalRoundService:
        from chalicelib.services.final_round import FinalRoundService

        return FinalRoundService(self.week_results, self.jury_score_store, self.audit_log, self.judge_panel_store,
                                 publications=self.result_publication_store, notifications=self.notification_events)

    @cached_property
    def result_publication_store(self) -> ResultPublicationStore:
        from chalicelib.adapters.dynamodb.result_publications import ResultPublicationStore

        return ResultPublicationStore()

    @cached_property
    def video_access(self) -> VideoAccessService:
        from chalicelib.services.video_access import VideoAccessService

        return VideoAccessService(self.submission_store, self.upload_bucket, self.final_round, self.audit_log)

    @cached_property
    def engagement(self) -> EngagementService:
        from chalicelib.adapters.engagement_sources.organiser_sheet import read_table
        from chalicelib.services.engagement import EngagementService

        return EngagementService(self.campaign_store, self.published_entries, self.snapshot_writer, self.score_store,
                                 self.ingestion_run_store, self.engagement_queue, self.engagement_source, read_table,
                                 closed_weeks=self.week_result_store, late_readings=self.late_reading_store)

    @cached_property
    def organisation(self) -> OrganisationService:
        from chalicelib.services.organisation import OrganisationService

        return OrganisationService(self.org_unit_store, self.org_tree_writer, self.unit_history_store,
                                   self.campaign_store, self.counter_store, self.submission_store, self.link_store,
                                   self.audit_log, tree_changed=self.unit_directory.forget)

    @cached_property
    def reports(self) -> ReportService:
        from chalicelib.services.reports import ReportService

        return ReportService(self.campaign_store, self.org_unit_store, self.counter_store, self.submission_store,
                             self.link_store, self.audit_log, self.counter_store, self.unit_directory)

    @cached_property
    def exports(self) -> ExportService:
        from chalicelib.services.spreadsheets import ExportService

        return ExportService(self.upload_bucket.exports())

    @cached_property
    def notifier(self) -> Notifier:
        from chalicelib.services.notifications import Notifier

        return Notifier(self.submission_store, self.campaign_store, self.notification_log, self.mailer,
                        self.notification_signing_key, self.settings.public_base_url, zalo=self.zalo)

    @cached_property
    def access_recovery(self) -> AccessRecovery:
        from chalicelib.services.access_recovery import AccessRecovery

        return AccessRecovery(self.submission_store, self.notification_log, self.notification_events, self.mailer,
                              self.notification_signing_key, self.settings.public_base_url, zalo=self.zalo)

    @cached_property
    def announcements(self) -> Announcements:
        from chalicelib.services.announcements import Announcements

        return Announcements(self.campaign_store, self.org_unit_store, self.submission_store, self.notification_events,
                             self.notification_log, self.audit_log)

    @cached_property
    def notification_failures(self) -> NotificationFailures:
        from chalicelib.services.notifications import NotificationFailures

        return NotificationFailures(self.campaign_store, self.notification_log)

    @cached_property
    def public_stats(self) -> PublicStats:
        from chalicelib.services.reports import PublicStats

        return PublicStats(self.campaign_store, self.counter_store)

    @cached_property
    def overview(self) -> OverviewService:
        from chalicelib.services.overview import OverviewService

        return OverviewService(self.campaign_store, self.org_unit_store, self.counter_store, self.entry_activity,
                               self.ingestion_run_store, self.reports.minimum_entries, self.reports.posting,
                               self.settings.metrics_interval_minutes)

    @cached_property
    def console(self) -> ConsoleService:
        from chalicelib.services.console import ConsoleService

        return ConsoleService(self.submission_store, self.snapshot_store, self.engagement, self.week_results,
                              self.review, self.reason_template_store, self.audit_log)

    @cached_property
    def leaderboard_view(self) -> LeaderboardView:
        from chalicelib.services.public_pages import LeaderboardView

        return LeaderboardView(self.engagement, self.submission_store, self.unit_directory)

    @cached_property
    def public_board(self) -> PublicBoard:
        from chalicelib.services.public_pages import PublicBoard

        return PublicBoard(self.campaign_store, self.leaderboard_view)


COLLABORATORS = frozenset(name for name, value in vars(Services).items() if isinstance(value, cached_property))


def bootstrap(settings: Settings, **overrides: Any) -> Services:
    """A container for `settings`; any collaborator can be handed in by name instead of built."""
    return Services(settings, overrides)


_current: Services | None = None


def services() -> Services:
    """The process's container, built from the environment's settings on first use.

    On a deployed stage a missing or malformed setting raises SettingsError here,
    naming the variable, on the function's first invocation."""
    global _current
    if _current is None:
        _current = bootstrap(read_settings())
    return _current


def install(container: Services | None) -> Services | None:
    """Makes `container` the one handlers use and returns the previous one.
    None means: build a new one from the environment on next use."""
    global _current
    previous, _current = _current, container
    return previous


@contextmanager
def installed(container: Services) -> Iterator[Services]:
    """`container` is current inside the block; the previous one is restored after it."""
    previous = install(container)
    try:
        yield container
    finally:
        install(previous)
