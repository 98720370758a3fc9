"""probe(): facts from header boxes, ranged-read strategy, limits, hostile input."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from chalicelib.adapters.local_files import LocalFileRangeReader
from chalicelib.domain.media import bmff
from chalicelib.domain.media.checks import evaluate
from chalicelib.domain.media.probe import (
    DEFAULT_BYTE_BUDGET,
    DEFAULT_MAX_REQUESTS,
    HEAD_READ,
    BytesRangeReader,
    MediaFacts,
    MediaProbeError,
    RangeReader,
    probe,
)
from tests.fixtures import CountingReader, FailingReader, SparseReader
from tests.fixtures import make_videos
from tests.fixtures.make_videos import (
    box,
    campaign_rules,
    ensure_videos,
    fixture_cases,
    ftyp,
    full_box,
    synthetic_fragmented_mp4,
    synthetic_moov,
    synthetic_mp4,
)

KIB, MIB, GIB = 1024, 1024**2, 1024**3
CASES = fixture_cases()


@pytest.fixture(scope="session")
def videos() -> Path:
    return ensure_videos()


def _probe_file(path: Path, **limits) -> tuple[MediaFacts | MediaProbeError, CountingReader]:
    reader = CountingReader(LocalFileRangeReader(path))
    try:
        return probe(reader, **limits), reader
    except MediaProbeError as error:
        return error, reader


def _assert_facts(facts: MediaFacts, expected: dict, duration_tolerance: float) -> None:
    got = facts.to_dict()
    for key, want in expected.items():
        if key == "duration_seconds":
            assert got[key] == pytest.approx(want, abs=duration_tolerance), key
        elif key == "frame_rate" and want is not None:
            assert got[key] == pytest.approx(want, abs=0.1), key
        else:
            assert got[key] == want, key


# --- the fixture matrix ---------------------------------------------------------------


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.expected_facts], ids=lambda c: c.name
)
def test_facts_of_every_readable_fixture(videos, case):
    result, reader = _probe_file(case.path(videos))
    assert isinstance(result, MediaFacts), result
    _assert_facts(result, dict(case.expected_facts), case.duration_tolerance)
    assert result.size_bytes == case.path(videos).stat().st_size


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.expected_probe_error], ids=lambda c: c.name
)
def test_unreadable_fixtures_raise_their_code(videos, case):
    result, reader = _probe_file(case.path(videos))
    assert isinstance(result, MediaProbeError), result
    assert result.code == case.expected_probe_error
    assert result.facts.bytes_read == reader.log.bytes
    assert result.facts.get_requests == reader.log.requests


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_accounting_is_exact_and_within_limits(videos, case):
    result, reader = _probe_file(case.path(videos))
    facts = result.facts if isinstance(result, MediaProbeError) else result
    assert facts.bytes_read == reader.log.bytes <= DEFAULT_BYTE_BUDGET
    assert facts.get_requests == reader.log.requests <= DEFAULT_MAX_REQUESTS
    json.dumps(facts.to_dict())


def test_matrix_covers_what_the_brief_asks_for():
    names = {c.name for c in CASES}
    for name in [
        "valid-faststart.mp4", "valid-moov-at-end.mp4", "valid-quicktime.mov",
        "valid-rotated-90.mp4", "valid-rotated-270.mp4", "valid-fragmented.mp4",
        "duration-14.5s.mp4", "duration-15s.mp4", "duration-180s.mp4", "duration-180.5s.mp4",
        "codec-hevc.mp4", "codec-vp9.mp4", "codec-av1.mp4", "landscape-1920x1080.mp4",
        "small-720x1280.mp4", "uhd-2160x3840.mp4", "too-short-5s.mp4", "too-long-240s.mp4",
        "no-audio.mp4", "fps-15.mp4", "empty.mp4", "png-renamed.mp4", "text.mp4",
        "size0-top-level-middle.mp4", "size0-nested.mp4", "size-under-8.mp4",
        "largesize-past-eof.mp4", "nested-10000-deep.mp4", "moov-claims-4gb.mp4",
    ]:
        assert name in names


def test_fixture_files_stay_small(videos):
    sizes = {c.name: c.path(videos).stat().st_size for c in CASES}
    assert max(sizes.values()) < 300 * KIB, sizes
    assert sum(sizes.values()) < 10 * MIB


def test_fixture_generation_fails_loudly_without_ffmpeg(tmp_path, monkeypatch):
    monkeypatch.setattr(make_videos.shutil, "which", lambda name: None)
    with pytest.raises(make_videos.FfmpegMissing, match="apt-get install -y ffmpeg"):
        make_videos.ensure_videos(tmp_path)
    # The pure-Python fixtures were still built, and nothing half-written was left.
    assert (tmp_path / "nested-10000-deep.mp4").exists()
    assert not list(tmp_path.glob(".*.tmp*"))


def test_local_reader_satisfies_the_protocol(videos):
    reader = LocalFileRangeReader(videos / "valid-faststart.mp4")
    assert isinstance(reader, RangeReader)
    assert reader.read(0, 8)[4:8] == b"ftyp"
    assert reader.read(reader.size - 4, 100) == reader.read(reader.size - 4, 4)


# --- read strategy on realistic sizes --------------------------------------------------

# A 3-minute 1080x1920 30 fps phone clip with AAC has a moov of ~150-250 KB; most of
# it is the sample tables, which table_bytes stands in for.
THREE_MINUTE_MOOV = synthetic_moov(seconds=180, fps=30, table_bytes=200 * KIB)
MEDIA = 600 * MIB


def _faststart_file() -> SparseReader:
    head = ftyp() + THREE_MINUTE_MOOV + struct.pack(">I4s", MEDIA + 8, b"mdat")
    return SparseReader(len(head) + MEDIA, {0: head}, max_read=1 * MIB)


def _moov_at_end_file() -> SparseReader:
    head = ftyp() + box("free") + struct.pack(">I4s", MEDIA + 8, b"mdat")
    size = len(head) + MEDIA + len(THREE_MINUTE_MOOV)
    return SparseReader(size, {0: head, len(head) + MEDIA: THREE_MINUTE_MOOV}, max_read=1 * MIB)


@pytest.mark.parametrize("make", [_faststart_file, _moov_at_end_file], ids=["faststart", "moov-at-end"])
def test_three_minute_upload_costs_at_most_three_reads(make):
    reader = CountingReader(make())
    facts = probe(reader)
    assert facts.duration_seconds == 180.0
    assert (facts.display_width, facts.display_height) == (1080, 1920)
    assert reader.log.requests <= 3
    assert reader.log.bytes <= len(THREE_MINUTE_MOOV) + 256 * KIB


def test_faststart_moov_inside_the_head_is_one_read():
    reader = CountingReader(BytesRangeReader(synthetic_mp4(media_bytes=10 * MIB)))
    probe(reader)
    assert reader.log.calls == [(0, HEAD_READ, HEAD_READ)]


def test_mdat_size_is_used_to_jump_over_media():
    reader = CountingReader(_moov_at_end_file())
    probe(reader)
    offsets = [offset for offset, _asked, _got in reader.log.calls]
    assert offsets[0] == 0
    assert offsets[1] >= MEDIA  # straight past the media payload


def test_64_bit_mdat_size_is_followed():
    moov = synthetic_moov()
    mdat = struct.pack(">I4sQ", 1, b"mdat", 5 * GIB + 16)
    head = ftyp() + mdat
    size = len(head) + 5 * GIB + len(moov)
    facts = probe(SparseReader(size, {0: head, len(head) + 5 * GIB: moov}))
    assert facts.video_codec == "h264" and facts.get_requests == 2


# --- limits ------------------------------------------------------------------------------


def test_moov_claiming_4gb_in_a_large_object_is_refused_without_reading_it():
    head = ftyp() + struct.pack(">I4sQ", 1, b"moov", 4 * GIB) + synthetic_moov()[8:]
    reader = CountingReader(SparseReader(6 * GIB, {0: head}, max_read=DEFAULT_BYTE_BUDGET))
    with pytest.raises(MediaProbeError) as caught:
        probe(reader)
    assert caught.value.code == "read_budget_exceeded"
    assert reader.log.bytes <= HEAD_READ


def test_byte_budget_is_never_exceeded(videos):
    path = videos / "duration-180s.mp4"
    result, reader = _probe_file(path, byte_budget=20 * KIB)
    assert isinstance(result, MediaProbeError) and result.code == "read_budget_exceeded"
    assert reader.log.bytes <= 20 * KIB


def test_request_cap_stops_a_long_chain_of_boxes():
    # Every 10 MB a tiny free box: each hop costs one read.
    gap = 10 * MIB
    parts, pos = {0: ftyp()}, len(ftyp())
    for _ in range(50):
        parts[pos] = struct.pack(">I4s", gap, b"skip")
        pos += gap
    reader = CountingReader(SparseReader(pos, parts, max_read=HEAD_READ))
    with pytest.raises(MediaProbeError) as caught:
        probe(reader, max_requests=5)
    assert caught.value.code == "read_budget_exceeded"
    assert reader.log.requests == 5


def test_a_million_tiny_boxes_are_cut_off():
    data = ftyp() + struct.pack(">I4s", 8, b"free") * 200_000
    with pytest.raises(MediaProbeError) as caught:
        probe(BytesRangeReader(data), byte_budget=4 * MIB, max_requests=64)
    assert caught.value.code in {"corrupt_header", "read_budget_exceeded"}


def test_object_shorter_than_its_declared_size_is_incomplete():
    class LyingReader(BytesRangeReader):
        def __init__(self, data):
            super().__init__(data)
            self.size = len(data) * 4

    with pytest.raises(MediaProbeError) as caught:
        probe(LyingReader(synthetic_mp4(moov_first=False, media_bytes=100 * KIB)))
    assert caught.value.code == "file_incomplete"


def test_storage_errors_propagate_unchanged():
    error = ConnectionError("S3 unreachable")
    with pytest.raises(ConnectionError) as caught:
        probe(FailingReader(1000, error))
    assert caught.value is error


# --- container, codec, profile -------------------------------------------------------------


@pytest.mark.parametrize(
    "major, compatible, container",
    [
        ("qt  ", (), "mov"),
        ("isom", ("isom", "avc1"), "mp4"),
        ("mp42", (), "mp4"),
        ("iso6", (), "mp4"),
        ("avc1", (), "mp4"),
        ("M4V ", (), "mp4"),
        ("3gp4", ("isom",), None),
        ("XYZ1", ("qt  ",), "mov"),
        ("XYZ1", ("mp42",), "mp4"),
        ("XYZ1", ("XYZ2",), None),
    ],
)
def test_container_is_decided_by_brand(major, compatible, container):
    assert bmff.container_for_brands(major, compatible) == container


def test_extension_is_irrelevant(videos):
    data = (videos / "valid-quicktime.mov").read_bytes()
    assert probe(BytesRangeReader(data)).container == "mov"  # no name at all


@pytest.mark.parametrize(
    "fourcc, codec", [("avc1", "h264"), ("avc3", "h264"), ("hvc1", "hevc"), ("hev1", "hevc"),
                      ("vp09", "vp9"), ("av01", "av1"), ("mp4v", "mpeg4"), ("s263", "h263")]
)
def test_codec_from_sample_entry(fourcc, codec):
    facts = probe(BytesRangeReader(synthetic_mp4(codec=fourcc)))
    assert facts.video_codec == codec


@pytest.mark.parametrize(
    "profile, name", [(66, "Baseline"), (77, "Main"), (100, "High"), (110, "High 10"), (250, "profile 250")]
)
def test_h264_profile_from_avcc(profile, name):
    facts = probe(BytesRangeReader(synthetic_mp4(avc_profile=profile)))
    assert facts.codec_profile == name


def test_audio_only_file_is_not_a_video():
    # hdlr: version/flags, pre_defined, then the handler type.
    data = synthetic_moov().replace(b"hdlr" + bytes(8) + b"vide", b"hdlr" + bytes(8) + b"text")
    with pytest.raises(MediaProbeError) as caught:
        probe(BytesRangeReader(ftyp() + data + box("mdat")))
    assert caught.value.code == "not_a_video"


# --- rotation and display size -------------------------------------------------------------


@pytest.mark.parametrize(
    "matrix, rotation",
    [((1, 0, 0, 1), 0), ((0, 1, -1, 0), 90), ((-1, 0, 0, -1), 180), ((0, -1, 1, 0), 270),
     ((-1, 0, 0, 1), 180), ((0, 0, 0, 0), 0)],
)
def test_rotation_from_matrix(matrix, rotation):
    assert bmff.rotation_from_matrix(*(v << 16 for v in matrix)) == rotation


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_portrait_display_whatever_the_rotation(rotation):
    facts = probe(BytesRangeReader(synthetic_mp4(rotation=rotation)))
    assert facts.rotation == rotation
    assert (facts.display_width, facts.display_height) == (1080, 1920)
    coded = (1920, 1080) if rotation in (90, 270) else (1080, 1920)
    assert (facts.coded_width, facts.coded_height) == coded


def test_tkhd_already_in_display_orientation_is_not_swapped_twice():
    data = bytearray(synthetic_mp4(rotation=90))
    # Rewrite tkhd width/height (1920x1080) as the display size 1080x1920.
    old = struct.pack(">II", 1920 << 16, 1080 << 16)
    at = data.find(old)
    data[at : at + 8] = struct.pack(">II", 1080 << 16, 1920 << 16)
    facts = probe(BytesRangeReader(bytes(data)))
    assert (facts.display_width, facts.display_height) == (1080, 1920)


def test_tkhd_size_wins_over_coded_size_for_non_square_pixels():
    data = bytearray(synthetic_mp4(width=1440, height=1080))
    old = struct.pack(">II", 1440 << 16, 1080 << 16)
    at = data.find(old)
    data[at : at + 8] = struct.pack(">II", 1920 << 16, 1080 << 16)
    facts = probe(BytesRangeReader(bytes(data)))
    assert (facts.coded_width, facts.display_width) == (1440, 1920)


# --- durations and fragments -----------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [dict(index=None), dict(index="sidx"), dict(index="mfra"), dict(mehd=True),
     dict(index=None, tfdt=False), dict(index="mfra", tfdt=False)],
    ids=["walk", "sidx", "mfra", "mehd", "walk-no-tfdt", "mfra-no-tfdt"],
)
def test_fragmented_duration_by_every_route(variant):
    data = synthetic_fragmented_mp4(seconds=37.0, fragment_seconds=2.0, **variant)
    facts = probe(BytesRangeReader(data))
    assert facts.fragmented
    assert facts.duration_seconds == pytest.approx(37.0)
    assert facts.frame_rate == pytest.approx(25.0)


def test_mfra_route_reads_only_the_last_fragment():
    big = synthetic_fragmented_mp4(seconds=180, fragment_seconds=1, index="mfra", media_bytes=64 * KIB)
    reader = CountingReader(BytesRangeReader(big))
    facts = probe(reader)
    assert facts.duration_seconds == pytest.approx(180.0)
    assert reader.log.requests <= 5
    assert reader.log.bytes <= HEAD_READ + 64 * KIB


def test_many_unindexed_fragments_are_judged_from_the_tail():
    # 180 fragments of 128 KiB: walking them would take one read each, far over the cap.
    big = synthetic_fragmented_mp4(seconds=180, fragment_seconds=1, media_bytes=128 * KIB)
    reader = CountingReader(BytesRangeReader(big))
    facts = probe(reader)
    assert facts.duration_seconds == pytest.approx(180.0)
    assert facts.frame_rate == pytest.approx(25.0)
    assert reader.log.requests <= 4
    assert reader.log.bytes <= HEAD_READ + 256 * KIB + 16


# --- unindexed fragments of realistic size -----------------------------------------------------


def _spread_fragments(data: bytes, mdat_bytes: int) -> SparseReader:
    """The file with every mdat grown to `mdat_bytes` by zeros after its samples, as a
    virtual object: real fragment headers laid out at a realistic bitrate.

    The samples stay where the trun data offsets (relative to their moof) put them.
    """
    parts, pos, out = {}, 0, 0
    while pos + 8 <= len(data):
        header = bmff.parse_box_header(data, pos)
        end = pos + header.size
        raw = data[pos:end]
        if header.type == "mdat" and header.size < mdat_bytes:
            raw = struct.pack(">I", mdat_bytes) + raw[4:]
            parts[out] = raw
            out += mdat_bytes
        else:
            parts[out] = raw
            out += len(raw)
        pos = end
    return SparseReader(out, parts, max_read=DEFAULT_BYTE_BUDGET)


@pytest.mark.parametrize(
    "name, seconds, fragments",
    [("valid-fragmented-60-no-index.mp4", 60.0, 60), ("too-long-fragmented-200s.mp4", 200.0, 200)],
)
def test_real_unindexed_fragments_at_8_mbps_stay_within_the_budget(videos, name, seconds, fragments):
    reader = CountingReader(_spread_fragments((videos / name).read_bytes(), 1 * MIB))
    assert reader.size > fragments * MIB  # 60 MB and 200 MB: no walk from the front fits
    facts = probe(reader)
    assert facts.duration_seconds == pytest.approx(seconds, abs=0.05)
    assert facts.frame_rate == pytest.approx(25.0)
    assert (facts.display_width, facts.display_height, facts.video_codec) == (1080, 1920, "h264")
    # The head, the 16 bytes where an mfro would be, and two windows of the tail.
    assert facts.get_requests == reader.log.requests <= 4
    assert facts.bytes_read == reader.log.bytes <= HEAD_READ + 16 + 2 * MIB


def test_unindexed_fixtures_have_no_index_and_the_stated_fragment_count(videos):
    for name, fragments in [("valid-fragmented-60-no-index.mp4", 60), ("too-long-fragmented-200s.mp4", 200)]:
        data = (videos / name).read_bytes()
        top = [h.type for h in _top_level(data)]
        assert top.count("moof") == fragments, name
        assert not {"mfra", "sidx"} & set(top), name
        assert b"mehd" not in data and b"mfro" not in data, name


def _top_level(data: bytes) -> list[bmff.BoxHeader]:
    headers, pos = [], 0
    while pos + 8 <= len(data):
        header = bmff.parse_box_header(data, pos)
        headers.append(header)
        pos += header.size
    return headers


def _moof(sequence: int, *trafs: bytes) -> bytes:
    return box("moof", full_box("mfhd", 0, 0, struct.pack(">I", sequence)), *trafs)


def _traf(
    track_id: int, *, tfdt: int | None, version: int = 1, count: int = 25,
    default: int | None = None, durations: list[int] | None = None,
) -> bytes:
    tfhd_flags = 0x020000 | (0x8 if default is not None else 0)
    tfhd = full_box("tfhd", 0, tfhd_flags, struct.pack(">I", track_id),
                    struct.pack(">I", default) if default is not None else b"")
    decode = b""
    if tfdt is not None:
        decode = full_box("tfdt", version, 0, struct.pack(">Q" if version else ">I", tfdt))
    if durations is not None:  # data offset + per-sample duration and size
        trun = full_box("trun", 0, 0x301, struct.pack(">Ii", len(durations), 0),
                        b"".join(struct.pack(">II", d, 100) for d in durations))
    else:
        trun = full_box("trun", 0, 0x1, struct.pack(">Ii", count, 0))
    return box("traf", tfhd, decode, trun)


def _fragmented_file(fragments: list[bytes], mdat_bytes: int, trex_duration: int = 0) -> SparseReader:
    """ftyp + fragmented moov (video 1 at 12800/s, audio 2 at 8000/s) + moof/mdat pairs,
    each mdat `mdat_bytes` long, as a virtual object."""
    moov = bytearray(synthetic_moov(fragmented=True))
    if trex_duration:
        trex = bytes(full_box("trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0)))
        at = moov.find(trex)
        moov[at:at + len(trex)] = full_box("trex", 0, 0, struct.pack(">IIIII", 1, 1, trex_duration, 0, 0))
    head = ftyp("iso5", "iso5", "iso6", "mp41") + bytes(moov)
    parts, pos = {0: head}, len(head)
    for moof in fragments:
        parts[pos] = moof + struct.pack(">I4s", mdat_bytes, b"mdat")
        pos += len(moof) + mdat_bytes
    return SparseReader(pos, parts, max_read=DEFAULT_BYTE_BUDGET)


def _video_moofs(
    count: int, *, per_fragment: int = 25, tick: int = 512, with_tfdt: bool = True, **traf
) -> list[bytes]:
    return [
        _moof(i + 1, _traf(1, tfdt=i * per_fragment * tick if with_tfdt else None,
                           count=per_fragment, **traf))
        for i in range(count)
    ]


@pytest.mark.parametrize(
    "traf, trex",
    [
        (dict(default=512), 0),  # tfhd default duration x count, tfdt v1
        (dict(default=512, version=0), 0),  # tfdt v0
        (dict(), 512),  # trex default from mvex
        (dict(durations=[512] * 25), 0),  # per-sample durations in trun
    ],
    ids=["tfhd-default", "tfdt-v0", "trex-default", "trun-durations"],
)
def test_tail_reads_every_way_of_stating_durations(traf, trex):
    reader = CountingReader(_fragmented_file(_video_moofs(90, **traf), 2 * MIB, trex_duration=trex))
    facts = probe(reader)
    assert facts.duration_seconds == pytest.approx(90.0)  # 90 x 25 frames of 1/25 s
    assert facts.frame_rate == pytest.approx(25.0)
    assert reader.log.requests <= DEFAULT_MAX_REQUESTS


def test_tail_uses_the_video_track_and_takes_each_track_from_its_own_last_fragment():
    # Tracks in separate fragments, audio last; its trafs end at 100.2 s, video at 100 s.
    fragments = []
    for i in range(100):
        fragments.append(_moof(2 * i + 1, _traf(1, tfdt=i * 12800, count=25, default=512)))
        fragments.append(_moof(2 * i + 2, _traf(2, tfdt=i * 8000 + 1600 * (i == 99), count=8, default=1000)))
    facts = probe(_fragmented_file(fragments, 512 * KIB))
    assert facts.duration_seconds == pytest.approx(100.2)
    assert facts.frame_rate == pytest.approx(25.0)


def test_media_data_that_spells_moof_is_not_taken_for_a_fragment():
    fragments = _video_moofs(60, default=512)
    reader = _fragmented_file(fragments, 1 * MIB)
    fake = _moof(999, _traf(1, tfdt=10**9, count=25, default=512))
    reader.parts.append((reader.size - 4 * KIB, fake))  # inside the last mdat
    reader.parts.sort()
    assert probe(reader).duration_seconds == pytest.approx(60.0)


@pytest.mark.parametrize("cut", [100 * KIB, 2 * MIB - 10], ids=["in-last-mdat", "in-last-moof"])
def test_truncated_unindexed_upload_is_incomplete(cut):
    whole = _fragmented_file(_video_moofs(60, default=512), 2 * MIB)
    whole.size -= cut
    with pytest.raises(MediaProbeError) as caught:
        probe(whole)
    assert caught.value.code == "file_incomplete"


def test_last_fragment_beyond_the_tail_falls_back_to_a_bounded_walk():
    few = _fragmented_file(_video_moofs(8, default=512), 6 * MIB)  # 8 s: the walk fits
    reader = CountingReader(few)
    assert probe(reader).duration_seconds == pytest.approx(8.0)
    assert reader.log.requests <= DEFAULT_MAX_REQUESTS

    many = CountingReader(_fragmented_file(_video_moofs(30, default=512), 6 * MIB))
    facts = probe(many)
    assert facts.duration_seconds is None  # unknown, never a guess from part of the file
    assert (facts.video_codec, facts.display_width, facts.display_height) == ("h264", 1080, 1920)
    assert many.log.requests <= DEFAULT_MAX_REQUESTS
    assert many.log.bytes <= DEFAULT_BYTE_BUDGET
    verdict = evaluate(many.inner, campaign_rules())
    assert verdict.status == "invalid"
    assert verdict.codes("fail") == ["duration_unknown"]


def test_fragments_without_tfdt_are_walked():
    reader = CountingReader(_fragmented_file(_video_moofs(12, default=512, with_tfdt=False), 1 * MIB))
    assert probe(reader).duration_seconds == pytest.approx(12.0)
    assert reader.log.requests <= DEFAULT_MAX_REQUESTS


def test_mvhd_duration_falls_back_to_the_video_track():
    data = bytearray(synthetic_mp4())
    mvhd = data.find(b"mvhd")
    struct.pack_into(">I", data, mvhd + 4 + 16, 0)  # mvhd duration := 0
    assert probe(BytesRangeReader(bytes(data))).duration_seconds == pytest.approx(16.0)


def test_frame_rate_ignores_stretched_edge_samples():
    assert probe(BytesRangeReader(synthetic_mp4(fps=30))).frame_rate == pytest.approx(30.0)


# --- hostile structure ---------------------------------------------------------------------------


def _with_ftyp(*boxes: bytes) -> BytesRangeReader:
    return BytesRangeReader(ftyp() + b"".join(boxes))


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty_file"),
        (b"\0\0\0", "not_a_video"),
        (b"GIF89a" + bytes(100), "not_a_video"),
        (struct.pack(">I4s", 4, b"ftyp") + bytes(64), "corrupt_header"),
        (ftyp(), "file_incomplete"),  # no moov at all
        (ftyp() + struct.pack(">I4s", 8, b"\x00\x01\x02\x03") + synthetic_moov(), "corrupt_header"),
        (ftyp() + box("moov", full_box("mvhd", 0, 0, bytes(4))), "corrupt_header"),
        (ftyp() + box("moov"), "corrupt_header"),  # no mvhd
        (ftyp() + struct.pack(">I4sQ", 1, b"moov", 8), "corrupt_header"),  # largesize < header
        (ftyp() + synthetic_moov()[:-10], "file_incomplete"),
    ],
    ids=["empty", "3-bytes", "gif", "ftyp-size-4", "no-moov", "binary-type", "short-mvhd",
         "moov-without-mvhd", "largesize-too-small", "truncated-moov"],
)
def test_hostile_inputs_give_clean_codes(data, code):
    with pytest.raises(MediaProbeError) as caught:
        probe(BytesRangeReader(data))
    assert caught.value.code == code


def test_truncated_fragmented_file_is_caught_by_its_sidx():
    data = synthetic_fragmented_mp4(index="sidx", seconds=20, media_bytes=4 * KIB)
    assert probe(BytesRangeReader(data)).duration_seconds == pytest.approx(20.0)
    with pytest.raises(MediaProbeError) as caught:
        probe(BytesRangeReader(data[: len(data) - 100]))
    assert caught.value.code == "file_incomplete"


def test_stray_bytes_after_moov_are_not_a_truncation():
    data = ftyp() + synthetic_moov() + b"\xff" * 40
    assert probe(BytesRangeReader(data)).video_codec == "h264"


def test_size_zero_last_box_means_to_end_of_file():
    moov = synthetic_moov()
    data = ftyp() + struct.pack(">I", 0) + moov[4:]
    assert probe(BytesRangeReader(data)).video_codec == "h264"


def test_trailing_bytes_after_moov_are_ignored():
    assert probe(BytesRangeReader(synthetic_mp4() + b"\0\0\0")).video_codec == "h264"


def test_depth_cap_applies_to_any_container_nesting():
    inner = b""
    for _ in range(bmff.MAX_DEPTH + 2):
        inner = box("trak", inner)
    with pytest.raises(MediaProbeError) as caught:
        probe(_with_ftyp(box("moov", synthetic_moov()[8:116], inner)))
    assert caught.value.code == "corrupt_header"
