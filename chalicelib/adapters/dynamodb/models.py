"""PynamoDB models: the single source of truth for every table and index.

infra/tables.json and the local cloud's tables are both rendered from these
classes (see schema.py); tests/unit/test_infra_tables.py fails when they drift.
"""
from __future__ import annotations

import json
import os

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.config import table_prefix


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"


class _Meta:
    region = _region()
    billing_mode = "PAY_PER_REQUEST"


class CompactJSONAttribute(JSONAttribute):
    """JSON without spaces, UTF-8 as it is: an item rewritten every round stays under the 1 KB of
    one write unit longer (PynamoDB's own writes ", " and ": " and escapes every accent)."""

    def serialize(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


RUNNING_SCHEDULES = "running"


class CampaignsRunningSchedules(GlobalSecondaryIndex):
    """Sparse: only campaigns whose schedules run (open or closed) carry `schedule`, so the hourly
    round and the weekly close Query them instead of scanning the catalogue."""

    class Meta:
        index_name = "by-schedule"
        projection = AllProjection()

    schedule = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(range_key=True)


class CampaignRecord(Model):
    class Meta(_Meta):
        table_name = f"{table_prefix()}campaigns"

    campaign_id = UnicodeAttribute(hash_key=True)
    document = JSONAttribute()
    updated_at = UTCDateTimeAttribute()
    # The document's version, outside it so that an edit can be conditioned on it;
    # absent on campaigns stored before versions were kept (their version is 1).
    version = NumberAttribute(null=True)
    # RUNNING_SCHEDULES while the document's status runs schedules, absent otherwise (drafts,
    # archived campaigns, and items stored before the index: see CampaignStore.mark_running).
    schedule = UnicodeAttribute(null=True)
    running = CampaignsRunningSchedules()


class CampaignVersionRecord(Model):
    """Every accepted change of a campaign: the document as it became, who, when and what changed."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}campaign-versions"

    campaign_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    action = UnicodeAttribute()
    changes = JSONAttribute()
    document = JSONAttribute()


class OrgUnitByIdIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit-id"
        projection = AllProjection()

    unit_id = UnicodeAttribute(hash_key=True)


class OrgUnitRecord(Model):
    """One item per unit, keyed by its materialised path so a branch is one Query."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}org-units"

    tree = UnicodeAttribute(hash_key=True)
    path = UnicodeAttribute(range_key=True)
    unit_id = UnicodeAttribute()
    name = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    level = UnicodeAttribute()
    search_key = UnicodeAttribute()

    by_unit_id = OrgUnitByIdIndex()


class IdempotencyRecord(Model):
    """Schema of the table Powertools' idempotency utility writes to (it owns the items)."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)
    status = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)
    in_progress_expiration = NumberAttribute(null=True)


class SubmissionsByCampaignUnit(GlobalSecondaryIndex):
    """A branch's entries in one campaign: begins_with(unit_sort, branch key)."""

    class Meta:
        index_name = "by-campaign-unit"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    unit_sort = UnicodeAttribute(range_key=True)


class SubmissionsByCampaignStatus(GlobalSecondaryIndex):
    """Review queues: one campaign's entries in one status, oldest first."""

    class Meta:
        index_name = "by-campaign-status"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    status_sort = UnicodeAttribute(range_key=True)


class SubmissionsInValidation(GlobalSecondaryIndex):
    """Sparse: only entries being validated carry `validation_watch`, so the sweeper reads only those."""

    class Meta:
        index_name = "in-validation"
        projection = KeysOnlyProjection()

    validation_watch = UnicodeAttribute(hash_key=True)
    validating_since = UTCDateTimeAttribute(range_key=True)


class SubmissionsByVotingWeek(GlobalSecondaryIndex):
    """Sparse: published entries only, grouped by the week they compete in, for ingestion and ranking."""

    class Meta:
        index_name = "by-voting-week"
        projection = AllProjection()

    campaign_week = UnicodeAttribute(hash_key=True)
    submission_id = UnicodeAttribute(range_key=True)


class SubmissionsByPlatformVideo(GlobalSecondaryIndex):
    """Sparse: matches imported metric rows to entries by the platform's video id."""

    class Meta:
        index_name = "by-platform-video"
        projection = KeysOnlyProjection()

    platform_video = UnicodeAttribute(hash_key=True)


class SubmissionRecord(Model):
    class Meta(_Meta):
        table_name = f"{table_prefix()}submissions"

    submission_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    unit_id = UnicodeAttribute()
    unit_path = UnicodeAttribute()
    unit_sort = UnicodeAttribute()
    status = UnicodeAttribute()
    status_sort = UnicodeAttribute()
    status_changed_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    authors = JSONAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    access_token_hash = UnicodeAttribute()
    upload_key = UnicodeAttribute()
    upload_kind = UnicodeAttribute()
    multipart_upload_id = UnicodeAttribute(null=True)
    stored_key = UnicodeAttribute(null=True)
    processed_object = UnicodeAttribute(null=True)
    validation_watch = UnicodeAttribute(null=True)
    validating_since = UTCDateTimeAttribute(null=True)
    validation_attempts = NumberAttribute(default=0)
    verdict = JSONAttribute(null=True)
    validated_at = UTCDateTimeAttribute(null=True)
    review = JSONAttribute(null=True)
    # Set when the entry is published: "{campaign_id}#{week}" and "{platform}#{video_id}".
    campaign_week = UnicodeAttribute(null=True)
    platform_video = UnicodeAttribute(null=True)
    published_at = UTCDateTimeAttribute(null=True)
    # The unit's name when the entry was published, for its leaderboard row (absent on entries
    # published before it was kept).
    unit_name = UnicodeAttribute(null=True)
    consent = JSONAttribute(null=True)
    personal_data_erased_at = UTCDateTimeAttribute(null=True)

    by_campaign_unit = SubmissionsByCampaignUnit()
    by_voting_week = SubmissionsByVotingWeek()
    by_platform_video = SubmissionsByPlatformVideo()
    by_campaign_status = SubmissionsByCampaignStatus()
    in_validation = SubmissionsInValidation()


class SnapshotRecord(Model):
    """One engagement reading of one entry: its time, its source, and per metric
    the count or None when that source does not measure it."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}snapshots"

    submission_id = UnicodeAttribute(hash_key=True)
    at_source = UnicodeAttribute(range_key=True)  # "{at ISO-8601 UTC}#{source}"
    at = UTCDateTimeAttribute()
    source = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    values = JSONAttribute()


class ScoreRecord(Model):
    """An entry's live score in its voting week, refreshed after each ingestion."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}scores"

    campaign_week = UnicodeAttribute(hash_key=True)
    submission_id = UnicodeAttribute(range_key=True)
    score = NumberAttribute()
    breakdown = CompactJSONAttribute()
    unit_id = UnicodeAttribute()
    title = UnicodeAttribute()
    flags = CompactJSONAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    # The readings that decide the week's open and close values (domain.ingestion.boundary_basis):
    # a round refreshes the score from them and the week's close reads them all with a few
    # Query pages, so neither reads an entry's history. `basis_stale` marks an item whose
    # readings were written around ingestion (seeds, tests): its history is read once instead.
    basis = CompactJSONAttribute(null=True)
    basis_stale = BooleanAttribute(null=True)
    # What the board shows besides the score, so a top-20 reads 20 items and nothing else
    # (absent on items written before they were kept: the board looks those up).
    unit_name = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)


class LiveTopRecord(Model):
    """A week's live leaderboard as its last complete ingestion round or import left it: the
    first rows by score in one item, so a board is one GetItem whatever the number of entries.
    An index sorted on the score would cost two index writes (delete and put) for every entry
    every round: at 100,000 entries, hourly, more than all the other writes together."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}live-tops"

    campaign_week = UnicodeAttribute(hash_key=True)
    rows = CompactJSONAttribute()
    entries = NumberAttribute()
    ranked_at = UTCDateTimeAttribute()


class IngestionRunRecord(Model):
    """One scheduled ingestion of one campaign week: how many chunks were planned and how
    each ended, so organisers see a gap instead of a silently lower score.

    Chunk outcomes are string sets of chunk numbers (ADD is idempotent), because SQS may
    deliver a message twice; only `failed_attempts` counts every try."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}ingestion-runs"

    campaign_id = UnicodeAttribute(hash_key=True)
    run_id = UnicodeAttribute(range_key=True)  # "{at ISO-8601 UTC}#w{week:03d}": newest last
    at = UTCDateTimeAttribute()
    week = NumberAttribute()
    trigger = UnicodeAttribute()  # "hourly" | "boundary" | "manual"
    entries_planned = NumberAttribute(default=0)
    chunks_planned = NumberAttribute(default=0)
    entries_without_source = NumberAttribute(default=0)
    chunks_ok = UnicodeSetAttribute(null=True)
    chunks_dead_lettered = UnicodeSetAttribute(null=True)
    failed_attempts = NumberAttribute(default=0)
    snapshots_written = NumberAttribute(default=0)
    videos_not_returned = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class AuditByEntity(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-entity"
        projection = AllProjection()

    entity_key = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AuditByActor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-actor"
        projection = AllProjection()

    actor = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AuditRecord(Model):
    """Append-only: who did what to which entity, with the state before and after.

    Partitioned by Vietnam calendar day so no partition grows without bound and
    an admin reads a day (or a range of days) with one Query each."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}audit"

    day = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    actor_unit = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    entity_key = UnicodeAttribute()
    campaign_id = UnicodeAttribute(null=True)
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    reason = UnicodeAttribute(null=True)

    by_entity = AuditByEntity()
    by_actor = AuditByActor()


class WeekResultRecord(Model):
    """Frozen weekly results: one item per version, written once, never updated.

    Version n+1 (a disqualification after the close) is a new item, so every
    version stays readable. Version 0 is not a result: it is a close that
    stopped to wait for an organiser's confirmation (unmeasured metrics).
    The document is gzip'd canonical JSON: a week of a few hundred entries
    with their boundary evidence would not fit DynamoDB's 400 KB item as text.
    """

    class Meta(_Meta):
        table_name = f"{table_prefix()}week-results"

    campaign_week = UnicodeAttribute(hash_key=True)  # "{campaign_id}#{week}"
    version = NumberAttribute(range_key=True)
    # The gzip'd document itself, or, past DynamoDB's item size, the S3 key it was archived under.
    document_gz = BinaryAttribute(legacy_encoding=False, null=True)
    document_key = UnicodeAttribute(null=True)
    hash = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    # Snapshots taken after this instant were not read, so a re-run or
    # `./contest verify-week` reads exactly what the close read.
    snapshots_as_of = UTCDateTimeAttribute()
    reason = UnicodeAttribute(null=True)
    # The first rows of the ranking (domain.week_result.TOP_ROWS), so a frozen leaderboard reads
    # this item alone instead of the whole document (which may be in S3).
    top = JSONAttribute(null=True)


class JuryScoreRecord(Model):
    """One judge's scorecard for one finalist; a new PUT replaces the judge's card."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}jury-scores"

    campaign_id = UnicodeAttribute(hash_key=True)
    entry_judge = UnicodeAttribute(range_key=True)  # "{submission_id}#{judge_id}"
    submission_id = UnicodeAttribute()
    judge_id = UnicodeAttribute()
    judge_unit_path = UnicodeAttribute(null=True)
    points = JSONAttribute()  # criterion -> exact decimal text, so no float ever rounds a score
    scored_at = UTCDateTimeAttribute()


class JudgeAssignmentRecord(Model):
    """A judge on one campaign's panel and the units they declared a conflict of interest with."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}jury-panel"

    campaign_id = UnicodeAttribute(hash_key=True)
    judge_id = UnicodeAttribute(range_key=True)
    assigned_by = UnicodeAttribute()
    assigned_at = UTCDateTimeAttribute()
    conflict_units = JSONAttribute(default=list)  # unit ids, in the order declared
    declared_at = UTCDateTimeAttribute(null=True)


class ReasonTemplateRecord(Model):
    """A campaign's reusable rejection reasons, edited by its organisers (absent: the defaults)."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}reason-templates"

    campaign_id = UnicodeAttribute(hash_key=True)
    templates = JSONAttribute()
    version = NumberAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()


class CounterRecord(Model):
    """Roll-up counters of one unit in one campaign (domain/rollup.py).

    Keyed by the unit's branch key ("tw/ha-noi/"), so a branch's counters are one
    Query with begins_with. Written only with ADD, in the same transaction as the
    status change that causes it, so concurrent writers never lose an update.
    """

    class Meta(_Meta):
        table_name = f"{table_prefix()}unit-counters"

    campaign_id = UnicodeAttribute(hash_key=True)
    branch = UnicodeAttribute(range_key=True)
    unit_id = UnicodeAttribute()
    entries = NumberAttribute(null=True)
    valid = NumberAttribute(null=True)
    invalid = NumberAttribute(null=True)
    approved = NumberAttribute(null=True)
    published = NumberAttribute(null=True)
    disqualified = NumberAttribute(null=True)
    best_weekly_score = NumberAttribute(null=True)


class RollupRecord(Model):
    """A unit's aggregate in one campaign: its whole subtree, its own entries, and how many
    units of its subtree have entries (domain/rollup.py UnitAggregate).

    Keyed by unit id, not path, so a move leaves the moved subtree's aggregates
    untouched. Written only with ADD, in the transaction that writes the unit's
    counter item, for every unit on the entry's path (at most four).
    """

    class Meta(_Meta):
        table_name = f"{table_prefix()}unit-rollups"

    campaign_id = UnicodeAttribute(hash_key=True)
    unit_id = UnicodeAttribute(range_key=True)
    entries = NumberAttribute(null=True)
    valid = NumberAttribute(null=True)
    invalid = NumberAttribute(null=True)
    approved = NumberAttribute(null=True)
    published = NumberAttribute(null=True)
    disqualified = NumberAttribute(null=True)
    units_with_entries = NumberAttribute(null=True)
    own_entries = NumberAttribute(null=True)
    own_valid = NumberAttribute(null=True)
    own_invalid = NumberAttribute(null=True)
    own_approved = NumberAttribute(null=True)
    own_published = NumberAttribute(null=True)
    own_disqualified = NumberAttribute(null=True)
    best_weekly_score = NumberAttribute(null=True)  # the best of the whole subtree
    own_best_weekly_score = NumberAttribute(null=True)


class DailyCountRecord(Model):
    """The public counter: entries received (and still valid) per Vietnam calendar day.

    An entry counts on the day it was received, whatever day it was validated,
    so a day's `valid` never exceeds its `received`.
    """

    class Meta(_Meta):
        table_name = f"{table_prefix()}daily-counts"

    campaign_id = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD in Asia/Ho_Chi_Minh
    received = NumberAttribute(null=True)
    valid = NumberAttribute(null=True)


class PostedLinksByCampaignUnit(GlobalSecondaryIndex):
    """A branch's posted links in one campaign: begins_with(unit_sort, branch key)."""

    class Meta:
        index_name = "by-campaign-unit"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    unit_sort = UnicodeAttribute(range_key=True)


class PostedLinkRecord(Model):
    """A link entry (seed 001): a unit's post on its own channel, checked for the hashtag.

    Keyed by a hash of the normalised URL, so the same post cannot be counted twice.
    `status` says whether the hashtag is present (domain.link_status), and counts in
    the roll-ups like an entry in the same-named status.
    """

    class Meta(_Meta):
        table_name = f"{table_prefix()}posted-links"

    campaign_id = UnicodeAttribute(hash_key=True)
    link_id = UnicodeAttribute(range_key=True)
    unit_id = UnicodeAttribute()
    unit_path = UnicodeAttribute()
    unit_sort = UnicodeAttribute()
    url = UnicodeAttribute()
    posted_at = UTCDateTimeAttribute()
    has_hashtag = BooleanAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()

    by_campaign_unit = PostedLinksByCampaignUnit()


class PendingRekeyIndex(GlobalSecondaryIndex):
    """Sparse: only moves whose entries and counters are still being re-keyed."""

    class Meta:
        index_name = "rekey-pending"
        projection = AllProjection()

    rekey_state = UnicodeAttribute(hash_key=True)
    at_kind = UnicodeAttribute(range_key=True)


class UnitHistoryRecord(Model):
    """What happened to a unit over time (added, renamed, moved, removed); never updated
    except to clear `rekey_state` once a move's entries and counters follow it."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}unit-history"

    unit_id = UnicodeAttribute(hash_key=True)
    at_kind = UnicodeAttribute(range_key=True)  # "{at ISO-8601 UTC}#{kind}"
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute(null=True)
    from_path = UnicodeAttribute(null=True)
    to_path = UnicodeAttribute(null=True)
    from_name = UnicodeAttribute(null=True)
    to_name = UnicodeAttribute(null=True)
    rekey_state = UnicodeAttribute(null=True)

    rekey_pending = PendingRekeyIndex()


class FailedNotificationsIndex(GlobalSecondaryIndex):
    """Sparse: only messages whose last try failed, per campaign, in branch-path order."""

    class Meta:
        index_name = "failed-by-campaign"
        projection = AllProjection()

    failed_campaign = UnicodeAttribute(hash_key=True)
    failed_order = UnicodeAttribute(range_key=True)  # "{unit_path}/{submission_id}#{event_key}"


class NotificationRecord(Model):
    """One message per (entry, event), claimed before it is sent; also each entry's language
    ("#language"), the addresses that asked for no more messages ("optout#{key}"), the entries of each
    address ("contact#{key}"), one-time access links ("recovery#{hash}") and rate counters ("rate#…")."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}notifications"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute(null=True)  # sending, sent, failed, skipped
    campaign_id = UnicodeAttribute(null=True)
    unit_path = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    failed_campaign = UnicodeAttribute(null=True)
    failed_order = UnicodeAttribute(null=True)
    contact_key = UnicodeAttribute(null=True)
    count = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # rate counters and access links only

    failed = FailedNotificationsIndex()


ALL_MODELS: tuple[type[Model], ...] = (
    CampaignRecord,
    CampaignVersionRecord,
    OrgUnitRecord,
    IdempotencyRecord,
    SubmissionRecord,
    SnapshotRecord,
    ScoreRecord,
    LiveTopRecord,
    IngestionRunRecord,
    AuditRecord,
    WeekResultRecord,
    JuryScoreRecord,
    JudgeAssignmentRecord,
    CounterRecord,
    RollupRecord,
    DailyCountRecord,
    PostedLinkRecord,
    UnitHistoryRecord,
    ReasonTemplateRecord,
    NotificationRecord,
)
