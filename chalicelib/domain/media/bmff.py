"""ISO base media file format (MP4 / QuickTime) box parsing, on bytes already in memory.

Nothing here does I/O: `probe.py` decides which byte ranges to fetch and hands the
bytes to these functions. Every parser treats its input as hostile: sizes are
checked against the enclosing box before they are trusted, table entry counts are
clamped to the bytes actually present, nesting depth and the number of boxes are
capped. Any structural problem is reported as `MalformedBox`; a box header that
runs past the bytes supplied is `NeedMoreBytes` (only meaningful at the top level,
where the caller may fetch more).

References: ISO/IEC 14496-12 (boxes), 14496-15 (avcC/hvcC), the VP9 and AV1
ISO-BMFF bindings, and Apple's QuickTime File Format for the legacy layouts.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Iterator

Buffer = bytes | bytearray | memoryview

# Real files nest at most ~8 deep (moov/trak/mdia/minf/stbl/stsd/avc1/avcC).
MAX_DEPTH = 16
# A real moov holds a few hundred boxes; sample tables are single leaf boxes.
MAX_BOXES = 20_000
# ftyp of any real file is a few dozen bytes; brands past this are ignored.
MAX_COMPATIBLE_BRANDS = 64

# Boxes whose payload is nothing but child boxes, and that the prober needs to see into.
CONTAINER_TYPES = frozenset(
    {"moov", "trak", "mdia", "minf", "stbl", "edts", "dinf", "mvex", "moof", "traf", "mfra"}
)

# Sample-entry four-character codes -> the codec names campaigns use.
CODEC_BY_FOURCC = {
    "avc1": "h264",
    "avc2": "h264",
    "avc3": "h264",
    "avc4": "h264",
    "dva1": "h264",
    "dvav": "h264",
    "hvc1": "hevc",
    "hev1": "hevc",
    "dvh1": "hevc",
    "dvhe": "hevc",
    "vp09": "vp9",
    "vp08": "vp8",
    "av01": "av1",
    "mp4v": "mpeg4",
    "jpeg": "mjpeg",
    "mjpa": "mjpeg",
    "apch": "prores",
    "apcn": "prores",
    "apcs": "prores",
    "apco": "prores",
    "ap4h": "prores",
    "ap4x": "prores",
    "s263": "h263",
    "h263": "h263",
}

_H264_PROFILES = {
    44: "CAVLC 4:4:4 Intra",
    66: "Baseline",
    77: "Main",
    88: "Extended",
    100: "High",
    110: "High 10",
    118: "Multiview High",
    122: "High 4:2:2",
    128: "Stereo High",
    244: "High 4:4:4 Predictive",
}
_HEVC_PROFILES = {
    1: "Main",
    2: "Main 10",
    3: "Main Still Picture",
    4: "Format Range Extensions",
    5: "High Throughput",
    9: "Screen Content Coding",
}
_AV1_PROFILES = {0: "Main", 1: "High", 2: "Professional"}

_U32_UNKNOWN = 0xFFFFFFFF
_U64_UNKNOWN = 0xFFFFFFFFFFFFFFFF


class MalformedBox(ValueError):
    """The bytes do not form a valid box structure."""


class NeedMoreBytes(Exception):
    """A box header continues past the bytes supplied."""


# --- headers and trees ----------------------------------------------------


@dataclass(frozen=True)
class BoxHeader:
    type: str
    header_size: int
    size: int | None  # None: "extends to the end of the file" (size field 0)


@dataclass(frozen=True)
class Box:
    """A box located inside one in-memory buffer; offsets are buffer indices."""

    type: str
    start: int
    header_size: int
    end: int
    children: tuple["Box", ...] = ()

    @property
    def payload_start(self) -> int:
        return self.start + self.header_size

    def payload(self, data: Buffer) -> memoryview:
        return memoryview(data)[self.payload_start : self.end]

    def first(self, box_type: str) -> "Box | None":
        return next((c for c in self.children if c.type == box_type), None)

    def all(self, box_type: str) -> list["Box"]:
        return [c for c in self.children if c.type == box_type]


def is_plausible_type(box_type: str) -> bool:
    """Real four-character codes are printable ASCII (plus © in QuickTime metadata)."""
    return len(box_type) == 4 and all(" " <= ch <= "~" or ch == "\xa9" for ch in box_type)


def parse_box_header(data: Buffer, pos: int = 0, limit: int | None = None) -> BoxHeader:
    """Read the header of the box starting at `pos`.

    Raises NeedMoreBytes when fewer bytes than the header needs lie before `limit`,
    MalformedBox when the size fields cannot describe a real box.
    """
    limit = len(data) if limit is None else min(limit, len(data))
    if limit - pos < 8:
        raise NeedMoreBytes
    size, raw_type = struct.unpack_from(">I4s", data, pos)
    box_type = raw_type.decode("latin-1")
    header_size = 8
    declared: int | None
    if size == 1:
        if limit - pos < 16:
            raise NeedMoreBytes
        (declared,) = struct.unpack_from(">Q", data, pos + 8)
        header_size = 16
    elif size == 0:
        declared = None
    elif size < 8:
        raise MalformedBox(f"box {box_type!r} declares size {size}, below the 8-byte minimum")
    else:
        declared = size
    if box_type == "uuid":
        header_size += 16
        if limit - pos < header_size:
            raise NeedMoreBytes
    if declared is not None and declared < header_size:
        raise MalformedBox(f"box {box_type!r} declares size {declared}, smaller than its header")
    return BoxHeader(box_type, header_size, declared)


class _BoxCounter:
    def __init__(self, limit: int) -> None:
        self.remaining = limit

    def take(self) -> None:
        self.remaining -= 1
        if self.remaining < 0:
            raise MalformedBox("too many boxes")


def iter_children(data: Buffer, start: int, end: int) -> Iterator[Box]:
    """The boxes packed in data[start:end], which must all fit inside it.

    Fewer than 8 trailing bytes are tolerated: QuickTime writers pad some atoms with a
    4-byte zero terminator.
    """
    pos = start
    while end - pos >= 8:
        try:
            header = parse_box_header(data, pos, end)
        except NeedMoreBytes:
            raise MalformedBox("a box header crosses the end of its parent") from None
        if header.size is None:
            raise MalformedBox(f"box {header.type!r} has size 0 inside another box")
        box_end = pos + header.size
        if box_end > end:
            raise MalformedBox(f"box {header.type!r} overruns its parent")
        yield Box(header.type, pos, header.header_size, box_end)
        pos = box_end


def parse_tree(
    data: Buffer,
    start: int,
    end: int,
    *,
    depth: int = 0,
    counter: _BoxCounter | None = None,
) -> tuple[Box, ...]:
    """Children of data[start:end], descending into known container boxes."""
    if depth > MAX_DEPTH:
        raise MalformedBox("boxes are nested too deeply")
    counter = counter or _BoxCounter(MAX_BOXES)
    boxes = []
    for box in iter_children(data, start, end):
        counter.take()
        if box.type in CONTAINER_TYPES:
            kids = parse_tree(data, box.payload_start, box.end, depth=depth + 1, counter=counter)
            box = Box(box.type, box.start, box.header_size, box.end, kids)
        boxes.append(box)
    return tuple(boxes)


def parse_root(data: Buffer) -> Box:
    """Parse a whole top-level container box (moov, moof, mfra) held in `data`."""
    header = parse_box_header(data, 0, len(data))
    end = len(data) if header.size is None else header.size
    if end > len(data):
        raise MalformedBox(f"box {header.type!r} is longer than the bytes supplied")
    kids = parse_tree(data, header.header_size, end, depth=1)
    return Box(header.type, 0, header.header_size, end, kids)


# --- field helpers ---------------------------------------------------------


def _unpack(fmt: str, payload: memoryview, offset: int) -> tuple:
    try:
        return struct.unpack_from(fmt, payload, offset)
    except struct.error:
        raise MalformedBox(f"box payload too short for its fields ({fmt} at {offset})") from None


def _version_flags(payload: memoryview) -> tuple[int, int]:
    (word,) = _unpack(">I", payload, 0)
    return word >> 24, word & 0xFFFFFF


def _fourcc(raw: bytes) -> str:
    return raw.decode("latin-1")


# --- ftyp -------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    major_brand: str
    minor_version: int
    compatible_brands: tuple[str, ...]


def parse_ftyp(payload: memoryview) -> FileType:
    major, minor = _unpack(">4sI", payload, 0)
    count = min((len(payload) - 8) // 4, MAX_COMPATIBLE_BRANDS)
    brands = tuple(
        _fourcc(bytes(payload[8 + 4 * i : 12 + 4 * i])) for i in range(max(count, 0))
    )
    return FileType(_fourcc(major), minor, brands)


# Brand families. The major brand decides; compatible brands only break ties for
# unknown major brands (some cameras use vendor-specific major brands).
_QUICKTIME_BRANDS = frozenset({"qt  "})
_MP4_BRANDS = frozenset(
    {
        "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9",
        "mp41", "mp42", "mp71", "avc1", "M4V ", "M4VH", "M4VP", "f4v ", "dash",
        "msdh", "msix", "cmfc", "cmf2", "mmp4", "MSNV", "XAVC", "NDAS", "nvr1",
        "hvc1", "av01", "vp09",
    }
)
# Still-image and audio-only members of the family: ftyp present, never a video.
_NOT_VIDEO_BRANDS = frozenset(
    {"heic", "heix", "heim", "heis", "hevc", "mif1", "msf1", "avif", "avis", "M4A ", "M4B ", "M4P ", "jp2 "}
)


def container_for_brands(major: str, compatible: tuple[str, ...]) -> str | None:
    """'mov', 'mp4' or None (a brand family the product does not call MP4/MOV, e.g. 3GP)."""
    if major in _QUICKTIME_BRANDS:
        return "mov"
    if major in _MP4_BRANDS or major.startswith(("iso", "mp4")):
        return "mp4"
    if major.startswith("3g"):
        return None
    if any(b in _QUICKTIME_BRANDS for b in compatible):
        return "mov"
    if any(b in _MP4_BRANDS for b in compatible):
        return "mp4"
    return None


def is_non_video_brand(major: str) -> bool:
    return major in _NOT_VIDEO_BRANDS


# --- moov -------------------------------------------------------------------


@dataclass(frozen=True)
class SampleEntry:
    fourcc: str  # after unwrapping encrypted 'encv' entries
    width: int | None
    height: int | None
    profile: str | None

    @property
    def codec(self) -> str:
        return CODEC_BY_FOURCC.get(self.fourcc, self.fourcc.strip().lower() or "unknown")


@dataclass(frozen=True)
class TrackDefaults:
    """trex: what a movie fragment's samples default to for one track."""

    sample_duration: int


@dataclass(frozen=True)
class Track:
    track_id: int
    handler: str
    enabled: bool
    header_width: float
    header_height: float
    rotation: int
    timescale: int
    media_duration: int | None
    sample_entry: SampleEntry | None
    sample_count: int
    sample_ticks: int  # sum of stts deltas, in `timescale` units
    # Muxers stretch the first or last sample to line tracks up; frame rate skips them.
    first_sample_ticks: int
    last_sample_ticks: int

    @property
    def is_video(self) -> bool:
        return self.handler == "vide"

    @property
    def is_audio(self) -> bool:
        return self.handler == "soun"


@dataclass(frozen=True)
class Movie:
    timescale: int
    duration: int | None  # in `timescale` units; None if unknown
    tracks: tuple[Track, ...]
    fragmented: bool
    fragment_duration: int | None  # mehd, movie timescale
    track_defaults: dict[int, TrackDefaults] = field(default_factory=dict)

    def video_track(self) -> Track | None:
        videos = [t for t in self.tracks if t.is_video]
        return next((t for t in videos if t.enabled), videos[0] if videos else None)

    def track(self, track_id: int) -> Track | None:
        return next((t for t in self.tracks if t.track_id == track_id), None)


def _timescale_and_duration(payload: memoryview) -> tuple[int, int | None]:
    """mvhd and mdhd share this layout for the two fields the prober needs."""
    version, _ = _version_flags(payload)
    if version == 1:
        timescale, duration = _unpack(">IQ", payload, 20)
        unknown = duration == _U64_UNKNOWN
    else:
        timescale, duration = _unpack(">II", payload, 12)
        unknown = duration == _U32_UNKNOWN
    return timescale, None if unknown else duration


def rotation_from_matrix(a: int, b: int, c: int, d: int) -> int:
    """Clockwise display rotation (0/90/180/270) from a tkhd matrix.

    Uses the same convention as the legacy `rotate` tag phones and ffmpeg write: the
    matrix (a, b, c, d) = (0, 1, -1, 0) means "turn the picture 90° clockwise". A
    mirroring or skewing matrix is snapped to the nearest quarter turn, which is all
    that matters for deciding whether width and height swap.
    """
    if abs(b) > abs(a):
        return 90 if b > 0 else 270
    if a == 0 and b == 0:
        return 0  # degenerate matrix: draw nothing sensible from it
    return 0 if a > 0 else 180


def _parse_tkhd(payload: memoryview) -> tuple[int, bool, int, float, float]:
    version, flags = _version_flags(payload)
    if version == 1:
        (track_id,) = _unpack(">I", payload, 20)
        matrix_at = 52
    else:
        (track_id,) = _unpack(">I", payload, 12)
        matrix_at = 40
    a, b, _u, c, d = _unpack(">iiiii", payload, matrix_at)
    width, height = _unpack(">II", payload, matrix_at + 36)
    rotation = rotation_from_matrix(a, b, c, d)
    return track_id, bool(flags & 1), rotation, width / 65536, height / 65536


def _parse_hdlr(payload: memoryview) -> str:
    (handler,) = _unpack(">4s", payload, 8)
    return _fourcc(handler)


def _profile_name(config_type: str, config: memoryview) -> str | None:
    """Codec profile from the decoder configuration record; None if unreadable."""
    try:
        if config_type == "avcC":
            profile, compat = _unpack(">xBB", config, 0)
            if profile == 66 and compat & 0x40:
                return "Constrained Baseline"
            return _H264_PROFILES.get(profile, f"profile {profile}")
        if config_type == "hvcC":
            (byte,) = _unpack(">xB", config, 0)
            idc = byte & 0x1F
            return _HEVC_PROFILES.get(idc, f"profile {idc}")
        if config_type == "vpcC":
            (profile,) = _unpack(">4xB", config, 0)
            return f"Profile {profile}"
        if config_type == "av1C":
            (byte,) = _unpack(">xB", config, 0)
            seq_profile = byte >> 5
            return _AV1_PROFILES.get(seq_profile, f"profile {seq_profile}")
    except MalformedBox:
        return None
    return None


# A visual sample entry's fixed fields take 78 bytes before its child boxes
# (same layout in QuickTime's video sample description).
_VISUAL_ENTRY_FIXED = 78
_CODEC_CONFIG_TYPES = ("avcC", "hvcC", "vpcC", "av1C")


def _parse_visual_entry(entry_payload: memoryview, fourcc: str) -> SampleEntry:
    if len(entry_payload) < _VISUAL_ENTRY_FIXED:
        return SampleEntry(fourcc, None, None, None)
    width, height = _unpack(">HH", entry_payload, 24)
    children: list[Box] = []
    try:
        children = list(iter_children(entry_payload, _VISUAL_ENTRY_FIXED, len(entry_payload)))
    except MalformedBox:
        pass  # damaged extension boxes cost us the profile, not the whole file
    if fourcc in ("encv", "resv"):
        fourcc = _original_format(entry_payload, children) or fourcc
    profile = None
    for child in children:
        if child.type in _CODEC_CONFIG_TYPES:
            profile = _profile_name(child.type, child.payload(entry_payload))
            break
    return SampleEntry(fourcc, width or None, height or None, profile)


def _original_format(entry_payload: memoryview, children: list[Box]) -> str | None:
    """An encrypted/restricted entry names its real codec in sinf/frma."""
    for sinf in (c for c in children if c.type in ("sinf", "rinf")):
        try:
            for box in iter_children(entry_payload, sinf.payload_start, sinf.end):
                if box.type == "frma":
                    return _fourcc(bytes(_unpack(">4s", box.payload(entry_payload), 0)[0]))
        except MalformedBox:
            return None
    return None


def _parse_stsd(payload: memoryview, handler: str) -> SampleEntry | None:
    (_vf, count) = _unpack(">II", payload, 0)
    if count == 0:
        return None
    first = next(iter_children(payload, 8, len(payload)), None)
    if first is None:
        return None
    if handler == "vide":
        return _parse_visual_entry(first.payload(payload), first.type)
    return SampleEntry(first.type, None, None, None)


def _parse_stts(payload: memoryview) -> tuple[int, int, int, int]:
    """(sample count, total duration, first and last sample's duration), media timescale."""
    (_vf, declared) = _unpack(">II", payload, 0)
    entries = min(declared, (len(payload) - 8) // 8)
    table = payload[8 : 8 + 8 * entries]
    samples = ticks = first = last = 0
    for count, delta in struct.iter_unpack(">II", table):
        if count and not samples:
            first = delta
        samples += count
        ticks += count * delta
        if count:
            last = delta
    return samples, ticks, first, last


def _parse_track(data: Buffer, trak: Box) -> Track | None:
    tkhd = trak.first("tkhd")
    mdia = trak.first("mdia")
    if tkhd is None or mdia is None:
        return None  # not a usable track; other tracks may still be fine
    track_id, enabled, rotation, width, height = _parse_tkhd(tkhd.payload(data))
    mdhd = mdia.first("mdhd")
    hdlr = mdia.first("hdlr")
    if mdhd is None or hdlr is None:
        return None
    timescale, media_duration = _timescale_and_duration(mdhd.payload(data))
    handler = _parse_hdlr(hdlr.payload(data))
    sample_entry = None
    samples = ticks = first = last = 0
    minf = mdia.first("minf")
    stbl = minf.first("stbl") if minf else None
    if stbl is not None:
        stsd = stbl.first("stsd")
        if stsd is not None:
            sample_entry = _parse_stsd(stsd.payload(data), handler)
        stts = stbl.first("stts")
        if stts is not None:
            samples, ticks, first, last = _parse_stts(stts.payload(data))
    return Track(
        track_id=track_id,
        handler=handler,
        enabled=enabled,
        header_width=width,
        header_height=height,
        rotation=rotation,
        timescale=timescale,
        media_duration=media_duration,
        sample_entry=sample_entry,
        sample_count=samples,
        sample_ticks=ticks,
        first_sample_ticks=first,
        last_sample_ticks=last,
    )


def parse_movie(data: Buffer) -> Movie:
    """Parse a complete moov box (header included) held in `data`."""
    moov = parse_root(data)
    if moov.type != "moov":
        raise MalformedBox(f"expected moov, found {moov.type!r}")
    mvhd = moov.first("mvhd")
    if mvhd is None:
        raise MalformedBox("moov has no mvhd")
    timescale, duration = _timescale_and_duration(mvhd.payload(data))
    tracks = tuple(
        t for t in (_parse_track(data, trak) for trak in moov.all("trak")) if t is not None
    )
    mvex = moov.first("mvex")
    fragment_duration = None
    defaults: dict[int, TrackDefaults] = {}
    if mvex is not None:
        mehd = mvex.first("mehd")
        if mehd is not None:
            payload = mehd.payload(data)
            version, _ = _version_flags(payload)
            (value,) = _unpack(">Q" if version == 1 else ">I", payload, 4)
            fragment_duration = value or None
        for trex in mvex.all("trex"):
            track_id, _desc, sample_duration = _unpack(">III", trex.payload(data), 4)
            defaults[track_id] = TrackDefaults(sample_duration)
    return Movie(
        timescale=timescale,
        duration=duration,
        tracks=tracks,
        fragmented=mvex is not None,
        fragment_duration=fragment_duration,
        track_defaults=defaults,
    )


# --- movie fragments ------------------------------------------------------------


@dataclass(frozen=True)
class TrackRun:
    """What one traf says about one track inside a moof."""

    track_id: int
    base_decode_time: int | None  # tfdt, track timescale
    sample_count: int
    ticks: int  # summed sample durations, track timescale
    first_sample_ticks: int
    last_sample_ticks: int


def _parse_trun(payload: memoryview, default_duration: int) -> tuple[int, int, int, int]:
    """(sample count, summed durations, first and last sample's duration) of one run."""
    _version, flags = _version_flags(payload)
    (declared,) = _unpack(">I", payload, 4)
    pos = 8
    if flags & 0x1:
        pos += 4  # data_offset
    if flags & 0x4:
        pos += 4  # first_sample_flags
    fields_per_sample = bin(flags & 0xF00).count("1")
    if fields_per_sample == 0:
        return declared, declared * default_duration, default_duration, default_duration
    stride = 4 * fields_per_sample
    count = min(declared, max(0, (len(payload) - pos) // stride))
    if not flags & 0x100:
        return count, count * default_duration, default_duration, default_duration
    table = payload[pos : pos + stride * count]
    durations = [row[0] for row in struct.iter_unpack(f">{fields_per_sample}I", table)]
    if not durations:
        return 0, 0, 0, 0
    return count, sum(durations), durations[0], durations[-1]


def parse_fragment(
    data: Buffer, defaults: dict[int, TrackDefaults], *, require_mfhd: bool = False
) -> list[TrackRun]:
    """Per-track sample totals of one complete moof box held in `data`.

    `require_mfhd` is for a moof found by scanning raw bytes rather than by following
    box sizes: the mandatory fragment header is what tells it from media data that
    happens to spell "moof".
    """
    moof = parse_root(data)
    if moof.type != "moof":
        raise MalformedBox(f"expected moof, found {moof.type!r}")
    if require_mfhd:
        mfhd = moof.first("mfhd")
        if mfhd is None or mfhd.end - mfhd.start != 16:
            raise MalformedBox("moof without a movie fragment header")
    runs = []
    for traf in moof.all("traf"):
        tfhd = traf.first("tfhd")
        if tfhd is None:
            continue
        payload = tfhd.payload(data)
        _version, flags = _version_flags(payload)
        (track_id,) = _unpack(">I", payload, 4)
        pos = 8 + (8 if flags & 0x1 else 0) + (4 if flags & 0x2 else 0)
        trex = defaults.get(track_id)
        default_duration = trex.sample_duration if trex else 0
        if flags & 0x8:
            (default_duration,) = _unpack(">I", payload, pos)
        base = None
        tfdt = traf.first("tfdt")
        if tfdt is not None:
            tfdt_payload = tfdt.payload(data)
            version, _ = _version_flags(tfdt_payload)
            (base,) = _unpack(">Q" if version == 1 else ">I", tfdt_payload, 4)
        samples = ticks = first = last = 0
        for trun in traf.all("trun"):
            count, run_ticks, run_first, run_last = _parse_trun(
                trun.payload(data), default_duration
            )
            if count and not samples:
                first = run_first
            if count:
                last = run_last
            samples += count
            ticks += run_ticks
        runs.append(TrackRun(track_id, base, samples, ticks, first, last))
    return runs


@dataclass(frozen=True)
class SegmentIndex:
    seconds: float | None  # None when the index lists nothing usable
    first_offset: int  # from the end of the sidx box to the first byte it indexes
    referenced_bytes: int  # how many bytes of fragments it indexes from there


def parse_sidx(payload: memoryview) -> SegmentIndex:
    version, _ = _version_flags(payload)
    (_reference_id, timescale) = _unpack(">II", payload, 4)
    if version == 1:
        (_earliest, first_offset) = _unpack(">QQ", payload, 12)
        pos = 28
    else:
        (_earliest, first_offset) = _unpack(">II", payload, 12)
        pos = 20
    (_reserved, declared) = _unpack(">HH", payload, pos)
    pos += 4
    count = min(declared, max(0, (len(payload) - pos) // 12))
    table = payload[pos : pos + 12 * count]
    ticks = referenced = 0
    for reference, duration, _sap in struct.iter_unpack(">III", table):
        referenced += reference & 0x7FFFFFFF
        ticks += duration
    total = ticks / timescale if timescale and count else None
    return SegmentIndex(total, first_offset, referenced)


def parse_mfro_size(payload: memoryview) -> int:
    (_vf, size) = _unpack(">II", payload, 0)
    return size


@dataclass(frozen=True)
class RandomAccessEntry:
    track_id: int
    time: int
    moof_offset: int


def parse_mfra_last_entries(data: Buffer) -> list[RandomAccessEntry]:
    """The last tfra entry of each track in a complete mfra box held in `data`."""
    mfra = parse_root(data)
    if mfra.type != "mfra":
        raise MalformedBox(f"expected mfra, found {mfra.type!r}")
    last = []
    for tfra in mfra.all("tfra"):
        payload = tfra.payload(data)
        version, _ = _version_flags(payload)
        track_id, sizes, declared = _unpack(">III", payload, 4)
        entry_size = (16 if version == 1 else 8) + sum(
            ((sizes >> shift) & 0x3) + 1 for shift in (4, 2, 0)
        )
        count = min(declared, max(0, (len(payload) - 16) // entry_size))
        if count == 0:
            continue
        pos = 16 + (count - 1) * entry_size
        time, offset = _unpack(">QQ" if version == 1 else ">II", payload, pos)
        last.append(RandomAccessEntry(track_id, time, offset))
    return last


def seconds(ticks: int | None, timescale: int) -> float | None:
    if ticks is None or timescale <= 0:
        return None
    value = ticks / timescale
    return value if math.isfinite(value) else None
