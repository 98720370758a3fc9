"""Entries in DynamoDB. Every status change is a conditional write, so a
duplicated or late event can never move an entry twice.

Which status may move to which, and by what action, is domain.entry_status: each
transition here is conditioned on `status IN allowed_from(action)` and writes
`transition_target(action)`.

A change that moves the roll-up counters (domain.rollup.counter_deltas with
domain.entry_status.STATUS_COUNTERS) is one TransactWrite: the entry's update,
conditioned on the status (and unit path) the caller read, plus ADDs on the
unit's counter item, on the aggregates of the units on its path and on the
public per-day counter. Either all of it is
written or none, so counts stay exact under concurrent and retried events.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import (
    stage_counts_moved,
    stage_daily_deltas,
    stage_unit_deltas,
    retrying_conflicts,
    transaction_connection,
    with_occupancy_guesses,
    with_occupancy_read,
)
from chalicelib.adapters.dynamodb.models import LiveTopRecord, ScoreRecord, SubmissionRecord, WeekResultRecord
from chalicelib.domain.entry_status import (
    CREATED,
    JUDGED,
    STATUS_COUNTERS,
    VALIDATING,
    Action,
    allowed_from,
    transition_target,
    verdict_action,
)
from chalicelib.domain.entry import Entry, NewSubmission, NewUpload
from chalicelib.domain.organisation import branch_key
from chalicelib.domain.result_versions import StoredWeekResult
from chalicelib.domain.rollup import counter_deltas
from chalicelib.domain.submission import could_be_submission_id

if TYPE_CHECKING:
    from chalicelib.adapters.dynamodb.week_results import WeekResultStore

# A withdrawal lowers its unit's entries: first guess the unit keeps others, then that it empties.
LEAVING_GUESSES = (2, 1, 2, 1)

# The sparse index of entries being validated holds this value while a check runs.
VALIDATION_WATCH = VALIDATING


def _conditional_failed(error: Exception) -> bool:
    cause = getattr(error, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def first_item_refused(error: TransactWriteError) -> bool:
    """The transaction was cancelled because its first item's condition failed.

    The first item is always the entry itself; a counter condition failing
    instead means a counting bug, which must surface, not pass as "moved first".
    """
    reasons = error.cancellation_reasons if error.cause_response_code == "TransactionCanceledException" else []
    return bool(reasons) and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed"


def stage_counters(tx: TransactWrite, record: Any, deltas: dict[str, int], entries_before: int = 1) -> None:
    stage_unit_deltas(tx, record.campaign_id, record.unit_id, record.unit_path, deltas, entries_before)
    stage_daily_deltas(tx, record.campaign_id, record.created_at, deltas)


def status_in(statuses: Iterable[str]) -> Condition:
    """`status IN (...)` in a stable order, as a plain comparison for a single status."""
    ordered = sorted(statuses)
    if len(ordered) == 1:
        return SubmissionRecord.status == ordered[0]
    return SubmissionRecord.status.is_in(*ordered)


def allowed_by_machine(action: Action) -> Condition:
    """The entry's current status allows `action` (domain.entry_status)."""
    return status_in(allowed_from(action))


def status_sort(status: str, created_at: datetime, submission_id: str) -> str:
    return f"{status}#{created_at.isoformat()}#{submission_id}"


def unit_sort(unit_path: str, created_at: datetime, submission_id: str) -> str:
    return f"{branch_key(unit_path)}{created_at.isoformat()}#{submission_id}"


def to_entry(record: SubmissionRecord) -> Entry:
    return Entry(
        submission_id=record.submission_id,
        campaign_id=record.campaign_id,
        unit_id=record.unit_id,
        unit_path=record.unit_path,
        status=record.status,
        title=record.title,
        created_at=record.created_at,
        status_changed_at=record.status_changed_at,
        access_token_hash=record.access_token_hash,
        upload_key=record.upload_key,
        upload_kind=record.upload_kind,
        declared_size=int(record.declared_size),
        file_name=record.file_name,
        content_type=record.content_type,
        description=record.description,
        category=record.category,
        authors=list(record.authors or []),
        multipart_upload_id=record.multipart_upload_id,
        stored_key=record.stored_key,
        processed_object=record.processed_object,
        validation_attempts=int(record.validation_attempts or 0),
        verdict=record.verdict,
        validated_at=record.validated_at,
        review=record.review,
        campaign_week=record.campaign_week,
        platform_video=record.platform_video,
        published_at=record.published_at,
        unit_name=record.unit_name,
        consent=record.consent,
        personal_data_erased_at=record.personal_data_erased_at,
    )


WEEK_ENTRY_ATTRIBUTES = (
    "submission_id", "campaign_id", "unit_id", "unit_path", "unit_name", "status", "title", "created_at",
    "status_changed_at", "review", "campaign_week", "platform_video", "published_at",
)


def _week_entry(record: SubmissionRecord) -> Entry:
    """An entry read with WEEK_ENTRY_ATTRIBUTES only: no upload, verdict, authors or consent."""
    return Entry(
        submission_id=record.submission_id, campaign_id=record.campaign_id, unit_id=record.unit_id,
        unit_path=record.unit_path, status=record.status, title=record.title, created_at=record.created_at,
        status_changed_at=record.status_changed_at, access_token_hash="", upload_key="", upload_kind="",
        declared_size=0, review=record.review, campaign_week=record.campaign_week,
        platform_video=record.platform_video, published_at=record.published_at, unit_name=record.unit_name,
    )


def _keyed(entry: Entry) -> SubmissionRecord:
    """A record carrying only the entry's key: enough for an update, which returns the rest."""
    return SubmissionRecord(entry.submission_id)


class SubmissionStore:
    """Entries in, entries out. Each status change returns the entry as written, or
    False when its condition no longer held (someone else moved the entry first)."""

    def __init__(self, week_results: Callable[[], WeekResultStore] | None = None) -> None:
        # Only a disqualification writes a week's next result version alongside the entry.
        self._week_results = week_results

    def create(self, new: NewSubmission) -> Entry:
        record = SubmissionRecord(
            submission_id=new.submission_id,
            campaign_id=new.campaign_id,
            unit_id=new.unit_id,
            unit_path=new.unit_path,
            unit_sort=unit_sort(new.unit_path, new.created_at, new.submission_id),
            status=CREATED,
            status_sort=status_sort(CREATED, new.created_at, new.submission_id),
            status_changed_at=new.created_at,
            created_at=new.created_at,
            title=new.title,
            description=new.description or None,
            category=new.category or None,
            authors=new.authors,
            file_name=new.file_name,
            content_type=new.content_type,
            declared_size=new.declared_size,
            access_token_hash=new.access_token_hash,
            upload_key=new.upload_key,
            upload_kind=new.upload_kind,
            multipart_upload_id=new.multipart_upload_id,
            consent=new.consent,
        )
        deltas = counter_deltas(None, record.status, STATUS_COUNTERS)

        # The entry and its first counts land together or not at all.
        def write(entries_before: int) -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.save(record, condition=SubmissionRecord.submission_id.does_not_exist())
                stage_counters(tx, record, deltas, entries_before)

        with_occupancy_guesses(write)
        return to_entry(record)

    def get(self, submission_id: str) -> Entry | None:
        if not could_be_submission_id(submission_id):
            return None
        try:
            return to_entry(SubmissionRecord.get(submission_id, consistent_read=True))
        except DoesNotExist:
            return None

    @staticmethod
    def _status_actions(entry: Entry, new_status: str, at: datetime, actions: Iterable[Any]) -> list:
        return [
            SubmissionRecord.status.set(new_status),
            SubmissionRecord.status_sort.set(status_sort(new_status, entry.created_at, entry.submission_id)),
            SubmissionRecord.status_changed_at.set(at),
            *actions,
        ]

    def _transition(
        self,
        entry: Entry,
        action: Action,
        at: datetime,
        condition: Condition | None = None,
        actions: Iterable[Any] = (),
        alongside: Callable[[TransactWrite], None] | None = None,
        entries_before: int = 1,
    ) -> Entry | Literal[False]:
        """Apply `action` if the entry's status allows it and `condition` (if any) still holds;
        False means someone else moved it first.

        `alongside` stages other items that must be written in the same transaction;
        `entries_before` is the unit's entry count assumed when `entries` changes (its counter
        item's condition refuses a wrong guess).

        The change is also pinned to the status and unit path in `entry`: the
        counter deltas are computed from them, so if either changed meanwhile
        the write is refused rather than counted against the wrong state.
        """
        new_status = transition_target(action)
        allowed = allowed_by_machine(action)
        if condition is not None:
            allowed = allowed & condition
        guarded = allowed & (SubmissionRecord.status == entry.status) & (
            SubmissionRecord.unit_path == entry.unit_path
        )
        updates = self._status_actions(entry, new_status, at, actions)
        deltas = counter_deltas(entry.status, new_status, STATUS_COUNTERS)
        record = _keyed(entry)
        if not deltas and alongside is None:
            try:
                record.update(actions=updates, condition=guarded)
            except (UpdateError, PutError) as error:
                if _conditional_failed(error):
                    return False
                raise
            return to_entry(record)
        def write() -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.update(record, actions=updates, condition=guarded)
                stage_counters(tx, entry, deltas, entries_before)
                if alongside is not None:
                    alongside(tx)

        try:
            retrying_conflicts(write)
        except TransactWriteError as error:
            if first_item_refused(error):
                return False
            raise
        # A transaction returns no attributes: read back what was written.
        record.refresh(consistent_read=True)
        return to_entry(record)

    def replace_upload(self, entry: Entry, upload: NewUpload, at: datetime) -> Entry | Literal[False]:
        return self._transition(
            entry,
            "replace_video",
            at,
            actions=[
                SubmissionRecord.upload_key.set(upload.upload_key),
                SubmissionRecord.upload_kind.set(upload.upload_kind),
                SubmissionRecord.multipart_upload_id.set(upload.multipart_upload_id)
                if upload.multipart_upload_id
                else SubmissionRecord.multipart_upload_id.remove(),
                SubmissionRecord.file_name.set(upload.file_name),
                SubmissionRecord.content_type.set(upload.content_type),
                SubmissionRecord.declared_size.set(upload.declared_size),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def replace_access_token(self, entry: Entry, token_hash: str) -> bool:
        """False when the entry's code changed since it was read."""
        try:
            _keyed(entry).update(actions=[SubmissionRecord.access_token_hash.set(token_hash)],
                                 condition=SubmissionRecord.access_token_hash == entry.access_token_hash)
        except UpdateError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def begin_validation(self, entry: Entry, key: str, object_id: str, at: datetime) -> Entry | Literal[False]:
        """Claim the object for validation. Refused when the key is no longer the entry's
        current upload, or when this very object already has a verdict (a duplicate event)."""
        already_judged = (SubmissionRecord.processed_object == object_id) & status_in(JUDGED)
        condition = (SubmissionRecord.upload_key == key) & ~already_judged
        return self._transition(
            entry,
            "receive_upload",
            at,
            condition,
            [
                SubmissionRecord.processed_object.set(object_id),
                SubmissionRecord.validation_watch.set(VALIDATION_WATCH),
                SubmissionRecord.validating_since.set(at),
                SubmissionRecord.validation_attempts.add(1),
            ],
        )

    def finish_validation(
        self, entry: Entry, key: str, object_id: str, status: str, verdict: dict, at: datetime
    ) -> Entry | Literal[False]:
        """Record the verdict (`status` is the verdict's own status) for the object this validation claimed."""
        condition = (SubmissionRecord.upload_key == key) & (SubmissionRecord.processed_object == object_id)
        return self._transition(
            entry,
            verdict_action(status),
            at,
            condition,
            [
                SubmissionRecord.verdict.set(verdict),
                SubmissionRecord.validated_at.set(at),
                SubmissionRecord.stored_key.set(key),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def mark_validation_error(self, entry: Entry, reason: dict, at: datetime) -> Entry | Literal[False]:
        return self._transition(
            entry,
            "abandon_validation",
            at,
            actions=[
                SubmissionRecord.verdict.set(reason),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def stuck_in_validation(self, started_before: datetime) -> list[str]:
        return [
            r.submission_id
            for r in SubmissionRecord.in_validation.query(
                VALIDATION_WATCH, SubmissionRecord.validating_since < started_before
            )
        ]

    # --- review and publication (organisers) ----------------------------------
    # Each change is conditional on the status the organiser saw, so two
    # organisers acting at once cannot both win, and nothing skips a step.

    def approve(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]:
        return self._transition(entry, "approve", at, actions=[SubmissionRecord.review.set(review)])

    def reject(self, entry: Entry, review: dict, at: datetime) -> Entry | Literal[False]:
        return self._transition(entry, "reject", at, actions=[SubmissionRecord.review.set(review)])

    def publish(
        self, entry: Entry, review: dict, platform_video: str, campaign_week: str,
        published_at: datetime, at: datetime, unit_name: str | None = None,
    ) -> Entry | Literal[False]:
        actions = [
            SubmissionRecord.review.set(review),
            SubmissionRecord.platform_video.set(platform_video),
            SubmissionRecord.campaign_week.set(campaign_week),
            SubmissionRecord.published_at.set(published_at),
        ]
        if unit_name is not None:
            actions.append(SubmissionRecord.unit_name.set(unit_name))
        return self._transition(entry, "publish", at, actions=actions)

    def disqualify(
        self, entry: Entry, review: dict, at: datetime, revised_result: StoredWeekResult | None = None
    ) -> Entry | Literal[False]:
        """Disqualify an entry that is still in the status the caller read, in one
        transaction with what must change alongside: its counters, its live leaderboard
        row (removed), and when its week is already closed, the week's next result version."""
        revised_record = None
        if revised_result is not None:
            if self._week_results is None:
                raise RuntimeError("this SubmissionStore was built without the week results it needs")
            revised_record = self._week_results().record_for(revised_result)

        def alongside(tx: TransactWrite) -> None:
            if entry.campaign_week:
                tx.delete(ScoreRecord(entry.campaign_week, entry.submission_id))
                # The week's kept board may show it: dropped, the next read ranks the week again.
                tx.delete(LiveTopRecord(entry.campaign_week))
            if revised_record is not None:
                tx.save(revised_record, condition=WeekResultRecord.version.does_not_exist())

        try:
            return self._transition(
                entry, "disqualify", at, actions=[SubmissionRecord.review.set(review)], alongside=alongside,
            )
        except TransactWriteError as error:
            # Another organiser wrote the week's next version first (or another staged item refused):
            # nothing was written, and the caller answers "entry changed" so the organiser re-reads.
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise

    # --- the participant takes the entry back ----------------------------------
    def withdraw(self, entry: Entry, at: datetime) -> Entry | Literal[False]:
        """The entry leaves every counter; whether its unit is left with none is guessed and
        checked by the counter item's condition (a second unit entry first, the usual case)."""
        actions = [SubmissionRecord.validation_watch.remove(), SubmissionRecord.validating_since.remove()]
        return with_occupancy_guesses(
            lambda before: self._transition(entry, "withdraw", at, actions=actions, entries_before=before),
            guesses=LEAVING_GUESSES,
        )

    # --- personal data -------------------------------------------------------
    def not_erased_page(
        self, campaign_id: str, start_key: dict | None, limit: int
    ) -> tuple[list[Entry], dict | None]:
        """A Query on the campaign's entries (never a Scan), filtered to those still holding personal data."""
        results = SubmissionRecord.by_campaign_unit.query(
            campaign_id,
            filter_condition=SubmissionRecord.personal_data_erased_at.does_not_exist(),
            limit=limit,
            last_evaluated_key=start_key,
        )
        entries = [to_entry(r) for r in results]
        return entries, results.last_evaluated_key if len(entries) >= limit else None

    def erase_personal_data(
        self, entry: Entry, authors: list[dict], consent: dict | None, at: datetime
    ) -> Entry | Literal[False]:
        record = _keyed(entry)
        try:
            record.update(
                actions=[
                    SubmissionRecord.authors.set(authors),
                    SubmissionRecord.consent.set(consent) if consent is not None else SubmissionRecord.consent.remove(),
                    SubmissionRecord.personal_data_erased_at.set(at),
                ],
                condition=SubmissionRecord.submission_id.exists()
                & SubmissionRecord.personal_data_erased_at.does_not_exist(),
            )
        except UpdateError as error:
            if _conditional_failed(error):
                return False
            raise
        return to_entry(record)

    # --- organisers' reads -----------------------------------------------
    def branch_page(
        self, campaign_id: str, path: str, status: str | None, start_key: dict | None, limit: int
    ) -> tuple[list[Entry], dict | None]:
        """One page of a branch's entries, oldest unit-path first: a Query on `by-campaign-unit`
        with begins_with(branch key), never a Scan. The second value continues the Query."""
        results = SubmissionRecord.by_campaign_unit.query(
            campaign_id,
            SubmissionRecord.unit_sort.startswith(branch_key(path)),
            filter_condition=(SubmissionRecord.status == status) if status else None,
            limit=limit,
            last_evaluated_key=start_key,
        )
        entries = [to_entry(r) for r in results]
        return entries, results.last_evaluated_key if len(entries) >= limit else None

    def under_path(self, campaign_id: str, path: str, limit: int) -> list[Entry]:
        """Up to `limit` entries still filed under a branch (re-keying after a move)."""
        return [
            to_entry(r)
            for r in SubmissionRecord.by_campaign_unit.query(
                campaign_id, SubmissionRecord.unit_sort.startswith(branch_key(path)), limit=limit
            )
        ]

    def rekey(self, entry: Entry, new_path: str) -> bool:
        """File the entry under its unit's new path and carry its counts to the new counter item.

        One transaction per entry, conditioned on the path and status it was read
        with: a concurrent transition or a second mover makes this a no-op
        (False), and running it again only finds entries not yet moved.
        """
        deltas = counter_deltas(None, entry.status, STATUS_COUNTERS)

        def write(entries_before: tuple[int, int]) -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.update(
                    _keyed(entry),
                    actions=[
                        SubmissionRecord.unit_path.set(new_path),
                        SubmissionRecord.unit_sort.set(unit_sort(new_path, entry.created_at, entry.submission_id)),
                    ],
                    condition=(SubmissionRecord.unit_path == entry.unit_path)
                    & (SubmissionRecord.status == entry.status),
                )
                stage_counts_moved(tx, entry.campaign_id, entry.unit_id, entry.unit_path, new_path, deltas,
                                   entries_before)

        try:
            with_occupancy_read(entry.campaign_id, entry.unit_path, new_path, write)
        except TransactWriteError as error:
            if first_item_refused(error):
                return False
            raise
        return True

    # --- reads for ranking, awards and the final ----------------------------

    def in_voting_week(self, campaign_week: str) -> list[Entry]:
        """Every entry ever published into the week (published or since disqualified), with what a
        week's result reads of it: a national week is 100,000 entries, and their verdicts, authors
        and upload details would be most of the close's memory and parsing time."""
        found = SubmissionRecord.by_voting_week.query(campaign_week, attributes_to_get=list(WEEK_ENTRY_ATTRIBUTES))
        return [_week_entry(r) for r in found]

    def in_status(self, campaign_id: str, status: str) -> list[Entry]:
        return [
            to_entry(r)
            for r in SubmissionRecord.by_campaign_status.query(
                campaign_id, SubmissionRecord.status_sort.startswith(f"{status}#")
            )
        ]

    def by_platform_video(self, platform_video: str) -> list[str]:
        return [r.submission_id for r in SubmissionRecord.by_platform_video.query(platform_video)]

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]:
        ids = sorted(set(submission_ids))
        if not ids:
            return {}
        return {r.submission_id: to_entry(r) for r in SubmissionRecord.batch_get(ids)}

    def write_bulk(self, entries: Iterable[tuple[NewSubmission, str]]) -> int:
        """(entry, status) written straight in, without counters: benchmarks only (they
        write the matching counter items with CounterStore.write_bulk)."""
        written = 0
        with SubmissionRecord.batch_write() as batch:
            for new, status in entries:
                batch.save(SubmissionRecord(
                    submission_id=new.submission_id, campaign_id=new.campaign_id, unit_id=new.unit_id,
                    unit_path=new.unit_path, unit_sort=unit_sort(new.unit_path, new.created_at, new.submission_id),
                    status=status, status_sort=status_sort(status, new.created_at, new.submission_id),
                    status_changed_at=new.created_at, created_at=new.created_at, title=new.title,
                    authors=new.authors, file_name=new.file_name, content_type=new.content_type,
                    declared_size=new.declared_size, access_token_hash=new.access_token_hash,
                    upload_key=new.upload_key, upload_kind=new.upload_kind,
                ))
                written += 1
        return written
