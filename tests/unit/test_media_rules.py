"""media_rules_from(): the one media-rules parser keeps the rules, field paths and wording the
pydantic models had. Those models are kept here, unchanged, as the oracle."""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chalicelib.domain.campaign import parse_campaign
from chalicelib.domain.errors import CampaignConfigError
from chalicelib.domain.media.rules import FrameRateRange, MediaRules, MediaRulesError, media_rules_from

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "campaigns"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OracleResolution(_Strict):
    width: int = Field(gt=0, le=16384)
    height: int = Field(gt=0, le=16384)
    match: Literal["exact", "minimum"] = "exact"


class OracleDurationRange(_Strict):
    min_seconds: float = Field(ge=0)
    max_seconds: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "OracleDurationRange":
        if self.min_seconds > self.max_seconds:
            raise ValueError("min_seconds must not exceed max_seconds")
        return self


class OracleFrameRateRange(_Strict):
    min_fps: float = Field(default=23, gt=0)
    max_fps: float = Field(default=60, gt=0)


class OracleMediaRules(_Strict):
    containers: list[Literal["mp4", "mov"]] = Field(min_length=1)
    video_codecs: list[Literal["h264", "hevc", "vp9", "av1"]] = Field(min_length=1)
    resolution: OracleResolution | None = None
    duration: OracleDurationRange
    max_file_size_bytes: int = Field(gt=0, le=50 * 1024**3)
    frame_rate_warning: OracleFrameRateRange = OracleFrameRateRange()
    audio_expected: bool = True


def _names(message: str) -> str:
    """Pydantic names its model classes in type errors; ours are named without the prefix."""
    return message.replace("instance of Oracle", "instance of ")


def sample_media(name: str = "khat-vong-hung-cuong") -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))["media"]


def _set(*path, value):
    def mutate(media):
        target = media
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _drop(*path):
    def mutate(media):
        target = media
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


MUTATIONS = {
    "as-is": lambda m: None,
    "not-a-dict": lambda m: m.clear() or m.update(oops=1),
    "no-containers": _drop("containers"),
    "empty-containers": _set("containers", value=[]),
    "containers-as-text": _set("containers", value="mp4"),
    "containers-as-tuple": _set("containers", value=("mov",)),
    "upper-case-container": _set("containers", value=["MP4"]),
    "unknown-codec": _set("video_codecs", value=["h264", "divx"]),
    "codecs-null": _set("video_codecs", value=None),
    "two-bad-codecs": _set("video_codecs", value=["x", 3]),
    "no-resolution": _drop("resolution"),
    "null-resolution": _set("resolution", value=None),
    "resolution-list": _set("resolution", value=[1080, 1920]),
    "resolution-no-width": _drop("resolution", "width"),
    "resolution-zero-and-huge": lambda m: m["resolution"].update(width=0, height=20000),
    "resolution-fraction": _set("resolution", "width", value=1.5),
    "resolution-integral-float": _set("resolution", "width", value=1080.0),
    "resolution-text": _set("resolution", "width", value="abc"),
    "resolution-numeric-text": _set("resolution", "width", value=" 1080 "),
    "resolution-bool": _set("resolution", "height", value=True),
    "resolution-minimum": _set("resolution", "match", value="minimum"),
    "resolution-roughly": _set("resolution", "match", value="roughly"),
    "resolution-extra": _set("resolution", "depth", value=8),
    "no-match": _drop("resolution", "match"),
    "duration-reversed": _set("duration", "min_seconds", value=200),
    "duration-reversed-and-extra": lambda m: m["duration"].update(min_seconds=200, typo=1),
    "duration-negative": _set("duration", "min_seconds", value=-5),
    "duration-zero-max": lambda m: m["duration"].update(min_seconds=-1, max_seconds=0),
    "duration-text": _set("duration", "min_seconds", value="abc"),
    "duration-numeric-text": _set("duration", "max_seconds", value="120.5"),
    "duration-nan": _set("duration", "min_seconds", value=float("nan")),
    "duration-infinite-max": _set("duration", "max_seconds", value=float("inf")),
    "duration-decimal": _set("duration", "max_seconds", value=Decimal("90.5")),
    "duration-missing": _drop("duration"),
    "duration-as-text": _set("duration", value="15-180"),
    "duration-no-max": _drop("duration", "max_seconds"),
    "zero-size": _set("max_file_size_bytes", value=0),
    "huge-size": _set("max_file_size_bytes", value=50 * 1024**3 + 1),
    "size-null": _set("max_file_size_bytes", value=None),
    "size-decimal": _set("max_file_size_bytes", value=Decimal(1024)),
    "size-infinite": _set("max_file_size_bytes", value=float("inf")),
    "no-frame-rate": _drop("frame_rate_warning"),
    "frame-rate-partial": _set("frame_rate_warning", value={"max_fps": 50}),
    "frame-rate-zero-and-extra": _set("frame_rate_warning", value={"min_fps": 0, "extra": 1}),
    "frame-rate-null": _set("frame_rate_warning", value=None),
    "no-audio-rule": _drop("audio_expected"),
    "audio-false": _set("audio_expected", value=False),
    "audio-null": _set("audio_expected", value=None),
    "audio-word": _set("audio_expected", value="No"),
    "audio-one": _set("audio_expected", value=1),
    "audio-two": _set("audio_expected", value=2),
    "audio-spaced-word": _set("audio_expected", value=" yes"),
    "unknown-key": _set("colour", value="red"),
    "many-problems": lambda m: m.update(containers=[], max_file_size_bytes=-1, extra=1, duration=None),
}


def _oracle(media) -> tuple[str | None, list[tuple[tuple, str]]]:
    """The stored document as JSON text (so 15 and 15.0 differ), or the problems."""
    try:
        return json.dumps(OracleMediaRules.model_validate(media).model_dump(mode="json")), []
    except ValidationError as refused:
        return None, [(err["loc"], _names(err["msg"])) for err in refused.errors()]


def _ours(media) -> tuple[str | None, list[tuple[tuple, str]]]:
    try:
        return json.dumps(media_rules_from(media, path="").to_dict()), []
    except MediaRulesError as refused:
        return None, refused.locations


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_the_parser_accepts_refuses_and_words_problems_as_the_pydantic_models_did(mutate):
    media = sample_media()
    mutate(media)
    assert _ours(copy.deepcopy(media)) == _oracle(copy.deepcopy(media))


@pytest.mark.parametrize("name", ["khat-vong-hung-cuong", "clip-phan-bac-thong-tin-xau-doc"])
def test_every_sample_reads_to_the_same_document(name):
    media = sample_media(name)
    assert json.dumps(media_rules_from(media).to_dict()) == _oracle(media)[0]


def test_problems_name_the_field_under_the_given_path_and_source():
    media = sample_media()
    media["video_codecs"] = ["h264", "divx"]
    media["duration"]["min_seconds"] = -5
    with pytest.raises(CampaignConfigError) as refused:
        media_rules_from(media, source="samples/x.json")
    assert [field for field, _ in refused.value.problems] == ["media.video_codecs.1", "media.duration.min_seconds"]
    assert str(refused.value).startswith("samples/x.json: invalid campaign configuration: media.video_codecs.1: ")


def test_rules_are_a_frozen_value_that_reads_as_itself():
    rules = media_rules_from(sample_media())
    assert media_rules_from(rules) is rules
    assert media_rules_from(rules.to_dict()) == rules
    assert rules.content_types == ("video/mp4", "video/quicktime")
    with pytest.raises(AttributeError):
        rules.max_file_size_bytes = 1  # type: ignore[misc]
    assert media_rules_from({**rules.to_dict(), "frame_rate_warning": FrameRateRange()}) == rules


def test_a_campaign_reports_media_problems_where_it_reports_every_other_field():
    data = json.loads((SAMPLES / "khat-vong-hung-cuong.json").read_text(encoding="utf-8"))
    data["media"]["containers"] = []
    data["media"]["resolution"]["match"] = "roughly"
    data["timezone"] = "Mars/Olympus"
    with pytest.raises(CampaignConfigError) as refused:
        parse_campaign(data, source="bad.json")
    assert dict(refused.value.problems) == {
        "media.containers": "List should have at least 1 item after validation, not 0",
        "media.resolution.match": "Input should be 'exact' or 'minimum'",
        "timezone": "Value error, unknown time zone 'Mars/Olympus'",
    }
    data["media"] = "mp4 only"
    with pytest.raises(CampaignConfigError) as refused:
        parse_campaign(data, source="bad.json")
    assert ("media", "Input should be a valid dictionary or instance of MediaRules") in refused.value.problems


def test_a_campaign_keeps_its_media_document_and_round_trips():
    data = json.loads((SAMPLES / "khat-vong-hung-cuong.json").read_text(encoding="utf-8"))
    del data["media"]["frame_rate_warning"]
    campaign = parse_campaign(data)
    assert isinstance(campaign.media, MediaRules)
    document = campaign.to_document()
    assert json.dumps(document["media"]) == _oracle(data["media"])[0]
    assert list(document)[list(document).index("media") - 1] == "timezone"
    assert parse_campaign(document) == campaign
    assert campaign.shifted_by_weeks(1).media == campaign.media
