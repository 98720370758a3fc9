"""Hostile bytes: whatever the header says, probe() answers with facts or MediaProbeError
within its limits, quickly, and evaluate() always returns a Verdict."""
from __future__ import annotations

import json
import os
import struct
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.media import bmff
from chalicelib.domain.media.checks import Verdict, evaluate
from chalicelib.domain.media.probe import BytesRangeReader, MediaFacts, MediaProbeError, probe
from tests.fixtures import CountingReader
from tests.fixtures.make_videos import (
    campaign_rules,
    ensure_videos,
    ftyp,
    synthetic_fragmented_mp4,
    synthetic_moov,
    synthetic_mp4,
)

RULES = campaign_rules()
# Small limits so the fuzzer also exercises the limit paths.
BUDGET = 96 * 1024
REQUESTS = 6
KNOWN_CODES = {"empty_file", "not_a_video", "file_incomplete", "corrupt_header", "read_budget_exceeded"}

SEED_FIXTURES = [
    "valid-faststart.mp4", "valid-moov-at-end.mp4", "valid-quicktime.mov", "valid-rotated-90.mp4",
    "valid-fragmented.mp4", "valid-fragmented-sidx.mp4", "valid-fragmented-no-index.mp4",
    "codec-hevc.mp4", "codec-vp9.mp4", "codec-av1.mp4",
]
# MEDIA_FUZZ_EXAMPLES=20000 for a deeper local run.
FUZZ = settings(
    max_examples=int(os.environ.get("MEDIA_FUZZ_EXAMPLES", "250")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="session")
def seeds() -> dict[str, bytes]:
    directory = ensure_videos()
    files = {name: (directory / name).read_bytes() for name in SEED_FIXTURES}
    files["synthetic-mfra"] = synthetic_fragmented_mp4(index="mfra", seconds=9, fragment_seconds=2)
    files["synthetic-moov-last"] = synthetic_mp4(moov_first=False, rotation=270)
    return files


def assert_well_behaved(data: bytes) -> None:
    reader = CountingReader(BytesRangeReader(data))
    # CPU time of this process, not the wall clock: other test workers on the same cores must not
    # turn a slow machine into a "hang".
    started = time.process_time()
    try:
        facts = probe(reader, byte_budget=BUDGET, max_requests=REQUESTS)
    except MediaProbeError as error:
        assert error.code in KNOWN_CODES, f"{error.code}: {error.detail}"
        facts = error.facts
    assert isinstance(facts, MediaFacts)
    assert time.process_time() - started < 5, "probe must never hang"
    assert reader.log.bytes <= BUDGET and reader.log.requests <= REQUESTS
    assert (facts.bytes_read, facts.get_requests) == (reader.log.bytes, reader.log.requests)
    json.dumps(facts.to_dict(), allow_nan=False)

    verdict = evaluate(BytesRangeReader(data), RULES, byte_budget=BUDGET, max_requests=REQUESTS)
    assert isinstance(verdict, Verdict) and verdict.status in {"valid", "invalid"}
    assert all(c.message_vi and c.message_en for c in verdict.checks)
    json.dumps(verdict.to_dict(), allow_nan=False)


def _header_regions(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the top-level boxes a prober reads (everything but media data)."""
    regions, pos = [], 0
    while pos + 8 <= len(data):
        header = bmff.parse_box_header(data, pos)
        end = len(data) if header.size is None else pos + header.size
        if header.type != "mdat":
            regions.append((pos, min(end, len(data))))
        else:
            regions.append((pos, pos + header.header_size))
        pos = end
    return regions or [(0, len(data))]


INTERESTING_U32 = [0, 1, 2, 7, 8, 9, 16, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0]


@st.composite
def mutated(draw, seeds: dict[str, bytes]) -> bytes:
    data = bytearray(seeds[draw(st.sampled_from(sorted(seeds)))])
    regions = _header_regions(bytes(data))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        start, end = draw(st.sampled_from(regions))
        end = min(end, len(data))
        if start >= end:
            continue
        at = draw(st.integers(start, end - 1))
        action = draw(st.sampled_from(["byte", "u32", "u64", "truncate", "insert", "delete", "fourcc"]))
        if action == "byte":
            data[at] = draw(st.integers(0, 255))
        elif action == "u32":
            value = draw(st.one_of(st.sampled_from(INTERESTING_U32), st.integers(0, 2**32 - 1)))
            data[at : at + 4] = struct.pack(">I", value)
        elif action == "u64":
            data[at : at + 8] = struct.pack(">Q", draw(st.integers(0, 2**64 - 1)))
        elif action == "truncate":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at : at + 4] = draw(st.sampled_from([b"moov", b"trak", b"mdat", b"moof", b"mfro", b"sidx", b"stts", b"uuid"]))
    return bytes(data)


@FUZZ
@given(data=st.data())
def test_mutated_real_headers(seeds, data):
    assert_well_behaved(data.draw(mutated(seeds)))


# --- random box trees -----------------------------------------------------------------------

CONTAINERS = sorted(bmff.CONTAINER_TYPES) + ["stsd", "udta", "meta"]
LEAVES = [
    "ftyp", "mvhd", "tkhd", "mdhd", "hdlr", "stts", "stsz", "avc1", "avcC", "hvcC", "vpcC", "av1C",
    "mehd", "trex", "mfhd", "tfhd", "tfdt", "trun", "sidx", "tfra", "mfro", "mdat", "free", "wide",
    "uuid", "elst", "\xa9nam", "\x00\x00\x00\x00",
]
REAL_PARTS = [ftyp(), synthetic_moov(), synthetic_moov(fragmented=True), synthetic_moov(rotation=90)]


def _leaf() -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.sampled_from(LEAVES), st.binary(max_size=96)),
        st.sampled_from(REAL_PARTS).map(lambda raw: ("raw", raw)),
    )


TREES = st.recursive(
    _leaf(),
    lambda children: st.tuples(st.sampled_from(CONTAINERS), st.lists(children, max_size=5)),
    max_leaves=30,
)
SIZE_LIES = st.sampled_from(["true", "true", "true", "zero", "small", "huge", "largesize", "largesize-lie", "off-by-one"])


def serialize(node, data: st.DataObject) -> bytes:
    kind, content = node
    if kind == "raw":
        return content
    payload = content if isinstance(content, bytes) else b"".join(serialize(c, data) for c in content)
    fourcc = kind.encode("latin-1")
    true_size = 8 + len(payload)
    lie = data.draw(SIZE_LIES)
    if lie == "zero":
        return struct.pack(">I4s", 0, fourcc) + payload
    if lie == "small":
        return struct.pack(">I4s", data.draw(st.integers(1, 7)), fourcc) + payload
    if lie == "huge":
        return struct.pack(">I4s", data.draw(st.integers(true_size + 1, 2**32 - 1)), fourcc) + payload
    if lie == "largesize":
        return struct.pack(">I4sQ", 1, fourcc, true_size + 8) + payload
    if lie == "largesize-lie":
        return struct.pack(">I4sQ", 1, fourcc, data.draw(st.integers(0, 2**64 - 1))) + payload
    if lie == "off-by-one":
        return struct.pack(">I4s", true_size + data.draw(st.sampled_from([-1, 1])), fourcc) + payload
    return struct.pack(">I4s", true_size, fourcc) + payload


@FUZZ
@given(data=st.data(), trees=st.lists(TREES, min_size=1, max_size=5), with_ftyp=st.booleans())
def test_random_box_trees(data, trees, with_ftyp):
    body = b"".join(serialize(tree, data) for tree in trees)
    assert_well_behaved((ftyp() if with_ftyp else b"") + body)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(blob):
    assert_well_behaved(blob)


@FUZZ
@given(
    seconds=st.floats(0.1, 400),
    fragment_seconds=st.floats(0.04, 30),
    index=st.sampled_from([None, "sidx", "mfra"]),
    mehd=st.booleans(),
    tfdt=st.booleans(),
)
def test_well_formed_fragmented_files_are_understood(seconds, fragment_seconds, index, mehd, tfdt):
    data = synthetic_fragmented_mp4(
        seconds=seconds, fragment_seconds=fragment_seconds, index=index, mehd=mehd, tfdt=tfdt, media_bytes=16
    )
    fragments = -(-round(seconds * 25) // max(1, round(fragment_seconds * 25)))
    facts = probe(BytesRangeReader(data))  # default limits
    if facts.duration_seconds is None:
        # Only fragments that must be walked (no index, no tfdt to read the last one by)
        # may run out of reads, and then the duration is unknown rather than wrong.
        assert index is None and not mehd and not tfdt and fragments > 1
        return
    expected = round(seconds * 1000) / 1000 if mehd else round(seconds * 25) / 25
    assert facts.duration_seconds == pytest.approx(expected, abs=1e-6)


def test_seed_fixtures_themselves_are_well_behaved(seeds):
    for blob in seeds.values():
        assert_well_behaved(blob)
