"""Each audience's view of an entry is an allow-list built in one place (domain/entry_views.py)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_views import jury_labels, organiser_row, organiser_view, participant_view, ranking_labels
from tests.fakes.world import TREE

AT = datetime(2024, 8, 5, 2, 0, tzinfo=timezone.utc)
ENTRY = Entry(
    submission_id="e1", campaign_id="c1", unit_id="ha-noi-ba-dinh-kim-ma",
    unit_path=TREE.find("ha-noi-ba-dinh-kim-ma").path, status="published", title="Tuổi trẻ Kim Mã",
    created_at=AT, status_changed_at=AT, access_token_hash="secret-hash", upload_key="uploads/c1/e1/a.mp4",
    upload_kind="post", declared_size=10, authors=[{"name": "Nguyễn Văn A", "email": "a@example.vn"}],
    review={"publication": {"url": "https://www.tiktok.com/@a/video/1"}, "rejection_reason": None},
    campaign_week="c1#1", platform_video="tiktok#1", published_at=AT,
)
PRIVATE = ("secret-hash", "uploads/c1/e1/a.mp4", "a@example.vn")


def test_no_view_shows_the_token_hash_the_upload_key_or_contact_details():
    views = [participant_view(ENTRY), organiser_view(ENTRY), organiser_row(ENTRY),
             ranking_labels(ENTRY, TREE), jury_labels(ENTRY, TREE)]
    for view in views:
        assert not any(secret in repr(view) for secret in PRIVATE), view


def test_the_participant_learns_whether_the_video_can_still_be_replaced():
    assert participant_view(ENTRY)["can_replace_video"] is False
    assert participant_view(replace(ENTRY, status="invalid"))["can_replace_video"] is True


def test_rankings_name_the_unit_and_the_jury_also_gets_the_videos_link():
    assert ranking_labels(ENTRY, TREE) == {"title": "Tuổi trẻ Kim Mã", "unit_id": "ha-noi-ba-dinh-kim-ma",
                                           "unit_name": TREE.find("ha-noi-ba-dinh-kim-ma").name}
    assert jury_labels(ENTRY, TREE)["url"] == "https://www.tiktok.com/@a/video/1"
    assert jury_labels(None, TREE) == {"title": None, "unit_id": None, "unit_name": None, "url": None}


def test_an_organisers_list_row_shows_authors_by_name_and_vietnam_time():
    row = organiser_row(ENTRY)
    assert row["authors"] == ["Nguyễn Văn A"]
    assert row["created_at_vietnam"] == "2024-08-05 09:00"
