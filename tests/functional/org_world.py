"""Entries and links spread over the seeded tree, for the organiser routes' tests.

Each test module that needs them gets its own campaigns (fresh ids), so counts
are exact whatever other tests create.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from chalicelib.adapters.dynamodb.submissions import NewSubmission
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.local.seed import SAMPLES, live_copy

# Where each probe entry lives, named by its relation to organiser-ba-dinh (district ha-noi-ba-dinh).
PLACES = {
    "own": "ha-noi-ba-dinh-kim-ma",       # inside the caller's branch
    "own_unit": "ha-noi-ba-dinh",          # the caller's unit itself
    "parent": "ha-noi",                    # the caller's parent (province) itself
    "sibling": "ha-noi-hoan-kiem-hang-bac",  # a sibling district's branch
    "other_province": "hcm-q1-ben-nghe",   # another province
}


@dataclass
class World:
    upload_campaign: str
    link_campaign: str
    entries: dict[str, list[str]] = field(default_factory=dict)  # place -> submission ids
    titles: dict[str, str] = field(default_factory=dict)         # place -> entry title
    links: dict[str, str] = field(default_factory=dict)          # place -> url

    def entry_in(self, unit_id: str) -> str:
        """A probe entry of that unit (for routes that act on one entry: /submissions/{id}/...)."""
        place = next(p for p, u in PLACES.items() if u == unit_id)
        return self.entries[place][0]

    def foreign_markers(self, caller_places: set[str]) -> set[str]:
        """Titles and URLs of data outside the caller's branch: must never appear."""
        return {self.titles[p] for p in PLACES if p not in caller_places} | {
            self.links[p] for p in PLACES if p not in caller_places
        }


def build_world(now: datetime | None = None) -> World:
    now = now or datetime.now(timezone.utc)
    suffix = uuid.uuid4().hex[:6]
    campaigns = services().campaign_store
    upload = load_campaign_file(SAMPLES / "campaigns" / "clip-phan-bac-thong-tin-xau-doc.json")
    # Open to every unit, and reviewed by each probe caller for their own branch (review delegated to
    # them), so these campaigns test the branch scope; who reviews is tested in test_campaign_roles.py.
    everyone = {"organiser_unit": "tw", "eligible_units": ["tw"],
                "review_delegated_to": ["ha-noi", "ha-noi-ba-dinh", "hcm"]}
    upload = live_copy(upload, now.date()).model_copy(update={"id": f"org-clips-{suffix}", **everyone})
    link = load_campaign_file(SAMPLES / "campaigns" / "moi-tuan-mot-cau-chuyen-dep.json")
    link = live_copy(link, now.date()).model_copy(update={"id": f"org-links-{suffix}", **everyone})
    campaigns.put(upload)
    campaigns.put(link)
    world = World(upload.id, link.id)
    units = services().org_unit_store
    store = services().submission_store
    for place, unit_id in PLACES.items():
        unit = units.find(unit_id)
        title = f"Tác phẩm {place} {suffix} – Hà Nội"
        world.titles[place] = title
        ids = []
        for n in range(2 if place == "own" else 1):
            submission_id = uuid.uuid4().hex
            record = store.create(NewSubmission(
                submission_id=submission_id, campaign_id=upload.id, unit_id=unit.unit_id, unit_path=unit.path,
                title=title, description="", category="Clip", authors=[{"name": "Nguyễn Văn Ả", "email": "a@x.vn"}],
                file_name="a.mp4", content_type="video/mp4", declared_size=1, access_token_hash="h",
                upload_key=f"uploads/{upload.id}/{submission_id}/k.mp4", upload_kind="post",
                multipart_upload_id=None, created_at=now - timedelta(minutes=10 - n)))
            key, object_id = record.upload_key, f"b/{record.upload_key}#e"
            claimed = store.begin_validation(record, key, object_id, now)
            store.finish_validation(claimed, key, object_id, "valid", {"status": "valid"}, now)
            ids.append(submission_id)
        world.entries[place] = ids
        url = f"https://facebook.com/{unit_id}/posts/{suffix}"
        world.links[place] = url
        from chalicelib.adapters.dynamodb.links import NewLink

        services().link_store.create(NewLink(link.id, unit.unit_id, unit.path, url, now - timedelta(hours=1),
                                                 True, now, "test"))
    return world
