"""The entry's status machine (domain/entry_status.py), the rules built on it, and
the store's conditional writes, which must say exactly what the machine says."""
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import product

import pytest
from pynamodb.expressions.condition import And, Comparison, In, Not, Or

from chalicelib.adapters.dynamodb import submissions as submissions_adapter
from chalicelib.adapters.dynamodb.models import SubmissionRecord
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.domain import entry_status as machine
from chalicelib.domain.entry import Entry, NewUpload
from chalicelib.domain.entry_status import (
    COMPETING,
    DISQUALIFIABLE,
    JUDGED,
    PUBLISHABLE,
    REPLACEABLE,
    REVIEWABLE,
    STATUS_COUNTERS,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    allowed_from,
    allows,
    can_replace_video,
    is_competing,
    transition_target,
    verdict_action,
)
from chalicelib.domain.errors import Conflict
from chalicelib.domain.link_status import LINK_COUNTERS, link_status
from chalicelib.domain.review import require_status
from chalicelib.domain.rollup import COUNTER_FIELDS
from chalicelib.domain.submission import require_reuploadable

AT = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)

# Given every (action, status) pair, the machine allows exactly these.
EXPECTED_MOVES = {
    ("replace_video", "awaiting_upload"): "awaiting_upload",
    ("replace_video", "validating"): "awaiting_upload",
    ("replace_video", "valid"): "awaiting_upload",
    ("replace_video", "invalid"): "awaiting_upload",
    ("replace_video", "validation_error"): "awaiting_upload",
    ("receive_upload", "awaiting_upload"): "validating",
    ("receive_upload", "validating"): "validating",
    ("receive_upload", "valid"): "validating",
    ("receive_upload", "invalid"): "validating",
    ("receive_upload", "validation_error"): "validating",
    ("pass_validation", "validating"): "valid",
    ("fail_validation", "validating"): "invalid",
    ("abandon_validation", "validating"): "validation_error",
    ("approve", "valid"): "approved",
    ("reject", "valid"): "rejected",
    ("publish", "approved"): "published",
    ("disqualify", "approved"): "disqualified",
    ("disqualify", "published"): "disqualified",
    # The participant takes back an entry not yet published.
    ("withdraw", "awaiting_upload"): "withdrawn",
    ("withdraw", "validating"): "withdrawn",
    ("withdraw", "valid"): "withdrawn",
    ("withdraw", "invalid"): "withdrawn",
    ("withdraw", "validation_error"): "withdrawn",
    ("withdraw", "approved"): "withdrawn",
    ("withdraw", "rejected"): "withdrawn",
}


@pytest.mark.parametrize("action, status", sorted(product(TRANSITIONS, STATUSES)))
def test_each_action_is_allowed_exactly_from_its_statuses(action, status):
    expected = EXPECTED_MOVES.get((action, status))
    assert allows(action, status) is (expected is not None)
    if expected is not None:
        assert transition_target(action) == expected


def test_the_machine_declares_every_status_once_with_both_labels():
    assert len(set(STATUSES)) == len(STATUSES) == 10
    assert set(STATUS_LABELS) == set(STATUSES)
    assert all(vi and en and vi != en for vi, en in STATUS_LABELS.values())
    assert machine.CREATED == "awaiting_upload"
    for transition in TRANSITIONS.values():
        assert transition.sources and transition.sources <= set(STATUSES)
        assert transition.target in STATUSES


def test_every_status_is_reachable_from_creation():
    reached, frontier = {machine.CREATED}, [machine.CREATED]
    while frontier:
        status = frontier.pop()
        for transition in TRANSITIONS.values():
            if status in transition.sources and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(STATUSES)


def test_unknown_actions_and_verdicts_are_refused():
    with pytest.raises(ValueError):
        allowed_from("resubmit")
    with pytest.raises(ValueError):
        transition_target("resubmit")
    with pytest.raises(ValueError):
        verdict_action("validation_error")


def test_the_derived_sets_follow_the_transitions():
    assert REPLACEABLE == {"awaiting_upload", "validating", "valid", "invalid", "validation_error"}
    assert REPLACEABLE == allowed_from("replace_video") == allowed_from("receive_upload")
    assert REVIEWABLE == allowed_from("approve") == allowed_from("reject") == {"valid"}
    assert PUBLISHABLE == {"approved"} and DISQUALIFIABLE == {"approved", "published"}
    assert COMPETING == {"published"} == {transition_target("publish")}
    assert not COMPETING & allowed_from("replace_video")
    assert transition_target("disqualify") not in COMPETING
    assert JUDGED == set(STATUSES) - {"awaiting_upload", "validating"}
    # Once approved the video is locked, so nothing after approval is replaceable.
    assert not REPLACEABLE & {transition_target(a) for a in ("approve", "reject", "publish", "disqualify")}
    for status in STATUSES:
        assert can_replace_video(status) is (status in REPLACEABLE)
        assert is_competing(status) is (status in COMPETING)


def test_validator_verdicts_map_to_their_transitions():
    assert transition_target(verdict_action("valid")) == "valid"
    assert transition_target(verdict_action("invalid")) == "invalid"


def test_counters_cover_every_status_with_known_counter_names():
    assert set(STATUS_COUNTERS) == set(STATUSES) | {None}
    assert all(counters <= set(COUNTER_FIELDS) for counters in STATUS_COUNTERS.values())
    # A withdrawn entry is no longer an entry of the contest: it counts nowhere.
    assert all("entries" in STATUS_COUNTERS[s] for s in STATUSES if s != "withdrawn")
    assert STATUS_COUNTERS["withdrawn"] == frozenset()


def test_a_link_counts_like_an_entry_in_the_same_named_status():
    assert link_status(True) == "valid" and link_status(False) == "invalid"
    for status in (link_status(True), link_status(False)):
        assert LINK_COUNTERS[status] == STATUS_COUNTERS[status]


@pytest.mark.parametrize("status", STATUSES)
def test_domain_refusals_follow_the_machine_with_todays_codes(status):
    if status in REPLACEABLE:
        require_reuploadable(status)
    else:
        with pytest.raises(Conflict) as locked:
            require_reuploadable(status)
        assert locked.value.code == "entry_locked"
    for action, allowed, code in (
        ("review", REVIEWABLE, "not_reviewable"),
        ("publish", PUBLISHABLE, "not_publishable"),
        ("disqualify", DISQUALIFIABLE, "not_disqualifiable"),
    ):
        if status in allowed:
            require_status(action, status)
            continue
        with pytest.raises(Conflict) as refused:
            require_status(action, status)
        expected = "already_disqualified" if (action, status) == ("disqualify", "disqualified") else code
        assert refused.value.code == expected


# --- the store's conditional writes ---------------------------------------------


def plain(operand):
    """A condition operand's value, e.g. "valid" for {"S": "valid"}."""
    [value] = operand.value.values()
    return value


def status_checks(condition, negated=False):
    """Every test on `status` in a PynamoDB condition: (negated, set of statuses it accepts)."""
    if isinstance(condition, (And, Or)):
        return [check for part in condition.values for check in status_checks(part, negated)]
    if isinstance(condition, Not):
        return status_checks(condition.values[0], not negated)
    if isinstance(condition, (Comparison, In)) and condition.values[0].path == ["status"]:
        if isinstance(condition, Comparison):
            assert condition.operator == "="
        return [(negated, frozenset(plain(v) for v in condition.values[1:]))]
    return []


class CapturedWrites:
    """Stands in for DynamoDB: keeps the condition and the new status of each write."""

    def __init__(self, monkeypatch):
        self.writes = []
        captured = self

        class FakeTransaction:
            def update(self, record, actions, condition=None):
                if isinstance(record, SubmissionRecord):  # not the counter items staged alongside
                    captured.keep(actions, condition)

            def save(self, *args, **kwargs):
                pass

            def delete(self, *args, **kwargs):
                pass

        @contextmanager
        def fake_transaction(connection=None):
            yield FakeTransaction()

        def keyed(entry):
            # The item the store updates, answering as DynamoDB would without a table behind it.
            record = SubmissionRecord(
                submission_id=entry.submission_id, campaign_id=entry.campaign_id, unit_id=entry.unit_id,
                unit_path=entry.unit_path, status=entry.status, created_at=entry.created_at,
                status_changed_at=entry.status_changed_at, title=entry.title,
                access_token_hash=entry.access_token_hash, upload_key=entry.upload_key,
                upload_kind=entry.upload_kind, declared_size=entry.declared_size,
            )
            record.update = lambda actions, condition=None: captured.keep(actions, condition)
            record.refresh = lambda consistent_read=False: None
            return record

        monkeypatch.setattr(submissions_adapter, "TransactWrite", fake_transaction)
        monkeypatch.setattr(submissions_adapter, "transaction_connection", lambda: None)
        monkeypatch.setattr(submissions_adapter, "_keyed", keyed)
        self.transaction = FakeTransaction

    def keep(self, actions, condition):
        statuses = [plain(a.values[1]) for a in actions if a.values[0].path == ["status"]]
        self.writes.append((statuses[0], condition))

    def entry(self, status):
        return Entry(
            submission_id="e1", campaign_id="c1", unit_id="u1", unit_path="tw/u1/", status=status, title="t",
            created_at=AT, status_changed_at=AT, access_token_hash="h", upload_key="uploads/c1/e1/k.mp4",
            upload_kind="post", declared_size=10,
        )


def store_calls():
    store = SubmissionStore()
    key = "uploads/c1/e1/k.mp4"
    return {
        "replace_video": lambda r: store.replace_upload(r, NewUpload(key, "post", None, "a.mp4", "video/mp4", 10), AT),
        "receive_upload": lambda r: store.begin_validation(r, key, "bucket/key#etag", AT),
        "pass_validation": lambda r: store.finish_validation(r, key, "bucket/key#etag", "valid", {}, AT),
        "fail_validation": lambda r: store.finish_validation(r, key, "bucket/key#etag", "invalid", {}, AT),
        "abandon_validation": lambda r: store.mark_validation_error(r, {}, AT),
        "approve": lambda r: store.approve(r, {}, AT),
        "reject": lambda r: store.reject(r, {}, AT),
        "publish": lambda r: store.publish(r, {}, "tiktok#1", "c1#1", AT, AT),
        "disqualify": lambda r: store.disqualify(r, {}, AT),
        "withdraw": lambda r: store.withdraw(r, AT),
    }


def test_every_action_has_a_store_write():
    assert set(store_calls()) == set(TRANSITIONS)


@pytest.mark.parametrize("action, status", sorted(
    (action, status) for action in TRANSITIONS for status in allowed_from(action)
))
def test_each_store_write_is_conditioned_on_the_machine(monkeypatch, action, status):
    writes = CapturedWrites(monkeypatch)
    assert isinstance(store_calls()[action](writes.entry(status)), Entry)  # accepted: the entry as written
    [(new_status, condition)] = writes.writes
    assert new_status == transition_target(action)
    checks = status_checks(condition)
    required = sorted(c for negated, c in checks if not negated)
    # The machine's statuses, and the status the caller read (so the counters move from it).
    assert required == sorted([allowed_from(action), frozenset({status})])
    excluded = [c for negated, c in checks if negated]
    assert excluded == ([JUDGED] if action == "receive_upload" else [])
