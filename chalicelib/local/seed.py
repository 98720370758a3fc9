"""Sample data for the local cloud: the seed campaigns, the organisation tree, and accounts."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from chalicelib.adapters.dynamodb.organisation import OrgUnitStore
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file, weeks_to_shift_into
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.local.cloud import CloudConfig, create_user

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    unit_id: str


def sample_campaigns() -> list[Campaign]:
    return [load_campaign_file(p) for p in sorted((SAMPLES / "campaigns").glob("*.json"))]


def live_copy(campaign: Campaign, today: date) -> Campaign:
    """The sample moved forward in whole weeks, so the demo has an open campaign today."""
    return campaign.shifted_by_weeks(weeks_to_shift_into(campaign, today))


# The weekly contests the local run shows end to end: their second voting week is open today,
# so the first one has ended and can be closed.
WEEKLY_SAMPLES = ("khat-vong-hung-cuong", "thanh-nien-sang-tao")


def second_week_open_copy(campaign: Campaign, today: date) -> Campaign:
    """The sample moved in whole weeks so that its second voting week contains `today` (Vietnam
    date): week 1 has ended and can be closed, week 2 takes votes, entries are still accepted."""
    second = campaign.week(2)
    if second is None:
        return live_copy(campaign, today)
    moved = campaign.shifted_by_weeks((today - second.starts_at.date()).days // 7)
    return moved if moved.is_open_for_submissions(moved.localize(datetime.combine(today, time(12)))) else live_copy(
        campaign, today)


def seeded_copy(campaign: Campaign, today: date) -> Campaign:
    return second_week_open_copy(campaign, today) if campaign.id in WEEKLY_SAMPLES else live_copy(campaign, today)


def default_accounts() -> list[Account]:
    password = os.environ.get("LOCAL_PASSWORD", "Local-Contest-2026!")
    return [
        Account(os.environ.get("LOCAL_ADMIN_USERNAME", "admin"),
                os.environ.get("LOCAL_ADMIN_PASSWORD", password), "admin", "tw"),
        # The organising units' organisers: tw runs the national contest, dk-tw seed 000's.
        Account("organiser-tw", password, "organiser", "tw"),
        Account("organiser-dk-tw", password, "organiser", "dk-tw"),
        # Hà Nội and HCMC review their own branch in the national contest (review delegated to the
        # provinces) and only read it in seed 000's, which is Đoàn Khối's; Ba Đình only reads.
        Account("organiser-ha-noi", password, "organiser", "ha-noi"),
        Account("organiser-hcm", password, "organiser", "hcm"),
        Account("organiser-ba-dinh", password, "organiser", "ha-noi-ba-dinh"),
        Account("jury-1", password, "jury", "dk-tw"),
    ]


# jury-1 sits on both weekly contests' panels; in seed 000's they declare the Academy's youth
# union (no sample finalist is from it); in the national one their own unit, Đoàn Khối, is their conflict.
JURY_PANELS = {
    "khat-vong-hung-cuong": {"jury-1": ("dk-tw-vhl",)},
    "thanh-nien-sang-tao": {"jury-1": ()},
}


def seed_jury_panels(now: datetime) -> None:
    from chalicelib.domain.jury import JudgeAssignment

    panel = services().judge_panel_store
    for campaign_id, judges in JURY_PANELS.items():
        for judge_id, conflicts in judges.items():
            assignment = JudgeAssignment(campaign_id, judge_id, "seed", now, conflicts, now if conflicts else None)
            panel.assign(assignment)
            panel.declare(assignment)


# Demo entries for the organisers' reports (seed 004 campaign: at least 2 per unit):
# (unit, title, final status). Ids are fixed so seeding twice adds nothing.
DEMO_ENTRIES = (
    ("ha-noi-ba-dinh-kim-ma", "Sự thật về tin đồn trên mạng", "valid"),
    ("ha-noi-ba-dinh-kim-ma", "Tỉnh táo trước tin giả", "valid"),
    ("ha-noi-ba-dinh-dien-bien", "Đừng vội chia sẻ", "invalid"),
    ("ha-noi-hoan-kiem-hang-bac", "Phố cổ nói không với tin xấu", "valid"),
    ("ha-noi-dong-anh-co-loa", "Cổ Loa kể chuyện thật", "awaiting_upload"),
    ("hcm-q1-ben-nghe", "Bến Nghé sống đẹp", "valid"),
    ("hcm-thu-duc-dhqg", "Sinh viên với không gian mạng", "valid"),
)
DEMO_LINKS = (
    ("hcm-q1-ben-nghe", "https://facebook.com/doanbennghe/posts/1", "Chuyện đẹp tuần này #moituan1cauchuyendep"),
    ("hcm-q1-da-kao", "https://facebook.com/doandakao/posts/7", "Tin tốt #moingay1tintot"),
)


def seed_demo_entries(today: date) -> None:
    """A few entries and link posts so an organiser sees figures in `make run`."""
    from datetime import datetime, time, timedelta, timezone
    from zoneinfo import ZoneInfo

    from pynamodb.exceptions import TransactWriteError

    from chalicelib.adapters.dynamodb.links import NewLink
    from chalicelib.adapters.dynamodb.submissions import NewSubmission

    units, submissions = services().org_unit_store, services().submission_store
    noon = datetime.combine(today, time(12), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(timezone.utc)
    for n, (unit_id, title, status) in enumerate(DEMO_ENTRIES):
        unit = units.find(unit_id)
        sid = f"demo{n:028d}"
        campaign_id = "clip-phan-bac-thong-tin-xau-doc"
        try:
            record = submissions.create(NewSubmission(
                sid, campaign_id, unit.unit_id, unit.path, title, "", "Clip", [{"name": "Đoàn viên mẫu"}],
                "clip.mp4", "video/mp4", 1, "-", f"uploads/{campaign_id}/{sid}/demo.mp4", "post", None,
                noon - timedelta(days=n % 3)))
        except TransactWriteError:
            continue  # already seeded
        if status != "awaiting_upload":
            claimed = submissions.begin_validation(record, record.upload_key, "demo", noon)
            submissions.finish_validation(claimed, record.upload_key, "demo", status, {"status": status}, noon)
    for unit_id, url, caption in DEMO_LINKS:
        unit = units.find(unit_id)
        services().link_store.create(NewLink(
            "moi-tuan-mot-cau-chuyen-dep", unit.unit_id, unit.path, url, noon - timedelta(days=1),
            "#moituan1cauchuyendep" in caption, noon, "seed"))


def seed(config: CloudConfig, user_pool_id: str, today: date, walkthrough_at: datetime | None = None) -> list[Account]:
    """The samples; with `walkthrough_at` (`make run`) also seed 000's contest under way as of then:
    week 1 published and read at its end, week 2 taking votes, one entry awaiting review."""
    from datetime import timezone

    store = services().campaign_store
    for campaign in sample_campaigns():
        store.put(seeded_copy(campaign, today))
    OrgUnitStore().put_tree(load_tree_csv((SAMPLES / "organisation.csv").read_text(encoding="utf-8")))
    seed_demo_entries(today)
    seed_jury_panels(datetime.now(timezone.utc))
    if walkthrough_at is not None:
        from chalicelib.local.walkthrough import seed_walkthrough

        seed_walkthrough(walkthrough_at)
    accounts = default_accounts()
    for account in accounts:
        create_user(config, user_pool_id, account.username, account.password, account.role, account.unit_id)
    return accounts
