"""evaluate()/judge(): media facts + a campaign's MediaRules -> a Verdict participants read."""
from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from chalicelib.adapters.local_files import LocalFileRangeReader
from chalicelib.domain.media.rules import MediaRules, media_rules_from
from chalicelib.domain.media import messages
from chalicelib.domain.media.checks import (
    DURATION_TOLERANCE_SECONDS,
    CheckResult,
    Verdict,
    evaluate,
    judge,
)
from chalicelib.domain.media.probe import BytesRangeReader, MediaFacts
from tests.fixtures import FailingReader, SparseReader
from tests.fixtures.make_videos import (
    campaign_rules,
    case,
    ensure_videos,
    fixture_cases,
    synthetic_moov,
    ftyp,
)

RULES = campaign_rules()
VIETNAMESE = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)


@pytest.fixture(scope="session")
def videos() -> Path:
    return ensure_videos()


def _rules(**changes) -> MediaRules:
    return media_rules_from({**RULES.to_dict(), **changes})


def _facts(**changes) -> MediaFacts:
    base = dict(
        container="mp4", major_brand="isom", compatible_brands=["isom"], video_codec="h264",
        codec_profile="High", coded_width=1080, coded_height=1920, rotation=0,
        display_width=1080, display_height=1920, duration_seconds=30.0, frame_rate=30.0,
        has_audio=True, fragmented=False, size_bytes=50_000_000, bytes_read=65536, get_requests=1,
    )
    return MediaFacts(**{**base, **changes})


def _problems(verdict: Verdict) -> set[str]:
    return set(verdict.codes("fail", "warn"))


def _check(verdict: Verdict, code: str) -> CheckResult:
    return next(c for c in verdict.checks if c.code == code)


# --- the matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", fixture_cases(), ids=lambda c: c.name)
def test_every_fixture_gets_its_expected_verdict(videos, fixture):
    verdict = evaluate(LocalFileRangeReader(fixture.path(videos)), RULES)
    assert verdict.status == fixture.expected_status
    assert _problems(verdict) == set(fixture.expected_codes)
    document = json.loads(json.dumps(verdict.to_dict()))
    assert document["status"] == fixture.expected_status
    for check in verdict.checks:
        assert check.outcome in {"pass", "fail", "warn"}
        assert check.message_vi and check.message_en
        if check.outcome != "pass":
            assert VIETNAMESE.search(check.message_vi), check.message_vi


def test_matrix_expectations_are_consistent():
    for fixture in fixture_cases():
        fails = set(fixture.expected_codes) - {"frame_rate_unusual", "no_audio"}
        assert (fixture.expected_status == "invalid") == bool(fails), fixture.name


# --- rules other campaigns may set --------------------------------------------------------


def test_minimum_resolution_accepts_4k_and_names_small_files(videos):
    rules = _rules(resolution={"width": 1080, "height": 1920, "match": "minimum"})
    uhd = evaluate(LocalFileRangeReader(case("uhd-2160x3840.mp4").path(videos)), rules)
    assert uhd.status == "valid"
    small = evaluate(LocalFileRangeReader(case("small-720x1280.mp4").path(videos)), rules)
    assert _problems(small) == {"resolution_too_small"}
    check = _check(small, "resolution_too_small")
    assert "tối thiểu 1080×1920" in check.message_vi and "720×1280" in check.message_vi


def test_landscape_is_named_as_such_for_minimum_rules_too():
    rules = _rules(resolution={"width": 1080, "height": 1920, "match": "minimum"})
    verdict = judge(_facts(coded_width=3840, coded_height=2160, display_width=3840, display_height=2160), rules)
    assert _problems(verdict) == {"landscape_not_rotated"}


def test_minimum_rule_in_portrait_refuses_a_big_landscape_clip_even_if_rotated():
    rules = _rules(resolution={"width": 1080, "height": 1920, "match": "minimum"})
    facts = _facts(rotation=90, coded_width=2160, coded_height=3840, display_width=3840, display_height=2160)
    verdict = judge(facts, rules)
    assert _problems(verdict) == {"resolution_too_small"}
    assert _check(verdict, "resolution_too_small").message_vi == (
        "Video phải là video dọc có kích thước khung hình tối thiểu 1080×1920; "
        "video của bạn là 3840×2160 (ngang)."
    )


def test_landscape_by_rotation_is_a_plain_mismatch():
    facts = _facts(coded_width=1080, coded_height=1920, rotation=90, display_width=1920, display_height=1080)
    verdict = judge(facts, RULES)
    assert _problems(verdict) == {"resolution_mismatch"}
    assert _check(verdict, "resolution_mismatch").message_vi == (
        "Video phải có kích thước khung hình đúng 1080×1920 (dọc); video của bạn là 1920×1080 (ngang)."
    )


def test_rotated_phone_clip_shows_its_coded_size_in_actual(videos):
    verdict = evaluate(LocalFileRangeReader(case("valid-rotated-90.mp4").path(videos)), RULES)
    assert _check(verdict, "resolution_ok").actual == "1080x1920 (coded 1920x1080, rotated 90)"


def test_no_resolution_rule_means_no_resolution_check():
    verdict = judge(_facts(display_width=640, display_height=360), _rules(resolution=None))
    assert verdict.status == "valid"
    assert not any(code.startswith("resolution") for code in verdict.codes())


def test_campaign_allowing_hevc_accepts_it(videos):
    rules = _rules(video_codecs=["h264", "hevc"])
    verdict = evaluate(LocalFileRangeReader(case("codec-hevc.mp4").path(videos)), rules)
    assert verdict.status == "valid"
    assert "H.265/HEVC" in _check(verdict, "codec_allowed").message_vi


def test_hevc_rejection_tells_iphone_users_what_to_change():
    check = _check(judge(_facts(video_codec="hevc"), RULES), "codec_not_allowed")
    assert "H.265/HEVC" in check.message_vi and "H.264/AVC" in check.message_vi
    assert "Tương thích nhất" in check.message_vi
    assert (check.expected, check.actual) == ("h264", "hevc")


def test_mov_only_campaign_rejects_mp4():
    verdict = judge(_facts(), _rules(containers=["mov"]))
    check = _check(verdict, "container_not_allowed")
    assert "tệp của bạn là MP4" in check.message_vi and "chỉ nhận MOV" in check.message_vi


def test_unknown_brand_is_reported_by_name():
    verdict = judge(_facts(container=None, major_brand="3gp4"), RULES)
    assert "3GP" in _check(verdict, "container_not_allowed").message_vi


def test_audio_not_expected_means_no_audio_check():
    verdict = judge(_facts(has_audio=False), _rules(audio_expected=False))
    assert verdict.status == "valid" and "no_audio" not in verdict.codes()


def test_unknown_frame_rate_is_not_warned_about():
    verdict = judge(_facts(frame_rate=None), RULES)
    assert not any(code.startswith("frame_rate") for code in verdict.codes())


@pytest.mark.parametrize("fps, warned", [(23.0, False), (29.97, False), (60.0, False), (22.5, True), (120.0, True), (1.0, True)])
def test_frame_rate_band(fps, warned):
    assert ("frame_rate_unusual" in judge(_facts(frame_rate=fps), RULES).codes()) is warned


def test_warnings_never_reject():
    verdict = judge(_facts(frame_rate=15.0, has_audio=False), RULES)
    assert verdict.status == "valid"
    assert _problems(verdict) == {"frame_rate_unusual", "no_audio"}
    assert all(c.outcome == "warn" for c in verdict.checks if c.code in _problems(verdict))


# --- durations --------------------------------------------------------------------------------


def test_duration_message_reads_naturally():
    check = _check(judge(_facts(duration_seconds=12.0), RULES), "duration_too_short")
    assert check.message_vi == "Video phải dài từ 15 đến 180 giây; tệp của bạn dài 12,0 giây."
    assert check.message_en == "The video must be between 15 and 180 seconds long; yours is 12.0 seconds."
    assert (check.expected, check.actual) == ("15-180 s", "12.000 s")


@pytest.mark.parametrize(
    "seconds, code",
    [(14.9, "duration_too_short"), (15 - DURATION_TOLERANCE_SECONDS, "duration_ok"), (15.0, "duration_ok"),
     (180.0, "duration_ok"), (180 + DURATION_TOLERANCE_SECONDS, "duration_ok"),
     (180.06, "duration_too_long"), (181.0, "duration_too_long")],
)
def test_duration_bounds_are_inclusive(seconds, code):
    assert _check(judge(_facts(duration_seconds=seconds), RULES), code)


def test_a_rejected_duration_never_prints_as_the_limit():
    check = _check(judge(_facts(duration_seconds=180.06), RULES), "duration_too_long")
    assert "dài 180,1 giây" in check.message_vi
    # Were the tolerance ever tightened, 180.04 must not read "180,0".
    vi, en = messages.duration_out_of_range(15, 180, 180.04)
    assert "dài 180,04 giây" in vi and "is 180.04 seconds" in en


def test_unknown_duration_fails():
    assert _problems(judge(_facts(duration_seconds=None), RULES)) == {"duration_unknown"}


# --- file size -----------------------------------------------------------------------------------


def test_file_too_large_is_checked_from_the_object_size():
    moov = synthetic_moov(seconds=60)
    head = ftyp() + moov
    size = 3 * 1024**3
    head += struct.pack(">I4s", size - len(head), b"mdat")
    verdict = evaluate(SparseReader(size, {0: head}, max_read=1024**2), RULES)
    check = _check(verdict, "file_too_large")
    assert check.message_vi.startswith("Tệp quá lớn: tối đa 2 GB, tệp của bạn 3 GB.")
    assert verdict.status == "invalid"


def test_size_just_over_the_limit_is_shown_precisely():
    check = _check(judge(_facts(size_bytes=RULES.max_file_size_bytes + 5_000_000), RULES), "file_too_large")
    assert "tối đa 2 GB, tệp của bạn 2,005 GB." in check.message_vi


# --- unreadable files ------------------------------------------------------------------------------


def test_probe_failure_becomes_one_failed_check_with_its_code():
    verdict = evaluate(BytesRangeReader(b"\x89PNG\r\n\x1a\n" + bytes(100)), RULES)
    assert verdict.status == "invalid"
    assert verdict.codes() == ["file_size_ok", "not_a_video"]
    assert verdict.facts["bytes_read"] == 108 and verdict.facts["get_requests"] == 1
    assert "không phải là video" in _check(verdict, "not_a_video").message_vi


def test_empty_file_has_no_size_check():
    assert evaluate(BytesRangeReader(b""), RULES).codes() == ["empty_file"]


def test_storage_failure_is_not_a_verdict():
    with pytest.raises(TimeoutError):
        evaluate(FailingReader(10_000, TimeoutError("read timed out")), RULES)


def test_every_code_has_distinct_participant_text():
    seen: dict[str, str] = {}
    facts_variants = [
        _facts(), _facts(video_codec="vp9"), _facts(display_width=720, display_height=1280),
        _facts(display_width=1920, display_height=1080), _facts(duration_seconds=3.0),
        _facts(duration_seconds=999.0), _facts(frame_rate=10.0), _facts(has_audio=False),
        _facts(container=None, major_brand="XYZ1"), _facts(size_bytes=10**10),
        _facts(display_width=None, display_height=None), _facts(duration_seconds=None),
    ]
    for facts in facts_variants:
        for check in judge(facts, RULES).checks:
            seen.setdefault(check.code, check.message_vi)
    assert len(set(seen.values())) == len(seen)
    assert {"codec_not_allowed", "resolution_mismatch", "landscape_not_rotated", "duration_too_short",
            "duration_too_long", "frame_rate_unusual", "no_audio", "container_not_allowed",
            "file_too_large", "resolution_unknown", "duration_unknown"} <= set(seen)
