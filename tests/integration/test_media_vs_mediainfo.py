"""Cross-check the pure-Python prober against MediaInfo on every ffmpeg-made fixture.

MediaInfo (pymediainfo, dev-only) reads the whole file with a mature C++ parser; if
the two disagree on container, codec, display size, duration or audio, one of them
has a bug and it is almost certainly ours.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pymediainfo import MediaInfo

from chalicelib.adapters.local_files import LocalFileRangeReader
from chalicelib.domain.media.probe import (
    DEFAULT_BYTE_BUDGET,
    DEFAULT_MAX_REQUESTS,
    MediaProbeError,
    probe,
)
from tests.fixtures.make_videos import ensure_videos, fixture_cases

FFMPEG_CASES = [c for c in fixture_cases() if c.made_by_ffmpeg]
CODECS = {"AVC": "h264", "HEVC": "hevc", "VP9": "vp9", "AV1": "av1"}


@pytest.fixture(scope="session")
def videos() -> Path:
    return ensure_videos()


def _container(general) -> str:
    # MediaInfo calls both "MPEG-4"; the ftyp brand it reports as codec_id tells them apart.
    return "mov" if (general.codec_id or "").strip() == "qt" else "mp4"


def _display(video) -> tuple[int, int, int]:
    """(width, height, clockwise rotation) as a viewer sees the picture."""
    rotation = round(float(video.rotation or 0)) % 360
    width, height = int(video.width), int(video.height)
    if rotation in (90, 270):
        width, height = height, width
    return width, height, rotation


@pytest.mark.parametrize("case", FFMPEG_CASES, ids=lambda c: c.name)
def test_probe_agrees_with_mediainfo(videos, case):
    path = case.path(videos)
    info = MediaInfo.parse(str(path))
    general = info.general_tracks[0]
    video_tracks, audio_tracks = info.video_tracks, info.audio_tracks

    try:
        facts = probe(LocalFileRangeReader(path))
    except MediaProbeError as error:
        assert error.code == "not_a_video"
        assert not video_tracks, "MediaInfo found a video track the prober missed"
        return

    assert facts.get_requests <= DEFAULT_MAX_REQUESTS and facts.bytes_read <= DEFAULT_BYTE_BUDGET
    assert len(video_tracks) == 1
    video = video_tracks[0]
    assert facts.container == _container(general)
    assert facts.video_codec == CODECS[video.format]
    assert (facts.coded_width, facts.coded_height) == (int(video.width), int(video.height))
    assert (facts.display_width, facts.display_height, facts.rotation) == _display(video)
    assert facts.duration_seconds == pytest.approx(float(general.duration) / 1000, abs=0.1)
    assert facts.has_audio == bool(audio_tracks)
    if video.format == "AVC" and video.format_profile:
        # MediaInfo writes e.g. "Constrained Baseline@L4"
        assert facts.codec_profile == video.format_profile.split("@")[0]
    if video.frame_rate:
        assert facts.frame_rate == pytest.approx(float(video.frame_rate), rel=0.02)
