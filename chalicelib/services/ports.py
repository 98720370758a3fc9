"""What the services need from the outside world, one small interface per need.

Each service names only the methods it calls; the DynamoDB, S3 and SQS adapters
satisfy these structurally, and tests/fakes holds an in-memory twin of each.
Conditional writes return the entry as written, or False when their condition no
longer held (someone else moved the entry first): a refusal, never an error.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Iterable, Literal, Mapping, Protocol, Sequence, TypeVar

if TYPE_CHECKING:  # annotations only: importing the ports costs a function's cold start nothing
    from datetime import date, datetime, timedelta

    from chalicelib.domain.audit import AuditEntry
    from chalicelib.domain.campaign import Campaign
    from chalicelib.domain.campaign_changes import CampaignVersion
    from chalicelib.domain.entry import Entry, NewSubmission, NewUpload
    from chalicelib.domain.ingestion import LeaderboardRow, PublishedEntry, RunStatus
    from chalicelib.domain.jury import JudgeAssignment, Scorecard, StoredScorecard
    from chalicelib.domain.links import NewLink, StoredLink
    from chalicelib.domain.media.probe import RangeReader
    from chalicelib.domain.notifications import NotificationEvent, OutgoingEmail
    from chalicelib.domain.engagement import Snapshot
    from chalicelib.domain.organisation import OrgTree, OrgUnit
    from chalicelib.domain.organisation_changes import TreeChange, UnitHistoryEvent
    from chalicelib.domain.result_versions import LateReading, StoredWeekResult
    from chalicelib.domain.rollup import UnitAggregate, UnitCounters, WeeklyBests
    from chalicelib.domain.uploads import ObjectHead


# --- campaigns and units ------------------------------------------------------

class Campaigns(Protocol):
    def get(self, campaign_id: str) -> Campaign | None: ...

    def require(self, campaign_id: str) -> Campaign: ...


class CampaignCatalogue(Campaigns, Protocol):
    def list_all(self) -> list[Campaign]: ...


class RunningCampaigns(Campaigns, Protocol):
    """What the scheduled paths read: the campaigns whose schedules run, found without reading
    the whole catalogue."""

    def list_running(self) -> list[Campaign]: ...


class VersionedCampaigns(CampaignCatalogue, RunningCampaigns, Protocol):
    """Writes return False when their condition no longer held: the id was taken, or the
    campaign is no longer at the version the change was made on."""

    def create(self, campaign: Campaign, version: CampaignVersion) -> bool: ...

    def replace(self, campaign: Campaign, expected_version: int, version: CampaignVersion) -> bool: ...

    def delete(self, campaign_id: str, expected_version: int) -> bool: ...

    def versions(self, campaign_id: str) -> list[CampaignVersion]: ...


class Units(Protocol):
    def find(self, unit_id: str) -> OrgUnit | None: ...

    def whole_tree(self) -> OrgTree: ...


class BranchUnits(Protocol):
    def find(self, unit_id: str) -> OrgUnit | None: ...

    def root(self) -> OrgUnit | None: ...

    def branch(self, path: str) -> list[OrgUnit]: ...


class UnitTree(Units, Protocol):
    """The organisation tree as an import replaces it."""

    def whole_tree_or_none(self) -> OrgTree | None: ...

    def put_tree(self, tree: OrgTree) -> None: ...

    def branch(self, path: str) -> list[OrgUnit]: ...


class TreeWriter(Protocol):
    def apply(self, incoming: OrgTree, change: TreeChange) -> int: ...


class UnitHistory(Protocol):
    def append(self, events: Iterable[UnitHistoryEvent]) -> None: ...

    def for_unit(self, unit_id: str, limit: int = 100) -> list[UnitHistoryEvent]: ...

    def pending_moves(self) -> list[UnitHistoryEvent]: ...

    def finish_move(self, event: UnitHistoryEvent) -> None: ...


Filed = TypeVar("Filed")  # an Entry or a StoredLink: it has a unit_id and a unit_path


class Refileable(Protocol[Filed]):
    """Entries or links, re-filed under their unit's new path after a move."""

    def under_path(self, campaign_id: str, path: str, limit: int) -> list[Filed]: ...

    def rekey(self, item: Filed, new_path: str) -> bool:
        """False when the item changed since it was read (it is read again next time)."""
        ...


# --- the upload bucket --------------------------------------------------------

class UploadedObjects(Protocol):
    """The bucket as the intake reads it."""

    name: str

    def head(self, key: str) -> ObjectHead | None: ...

    def delete(self, key: str) -> None: ...

    def reader(self, key: str, head: ObjectHead) -> RangeReader: ...


class DeletableObjects(Protocol):
    def delete(self, key: str) -> None:
        """Remove the object; a key with no object is no error."""
        ...


class VideoLinks(Protocol):
    """The bucket as reviewers and judges reach a stored video: short-lived presigned GETs."""

    def head(self, key: str) -> ObjectHead | None: ...

    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str: ...


class UploadLinks(Protocol):
    """The bucket as participants reach it: presigned uploads, whole or in parts."""

    def presigned_post(self, key: str, content_type: str, max_bytes: int, now: datetime) -> dict: ...

    def start_multipart(self, key: str, content_type: str) -> str: ...

    def presigned_part_urls(self, key: str, upload_id: str, part_numbers: list[int]) -> list[dict]: ...

    def uploaded_parts(self, key: str, upload_id: str) -> list[dict]: ...

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict]) -> None: ...

    def abort_multipart(self, key: str, upload_id: str) -> None: ...


# --- entries ------------------------------------------------------------------

class EntryReader(Protocol):
    def get(self, submission_id: str) -> Entry | None: ...


class ParticipantEntries(EntryReader, Protocol):
    def create(self, new: NewSubmission) -> Entry: ...

    def replace_upload(self, entry: Entry, upload: NewUpload, at: datetime) -> Entry | Literal[False]:
        """Refused while the entry's status does not allow replacing its video (domain.entry_status)."""
        ...

    def withdraw(self, entry: Entry, at: datetime) -> Entry | Literal[False]:
        """The participant's withdrawal, with the counters the entry leaves; False: it moved first."""
        ...


class ErasableEntries(EntryReader, Protocol):
    def not_erased_page(
        self, campaign_id: str, start_key: dict | None, limit: int
    ) -> tuple[list[Entry], dict | None]:
        """One page of the campaign's entries whose personal data is still kept; the key continues."""
        ...

    def erase_personal_data(
        self, entry: Entry, authors: list[dict], consent: dict | None, at: datetime
    ) -> Entry | Literal[False]:
        """Replace the authors and the consent record, once (False: already erased)."""
        ...


class IntakeEntries(EntryReader, Protocol):
    def begin_validation(self, entry: Entry, key: str, object_id: str, at: datetime) -> Entry | Literal[False]: ...

    def finish_validation(
        self, entry: Entry, key: str, object_id: str, status: str, verdict: dict, at: datetime
    ) -> Entry | Literal[False]: ...

    def mark_validation_error(self, entry: Entry, reason: dict, at: datetime) -> Entry | Literal[False]: ...

    def stuck_in_validation(self, started_before: datetime) -> list[str]: ...


class ReviewEntries(EntryReader, Protocol):
    def approve(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]: ...

    def reject(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]: ...

    def publish(
        self, entry: Entry, review: dict, platform_video: str, campaign_week: str,
        published_at: datetime, at: datetime, unit_name: str | None = None,
    ) -> Entry | Literal[False]: ...

    def disqualify(
        self, entry: Entry, review: dict, at: datetime, revised_result: StoredWeekResult | None = None
    ) -> Entry | Literal[False]:
        """Also removes the entry's live score and, when given, writes its week's next result
        version: all of it or nothing (False when the entry or the week moved meanwhile)."""
        ...

    def by_platform_video(self, platform_video: str) -> list[str]: ...


class CompetingEntries(EntryReader, Protocol):
    """Entries as rankings, the final round and the awards read them."""

    def in_voting_week(self, campaign_week: str) -> list[Entry]:
        """The week's entries as its result reads them: ids, unit, status, review, publication;
        not their upload, verdict, authors or consent."""
        ...

    def in_status(self, campaign_id: str, status: str) -> list[Entry]: ...

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]: ...


class EntryPages(Protocol):
    def branch_page(
        self, campaign_id: str, path: str, status: str | None, start_key: dict | None, limit: int
    ) -> tuple[list[Entry], dict | None]:
        """One page of a branch's entries and where the next page starts (None: the last page)."""
        ...


class Links(Protocol):
    def create(self, new: NewLink) -> StoredLink | None:
        """None when the same post was already submitted for the campaign."""
        ...

    def in_branch(self, campaign_id: str, path: str) -> list[StoredLink]: ...


# --- counters ----------------------------------------------------------------------

class UnitCounts(Protocol):
    def items_for(self, campaign_id: str, unit_paths: Iterable[str]) -> dict[str, UnitCounters]: ...


class BranchCounters(Protocol):
    def branch(self, campaign_id: str, path: str) -> dict[str, UnitCounters]: ...

    def daily(self, campaign_id: str) -> list[tuple[date, int, int]]: ...


class UnitAggregates(Protocol):
    def aggregates(self, campaign_id: str, unit_ids: Iterable[str]) -> dict[str, UnitAggregate]:
        """Stored aggregates of these units; a unit with nothing counted yet is absent."""
        ...


class CachedTree(Protocol):
    def tree(self) -> OrgTree:
        """The whole tree as this process last read it (a few minutes old at most)."""
        ...

    def forget(self) -> None: ...


# --- engagement readings and results -------------------------------------------

class SnapshotHistory(Protocol):
    def history(
        self, submission_id: str, start: datetime, end: datetime, limit: int | None = None
    ) -> list[Snapshot]: ...

    def latest_before(self, submission_id: str, before: datetime, limit: int = 1) -> list[Snapshot]: ...


class WeekBoundaryReadings(Protocol):
    def week_bases(self, campaign_week: str) -> dict[str, tuple[Snapshot, ...] | None]:
        """Every entry's kept boundary readings for a week, read in bulk (a few Query pages);
        absent or None as in LiveScores.bases."""
        ...


class WeekResults(Protocol):
    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None: ...

    def get(self, campaign_id: str, week: int, version: int) -> StoredWeekResult | None: ...

    def versions(self, campaign_id: str, week: int) -> list[StoredWeekResult]: ...

    def add(self, result: StoredWeekResult) -> bool:
        """False when that version already exists (someone else closed the week first)."""
        ...

    def put_pending(self, pending: StoredWeekResult) -> None: ...

    def pending(self, campaign_id: str, week: int) -> StoredWeekResult | None: ...


class ClosedWeeks(Protocol):
    """What ingestion asks of the results: is the week of a reading closed already?"""

    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None: ...

    def latest_top(self, campaign_id: str, week: int) -> tuple[int, str, list[dict]] | None:
        """(version, hash, first ranking rows) of the latest frozen version, from its item alone."""
        ...


class LateReadings(Protocol):
    def add(self, campaign_id: str, week: int, readings: Sequence[LateReading]) -> None:
        """The same entry, instant and source recorded again replaces the earlier record."""
        ...

    def for_week(self, campaign_id: str, week: int) -> list[LateReading]: ...


class BestWeeklyScores(Protocol):
    def raise_best_weekly_scores(self, campaign_id: str, bests: WeeklyBests) -> set[str]:
        """Each unit's own best and each subtree's best, where higher than the stored one: one
        conditional write per item. The units whose own best rose."""
        ...


class Scorecards(Protocol):
    def put(
        self, campaign_id: str, card: Scorecard, judge_unit_path: str | None, at: datetime
    ) -> StoredScorecard | None:
        """The judge's previous card for the entry, if any."""
        ...

    def for_campaign(self, campaign_id: str) -> list[StoredScorecard]: ...


class ResultPublications(Protocol):
    """Published final results: sealed documents, one per version, never changed."""

    def latest(self, campaign_id: str) -> dict | None: ...

    def versions(self, campaign_id: str) -> list[dict]: ...

    def add(self, campaign_id: str, document: dict, published_at: datetime) -> bool:
        """False when that version already exists (someone else published it first)."""
        ...


class JudgePanels(Protocol):
    def for_campaign(self, campaign_id: str) -> list[JudgeAssignment]: ...

    def get(self, campaign_id: str, judge_id: str) -> JudgeAssignment | None: ...

    def assign(self, assignment: JudgeAssignment) -> None:
        """Put the judge on the panel; one already on it keeps their declarations."""
        ...

    def remove(self, campaign_id: str, judge_id: str) -> None: ...

    def declare(self, assignment: JudgeAssignment) -> bool:
        """Replace the judge's declared conflicts; False if they are no longer on the panel."""
        ...


# --- engagement ingestion ---------------------------------------------------------

class PublishedEntries(Protocol):
    def in_week(self, campaign_week: str) -> list[PublishedEntry]:
        """The entries competing in the week now (published, with a platform video)."""
        ...

    def ids_for_video(self, platform_video: str) -> list[str]: ...

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]: ...


class SnapshotWriter(Protocol):
    def write(self, rows: Sequence[tuple[str, str, Snapshot]]) -> int:
        """(submission_id, campaign_id, reading) rows; a reading with the same instant and
        source as a stored one replaces it. Returns how many were written."""
        ...

    def for_entry(self, submission_id: str) -> list[Snapshot]: ...

    def stored_values(self, readings: Sequence[tuple[str, Snapshot]]) -> list[dict | None]: ...


class LiveScores(Protocol):
    def put_many(self, rows: Sequence[LeaderboardRow]) -> int: ...

    def many(self, campaign_week: str, submission_ids: Sequence[str]) -> dict[str, LeaderboardRow]:
        """Score items by entry, in batches of 100."""
        ...

    def bases(self, campaign_week: str, submission_ids: Sequence[str]) -> dict[str, tuple[Snapshot, ...] | None]:
        """Kept boundary readings by entry, in batches: absent = no score item yet (nothing kept),
        None = kept readings unusable (its history must be read)."""
        ...

    def top(self, campaign_week: str, limit: int) -> list[LeaderboardRow]:
        """Highest score first, as the week was last ranked (at most LIVE_TOP_ROWS rows)."""
        ...

    def rank(self, campaign_week: str) -> list[LeaderboardRow]:
        """Rank the week's stored scores again and keep its first rows for `top`."""
        ...


class EntryScores(Protocol):
    def of_entry(self, campaign_week: str, submission_id: str) -> LeaderboardRow | None: ...


class IngestionRuns(Protocol):
    def start(self, campaign_id: str, run_id: str, week: int, at: datetime, trigger: str,
              entries_planned: int, chunks_planned: int, entries_without_source: int, now: datetime) -> None: ...

    def chunk_ok(self, campaign_id: str, run_id: str, number: int, snapshots: int, not_returned: int
                 ) -> RunStatus | None:
        """Record the chunk; the run as it now stands (None for a run never started)."""
        ...

    def chunk_failed(self, campaign_id: str, run_id: str, number: int, error: str, dead_lettered: bool
                     ) -> RunStatus | None: ...

    def recent(self, campaign_id: str, limit: int) -> list[RunStatus]: ...


class BoundaryRuns(Protocol):
    """The close reads the state of the boundary reading of the week's end."""

    def get(self, campaign_id: str, run_id: str) -> RunStatus | None: ...


class MessageQueue(Protocol):
    def send_json_batch(self, messages: list[dict]) -> int: ...


class SheetReader(Protocol):
    """An organiser's CSV or Excel file as rows of cells."""

    def __call__(self, content: bytes, file_name: str) -> list[list[Any]]: ...


# --- notifications ----------------------------------------------------------------

class NotificationEvents(Protocol):
    """Where services say what happened to an entry; the notifier tells its participant."""

    def publish(self, events: Sequence[NotificationEvent]) -> None:
        """Best effort: the change that caused the events is already written, so a failure
        to publish is logged, never raised to the caller."""
        ...


class NotificationLog(Protocol):
    """One record per (entry, event): claimed before sending, so nothing is sent twice."""

    def claim(self, submission_id: str, event_key: str, campaign_id: str, unit_path: str, now: datetime) -> bool:
        """False when the message was sent already, or another delivery is sending it now."""
        ...

    def sent(self, submission_id: str, event_key: str, channel: str, message_id: str, now: datetime) -> None: ...

    def failed(self, submission_id: str, event_key: str, error: str, now: datetime) -> None: ...

    def skipped(self, submission_id: str, event_key: str, why: str, now: datetime) -> None: ...

    def failures(self, campaign_id: str, unit_path: str, limit: int) -> list[dict]:
        """Failed messages of the entries filed under `unit_path`, newest first."""
        ...

    def remember_language(self, submission_id: str, language: str) -> None: ...

    def language(self, submission_id: str) -> str | None: ...

    def opt_out(self, contact_key: str, now: datetime) -> None: ...

    def opted_out(self, contact_key: str) -> bool: ...

    def remember_contact(self, contact_key: str, submission_id: str) -> None: ...


class AccessLinks(Protocol):
    """What recovering access keeps: the entries of each address, one-time links, rate counters."""

    def entries_for_contact(self, contact_key: str, limit: int) -> list[str]: ...

    def count(self, counter: str, window_start: datetime, window: timedelta) -> int: ...

    def put_access_link(self, token_hash: str, contact_key: str, language: str, expires_at: datetime) -> None: ...

    def take_access_link(self, token_hash: str, now: datetime) -> str | None: ...


class RecoverableEntries(EntryReader, Protocol):
    def replace_access_token(self, entry: Entry, token_hash: str) -> bool: ...


class ZaloSender(Protocol):
    """Zalo ZNS template messages by phone; an event without an approved template is not sent this way."""

    def template_for(self, event_kind: str) -> str | None: ...

    def send(self, phone: str, template_id: str, template_data: Mapping[str, str], tracking_id: str) -> str:
        """Zalo's message id; raises when refused, with `retryable` False when trying again cannot help."""
        ...


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """The provider's message id; raises when the provider refused or failed."""
        ...


# --- the audit log ----------------------------------------------------------------

class AuditTrail(Protocol):
    def append(self, entry: AuditEntry) -> None: ...


# --- exports --------------------------------------------------------------------

class ExportFiles(Protocol):
    """Where exported files are kept for a short while and handed out from (the bucket's exports/)."""

    def exists(self, key: str) -> bool: ...

    def put_file(self, key: str, body: IO[bytes], content_type: str, disposition: str) -> None: ...

    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str: ...


# --- what the console reads and keeps -----------------------------------------------

class EntryActivity(Protocol):
    def created_since(self, campaign_id: str, statuses: Iterable[str], since: datetime,
                      branch_path: str | None) -> dict[str, int]:
        """Entries created at or after `since`, per current status (None: the whole campaign)."""
        ...


class ReasonTemplates(Protocol):
    def get(self, campaign_id: str) -> tuple[list[dict], int] | None: ...

    def put(self, campaign_id: str, templates: list[dict], expected_version: int, by: str, at: datetime) -> bool:
        """False when another edit came first (the stored version is no longer `expected_version`)."""
        ...
