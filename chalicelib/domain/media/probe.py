"""Read the facts a contest needs about an MP4/MOV upload from its header boxes only.

The file may be hundreds of megabytes in S3, so `probe` never reads media data. It
drives a `RangeReader` (one call = one ranged GET) along the top-level box chain:

1. Read the head of the file (HEAD_READ bytes). A faststart file has ftyp and the
   start of moov in it; the rest of moov, if any, is fetched in one more read.
2. Otherwise each top-level box header says where the next box starts (an mdat's
   size is enough to jump over the whole media payload), so the prober hops to it,
   reading HOP_READ bytes there, and fetches moov in one read once its size is known.
3. Fragmented files (moov carries mvex) state no total duration unless mehd is
   present. The prober then tries, in order: a sidx right after moov, the mfra
   index found via the trailing mfro box (then reads only the last moof), the tail
   of the object read backwards in a few growing windows until the last moof shows
   (its tfdt plus its sample durations is where each track ends), and as a last
   resort walks the moof headers from the front, all within the same limits. The
   cost of an index-less file thus does not grow with its number of fragments. If
   even the walk cannot reach the end within the limits, the facts say the duration
   is unknown (the verdict: duration_unknown) rather than guess from part of it.

A 3-minute phone video is resolved in 2 reads (faststart) or 3 reads (moov at the
end) and roughly moov size + 64 KiB of traffic.

Limits: every read is counted against `byte_budget` and `max_requests` *before* it is
made, so no input (a moov claiming 4 GB, a chain of a million tiny boxes) can make
the prober fetch more. Whatever goes wrong with the bytes, `probe` raises only
`MediaProbeError`, whose `code` is one of:

| code                  | meaning                                                         |
|-----------------------|-----------------------------------------------------------------|
| empty_file            | the object is 0 bytes                                           |
| not_a_video           | not an MP4/QuickTime file, an image/audio-only file, or no video track |
| file_incomplete       | a box runs past the end of the file, or moov is missing (truncated upload) |
| corrupt_header        | the header boxes are structurally invalid                       |
| read_budget_exceeded  | answering would need more bytes or requests than allowed        |
| probe_error           | a defect in this module met an input it did not expect (tests assert it never happens) |

Exceptions raised by the reader itself (network, permissions) are infrastructure
failures, not verdicts about the media, and propagate unchanged.
"""
from __future__ import annotations

import struct
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from chalicelib.domain.media.bmff import (
    BoxHeader,
    MalformedBox,
    Movie,
    NeedMoreBytes,
    Track,
    TrackDefaults,
    TrackRun,
    container_for_brands,
    is_non_video_brand,
    is_plausible_type,
    parse_box_header,
    parse_fragment,
    parse_ftyp,
    parse_mfra_last_entries,
    parse_movie,
    parse_sidx,
    seconds,
)

KIB = 1024
MIB = 1024 * KIB

DEFAULT_BYTE_BUDGET = 8 * MIB
DEFAULT_MAX_REQUESTS = 16

HEAD_READ = 64 * KIB
HOP_READ = 64 * KIB
# Fragments are small (a moof is a few KiB); reading less per hop keeps the walk cheap.
FRAGMENT_HOP = 16 * KIB
# The longest box header: 32-bit size + type + 64-bit size + uuid extended type.
MAX_HEADER = 32
MAX_FTYP_BYTES = 4 * KIB
MAX_TOP_LEVEL_BOXES = 10_000
MAX_INDEX_BOXES = 16  # consecutive sidx boxes after moov (one per track in practice)
# Without an index, the last fragment is looked for in ever larger windows read
# backwards from the end (cumulative sizes). A fragment of 1-2 s at phone bitrates
# (8-20 Mb/s) is 1-5 MiB; a last fragment too big even for 6 MiB leaves what remains of
# the budget to a walk from the front, which suits files of few, big fragments.
TAIL_WINDOWS = (256 * KIB, 2 * MIB, 6 * MIB)
# "moof" occurrences tried per tail, candidates that fail validation included.
MAX_TAIL_CANDIDATES = 64

# Boxes a QuickTime file written before ftyp existed may start with.
_LEGACY_QUICKTIME_FIRST = frozenset({"moov", "mdat", "wide", "free", "skip", "pnot"})
_FIRST_BOX_TYPES = _LEGACY_QUICKTIME_FIRST | {"ftyp"}


@runtime_checkable
class RangeReader(Protocol):
    size: int  # total object size in bytes

    def read(self, offset: int, length: int) -> bytes:
        """ONE ranged GET; may return fewer bytes at EOF."""
        ...


class BytesRangeReader:
    """A RangeReader over bytes in memory (tests, already-downloaded snippets)."""

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self.size = len(self._data)

    def read(self, offset: int, length: int) -> bytes:
        return self._data[offset : offset + length]


@dataclass
class MediaFacts:
    """What the header says. Partial (mostly None) when attached to a MediaProbeError.

    container comes from the ftyp brand, never the file name. coded_* is the sample
    entry's size; rotation is the clockwise turn the tkhd matrix asks players to
    apply (the convention of MediaInfo's "Rotation" and the legacy `rotate` tag;
    ffprobe's display-matrix angle is counter-clockwise); display_* is what a viewer
    sees. duration_seconds is the movie's duration (the longest track). frame_rate is
    the video track's average. bytes_read/get_requests count what probing cost.
    """

    container: str | None = None  # "mp4" | "mov" | None
    major_brand: str | None = None
    compatible_brands: list[str] = field(default_factory=list)
    video_codec: str | None = None  # "h264" | "hevc" | "vp9" | "av1" | other | None
    codec_profile: str | None = None
    coded_width: int | None = None
    coded_height: int | None = None
    rotation: int = 0  # clockwise degrees: 0, 90, 180, 270
    display_width: int | None = None
    display_height: int | None = None
    duration_seconds: float | None = None
    frame_rate: float | None = None
    has_audio: bool = False
    fragmented: bool = False
    size_bytes: int = 0
    bytes_read: int = 0
    get_requests: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class MediaProbeError(Exception):
    """The header cannot be judged; `code` says why (table in the module docstring)."""

    def __init__(self, code: str, detail: str = "", facts: MediaFacts | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.facts = facts or MediaFacts()


class _ReaderFailure(Exception):
    """Carries an exception raised by the reader past the media-error handling."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


class _Fetcher:
    """Ranged reads with a cache, charged against the byte and request limits."""

    def __init__(self, reader: RangeReader, size: int, byte_budget: int, max_requests: int):
        self._reader = reader
        self.size = size
        self._byte_budget = byte_budget
        self._max_requests = max_requests
        self._chunks: list[tuple[int, bytes]] = []
        self.bytes_read = 0
        self.requests = 0

    def _cached(self, offset: int, length: int) -> bytes:
        """The longest cached run of bytes starting at `offset`, at most `length`."""
        parts: list[bytes] = []
        pos, stop = offset, offset + length
        while pos < stop:
            for start, data in self._chunks:
                if start <= pos < start + len(data):
                    piece = data[pos - start : stop - start]
                    parts.append(piece)
                    pos += len(piece)
                    break
            else:
                break
        return b"".join(parts)

    def get(self, offset: int, length: int) -> bytes:
        """Bytes [offset, offset+length) clamped to EOF, fetching only what is not cached."""
        length = min(length, self.size - offset)
        if length <= 0 or offset < 0:
            return b""
        have = self._cached(offset, length)
        if len(have) >= length:
            return have
        return have + self._read(offset + len(have), length - len(have))

    def header_at(self, offset: int, speculative: int) -> bytes:
        """Enough bytes at `offset` to parse a box header, reading ahead `speculative`."""
        need = min(MAX_HEADER, self.size - offset)
        have = self._cached(offset, MAX_HEADER)
        if len(have) >= need:
            return have
        return self.get(offset, max(need, speculative))

    def _read(self, offset: int, length: int) -> bytes:
        if self.requests >= self._max_requests:
            raise MediaProbeError(
                "read_budget_exceeded", f"would need more than {self._max_requests} reads"
            )
        if self.bytes_read + length > self._byte_budget:
            raise MediaProbeError(
                "read_budget_exceeded",
                f"reading {length} bytes at {offset} would exceed the {self._byte_budget}-byte budget",
            )
        self.requests += 1
        try:
            data = self._reader.read(offset, length)
        except Exception as exc:  # infrastructure: let the caller's own handling see it
            raise _ReaderFailure(exc) from exc
        data = bytes(data[:length])
        self.bytes_read += len(data)
        if len(data) < length:
            raise MediaProbeError(
                "file_incomplete",
                f"object ended at {offset + len(data)}, before its declared size {self.size}",
            )
        self._chunks.append((offset, data))
        return data


def probe(
    reader: RangeReader,
    *,
    byte_budget: int = DEFAULT_BYTE_BUDGET,
    max_requests: int = DEFAULT_MAX_REQUESTS,
) -> MediaFacts:
    """Facts about the video behind `reader`, from its header boxes only."""
    size = reader.size if isinstance(reader.size, int) and reader.size > 0 else 0
    facts = MediaFacts(size_bytes=size)
    fetcher = _Fetcher(reader, size, byte_budget, max_requests)
    error: MediaProbeError
    try:
        _probe_into(facts, fetcher)
    except _ReaderFailure as failure:
        raise failure.error
    except MediaProbeError as exc:
        error = exc
    except MalformedBox as exc:
        error = MediaProbeError("corrupt_header", str(exc))
    except Exception as exc:  # a bug must not turn into a 500 for the participant
        error = MediaProbeError("probe_error", repr(exc))
    else:
        facts.bytes_read, facts.get_requests = fetcher.bytes_read, fetcher.requests
        return facts
    facts.bytes_read, facts.get_requests = fetcher.bytes_read, fetcher.requests
    error.facts = facts
    raise error


def _probe_into(facts: MediaFacts, fetcher: _Fetcher) -> None:
    size = fetcher.size
    if size == 0:
        raise MediaProbeError("empty_file")
    movie, moov_end, first_type = _find_movie(facts, fetcher)
    if facts.major_brand is not None:
        facts.container = container_for_brands(facts.major_brand, tuple(facts.compatible_brands))
    elif first_type in _LEGACY_QUICKTIME_FIRST:
        facts.container = "mov"
    if movie is None:
        raise MediaProbeError("file_incomplete", "no moov box before the end of the file")

    video = movie.video_track()
    if video is None:
        raise MediaProbeError("not_a_video", "the file has no video track")
    entry = video.sample_entry
    facts.video_codec = entry.codec if entry else None
    facts.codec_profile = entry.profile if entry else None
    facts.coded_width = entry.width if entry else None
    facts.coded_height = entry.height if entry else None
    facts.rotation = video.rotation
    facts.display_width, facts.display_height = _display_size(video)
    facts.fragmented = movie.fragmented
    facts.has_audio = any(
        t.is_audio and (movie.fragmented or t.sample_count > 0) for t in movie.tracks
    )
    if movie.fragmented:
        duration, frame_rate = _fragmented_timing(fetcher, movie, video, moov_end)
    else:
        duration = seconds(movie.duration, movie.timescale) or seconds(
            video.media_duration, video.timescale
        )
        frame_rate = _frame_rate(
            video.sample_count,
            video.sample_ticks,
            video.timescale,
            video.first_sample_ticks + video.last_sample_ticks,
        )
    facts.duration_seconds = round(duration, 6) if duration is not None else None
    facts.frame_rate = frame_rate


def _find_movie(facts: MediaFacts, fetcher: _Fetcher) -> tuple[Movie | None, int, str | None]:
    """Walk the top-level boxes until moov is parsed: (movie, end of moov, first box type)."""
    size = fetcher.size
    pos = 0
    first_type: str | None = None
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if pos >= size:
            return None, pos, first_type
        raw = fetcher.header_at(pos, HEAD_READ if pos == 0 else HOP_READ)
        if pos == 0:
            first_type = raw[4:8].decode("latin-1") if len(raw) >= 8 else None
            if first_type not in _FIRST_BOX_TYPES:
                raise MediaProbeError("not_a_video", "the file does not start with an MP4/QuickTime box")
        try:
            header = parse_box_header(raw)
        except NeedMoreBytes:
            return None, pos, first_type  # a few stray bytes at the end, not a box
        if not is_plausible_type(header.type):
            raise MalformedBox(f"unreadable box type at offset {pos}")
        end = size if header.size is None else pos + header.size
        if end > size:
            raise MediaProbeError(
                "file_incomplete",
                f"box {header.type!r} at {pos} needs {end - size} bytes past the end of the file",
            )
        if header.type == "ftyp" and facts.major_brand is None:
            box = fetcher.get(pos, min(end - pos, MAX_FTYP_BYTES))
            file_type = parse_ftyp(memoryview(box)[header.header_size :])
            facts.major_brand = file_type.major_brand
            facts.compatible_brands = list(file_type.compatible_brands)
            if is_non_video_brand(file_type.major_brand):
                raise MediaProbeError(
                    "not_a_video", f"brand {file_type.major_brand!r} is an image or audio file"
                )
        elif header.type == "moov":
            # Fetch the next box header in the same read: it shows a truncated upload.
            data = fetcher.get(pos, end - pos + MAX_HEADER)
            movie = parse_movie(memoryview(data)[: end - pos])
            _check_next_box_fits(data[end - pos :], end, size)
            return movie, end, first_type
        pos = end
    raise MalformedBox("too many top-level boxes")


def _check_next_box_fits(raw: bytes, offset: int, size: int) -> None:
    """A faststart upload cut short still has a complete moov; its mdat does not fit.

    Only a plausible box header is trusted: stray bytes after moov are not an error.
    """
    try:
        header = parse_box_header(raw)
    except (NeedMoreBytes, MalformedBox):
        return
    if is_plausible_type(header.type) and header.size and offset + header.size > size:
        raise MediaProbeError(
            "file_incomplete",
            f"box {header.type!r} after moov needs {offset + header.size - size} bytes past the end",
        )


def _display_size(video: Track) -> tuple[int | None, int | None]:
    """Width x height as shown to the viewer.

    tkhd width/height is the presentation size before the matrix is applied (it
    already accounts for non-square pixels), so a 90°/270° matrix swaps it. Some
    writers store tkhd already in display orientation (the coded size transposed);
    swapping that again would undo it, so it is taken as-is.
    """
    entry = video.sample_entry
    coded = (entry.width, entry.height) if entry and entry.width and entry.height else None
    header = (round(video.header_width), round(video.header_height))
    base = header if header[0] > 0 and header[1] > 0 else coded
    if base is None:
        return None, None
    if video.rotation in (90, 270):
        already_display = coded is not None and coded[0] != coded[1] and base == (coded[1], coded[0])
        if not already_display:
            return base[1], base[0]
    return base


def _frame_rate(samples: int, ticks: int, timescale: int, edge_ticks: int = 0) -> float | None:
    """Average frame rate, leaving out the first and last samples when there are
    enough: muxers stretch those to line tracks up (ffmpeg's fragments lengthen the
    first frame to cover AAC priming), which would read a 25 fps clip as 24.8."""
    if samples > 2 and 0 <= edge_ticks < ticks:
        samples, ticks = samples - 2, ticks - edge_ticks
    if samples <= 0 or ticks <= 0 or timescale <= 0:
        return None
    return round(samples * timescale / ticks, 3)


# --- fragmented files ------------------------------------------------------------


def _fragmented_timing(
    fetcher: _Fetcher, movie: Movie, video: Track, moov_end: int
) -> tuple[float | None, float | None]:
    """(duration, frame rate) of a fragmented file, reading as little as possible."""
    in_moov = seconds(movie.duration, movie.timescale) or 0.0
    defaults = movie.track_defaults
    trex = defaults.get(video.track_id)
    default_rate = (
        _frame_rate(1, trex.sample_duration, video.timescale) if trex else None
    ) or _frame_rate(
        video.sample_count,
        video.sample_ticks,
        video.timescale,
        video.first_sample_ticks + video.last_sample_ticks,
    )

    if movie.fragment_duration:
        rate = default_rate or _rate_of_fragment_at(fetcher, moov_end, movie, video)
        return seconds(movie.fragment_duration, movie.timescale), rate

    indexed_total, after_index = _duration_from_sidx(fetcher, moov_end)
    if indexed_total is not None:
        rate = default_rate or _rate_of_fragment_at(fetcher, after_index, movie, video)
        return max(indexed_total, in_moov), rate

    indexed = _duration_from_mfra(fetcher, movie, video, moov_end)
    if indexed is not None:
        duration, runs = indexed
        return max(duration, in_moov), _video_rate(runs, video) or default_rate

    from_tail = _duration_from_tail(fetcher, movie, video, moov_end)
    if from_tail is not None:
        duration, runs = from_tail
        return max(duration, in_moov), _video_rate(runs, video) or default_rate

    try:
        return _walk_fragments(fetcher, movie, video, moov_end, in_moov, default_rate)
    except MediaProbeError as error:
        if error.code != "read_budget_exceeded":
            raise
    # Guessing from the fragments walked so far would understate a long video, so the
    # verdict says "duration unknown" while codec and picture size are still judged.
    return None, default_rate


def _duration_from_sidx(fetcher: _Fetcher, offset: int) -> tuple[float | None, int]:
    """Longest duration among the sidx boxes right after moov (ffmpeg writes one per
    track), and the offset just past them.

    An index also says how many bytes of fragments follow it, which exposes a
    truncated upload without walking to the end.
    """
    longest = None
    for _ in range(MAX_INDEX_BOXES):
        header = _header_or_none(fetcher, offset)
        if header is None or header.type != "sidx" or header.size is None:
            break
        end = offset + header.size
        if end > fetcher.size:
            raise MediaProbeError("file_incomplete", f"sidx at {offset} runs past the end")
        index = parse_sidx(memoryview(fetcher.get(offset, header.size))[header.header_size :])
        indexed_end = end + index.first_offset + index.referenced_bytes
        if indexed_end > fetcher.size:
            raise MediaProbeError(
                "file_incomplete",
                f"sidx indexes fragments up to byte {indexed_end}; the file has {fetcher.size}",
            )
        if index.seconds is not None:
            longest = index.seconds if longest is None else max(longest, index.seconds)
        offset = end
    return longest, offset


def _header_or_none(fetcher: _Fetcher, offset: int) -> BoxHeader | None:
    if offset >= fetcher.size:
        return None
    try:
        return parse_box_header(fetcher.header_at(offset, FRAGMENT_HOP))
    except NeedMoreBytes:
        return None


def _fragment_at(
    fetcher: _Fetcher, offset: int, defaults: dict[int, TrackDefaults]
) -> list[TrackRun] | None:
    header = _header_or_none(fetcher, offset)
    if header is None or header.type != "moof" or header.size is None:
        return None
    if offset + header.size > fetcher.size:
        return None
    return parse_fragment(fetcher.get(offset, header.size), defaults)


def _rate_of_fragment_at(
    fetcher: _Fetcher, offset: int, movie: Movie, video: Track
) -> float | None:
    """Frame rate from one moof, when the duration is already known from an index.

    Only nice to have: if the limits or a damaged fragment stand in the way, the
    answer is "unknown", not an error.
    """
    try:
        runs = _fragment_at(fetcher, offset, movie.track_defaults)
    except MalformedBox:
        return None
    except MediaProbeError as error:
        if error.code == "read_budget_exceeded":
            return None
        raise
    return _video_rate(runs or [], video)


def _video_rate(runs: list[TrackRun], video: Track) -> float | None:
    mine = [r for r in runs if r.track_id == video.track_id and r.sample_count]
    if not mine:
        return None
    samples = sum(r.sample_count for r in mine)
    ticks = sum(r.ticks for r in mine)
    edges = mine[0].first_sample_ticks + mine[-1].last_sample_ticks
    return _frame_rate(samples, ticks, video.timescale, edges)


def _end_seconds(movie: Movie, track_id: int, end_ticks: int) -> float | None:
    track = movie.track(track_id)
    return seconds(end_ticks, track.timescale) if track else None


def _duration_from_mfra(
    fetcher: _Fetcher, movie: Movie, video: Track, moov_end: int
) -> tuple[float, list[TrackRun]] | None:
    """Duration via mfro -> mfra -> the last moof it indexes; None if there is no index."""
    size = fetcher.size
    if size - moov_end < 16:
        return None
    tail = fetcher.get(size - 16, 16)
    if tail[4:8] != b"mfro":
        return None
    (mfra_size,) = struct.unpack_from(">I", tail, 12)
    if not 16 <= mfra_size <= size - moov_end:
        return None
    mfra = fetcher.get(size - mfra_size, mfra_size)
    try:
        entries = parse_mfra_last_entries(mfra)
    except MalformedBox:
        return None  # a damaged index is not fatal: the fragments themselves may be fine
    entry = next((e for e in entries if e.track_id == video.track_id), None) or (
        entries[0] if entries else None
    )
    if entry is None or not moov_end <= entry.moof_offset < size:
        return None
    runs = _fragment_at(fetcher, entry.moof_offset, movie.track_defaults)
    if not runs:
        return None
    ends = []
    for run in runs:
        base = run.base_decode_time
        if base is None and run.track_id == entry.track_id:
            base = entry.time
        if base is not None:
            end = _end_seconds(movie, run.track_id, base + run.ticks)
            if end is not None:
                ends.append(end)
    return (max(ends), runs) if ends else None


def _duration_from_tail(
    fetcher: _Fetcher, movie: Movie, video: Track, moov_end: int
) -> tuple[float, list[TrackRun]] | None:
    """Duration from the last fragments, found by reading the object backwards from its end.

    A fragmented file without an index says nothing about where its last moof is, but
    the last moof lies within one fragment of the end. Each track's end is its last
    traf's tfdt (the decode time the fragment starts at) plus the durations its trun
    lists, whatever the number of fragments before it. None when the tail holds no
    usable moof (a fragment bigger than the windows read, or trafs without tfdt); the
    caller then walks the fragments from the front.
    """
    size = fetcher.size
    read_from = size
    for window in TAIL_WINDOWS:
        lo = max(moov_end, size - window)
        if lo >= read_from:
            return None
        try:
            fetcher.get(lo, read_from - lo)
        except MediaProbeError as error:
            if error.code == "read_budget_exceeded":
                return None
            raise
        read_from = lo
        tail = _Tail(fetcher.get(lo, size - lo), lo)  # cached: the windows are contiguous
        found = tail.last_fragments(movie, video)
        if found is not None:
            return found
    return None


class _Tail:
    """The bytes [start, end of file), which need not begin at a box boundary."""

    def __init__(self, data: bytes, start: int) -> None:
        self.data = data
        self.start = start
        # Offsets (into data) already known to begin a box chain reaching the end.
        self._chained: set[int] = {len(data)}
        self._broken: set[int] = set()

    def last_fragments(self, movie: Movie, video: Track) -> tuple[float, list[TrackRun]] | None:
        """Scan backwards for moofs until the video track's last traf is found; each
        track's end is taken from the last fragment that carries it."""
        ends: dict[int, int] = {}
        search_end = len(self.data)
        for _ in range(MAX_TAIL_CANDIDATES):
            type_at = self.data.rfind(b"moof", 0, search_end)
            if type_at < 4:
                return None
            search_end = type_at + 3  # the next match must start before this one
            runs = self._fragment_at(type_at - 4, movie)
            if runs is None:
                continue
            for run in runs:
                if run.base_decode_time is not None and run.track_id not in ends:
                    ends[run.track_id] = run.base_decode_time + run.ticks
            if any(run.track_id == video.track_id for run in runs):
                if video.track_id not in ends:
                    return None  # no tfdt: only a walk from the front can tell the time
                durations = [
                    d
                    for d in (_end_seconds(movie, tid, ticks) for tid, ticks in ends.items())
                    if d is not None
                ]
                return (max(durations), runs) if durations else None
        return None

    def _fragment_at(self, at: int, movie: Movie) -> list[TrackRun] | None:
        """The runs of a moof starting at data[at], or None unless those bytes parse as
        a moof with its mfhd and the boxes after it lead exactly to the end of the file."""
        try:
            header = parse_box_header(self.data, at)
        except (NeedMoreBytes, MalformedBox):
            return None
        if header.size is None or at + header.size > len(self.data):
            return None
        try:
            runs = parse_fragment(
                memoryview(self.data)[at : at + header.size],
                movie.track_defaults,
                require_mfhd=True,
            )
        except MalformedBox:
            return None
        return runs if self._chains_to_end(at + header.size) else None

    def _chains_to_end(self, pos: int) -> bool:
        """Whether the boxes from data[pos] on end exactly at the end of the file.

        A chain that is well formed but runs past the end is a truncated upload.
        """
        visited = []
        chained = False
        for _ in range(MAX_TOP_LEVEL_BOXES):
            if pos in self._chained or len(self.data) - pos < 8:
                chained = True  # the end, give or take a few stray bytes (as in the walk)
                break
            if pos in self._broken:
                break
            visited.append(pos)
            try:
                header = parse_box_header(self.data, pos)
            except (NeedMoreBytes, MalformedBox):
                break
            if not is_plausible_type(header.type):
                break
            if header.size is None:
                chained = True
                break
            if pos + header.size > len(self.data):
                raise MediaProbeError(
                    "file_incomplete",
                    f"box {header.type!r} at {self.start + pos} near the end runs past it",
                )
            pos += header.size
        (self._chained if chained else self._broken).update(visited)
        return chained


def _walk_fragments(
    fetcher: _Fetcher,
    movie: Movie,
    video: Track,
    moov_end: int,
    in_moov: float,
    default_rate: float | None,
) -> tuple[float | None, float | None]:
    """Hop over every moof/mdat pair, summing each track's sample durations."""
    size = fetcher.size
    ends = {t.track_id: t.sample_ticks for t in movie.tracks}
    video_samples = video_ticks = video_first = video_last = 0
    pos = moov_end
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if pos >= size:
            break
        header = _header_or_none(fetcher, pos)
        if header is None:
            break
        if not is_plausible_type(header.type):
            raise MalformedBox(f"unreadable box type at offset {pos}")
        end = size if header.size is None else pos + header.size
        if end > size:
            raise MediaProbeError(
                "file_incomplete", f"fragment box {header.type!r} at {pos} runs past the end"
            )
        if header.type == "moof":
            for run in parse_fragment(fetcher.get(pos, end - pos), movie.track_defaults):
                start = run.base_decode_time
                if start is None:
                    start = ends.get(run.track_id, 0)
                ends[run.track_id] = start + run.ticks
                if run.track_id == video.track_id and run.sample_count:
                    if not video_samples:
                        video_first = run.first_sample_ticks
                    video_samples += run.sample_count
                    video_ticks += run.ticks
                    video_last = run.last_sample_ticks
        pos = end
    else:
        # Thousands of well-formed tiny fragments are not damage, only too much work.
        raise MediaProbeError("read_budget_exceeded", "too many fragments to walk")
    durations = [
        d for d in (_end_seconds(movie, tid, ticks) for tid, ticks in ends.items()) if d is not None
    ]
    duration = max([in_moov, *durations])
    edges = video_first + video_last
    rate = _frame_rate(video_samples, video_ticks, video.timescale, edges) or default_rate
    return duration, rate
