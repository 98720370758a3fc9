"""A participant's entry on fakes: creating it, following it, replacing its video."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.entry_views import participant_view
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.uploads import PRESIGNED_POST_LIMIT
from chalicelib.services.participants import ParticipantService
from tests.fakes.world import DURING_SUBMISSIONS as NOW

MIB = 1024**2


@pytest.fixture
def participants(world) -> ParticipantService:
    return ParticipantService(world.campaigns, world.units, world.entries, world.bucket)


def declared(**changes) -> dict:
    return {"title": "Tuổi trẻ Bộ Công Thương", "unit_id": "dk-tw-bo-ct-vp", "category": "Clip",
            "authors": [{"name": "Nguyễn Văn A", "email": "a@example.vn"}], "file_name": "a.mp4",
            "content_type": "video/mp4", "size_bytes": 10 * MIB, "accepted_terms_version": "2024-1", **changes}


def test_a_new_entry_awaits_its_upload_and_is_only_readable_with_its_token(world, participants):
    created = participants.create(world.campaign.id, declared(), NOW)

    assert (created["status"], created["upload"]["method"]) == ("awaiting_upload", "POST")
    stored = world.entries.get(created["submission_id"])
    assert stored.unit_path == world.units.find("dk-tw-bo-ct-vp").path
    assert created["access_token"] not in repr(stored)  # only its hash is kept
    assert participants.view(created["submission_id"], created["access_token"]) == participant_view(stored)
    with pytest.raises(NotFound):
        participants.view(created["submission_id"], "someone-elses-token")
    with pytest.raises(Unauthenticated):
        participants.view(created["submission_id"], None)


def test_a_large_file_gets_a_multipart_upload(world, participants):
    created = participants.create(world.campaign.id, declared(size_bytes=PRESIGNED_POST_LIMIT + 1), NOW)

    upload = created["upload"]
    assert upload["method"] == "MULTIPART" and len(upload["parts"]) == upload["part_count"]
    assert world.entries.get(created["submission_id"]).multipart_upload_id is not None


def test_an_unknown_unit_is_refused(world, participants):
    with pytest.raises(InvalidInput) as refused:
        participants.create(world.campaign.id, declared(unit_id="nowhere"), NOW)

    assert refused.value.code == "unknown_unit" and world.entries.items == {}


@pytest.mark.parametrize("unit_id", ["ha-noi-ba-dinh-kim-ma", "tw"], ids=["another-province", "the-unit-above"])
def test_a_unit_outside_the_campaigns_eligible_units_is_refused(world, participants, unit_id):
    """Seed 000's contest is for the branches under Đoàn Khối (its organising unit, the default)."""
    with pytest.raises(InvalidInput) as refused:
        participants.create(world.campaign.id, declared(unit_id=unit_id), NOW)

    assert refused.value.code == "unit_not_eligible" and world.entries.items == {}
    assert refused.value.details["eligible_units"] == ["dk-tw"]


def test_named_eligible_units_replace_the_organising_units_subtree(world, participants):
    world.campaigns.put(world.campaign.model_copy(update={"eligible_units": ["ha-noi-ba-dinh", "dk-tw-vhl"]}))

    assert participants.create(world.campaign.id, declared(unit_id="ha-noi-ba-dinh-kim-ma"), NOW)["submission_id"]
    assert participants.create(world.campaign.id, declared(unit_id="dk-tw-vhl-vsh"), NOW)["submission_id"]
    with pytest.raises(InvalidInput) as refused:
        participants.create(world.campaign.id, declared(), NOW)
    assert refused.value.code == "unit_not_eligible"


def test_an_invalid_video_can_be_replaced_and_awaits_the_new_upload(world, participants):
    created = participants.create(world.campaign.id, declared(), NOW)
    entry = world.entries.get(created["submission_id"])
    world.entries.put(replace(entry, status="invalid"))

    again = participants.new_upload(created["submission_id"], created["access_token"],
                                    {"file_name": "b.mov", "content_type": "video/quicktime", "size_bytes": MIB},
                                    NOW + timedelta(minutes=5))

    stored = world.entries.get(created["submission_id"])
    assert (stored.status, stored.upload_key, stored.file_name) == ("awaiting_upload", again["upload"]["key"], "b.mov")


def test_an_approved_entry_keeps_its_video(world, participants):
    created = participants.create(world.campaign.id, declared(), NOW)
    entry = world.entries.get(created["submission_id"])
    world.entries.put(replace(entry, status="approved"))

    with pytest.raises(Conflict) as refused:
        participants.new_upload(created["submission_id"], created["access_token"],
                                {"file_name": "b.mp4", "content_type": "video/mp4", "size_bytes": MIB}, NOW)

    assert refused.value.code == "entry_locked"
