"""Seed 000's contest under way at `make run`, so the whole flow can be tried at once
(README, "Try the whole flow locally"): week 1 has ended with six published entries read by
the simulator at its end, week 2 takes votes with two more, and one valid entry awaits review.

Entries go through the product's own services (review, publication, engagement fan-out), so
what `make run` shows is what an organiser would have produced; ids are fixed so the README
can name them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.bootstrap import services
from chalicelib.domain.entry import NewSubmission
from chalicelib.domain.scope import Principal
from chalicelib.domain.weeks import week_window

CAMPAIGN_ID = "khat-vong-hung-cuong"
# The entry the README reviews and publishes.
AWAITING_REVIEW_ID = "kvhc0000000000000000000000000009"
SEEDER = Principal(user_id="seed", role="admin", username="seed")

# (unit, title, week it is published in; None: valid, awaiting review). None is from dk-tw-vhl,
# the unit the sample judge declared a conflict with, so the judge can score every finalist.
ENTRIES = (
    ("dk-tw-bo-ct-vp", "Khát vọng từ Văn phòng Bộ", 1),
    ("dk-tw-bo-ct-xnk", "Hàng Việt vươn xa", 1),
    ("dk-tw-bo-tttt-bc", "Người trẻ làm báo", 1),
    ("dk-tw-bo-tttt-ptth", "Sóng trẻ", 1),
    ("dk-tw-bo-ct-vp", "Một ngày ở Bộ", 1),
    ("dk-tw-bo-tttt-bc", "Tin thật, tin nhanh", 1),
    ("dk-tw-bo-ct-vp", "Sử Việt hôm nay", 2),
    ("dk-tw-bo-ct-xnk", "Cửa khẩu mùa xuân", 2),
    ("dk-tw-bo-tttt-ptth", "Thanh niên số", None),
)


def _entry_id(number: int) -> str:
    return f"kvhc{number:028d}"


def seed_walkthrough(now: datetime) -> None:
    from pynamodb.exceptions import TransactWriteError

    campaign = services().campaign_store.require(CAMPAIGN_ID)
    units, submissions, review = services().org_unit_store, services().submission_store, services().review
    week1_start, week1_end = week_window(campaign, 1)
    week2_start, _ = week_window(campaign, 2)
    published_in = {1: week1_start, 2: week2_start}
    created_at = week1_start - timedelta(days=3)
    for number, (unit_id, title, week) in enumerate(ENTRIES, start=1):
        unit = units.find(unit_id)
        entry_id = _entry_id(number)
        key = f"uploads/{CAMPAIGN_ID}/{entry_id}/video.mp4"
        try:
            record = submissions.create(NewSubmission(
                entry_id, CAMPAIGN_ID, unit.unit_id, unit.path, title, "", "Video",
                [{"name": f"Đoàn viên {number}", "email": f"doanvien{number}@example.vn"}],
                "video.mp4", "video/mp4", 1, "-", key, "post", None, created_at))
        except TransactWriteError:
            continue  # seeded already
        claimed = submissions.begin_validation(record, key, "walkthrough", created_at)
        submissions.finish_validation(claimed, key, "walkthrough", "valid", {"status": "valid"}, created_at)
        if week is None:
            continue
        # Spread over the first hours of the week (week 2's only up to now: nothing is published ahead).
        start = published_in[week]
        published_at = start + min(timedelta(hours=number), (now - start) / 2)
        review.review(SEEDER, entry_id, {"decision": "approve"}, published_at)
        review.publish(SEEDER, entry_id, {
            "platform": "tiktok", "video_id": f"74{number:08d}",
            "url": f"https://www.tiktok.com/@khatvonghungcuong/video/74{number:08d}",
            "published_at": published_at.isoformat()}, now)
    engagement = services().engagement
    # The reading at week 1's end, which the close waits for, and one now for the live leaderboard;
    # the event pump reads them through the metrics queue as soon as `make run` serves.
    engagement.fan_out(week1_end, "boundary", now)
    engagement.fan_out(now.astimezone(timezone.utc), "hourly", now)
