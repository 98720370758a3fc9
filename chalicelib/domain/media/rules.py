"""A campaign's media rules: what an upload's container, codec, size and timing must be.

These are plain frozen dataclasses read by ONE hand-written parser, `media_rules_from`,
rather than pydantic models like the rest of `Campaign`. Measured reason:
`./contest validate` needs only these rules, and importing pydantic and building its
models was about two thirds of that command's whole-process CPU (the target is at most
2.5x `ffprobe` on the same file). `Campaign` validates its `media` section through this
same parser, so there is still one set of rules and one set of error locations.

The parser accepts what the former pydantic models accepted in their default (lax)
mode for JSON values (numbers as int/float/Decimal, booleans as numbers, numeric
strings, the usual boolean words) and reports each problem with the same field path
(`media.duration.min_seconds`, `media.video_codecs.1`) and pydantic's wording;
tests/unit/test_media_rules.py holds those models as the oracle. Knowingly narrower:
an integer written as a decimal string ("1080.0") and an iterator (no JSON value is
one) are refused.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

from chalicelib.domain.errors import CampaignConfigError

CONTAINERS = ("mp4", "mov")
VIDEO_CODECS = ("h264", "hevc", "vp9", "av1")
RESOLUTION_MATCHES = ("exact", "minimum")

CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "mp4": ("video/mp4",),
    "mov": ("video/quicktime",),
}

MAX_SIDE = 16384
MAX_FILE_SIZE_BYTES = 50 * 1024**3

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Resolution:
    width: int
    height: int
    match: str = "exact"  # "exact" | "minimum"


@dataclass(frozen=True)
class DurationRange:
    min_seconds: float
    max_seconds: float


@dataclass(frozen=True)
class FrameRateRange:
    min_fps: float = 23.0
    max_fps: float = 60.0


@dataclass(frozen=True)
class MediaRules:
    containers: list[str]
    video_codecs: list[str]
    duration: DurationRange
    max_file_size_bytes: int
    resolution: Resolution | None = None
    frame_rate_warning: FrameRateRange = field(default_factory=FrameRateRange)
    audio_expected: bool = True

    @property
    def content_types(self) -> tuple[str, ...]:
        return tuple(t for c in self.containers for t in CONTENT_TYPES[c])

    def to_dict(self) -> dict:
        """The stored and API shape, as campaign documents have always had it: these keys in
        this order, seconds and frame rates always written as floats (15.0, not 15)."""
        resolution, duration, frame_rate = self.resolution, self.duration, self.frame_rate_warning
        return {
            "containers": list(self.containers),
            "video_codecs": list(self.video_codecs),
            "resolution": None if resolution is None else {
                "width": int(resolution.width), "height": int(resolution.height), "match": resolution.match},
            "duration": {"min_seconds": float(duration.min_seconds), "max_seconds": float(duration.max_seconds)},
            "max_file_size_bytes": int(self.max_file_size_bytes),
            "frame_rate_warning": {"min_fps": float(frame_rate.min_fps), "max_fps": float(frame_rate.max_fps)},
            "audio_expected": bool(self.audio_expected),
        }


class MediaRulesError(CampaignConfigError):
    """Media rules that break the rules; `locations` holds each problem's path as a tuple."""

    def __init__(self, source: str, locations: list[tuple[Location, str]]) -> None:
        self.locations = locations
        super().__init__(source, [(".".join(str(part) for part in loc), msg) for loc, msg in locations])


def media_rules_from(data: object, path: str = "media", *, source: str = "campaign") -> MediaRules:
    """`data` (a campaign's `media` section) as MediaRules, or MediaRulesError naming every bad field.

    `path` prefixes the field paths in the error (`media.duration.min_seconds`); an
    empty path reports them relative to the section itself.
    """
    if isinstance(data, MediaRules):
        return data
    reader = _Reader(tuple(path.split(".")) if path else ())
    rules = reader.media_rules(data, reader.root)
    if reader.problems:
        raise MediaRulesError(source, reader.problems)
    return rules


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)):
        return True
    # Documents read back from DynamoDB may carry Decimals, and none can exist unless the
    # decimal module is loaded: looking it up rather than importing it spares the CLI that import.
    decimal = sys.modules.get("decimal")
    return decimal is not None and isinstance(value, decimal.Decimal)


_MISSING = object()
_MEDIA_KEYS = ("containers", "video_codecs", "resolution", "duration", "max_file_size_bytes",
               "frame_rate_warning", "audio_expected")
_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_WORDS = frozenset({"0", "off", "f", "false", "n", "no"})


class _Reader:
    """Collects every problem (not just the first) while reading one media section."""

    def __init__(self, root: Location) -> None:
        self.root = root
        self.problems: list[tuple[Location, str]] = []

    def fail(self, loc: Location, message: str) -> None:
        self.problems.append((loc, message))

    # --- sections -----------------------------------------------------------------------

    def media_rules(self, data: object, loc: Location) -> MediaRules | None:
        fields = self.fields(data, loc, "MediaRules")
        if fields is None:
            return None
        before = len(self.problems)
        containers = self.choices(fields.get("containers", _MISSING), loc + ("containers",), CONTAINERS)
        codecs = self.choices(fields.get("video_codecs", _MISSING), loc + ("video_codecs",), VIDEO_CODECS)
        resolution = fields.get("resolution")
        if resolution is not None:
            resolution = self.resolution(resolution, loc + ("resolution",))
        duration = self.duration(fields.get("duration", _MISSING), loc + ("duration",))
        size = self.integer(fields.get("max_file_size_bytes", _MISSING), loc + ("max_file_size_bytes",),
                            above=0, at_most=MAX_FILE_SIZE_BYTES)
        frame_rate = fields.get("frame_rate_warning", _MISSING)
        frame_rate = FrameRateRange() if frame_rate is _MISSING else self.frame_rate(
            frame_rate, loc + ("frame_rate_warning",))
        audio = self.boolean(fields.get("audio_expected", True), loc + ("audio_expected",))
        self.refuse_unknown(fields, loc, _MEDIA_KEYS)
        if len(self.problems) > before:
            return None
        return MediaRules(containers=containers, video_codecs=codecs, resolution=resolution, duration=duration,
                          max_file_size_bytes=size, frame_rate_warning=frame_rate, audio_expected=audio)

    def resolution(self, data: object, loc: Location) -> Resolution | None:
        if isinstance(data, Resolution):
            return data
        fields = self.fields(data, loc, "Resolution")
        if fields is None:
            return None
        before = len(self.problems)
        width = self.integer(fields.get("width", _MISSING), loc + ("width",), above=0, at_most=MAX_SIDE)
        height = self.integer(fields.get("height", _MISSING), loc + ("height",), above=0, at_most=MAX_SIDE)
        match = self.choice(fields.get("match", "exact"), loc + ("match",), RESOLUTION_MATCHES)
        self.refuse_unknown(fields, loc, ("width", "height", "match"))
        if len(self.problems) > before:
            return None
        return Resolution(width=width, height=height, match=match)

    def duration(self, data: object, loc: Location) -> DurationRange | None:
        if isinstance(data, DurationRange):
            return data
        fields = self.fields(data, loc, "DurationRange")
        if fields is None:
            return None
        before = len(self.problems)
        low = self.number(fields.get("min_seconds", _MISSING), loc + ("min_seconds",), at_least=0)
        high = self.number(fields.get("max_seconds", _MISSING), loc + ("max_seconds",), above=0)
        self.refuse_unknown(fields, loc, ("min_seconds", "max_seconds"))
        if len(self.problems) > before:
            return None
        if low > high:
            self.fail(loc, "Value error, min_seconds must not exceed max_seconds")
            return None
        return DurationRange(min_seconds=low, max_seconds=high)

    def frame_rate(self, data: object, loc: Location) -> FrameRateRange | None:
        if isinstance(data, FrameRateRange):
            return data
        fields = self.fields(data, loc, "FrameRateRange")
        if fields is None:
            return None
        before = len(self.problems)
        low = self.number(fields.get("min_fps", FrameRateRange.min_fps), loc + ("min_fps",), above=0)
        high = self.number(fields.get("max_fps", FrameRateRange.max_fps), loc + ("max_fps",), above=0)
        self.refuse_unknown(fields, loc, ("min_fps", "max_fps"))
        if len(self.problems) > before:
            return None
        return FrameRateRange(min_fps=low, max_fps=high)

    def fields(self, data: object, loc: Location, name: str) -> dict | None:
        if isinstance(data, dict):
            return data
        if data is _MISSING:
            self.fail(loc, "Field required")
        else:
            self.fail(loc, f"Input should be a valid dictionary or instance of {name}")
        return None

    def refuse_unknown(self, data: dict, loc: Location, known: tuple[str, ...]) -> None:
        """Unknown keys are refused so a typo in a campaign file is an error, not a silent default."""
        for key in data:
            if key not in known:
                self.fail(loc + (key,), "Extra inputs are not permitted")

    # --- values -------------------------------------------------------------------------

    def choices(self, value: object, loc: Location, allowed: tuple[str, ...]) -> list[str] | None:
        if value is _MISSING:
            self.fail(loc, "Field required")
            return None
        if not isinstance(value, (list, tuple, set, frozenset)):
            self.fail(loc, "Input should be a valid list")
            return None
        picked = [self.choice(item, loc + (index,), allowed) for index, item in enumerate(value)]
        if None in picked:
            return None
        if not picked:
            self.fail(loc, "List should have at least 1 item after validation, not 0")
            return None
        return picked

    def choice(self, value: object, loc: Location, allowed: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in allowed:
            return value
        quoted = [f"'{a}'" for a in allowed]
        self.fail(loc, f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}")
        return None

    def integer(self, value: object, loc: Location, *, above: int, at_most: int) -> int | None:
        if value is _MISSING:
            self.fail(loc, "Field required")
            return None
        number: int
        if isinstance(value, int):
            number = int(value)
        elif _is_number(value):
            if not math.isfinite(value):
                self.fail(loc, "Input should be a finite number")
                return None
            if value != int(value):
                self.fail(loc, "Input should be a valid integer, got a number with a fractional part")
                return None
            number = int(value)
        elif isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                self.fail(loc, "Input should be a valid integer, unable to parse string as an integer")
                return None
        else:
            self.fail(loc, "Input should be a valid integer")
            return None
        return number if self.bounded(number, loc, above=above, at_most=at_most) else None

    def number(self, value: object, loc: Location, *, above: float | None = None,
               at_least: float | None = None) -> float | None:
        if value is _MISSING:
            self.fail(loc, "Field required")
            return None
        if _is_number(value):
            try:
                number = float(value)
            except OverflowError:
                self.fail(loc, "Input should be a valid number")
                return None
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                self.fail(loc, "Input should be a valid number, unable to parse string as a number")
                return None
        else:
            self.fail(loc, "Input should be a valid number")
            return None
        return number if self.bounded(number, loc, above=above, at_least=at_least) else None

    def bounded(self, number: float, loc: Location, *, above: float | None = None,
                at_least: float | None = None, at_most: float | None = None) -> bool:
        # Written as "not (x > bound)" so NaN fails every bound, as it did under pydantic.
        if above is not None and not number > above:
            self.fail(loc, f"Input should be greater than {above}")
        elif at_least is not None and not number >= at_least:
            self.fail(loc, f"Input should be greater than or equal to {at_least}")
        elif at_most is not None and not number <= at_most:
            self.fail(loc, f"Input should be less than or equal to {at_most}")
        else:
            return True
        return False

    def boolean(self, value: object, loc: Location) -> bool | None:
        if isinstance(value, bool):
            return value
        if _is_number(value) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
        if isinstance(value, str) or _is_number(value):
            self.fail(loc, "Input should be a valid boolean, unable to interpret input")
        else:
            self.fail(loc, "Input should be a valid boolean")
        return None

