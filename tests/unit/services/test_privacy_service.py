"""Consent, withdrawal, contacts and erasure on fakes (issue 11 item 5)."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import privacy
from chalicelib.domain.awards import campaign_end
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated, Unprocessable
from chalicelib.domain.exports import entries_sheet
from chalicelib.domain.scope import Principal
from chalicelib.services import privacy as privacy_service
from chalicelib.services.participants import ParticipantService
from chalicelib.services.privacy import PrivacyService
from chalicelib.services.reports import ReportService
from tests.fakes.stores import FakeUnitTree
from tests.fakes.world import ADMIN, DURING_SUBMISSIONS as NOW, NATIONAL_FILE, TREE, build_world, organiser_of

AUTHORS = [{"name": "Nguyễn Văn A", "email": "a@example.vn", "phone": "0900000001"}, {"name": "Lê B", "phone": "0900000002"}]
JUDGE = Principal(user_id="judge-1", role="jury", unit_id="dk-tw", unit_path="dk-tw", username="jury-1")


@pytest.fixture
def participants(world) -> ParticipantService:
    return ParticipantService(world.campaigns, world.units, world.entries, world.bucket)


@pytest.fixture
def service(world) -> PrivacyService:
    return PrivacyService(world.campaigns, world.entries, world.audit, world.bucket)



@pytest.fixture
def world():
    """The national sample: Hà Nội's organisers review their own branch (review delegated to the provinces)."""
    return build_world(NATIONAL_FILE)

def body(**changes) -> dict:
    return {"title": "Khát vọng", "unit_id": "ha-noi-ba-dinh-kim-ma", "authors": AUTHORS, "file_name": "a.mp4",
            "content_type": "video/mp4", "size_bytes": 1000, "accepted_terms_version": "2024-1", **changes}


# --- terms ---------------------------------------------------------------------


def test_an_entry_without_the_terms_accepted_is_refused_and_nothing_is_stored(world, participants):
    without = body()
    del without["accepted_terms_version"]
    with pytest.raises(Unprocessable) as refused:
        participants.create(world.campaign.id, without, NOW)
    assert refused.value.code == "terms_not_accepted" and refused.value.details["terms_version"] == "2024-1"
    with pytest.raises(Conflict) as outdated:
        participants.create(world.campaign.id, body(accepted_terms_version="2023-1"), NOW)
    assert outdated.value.code == "terms_version_outdated"
    assert world.entries.items == {}


def test_the_acceptance_is_stored_with_the_entry(world, participants):
    created = participants.create(world.campaign.id, body(), NOW, client_ip="203.0.113.7", user_agent="Phone/1")
    assert world.entries.get(created["submission_id"]).consent == {
        "terms_version": "2024-1", "accepted_at": "2024-06-01T03:00:00Z", "client_ip": "203.0.113.7",
        "user_agent": "Phone/1"}


def test_a_campaign_without_terms_asks_no_acceptance(world, participants):
    world.campaigns.put(world.campaign.model_copy(update={"terms": None}))
    created = participants.create(world.campaign.id, body(accepted_terms_version=None), NOW)
    assert world.entries.get(created["submission_id"]).consent is None


# --- withdrawal ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["awaiting_upload", "validating", "valid", "invalid", "validation_error",
                                    "approved", "rejected"])
def test_an_entry_not_yet_published_can_be_withdrawn(world, participants, status):
    created = participants.create(world.campaign.id, body(), NOW)
    entry = world.entries.put(dataclasses.replace(world.entries.get(created["submission_id"]), status=status))
    view = participants.withdraw(entry.submission_id, created["access_token"], NOW + timedelta(hours=1))
    assert (view["status"], view["can_withdraw"], view["can_replace_video"]) == ("withdrawn", False, False)
    assert world.entries.get(entry.submission_id).status_changed_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize("status, code", [("published", "entry_already_published"),
                                          ("disqualified", "entry_already_published"),
                                          ("withdrawn", "already_withdrawn")])
def test_a_published_or_withdrawn_entry_cannot_be_withdrawn(world, participants, status, code):
    created = participants.create(world.campaign.id, body(), NOW)
    world.entries.put(dataclasses.replace(world.entries.get(created["submission_id"]), status=status))
    with pytest.raises(Conflict) as refused:
        participants.withdraw(created["submission_id"], created["access_token"], NOW)
    assert refused.value.code == code and world.entries.get(created["submission_id"]).status == status


def test_only_the_entrys_token_withdraws_it(world, participants):
    created = participants.create(world.campaign.id, body(), NOW)
    with pytest.raises(Unauthenticated):
        participants.withdraw(created["submission_id"], None, NOW)
    with pytest.raises(NotFound):
        participants.withdraw(created["submission_id"], "not-the-token", NOW)


def test_withdrawing_during_a_multipart_upload_aborts_it(world, participants):
    created = participants.create(world.campaign.id, body(size_bytes=200 * 1024**2), NOW)
    entry = world.entries.get(created["submission_id"])
    participants.withdraw(entry.submission_id, created["access_token"], NOW)
    assert world.bucket.aborted == [(entry.upload_key, entry.multipart_upload_id)]


def test_a_withdrawal_that_loses_a_race_says_the_entry_changed(world, participants, monkeypatch):
    created = participants.create(world.campaign.id, body(), NOW)
    monkeypatch.setattr(world.entries, "withdraw", lambda entry, at: False)
    with pytest.raises(Conflict) as refused:
        participants.withdraw(created["submission_id"], created["access_token"], NOW)
    assert refused.value.code == "entry_changed"


# --- contacts ---------------------------------------------------------------------


def test_a_reviewer_reads_contacts_and_each_read_is_audited(world, service):
    entry = world.entry(authors=AUTHORS)
    view = service.contacts(organiser_of("ha-noi"), entry.submission_id, NOW)
    assert view["authors"][0] == {"name": "Nguyễn Văn A", "email": "a@example.vn", "phone": "0900000001"}
    service.contacts(ADMIN, entry.submission_id, NOW)
    assert [(a.action, a.actor, a.entity_id) for a in world.audit_trail.entries] == [
        ("view_contacts", "org-ha-noi", entry.submission_id), ("view_contacts", "admin", entry.submission_id)]


def test_who_does_not_review_the_entry_gets_no_contacts_and_leaves_no_read(world, service):
    entry = world.entry(authors=AUTHORS)
    with pytest.raises(NotFound):
        service.contacts(organiser_of("hcm"), entry.submission_id, NOW)
    with pytest.raises(NotFound):
        service.contacts(ADMIN, "missing", NOW)
    with pytest.raises(Forbidden):
        service.contacts(JUDGE, entry.submission_id, NOW)
    assert world.audit_trail.entries == []


def test_the_contacts_rule_is_the_review_rule(world, service, monkeypatch):
    """Who reviews is decided by domain/review.py's `may_review` (issue item 4 reshapes it): a
    reader of the branch who does not review gets no contacts, in the detail or the export."""
    entry = world.entry(authors=AUTHORS)
    monkeypatch.setattr(privacy, "may_review", lambda principal, e, campaign: principal.role == "admin")
    with pytest.raises(NotFound):
        service.contacts(organiser_of("ha-noi"), entry.submission_id, NOW)
    assert "contacts" not in privacy.export_row(organiser_of("ha-noi"), entry, world.campaign)
    assert privacy.export_row(ADMIN, entry, world.campaign)["contacts"][1] == {"name": "Lê B", "email": "", "phone": "0900000002"}


class BranchPages:
    """The one read the entries export makes: every entry of the branch, in one page."""

    def __init__(self, entries) -> None:
        self.entries = entries

    def branch_page(self, campaign_id, path, status, start_key, limit):
        return [e for e in self.entries.items.values()
                if e.campaign_id == campaign_id and (e.unit_path + "/").startswith(path + "/")], None


def test_the_entries_export_has_contact_columns_only_for_reviewers_and_is_audited(world, monkeypatch):
    tree = SimpleNamespace(tree=lambda: TREE)
    reports = ReportService(world.campaigns, FakeUnitTree(TREE), None, BranchPages(world.entries), None, world.audit,
                            None, tree)
    world.entry(authors=AUTHORS)
    sheet = reports.entries_sheet(organiser_of("ha-noi"), world.campaign.id, {}, NOW)
    assert sheet.headers[-2:] == ("Email tác giả", "Số điện thoại tác giả")
    assert world.audit_trail.entries == []  # recorded once the file is written, not before
    [row] = list(sheet.rows)
    assert row[-2:] == ("a@example.vn", "0900000001; 0900000002")
    [audit] = world.audit_trail.entries
    assert (audit.action, audit.entity_id, audit.after["entries_with_contacts"]) == (
        "export_contacts", world.campaign.id, 1)

    monkeypatch.setattr(privacy, "may_review", lambda principal, e, campaign: False)
    reader = reports.entries_sheet(organiser_of("ha-noi"), world.campaign.id, {}, NOW)
    assert "Email tác giả" not in reader.headers and "a@example.vn" not in repr(list(reader.rows))
    assert len(world.audit_trail.entries) == 1


def test_an_entries_sheet_without_contacts_keeps_todays_columns():
    row = {"submission_id": "e1", "title": "T", "unit_id": "u", "authors": ["A"], "status_label": {"vi": "Hợp lệ"},
           "created_at_vietnam": "2024-06-01 10:00"}
    sheet = entries_sheet("c", [row], {})
    assert len(sheet.headers) == 8 and len(list(sheet.rows)[0]) == 8


# --- erasure ---------------------------------------------------------------------


def _due(world, days=30):
    campaign = world.campaign.model_copy(update={"personal_data_retention_days": days})
    world.campaigns.put(campaign)
    return campaign, campaign_end(campaign) + timedelta(days=days)


def test_nothing_is_erased_before_the_retention_period_ends_or_without_one(world, service):
    campaign, due = _due(world)
    world.entry(authors=AUTHORS)
    assert service.erase_due(due - timedelta(seconds=1)) == []
    world.campaigns.put(campaign.model_copy(update={"personal_data_retention_days": None}))
    assert service.erase_due(due + timedelta(days=999)) == []
    assert world.audit_trail.entries == []


def test_erasure_removes_contacts_and_unpublished_names_once_and_is_audited(world, service):
    campaign, due = _due(world)
    consent = {"terms_version": "2024-1", "accepted_at": "2024-06-01T03:00:00Z", "client_ip": "1.2.3.4",
               "user_agent": "Phone"}
    published = world.entry(status="published", published_at=NOW, authors=AUTHORS, consent=consent)
    rejected = world.entry(status="rejected", authors=AUTHORS, consent=consent)

    [outcome] = service.erase_due(due)
    assert (outcome["erased"], outcome["complete"]) == (2, True)
    kept = world.entries.get(published.submission_id)
    assert kept.authors == [{"name": "Nguyễn Văn A"}, {"name": "Lê B"}]
    assert kept.consent == {"terms_version": "2024-1", "accepted_at": "2024-06-01T03:00:00Z"}
    assert world.entries.get(rejected.submission_id).authors == []
    assert kept.personal_data_erased_at == due
    # The unpublished entry's video goes too; the published one is the campaign's to keep.
    assert world.bucket.deleted == [rejected.upload_key]
    [audit] = world.audit_trail.entries
    assert (audit.action, audit.actor, audit.entity_id) == (
        "erase_personal_data", "system:personal-data-erasure", campaign.id)
    # A second run finds nothing left to erase and records nothing.
    assert service.erase_due(due + timedelta(days=1))[0]["erased"] == 0 and len(world.audit_trail.entries) == 1


def test_erasure_goes_page_by_page_and_stops_before_the_invocation_runs_out(world, service, monkeypatch):
    _, due = _due(world)
    monkeypatch.setattr(privacy_service, "ERASURE_PAGE", 2)
    entries = [world.entry(authors=AUTHORS) for _ in range(5)]
    pages = []
    original = world.entries.not_erased_page
    monkeypatch.setattr(world.entries, "not_erased_page",
                        lambda *args: pages.append(args[2]) or original(*args))
    left = iter([60_000, 60_000, 1_000])
    first = service.erase_campaign(world.campaign.id, due, lambda: next(left))
    assert (first["erased"], first["complete"]) == (4, False) and pages == [2, 2]
    second = service.erase_campaign(world.campaign.id, due, lambda: 60_000)
    assert (second["erased"], second["complete"]) == (1, True)
    assert all(world.entries.get(e.submission_id).personal_data_erased_at for e in entries)


def test_erasure_is_due_a_set_number_of_days_after_the_campaign_ends(world):
    campaign, due = _due(world, days=180)
    assert privacy.erasure_due_at(campaign) == due == campaign_end(campaign) + timedelta(days=180)
    assert privacy.is_erasure_due(campaign, due) and not privacy.is_erasure_due(campaign, due - timedelta(microseconds=1))
    assert privacy.erasure_due_at(campaign.model_copy(update={"personal_data_retention_days": None})) is None
    assert due.tzinfo == timezone.utc and isinstance(due, datetime)


def test_the_erasure_job_is_a_daily_schedule_at_two_in_the_morning_in_vietnam():
    import app
    from chalicelib.local.scheduler import next_fire_time, schedule_bindings

    [job] = [b for b in schedule_bindings(app.app) if b.name == "erase_expired_personal_data"]
    after = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    assert next_fire_time(job.expression, after) == datetime(2026, 11, 30, 19, tzinfo=timezone.utc)  # 02:00 on 1 Dec


def test_the_erasure_job_erases_as_of_its_event_time_within_the_invocations_time(monkeypatch):
    from types import SimpleNamespace

    from chalicelib.triggers import privacy as trigger

    calls = []
    fake = SimpleNamespace(privacy=SimpleNamespace(erase_due=lambda at, left: calls.append((at, left())) or []))
    monkeypatch.setattr(trigger, "services", lambda: fake)
    event = {"id": "schedule-event-9", "time": "2026-11-30T19:00:00Z", "detail-type": "Scheduled Event",
             "source": "aws.events", "resources": [], "detail": {}, "account": "1", "region": "x", "version": "0"}
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 299_000, aws_request_id="r", function_name="f",
                              memory_limit_in_mb=512, invoked_function_arn="arn")

    assert trigger.erase_expired_personal_data(event, context) == {"outcomes": []}
    assert calls == [(datetime(2026, 11, 30, 19, tzinfo=timezone.utc), 299_000)]


def test_once_submissions_open_changed_terms_need_a_new_version(world):
    from chalicelib.domain.campaign_changes import check_edit

    opened = world.campaign.model_copy(update={"status": "open"})
    reworded = opened.terms.model_copy(update={"text_vi": opened.terms.text_vi + "\n7. Điều mới."})
    with pytest.raises(Conflict) as refused:
        check_edit(opened, opened.model_copy(update={"terms": reworded}), NOW, [])
    assert refused.value.code == "terms_locked" and refused.value.details["version"] == "2024-1"
    check_edit(opened, opened.model_copy(update={"terms": reworded.model_copy(update={"version": "2024-2"})}), NOW, [])
    draft = world.campaign.model_copy(update={"status": "draft"})
    check_edit(draft, draft.model_copy(update={"terms": reworded}), NOW, [])  # nobody has accepted a draft's terms
