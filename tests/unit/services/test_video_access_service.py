"""Who gets links to an entry's video, on fakes: reviewers and judges of the pool, nobody else, all audited."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.scope import Principal
from chalicelib.services.video_access import VideoAccessService
from tests.fakes.world import ADMIN, NATIONAL_FILE, TREE, build_world, organiser_of

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
HA_NOI = organiser_of("ha-noi")
HCM = organiser_of("hcm")
JUDGE = Principal(user_id="j", role="jury", unit_id="dk-tw", unit_path=TREE.find("dk-tw").path, username="judge")


class PoolOf:
    def __init__(self, *entry_ids: str) -> None:
        self.entry_ids = set(entry_ids)

    def may_judge(self, principal, entry) -> bool:
        return principal.role == "jury" and entry.submission_id in self.entry_ids

    def campaign(self, campaign_id):
        return self.campaigns.require(campaign_id)


def service(world, pool=None) -> VideoAccessService:
    pool = pool or PoolOf()
    pool.campaigns = world.campaigns
    return VideoAccessService(world.entries, world.bucket, pool, world.audit)


@pytest.fixture
def world():
    """The national sample: Hà Nội's organisers review their branch (review delegated to the provinces)."""
    return build_world(NATIONAL_FILE)


def watchable(world, status="valid", title="Khát vọng hùng cường"):
    entry = world.entry(status=status, title=title)
    key = entry.upload_key
    world.bucket.put(key, b"video bytes")
    return world.entries.put(replace(entry, stored_key=key))


def test_a_reviewer_gets_inline_and_attachment_links_that_expire_in_five_minutes(world):
    entry = watchable(world)

    answer = service(world).links(HA_NOI, entry.submission_id, NOW)

    stream, download = (parse_qs(urlsplit(answer[k]).query) for k in ("stream_url", "download_url"))
    assert stream["response-content-disposition"][0].startswith('inline; filename="Khat-vong-hung-cuong.mp4"')
    assert download["response-content-disposition"][0].startswith('attachment; filename="Khat-vong-hung-cuong.mp4"')
    assert stream["response-content-type"] == ["video/mp4"]
    assert stream["X-Amz-Expires"] == ["300"] and answer["expires_at"] == "2024-08-06T03:05:00Z"
    [audited] = world.audit_trail.entries
    assert (audited.action, audited.entity_id, audited.actor) == ("view_video", entry.submission_id, HA_NOI.username)
    assert audited.after == {"granted": True, "key": entry.stored_key, "expires_at": "2024-08-06T03:05:00Z"}


@pytest.mark.parametrize("caller", [HCM, JUDGE, organiser_of("ha-noi-ba-dinh")], ids=["other-branch", "judge", "reader"])
def test_anyone_else_gets_the_answer_of_a_missing_entry_and_the_attempt_is_audited(world, caller):
    entry = watchable(world)

    with pytest.raises(NotFound) as refused:
        service(world).links(caller, entry.submission_id, NOW)

    assert refused.value.code == "submission_not_found"
    [audited] = world.audit_trail.entries
    assert audited.after == {"granted": False, "code": "submission_not_found"}


def test_a_judge_watches_an_entry_of_their_pool(world):
    entry = watchable(world, status="published")
    assert service(world, PoolOf(entry.submission_id)).links(JUDGE, entry.submission_id, NOW)["stream_url"]


@pytest.mark.parametrize("status", ["awaiting_upload", "validating", "invalid", "validation_error"])
def test_only_a_validated_video_is_linked(world, status):
    entry = watchable(world, status=status)
    with pytest.raises(Conflict) as refused:
        service(world).links(ADMIN, entry.submission_id, NOW)
    assert refused.value.code == "video_not_available"


def test_a_video_gone_from_the_bucket_is_not_available(world):
    entry = watchable(world)
    world.bucket.delete(entry.stored_key)
    with pytest.raises(Conflict):
        service(world).links(ADMIN, entry.submission_id, NOW)
