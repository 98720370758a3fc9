"""What the services need from the outside world, one small interface per need.

Each service names only the methods it calls; the DynamoDB, S3 and SQS adapters
satisfy these structurally, and tests/fakes holds an in-memory twin of each.
Conditional writes return the entry as written, or False when their condition no
longer held (someone else moved the entry first): a refusal, never an error.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Literal, Protocol

if TYPE_CHECKING:  # annotations only: importing the ports costs a function's cold start nothing
    from datetime import datetime

    from chalicelib.domain.audit import AuditEntry
    from chalicelib.domain.campaign import Campaign
    from chalicelib.domain.entry import Entry, NewSubmission, NewUpload
    from chalicelib.domain.jury import Scorecard, StoredScorecard
    from chalicelib.domain.media.probe import RangeReader
    from chalicelib.domain.engagement import Snapshot
    from chalicelib.domain.organisation import OrgTree, OrgUnit
    from chalicelib.domain.result_versions import StoredWeekResult
    from chalicelib.domain.uploads import ObjectHead


# --- campaigns and units ------------------------------------------------------

class Campaigns(Protocol):
    def get(self, campaign_id: str) -> Campaign | None: ...

    def require(self, campaign_id: str) -> Campaign: ...


class CampaignCatalogue(Campaigns, Protocol):
    def list_all(self) -> list[Campaign]: ...


class Units(Protocol):
    def find(self, unit_id: str) -> OrgUnit | None: ...

    def whole_tree(self) -> OrgTree: ...


# --- the upload bucket --------------------------------------------------------

class UploadedObjects(Protocol):
    """The bucket as the intake reads it."""

    name: str

    def head(self, key: str) -> ObjectHead | None: ...

    def delete(self, key: str) -> None: ...

    def reader(self, key: str, head: ObjectHead) -> RangeReader: ...


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
        published_at: datetime, at: datetime,
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

    def in_voting_week(self, campaign_week: str) -> list[Entry]: ...

    def in_status(self, campaign_id: str, status: str) -> list[Entry]: ...

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]: ...


# --- engagement readings and results -------------------------------------------

class SnapshotHistory(Protocol):
    def history(
        self, submission_id: str, start: datetime, end: datetime, limit: int | None = None
    ) -> list[Snapshot]: ...

    def latest_before(self, submission_id: str, before: datetime, limit: int = 1) -> list[Snapshot]: ...


class WeekResults(Protocol):
    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None: ...

    def get(self, campaign_id: str, week: int, version: int) -> StoredWeekResult | None: ...

    def versions(self, campaign_id: str, week: int) -> list[StoredWeekResult]: ...

    def add(self, result: StoredWeekResult) -> bool:
        """False when that version already exists (someone else closed the week first)."""
        ...

    def put_pending(self, pending: StoredWeekResult) -> None: ...


class BestWeeklyScores(Protocol):
    def raise_best_weekly_score(self, campaign_id: str, unit_id: str, unit_path: str, score: object) -> bool: ...


class Scorecards(Protocol):
    def put(
        self, campaign_id: str, card: Scorecard, judge_unit_path: str | None, at: datetime
    ) -> StoredScorecard | None:
        """The judge's previous card for the entry, if any."""
        ...

    def for_campaign(self, campaign_id: str) -> list[StoredScorecard]: ...


# --- the audit log ----------------------------------------------------------------

class AuditTrail(Protocol):
    def append(self, entry: AuditEntry) -> None: ...
