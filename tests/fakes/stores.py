"""In-memory twins of the services' ports (chalicelib/services/ports.py).

Each fake keeps what the real store keeps and refuses what the real store
refuses: a conditional write whose condition no longer holds returns False and
changes nothing, exactly like the DynamoDB adapter. Tests build a world from
these and hand them to the services' constructors.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Callable, Iterable, Literal

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.campaign import Campaign, campaign_not_found
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.entry import Entry, NewSubmission, NewUpload
from chalicelib.domain.entry_status import CREATED, JUDGED, Action, allowed_from, transition_target, verdict_action
from chalicelib.domain.ingestion import LeaderboardRow, PublishedEntry, RunStatus, live_top, split_platform_video
from chalicelib.domain.jury import JudgeAssignment, Scorecard, StoredScorecard
from chalicelib.domain.media.probe import BytesRangeReader
from chalicelib.domain.organisation import OrgTree, OrgUnit, is_within
from chalicelib.domain.organisation_changes import TreeChange, UnitHistoryEvent
from chalicelib.domain.result_versions import LateReading, StoredWeekResult
from chalicelib.domain.rollup import UnitCounters, WeeklyBests, aggregates_from_counter_items
from chalicelib.domain.uploads import ObjectHead



class FakeCampaigns:
    def __init__(self, *campaigns: Campaign) -> None:
        self._campaigns = {c.id: c for c in campaigns}
        self._versions: dict[str, list] = {}

    def put(self, campaign: Campaign) -> None:
        self._campaigns[campaign.id] = campaign

    def get(self, campaign_id: str) -> Campaign | None:
        return self._campaigns.get(campaign_id)

    def require(self, campaign_id: str) -> Campaign:
        campaign = self.get(campaign_id)
        if campaign is None:
            raise campaign_not_found(campaign_id)
        return campaign

    def list_all(self) -> list[Campaign]:
        return sorted(self._campaigns.values(), key=lambda c: c.id)

    def list_running(self) -> list[Campaign]:
        return [c for c in self.list_all() if c.runs_schedules]

    # Versioned writes, as the DynamoDB store's transactions: the condition is the version.
    def create(self, campaign: Campaign, version: Any) -> bool:
        if campaign.id in self._campaigns:
            return False
        self._campaigns[campaign.id] = campaign
        self._versions.setdefault(campaign.id, []).append(version)
        return True

    def replace(self, campaign: Campaign, expected_version: int, version: Any) -> bool:
        current = self._campaigns.get(campaign.id)
        if current is None or current.version != expected_version:
            return False
        self._campaigns[campaign.id] = campaign
        self._versions.setdefault(campaign.id, []).append(version)
        return True

    def delete(self, campaign_id: str, expected_version: int) -> bool:
        current = self._campaigns.get(campaign_id)
        if current is None or current.version != expected_version:
            return False
        del self._campaigns[campaign_id]
        self._versions.pop(campaign_id, None)
        return True

    def versions(self, campaign_id: str) -> list:
        return list(self._versions.get(campaign_id, []))


class FakeUnits:
    def __init__(self, tree: OrgTree) -> None:
        self.tree = tree

    def find(self, unit_id: str) -> OrgUnit | None:
        return self.tree.find(unit_id)

    def whole_tree(self) -> OrgTree:
        return self.tree


@dataclass
class StoredObject:
    data: bytes
    etag: str
    content_type: str | None = None


class FakeBucket:
    """The upload bucket: objects by key, and presigned uploads that only record what was asked."""

    def __init__(self, name: str = "uploads-test") -> None:
        self.name = name
        self.objects: dict[str, StoredObject] = {}
        self.deleted: list[str] = []
        self.multipart: dict[str, dict[int, str]] = {}  # upload id -> part number -> etag
        self.aborted: list[tuple[str, str]] = []
        self.completed: list[tuple[str, str]] = []
        self._uploads = 0

    # what a participant's browser does
    def put(self, key: str, data: bytes, etag: str | None = None) -> ObjectHead:
        stored = StoredObject(data, etag or f"etag-{len(self.objects) + len(self.deleted) + 1}", "video/mp4")
        self.objects[key] = stored
        return ObjectHead(len(data), stored.etag, stored.content_type)

    # UploadedObjects
    def head(self, key: str) -> ObjectHead | None:
        stored = self.objects.get(key)
        return ObjectHead(len(stored.data), stored.etag, stored.content_type) if stored else None

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.deleted.append(key)

    def reader(self, key: str, head: ObjectHead) -> BytesRangeReader:
        return BytesRangeReader(self.objects[key].data)

    # VideoLinks
    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        from urllib.parse import quote

        return (f"https://{self.name}.test/{key}?response-content-type={quote(content_type, safe='')}"
                f"&response-content-disposition={quote(disposition, safe='')}&X-Amz-Expires={expires_in}")

    # UploadLinks
    def presigned_post(self, key: str, content_type: str, max_bytes: int, now: datetime) -> dict:
        return {"method": "POST", "url": f"https://{self.name}.test/", "fields": {"key": key}, "key": key,
                "expires_at": now.isoformat(), "max_bytes": max_bytes}

    def start_multipart(self, key: str, content_type: str) -> str:
        self._uploads += 1
        upload_id = f"mpu-{self._uploads}"
        self.multipart[upload_id] = {}
        return upload_id

    def presigned_part_urls(self, key: str, upload_id: str, part_numbers: list[int]) -> list[dict]:
        return [{"part_number": n, "url": f"https://{self.name}.test/{key}?part={n}&upload={upload_id}"}
                for n in part_numbers]

    def uploaded_parts(self, key: str, upload_id: str) -> list[dict]:
        return [{"part_number": n, "etag": e} for n, e in sorted(self.multipart.get(upload_id, {}).items())]

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict]) -> None:
        self.completed.append((key, upload_id))

    def abort_multipart(self, key: str, upload_id: str) -> None:
        self.aborted.append((key, upload_id))


class FakeExportFiles:
    """The bucket's exports/: files by key with the headers S3 would answer them with."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str, str]] = {}  # key -> (body, content type, disposition)
        self.puts = 0

    def exists(self, key: str) -> bool:
        return key in self.files

    def put_file(self, key: str, body: IO[bytes], content_type: str, disposition: str) -> None:
        self.puts += 1
        self.files[key] = (body.read(), content_type, disposition)

    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        return f"https://exports.test/{key}?X-Amz-Expires={expires_in}"


class FakeEntries:
    """Entries by id, with the DynamoDB adapter's conditions on every status change."""

    def __init__(self, week_results: "FakeWeekResults | None" = None) -> None:
        self.items: dict[str, Entry] = {}
        self.validating_since: dict[str, datetime] = {}
        self.live_scores: set[tuple[str, str]] = set()  # (campaign_week, submission_id)
        self.week_results = week_results

    # --- writing ------------------------------------------------------------
    def branch_page(self, campaign_id: str, path: str, status: str | None, start_key: dict | None, limit: int):
        chosen = sorted((e for e in self.items.values() if e.campaign_id == campaign_id
                         and (e.unit_path + "/").startswith(path + "/") and (status is None or e.status == status)),
                        key=lambda e: (e.unit_path, e.submission_id))
        offset = (start_key or {}).get("offset", 0)
        page = chosen[offset:offset + limit]
        return page, ({"offset": offset + limit} if offset + limit < len(chosen) else None)

    def replace_access_token(self, entry: Entry, token_hash: str) -> bool:
        stored = self.items.get(entry.submission_id)
        if stored is None or stored.access_token_hash != entry.access_token_hash:
            return False
        self.items[entry.submission_id] = dataclasses.replace(stored, access_token_hash=token_hash)
        return True

    def create(self, new: NewSubmission) -> Entry:
        if new.submission_id in self.items:
            raise KeyError(f"entry {new.submission_id} exists")
        entry = Entry(
            submission_id=new.submission_id, campaign_id=new.campaign_id, unit_id=new.unit_id,
            unit_path=new.unit_path, status=CREATED, title=new.title, created_at=new.created_at,
            status_changed_at=new.created_at, access_token_hash=new.access_token_hash,
            upload_key=new.upload_key, upload_kind=new.upload_kind, declared_size=new.declared_size,
            file_name=new.file_name, content_type=new.content_type, description=new.description or None,
            category=new.category or None, authors=list(new.authors),
            multipart_upload_id=new.multipart_upload_id, consent=new.consent,
        )
        self.items[entry.submission_id] = entry
        return entry

    def put(self, entry: Entry) -> Entry:
        """Given: an entry already in some state (tests only)."""
        self.items[entry.submission_id] = entry
        return entry

    def _transition(
        self, entry: Entry, action: Action, at: datetime, condition: Callable[[Entry], bool] = lambda stored: True,
        alongside: Callable[[], bool] | None = None, **changes,
    ) -> Entry | Literal[False]:
        """Like the adapter: the status machine allows `action`, `condition` holds, and the entry
        still has the status and unit path the caller read."""
        stored = self.items.get(entry.submission_id)
        if (stored is None or stored.status not in allowed_from(action) or stored.status != entry.status
                or stored.unit_path != entry.unit_path or not condition(stored)):
            return False
        if alongside is not None and not alongside():
            return False
        written = dataclasses.replace(stored, status=transition_target(action), status_changed_at=at, **changes)
        self.items[written.submission_id] = written
        return written

    def replace_upload(self, entry: Entry, upload: NewUpload, at: datetime) -> Entry | Literal[False]:
        written = self._transition(
            entry, "replace_video", at,
            upload_key=upload.upload_key, upload_kind=upload.upload_kind,
            multipart_upload_id=upload.multipart_upload_id, file_name=upload.file_name,
            content_type=upload.content_type, declared_size=upload.declared_size,
        )
        if written:
            self.validating_since.pop(entry.submission_id, None)
        return written

    def begin_validation(self, entry: Entry, key: str, object_id: str, at: datetime) -> Entry | Literal[False]:
        def claimable(stored: Entry) -> bool:
            already_judged = stored.processed_object == object_id and stored.status in JUDGED
            return stored.upload_key == key and not already_judged

        stored = self.items.get(entry.submission_id)
        attempts = (stored.validation_attempts if stored else 0) + 1
        written = self._transition(
            entry, "receive_upload", at, claimable, processed_object=object_id, validation_attempts=attempts,
        )
        if written:
            self.validating_since[entry.submission_id] = at
        return written

    def finish_validation(
        self, entry: Entry, key: str, object_id: str, status: str, verdict: dict, at: datetime
    ) -> Entry | Literal[False]:
        written = self._transition(
            entry, verdict_action(status), at,
            lambda s: s.upload_key == key and s.processed_object == object_id,
            verdict=verdict, validated_at=at, stored_key=key,
        )
        if written:
            self.validating_since.pop(entry.submission_id, None)
        return written

    def mark_validation_error(self, entry: Entry, reason: dict, at: datetime) -> Entry | Literal[False]:
        written = self._transition(entry, "abandon_validation", at, verdict=reason)
        if written:
            self.validating_since.pop(entry.submission_id, None)
        return written

    def stuck_in_validation(self, started_before: datetime) -> list[str]:
        return [i for i, since in self.validating_since.items() if since < started_before]

    def approve(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]:
        return self._transition(entry, "approve", at, review=review)

    def reject(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]:
        return self._transition(entry, "reject", at, review=review)

    def publish(
        self, entry: Entry, review: dict, platform_video: str, campaign_week: str,
        published_at: datetime, at: datetime, unit_name: str | None = None,
    ) -> Entry | Literal[False]:
        labels = {"unit_name": unit_name} if unit_name is not None else {}
        return self._transition(
            entry, "publish", at, review=review,
            platform_video=platform_video, campaign_week=campaign_week, published_at=published_at, **labels,
        )

    def disqualify(
        self, entry: Entry, review: dict, at: datetime, revised_result: StoredWeekResult | None = None
    ) -> Entry | Literal[False]:
        def alongside() -> bool:
            # All or nothing, like the transaction: the next version must not exist yet.
            if revised_result is not None:
                assert self.week_results is not None, "FakeEntries needs the FakeWeekResults to revise a week"
                if not self.week_results.add(revised_result):
                    return False
            if entry.campaign_week:
                self.live_scores.discard((entry.campaign_week, entry.submission_id))
            return True

        return self._transition(entry, "disqualify", at, alongside=alongside, review=review)

    def withdraw(self, entry: Entry, at: datetime) -> Entry | Literal[False]:
        written = self._transition(entry, "withdraw", at)
        if written:
            self.validating_since.pop(entry.submission_id, None)
        return written

    def not_erased_page(
        self, campaign_id: str, start_key: dict | None, limit: int
    ) -> tuple[list[Entry], dict | None]:
        """Like the Query: ordered, filtered, continued after the last id handed out."""
        after = (start_key or {}).get("after", "")
        kept = sorted(
            (e for e in self.items.values()
             if e.campaign_id == campaign_id and e.personal_data_erased_at is None and e.submission_id > after),
            key=lambda e: e.submission_id,
        )
        page = kept[:limit]
        more = len(kept) > limit
        return page, ({"after": page[-1].submission_id} if more else None)

    def erase_personal_data(
        self, entry: Entry, authors: list[dict], consent: dict | None, at: datetime
    ) -> Entry | Literal[False]:
        stored = self.items.get(entry.submission_id)
        if stored is None or stored.personal_data_erased_at is not None:
            return False
        written = dataclasses.replace(stored, authors=authors, consent=consent, personal_data_erased_at=at)
        self.items[written.submission_id] = written
        return written

    # --- reading ------------------------------------------------------------
    def get(self, submission_id: str) -> Entry | None:
        return self.items.get(submission_id)

    def by_platform_video(self, platform_video: str) -> list[str]:
        return [e.submission_id for e in self.items.values() if e.platform_video == platform_video]

    def in_voting_week(self, campaign_week: str) -> list[Entry]:
        return [e for e in self.items.values() if e.campaign_week == campaign_week]

    def in_status(self, campaign_id: str, status: str) -> list[Entry]:
        return sorted((e for e in self.items.values() if e.campaign_id == campaign_id and e.status == status),
                      key=lambda e: (e.created_at, e.submission_id))

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]:
        return {i: self.items[i] for i in set(submission_ids) if i in self.items}


class FakeSnapshots:
    def __init__(self) -> None:
        self.readings: dict[str, list[Snapshot]] = {}

    def add(self, submission_id: str, *snapshots: Snapshot) -> None:
        self.readings.setdefault(submission_id, []).extend(snapshots)
        self.readings[submission_id].sort(key=lambda s: (s.at, s.source))

    def history(self, submission_id: str, start: datetime, end: datetime, limit: int | None = None) -> list[Snapshot]:
        found = [s for s in self.readings.get(submission_id, []) if start <= s.at <= end]
        return found[:limit] if limit is not None else found

    def latest_before(self, submission_id: str, before: datetime, limit: int = 1) -> list[Snapshot]:
        earlier = [s for s in self.readings.get(submission_id, []) if s.at < before]
        return earlier[-limit:]


class FakeWeekResults:
    def __init__(self) -> None:
        self.items: dict[tuple[str, int, int], StoredWeekResult] = {}

    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        versions = self.versions(campaign_id, week)
        return versions[-1] if versions else None

    def latest_top(self, campaign_id: str, week: int):
        from chalicelib.domain.week_result import top_rows

        latest = self.latest(campaign_id, week)
        return None if latest is None else (latest.version, latest.hash, top_rows(latest.document))

    def get(self, campaign_id: str, week: int, version: int) -> StoredWeekResult | None:
        return self.items.get((campaign_id, week, version))

    def versions(self, campaign_id: str, week: int) -> list[StoredWeekResult]:
        return sorted((r for (c, w, v), r in self.items.items() if c == campaign_id and w == week and v >= 1),
                      key=lambda r: r.version)

    def pending(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        return self.get(campaign_id, week, 0)

    def add(self, result: StoredWeekResult) -> bool:
        if result.pending:
            raise ValueError("use put_pending for version 0")
        key = (result.campaign_id, result.week, result.version)
        if key in self.items:
            return False
        self.items[key] = result
        return True

    def put_pending(self, pending: StoredWeekResult) -> None:
        if not pending.pending:
            raise ValueError("a pending close is version 0")
        self.items[(pending.campaign_id, pending.week, 0)] = pending


class FakeLateReadings:
    def __init__(self) -> None:
        self.items: dict[tuple[str, int], dict[tuple, LateReading]] = {}

    def add(self, campaign_id: str, week: int, readings) -> None:
        for reading in readings:
            self.items.setdefault((campaign_id, week), {})[reading.key] = reading

    def for_week(self, campaign_id: str, week: int) -> list[LateReading]:
        return sorted(self.items.get((campaign_id, week), {}).values(), key=lambda r: r.key)


class FakeBestScores:
    """The counter items' own bests and the aggregates' subtree bests, with every conditional write
    recorded as (kind, unit_id), refused or not."""

    def __init__(self) -> None:
        self.best: dict[tuple[str, str], tuple[str, object]] = {}
        self.own_aggregate_best: dict[tuple[str, str], object] = {}
        self.subtree_best: dict[tuple[str, str], object] = {}
        self.writes: list[tuple[str, str]] = []

    def raise_best_weekly_scores(self, campaign_id: str, bests: WeeklyBests) -> set[str]:
        raised: set[str] = set()
        for unit_id, (unit_path, score) in bests.own.items():
            self.writes.append(("counter", unit_id))
            current = self.best.get((campaign_id, unit_id))
            if current is None or current[1] < score:
                self.best[(campaign_id, unit_id)] = (unit_path, score)
                raised.add(unit_id)
            self.writes.append(("own_aggregate", unit_id))
            _raise_in(self.own_aggregate_best, (campaign_id, unit_id), score)
        for unit_id, score in bests.subtree.items():
            self.writes.append(("subtree_aggregate", unit_id))
            _raise_in(self.subtree_best, (campaign_id, unit_id), score)
        return raised


def _raise_in(bests: dict, key: tuple[str, str], score) -> None:
    if key not in bests or bests[key] < score:
        bests[key] = score


class FakeScorecards:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], StoredScorecard] = {}

    def put(self, campaign_id: str, card: Scorecard, judge_unit_path: str | None, at: datetime) -> StoredScorecard | None:
        key = (campaign_id, card.entry_id, card.judge_id)
        previous = self.items.get(key)
        self.items[key] = StoredScorecard(card, judge_unit_path, at)
        return previous

    def for_campaign(self, campaign_id: str) -> list[StoredScorecard]:
        return [s for (c, _, _), s in sorted(self.items.items()) if c == campaign_id]


class FakeJudgePanels:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], JudgeAssignment] = {}

    def for_campaign(self, campaign_id: str) -> list[JudgeAssignment]:
        return [a for (c, _), a in sorted(self.items.items()) if c == campaign_id]

    def get(self, campaign_id: str, judge_id: str) -> JudgeAssignment | None:
        return self.items.get((campaign_id, judge_id))

    def assign(self, assignment: JudgeAssignment) -> None:
        self.items.setdefault((assignment.campaign_id, assignment.judge_id), assignment)

    def remove(self, campaign_id: str, judge_id: str) -> None:
        self.items.pop((campaign_id, judge_id), None)

    def declare(self, assignment: JudgeAssignment) -> bool:
        key = (assignment.campaign_id, assignment.judge_id)
        if key not in self.items:
            return False
        self.items[key] = assignment
        return True


@dataclass
class FakeAuditTrail:
    entries: list[AuditEntry] = field(default_factory=list)

    def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]


# --- engagement ---------------------------------------------------------------------

class FakePublishedEntries:
    """Published entries read from the entries fake, as the by-voting-week index shows them."""

    def __init__(self, entries: FakeEntries) -> None:
        self._entries = entries

    def in_week(self, campaign_week: str) -> list[PublishedEntry]:
        return [
            PublishedEntry(e.submission_id, *split_platform_video(e.platform_video), e.published_at, e.unit_id,
                           e.title, e.unit_name, e.publication.get("url"))
            for e in self._entries.in_voting_week(campaign_week)
            if e.status == "published" and e.platform_video and e.published_at is not None
        ]

    def ids_for_video(self, platform_video: str) -> list[str]:
        return self._entries.by_platform_video(platform_video)

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]:
        return self._entries.many(submission_ids)


class FakeSnapshotWriter:
    """Readings keyed like the real table: one per entry, instant and source."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, datetime, str], tuple[str, Snapshot]] = {}
        self.writes = 0

    def write(self, rows) -> int:
        for submission_id, campaign_id, snapshot in rows:
            self.items[(submission_id, snapshot.at, snapshot.source)] = (campaign_id, snapshot)
        self.writes += 1
        return len(rows)

    def for_entry(self, submission_id: str) -> list[Snapshot]:
        return sorted((s for (i, _, _), (_, s) in self.items.items() if i == submission_id),
                      key=lambda s: (s.at, s.source))

    def stored_values(self, readings) -> list[dict | None]:
        found = [self.items.get((i, s.at, s.source)) for i, s in readings]
        return [dict(item[1].values) if item else None for item in found]


class FakeLiveScores:
    """Like the adapter, the board is what the week's last ranking kept, not the rows as they are now."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], LeaderboardRow] = {}
        self.ranked: dict[str, list[LeaderboardRow]] = {}

    def put_many(self, rows) -> int:
        for row in rows:
            self.rows[(row.campaign_week, row.submission_id)] = row
        return len(rows)

    def of_entry(self, campaign_week: str, submission_id: str) -> LeaderboardRow | None:
        return self.rows.get((campaign_week, submission_id))

    def top(self, campaign_week: str, limit: int) -> list[LeaderboardRow]:
        if campaign_week not in self.ranked:
            self.rank(campaign_week)
        return self.ranked[campaign_week][:limit]

    def rank(self, campaign_week: str) -> list[LeaderboardRow]:
        self.ranked[campaign_week] = live_top(r for (w, _), r in self.rows.items() if w == campaign_week)
        return self.ranked[campaign_week]

    def many(self, campaign_week: str, submission_ids) -> dict:
        return {s: self.rows[(campaign_week, s)] for s in submission_ids if (campaign_week, s) in self.rows}

    def bases(self, campaign_week: str, submission_ids) -> dict:
        self.basis_reads = getattr(self, "basis_reads", 0) + 1
        return {s: self.rows[(campaign_week, s)].basis for s in submission_ids if (campaign_week, s) in self.rows}

    def week_bases(self, campaign_week: str) -> dict:
        return {s: row.basis for (w, s), row in self.rows.items() if w == campaign_week}


class FakeIngestionRuns:
    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], RunStatus] = {}

    def start(self, campaign_id: str, run_id: str, week: int, at: datetime, trigger: str,
              entries_planned: int, chunks_planned: int, entries_without_source: int, now: datetime) -> None:
        self.runs[(campaign_id, run_id)] = RunStatus(
            campaign_id, run_id, week, at, trigger, entries_planned, chunks_planned, frozenset(), frozenset(),
            0, 0, 0, entries_without_source,
        )

    def _change(self, campaign_id: str, run_id: str, **changes) -> None:
        self.runs[(campaign_id, run_id)] = dataclasses.replace(self.runs[(campaign_id, run_id)], **changes)

    def chunk_ok(self, campaign_id: str, run_id: str, number: int, snapshots: int, not_returned: int) -> None:
        run = self.runs[(campaign_id, run_id)]
        self._change(campaign_id, run_id, chunks_ok=run.chunks_ok | {str(number)},
                     snapshots_written=run.snapshots_written + snapshots,
                     videos_not_returned=run.videos_not_returned + not_returned)
        return self.runs[(campaign_id, run_id)]

    def chunk_failed(self, campaign_id: str, run_id: str, number: int, error: str, dead_lettered: bool) -> None:
        run = self.runs[(campaign_id, run_id)]
        self._change(campaign_id, run_id, failed_attempts=run.failed_attempts + 1, last_error=error[:500],
                     chunks_dead_lettered=run.chunks_dead_lettered | ({str(number)} if dead_lettered else set()))
        return self.runs[(campaign_id, run_id)]

    def get(self, campaign_id: str, run_id: str) -> RunStatus | None:
        return self.runs.get((campaign_id, run_id))

    def recent(self, campaign_id: str, limit: int) -> list[RunStatus]:
        return sorted((r for (c, _), r in self.runs.items() if c == campaign_id),
                      key=lambda r: r.run_id, reverse=True)[:limit]


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send_json_batch(self, messages: list[dict]) -> int:
        self.sent.extend(messages)
        return len(messages)


@dataclass
class FakeSource:
    """A platform answering with fixed readings per video id; a video it does not know is not returned."""

    platform: str = "tiktok"
    readings: dict[str, dict[str, int | None]] = field(default_factory=dict)
    ids_per_call: int = 20
    calls: list[list[str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.platform}-fake"

    def fetch(self, videos, at: datetime) -> dict[str, dict[str, int | None]]:
        self.calls.append([v.video_id for v in videos])
        return {v.video_id: dict(self.readings[v.video_id]) for v in videos if v.video_id in self.readings}


# --- the organisation ------------------------------------------------------------------

class FakeUnitTree(FakeUnits):
    def __init__(self, tree: OrgTree | None = None) -> None:
        self.tree = tree  # type: ignore[assignment]
        self.applied: list[TreeChange] = []

    def whole_tree_or_none(self) -> OrgTree | None:
        return self.tree

    def whole_tree(self) -> OrgTree:
        assert self.tree is not None
        return self.tree

    def find(self, unit_id: str) -> OrgUnit | None:
        return self.tree.find(unit_id) if self.tree is not None else None

    def put_tree(self, tree: OrgTree) -> None:
        self.tree = tree

    def branch(self, path: str) -> list[OrgUnit]:
        return [u for u in (self.tree or []) if is_within(u.path, path)]

    def root(self) -> OrgUnit | None:
        return self.tree.root if self.tree is not None else None

    # TreeWriter
    def apply(self, incoming: OrgTree, change: TreeChange) -> int:
        self.tree = incoming
        self.applied.append(change)
        return len(incoming)


class FakeUnitHistory:
    def __init__(self) -> None:
        self.events: list[UnitHistoryEvent] = []
        self.finished: list[UnitHistoryEvent] = []

    def append(self, events: Iterable[UnitHistoryEvent]) -> None:
        self.events.extend(events)

    def for_unit(self, unit_id: str, limit: int = 100) -> list[UnitHistoryEvent]:
        return [e for e in self.events if e.unit_id == unit_id][:limit]

    def pending_moves(self) -> list[UnitHistoryEvent]:
        return [e for e in self.events if e.kind == "moved" and e not in self.finished]

    def finish_move(self, event: UnitHistoryEvent) -> None:
        self.finished.append(event)


class FakeCounters:
    """Per-unit counters, set by the test (the real ones move with each entry's transitions)."""

    def __init__(self) -> None:
        self.units: dict[tuple[str, str], tuple[str, UnitCounters]] = {}  # (campaign, unit) -> (path, counts)

    def set(self, campaign_id: str, unit_id: str, unit_path: str, counts: UnitCounters) -> None:
        self.units[(campaign_id, unit_id)] = (unit_path, counts)

    def items_for(self, campaign_id: str, unit_paths: Iterable[str]) -> dict[str, UnitCounters]:
        paths = set(unit_paths)
        return {u: c for (cid, u), (p, c) in self.units.items() if cid == campaign_id and p in paths}

    def branch(self, campaign_id: str, path: str) -> dict[str, UnitCounters]:
        return {u: c for (cid, u), (p, c) in self.units.items() if cid == campaign_id and is_within(p, path)}

    def daily(self, campaign_id: str) -> list:
        return []

    def aggregates(self, campaign_id: str, unit_ids: Iterable[str]) -> dict:
        """What the real store's transactions keep: each unit's counts on every unit of its path."""
        built = aggregates_from_counter_items(
            (path, counts) for (cid, _), (path, counts) in self.units.items() if cid == campaign_id)
        return {u: built[u] for u in unit_ids if u in built}


class FakeFiled:
    """Entries or links filed under unit paths, re-filed one at a time like the real stores."""

    def __init__(self, items: Iterable[Entry] = ()) -> None:
        self.items = {getattr(i, "submission_id", None) or i.link_id: i for i in items}

    def under_path(self, campaign_id: str, path: str, limit: int) -> list:
        found = [i for i in self.items.values() if i.campaign_id == campaign_id and is_within(i.unit_path, path)]
        return sorted(found, key=lambda i: i.unit_path)[:limit]

    def rekey(self, item, new_path: str) -> bool:
        key = getattr(item, "submission_id", None) or item.link_id
        stored = self.items.get(key)
        if stored is None or stored.unit_path != item.unit_path:
            return False
        self.items[key] = dataclasses.replace(stored, unit_path=new_path)
        return True


class FakeEntryActivity:
    """Counts the entries of a FakeEntries by creation time, as the COUNT queries do."""

    def __init__(self, entries: FakeEntries) -> None:
        self.entries = entries

    def created_since(self, campaign_id: str, statuses, since: datetime, branch_path: str | None) -> dict[str, int]:
        counts = {status: 0 for status in statuses}
        for entry in self.entries.items.values():
            inside = branch_path is None or entry.unit_path == branch_path or entry.unit_path.startswith(
                branch_path + "/")
            if entry.campaign_id == campaign_id and entry.created_at >= since and inside and entry.status in counts:
                counts[entry.status] += 1
        return counts


class FakeReasonTemplates:
    def __init__(self) -> None:
        self.lists: dict[str, tuple[list[dict], int]] = {}

    def get(self, campaign_id: str) -> tuple[list[dict], int] | None:
        return self.lists.get(campaign_id)

    def put(self, campaign_id: str, templates: list[dict], expected_version: int, by: str, at: datetime) -> bool:
        if self.lists.get(campaign_id, (None, 0))[1] != expected_version:
            return False
        self.lists[campaign_id] = (list(templates), expected_version + 1)
        return True


class FakeResultPublications:
    """Published final results: a version is written once (the store's condition)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, int], dict] = {}

    def latest(self, campaign_id: str) -> dict | None:
        versions = self.versions(campaign_id)
        return versions[-1] if versions else None

    def versions(self, campaign_id: str) -> list[dict]:
        return [d for (c, _), d in sorted(self.items.items()) if c == campaign_id]

    def add(self, campaign_id: str, document: dict, published_at: datetime) -> bool:
        return self.items.setdefault((campaign_id, document["version"]), document) is document
