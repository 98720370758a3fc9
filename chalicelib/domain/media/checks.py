"""Judge an upload's media facts against a campaign's `MediaRules`.

`evaluate(reader, rules)` probes the header (see probe.py) and returns a `Verdict`.
It never raises for bad media: a probe failure becomes one failed check carrying the
probe's code. Exceptions from the reader itself (S3 unreachable) do propagate; they
say nothing about the participant's file.

Check codes are stable; clients key translations and analytics on them:

| check           | pass code         | fail codes                                   | warning codes      |
|-----------------|-------------------|----------------------------------------------|--------------------|
| readable header | (none)            | empty_file, not_a_video, file_incomplete,    |                    |
|                 |                   | corrupt_header, read_budget_exceeded,        |                    |
|                 |                   | probe_error (see probe.py)                   |                    |
| container       | container_allowed | container_not_allowed                        |                    |
| file size       | file_size_ok      | file_too_large                               |                    |
| codec           | codec_allowed     | codec_not_allowed                            |                    |
| resolution (1)  | resolution_ok     | resolution_mismatch (match "exact"),         |                    |
|                 |                   | resolution_too_small (match "minimum"),      |                    |
|                 |                   | landscape_not_rotated, resolution_unknown    |                    |
| duration        | duration_ok       | duration_too_short, duration_too_long,       |                    |
|                 |                   | duration_unknown                             |                    |
| frame rate (2)  | frame_rate_ok     |                                              | frame_rate_unusual |
| audio (3)       | audio_present     |                                              | no_audio           |

(1) only when the campaign sets `resolution`. Sizes are compared on the displayed
picture (after the rotation matrix). A portrait rule also fixes the orientation, for
"minimum" too. landscape_not_rotated: the campaign wants portrait and the picture is
landscape with no rotation at all (the usual "filmed sideways" mistake).
(2) only when the frame rate is known (fragmented files may not state it).
(3) only when `audio_expected`.

Duration bounds are inclusive, with DURATION_TOLERANCE_SECONDS of container slop.

When the probe fails, the verdict holds the file-size check (for non-empty files)
and the failed probe check; nothing else can be judged without a header.

A verdict is "invalid" if any check failed; warnings never reject an entry.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from chalicelib.domain.media.rules import MediaRules
from chalicelib.domain.media import messages as text
from chalicelib.domain.media.probe import (
    DEFAULT_BYTE_BUDGET,
    DEFAULT_MAX_REQUESTS,
    MediaFacts,
    MediaProbeError,
    RangeReader,
    probe,
)

Outcome = Literal["pass", "fail", "warn"]

# Container timing slop: AAC priming and edit lists make a clip exported as exactly
# 3:00 read as 180.02 s. About one frame at 24 fps; far below what a person notices.
DURATION_TOLERANCE_SECONDS = 0.05


@dataclass
class CheckResult:
    code: str
    outcome: Outcome
    message_vi: str
    message_en: str
    expected: str | None = None
    actual: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    status: Literal["valid", "invalid"]
    checks: list[CheckResult]
    facts: dict = field(default_factory=dict)

    def codes(self, *outcomes: Outcome) -> list[str]:
        """Codes of the checks with the given outcomes (all checks if none given)."""
        return [c.code for c in self.checks if not outcomes or c.outcome in outcomes]

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "checks": [c.to_dict() for c in self.checks],
            "facts": self.facts,
        }


def evaluate(
    reader: RangeReader,
    rules: MediaRules,
    *,
    byte_budget: int = DEFAULT_BYTE_BUDGET,
    max_requests: int = DEFAULT_MAX_REQUESTS,
) -> Verdict:
    try:
        facts = probe(reader, byte_budget=byte_budget, max_requests=max_requests)
    except MediaProbeError as error:
        return _unreadable(error, rules)
    return judge(facts, rules)


def judge(facts: MediaFacts, rules: MediaRules) -> Verdict:
    """The verdict for facts already probed (pure; no I/O)."""
    checks = [
        _container(facts, rules),
        _file_size(facts.size_bytes, rules),
        _codec(facts, rules),
    ]
    if rules.resolution is not None:
        checks.append(_resolution(facts, rules))
    checks.append(_duration(facts, rules))
    if facts.frame_rate is not None:
        checks.append(_frame_rate(facts.frame_rate, rules))
    if rules.audio_expected:
        checks.append(_audio(facts))
    return _verdict(checks, facts)


def _verdict(checks: list[CheckResult], facts: MediaFacts) -> Verdict:
    status = "invalid" if any(c.outcome == "fail" for c in checks) else "valid"
    return Verdict(status=status, checks=checks, facts=facts.to_dict())


def _result(code: str, outcome: Outcome, texts: tuple[str, str], expected=None, actual=None):
    return CheckResult(code, outcome, texts[0], texts[1], expected, actual)


def _unreadable(error: MediaProbeError, rules: MediaRules) -> Verdict:
    checks = []
    if error.facts.size_bytes > 0:
        checks.append(_file_size(error.facts.size_bytes, rules))
    checks.append(
        _result(
            error.code,
            "fail",
            text.probe_error(error.code),
            expected=" or ".join(c.upper() for c in rules.containers) + " video",
            actual=error.detail or error.code,
        )
    )
    return _verdict(checks, error.facts)


def _container(facts: MediaFacts, rules: MediaRules) -> CheckResult:
    expected = ", ".join(rules.containers)
    if facts.container in rules.containers:
        return _result(
            "container_allowed", "pass", text.container_allowed(facts.container),
            expected, facts.container,
        )
    if facts.container is not None:
        label = text.CONTAINER_NAMES.get(facts.container, facts.container)
    elif facts.major_brand and facts.major_brand.startswith("3g"):
        label = "3GP"
    else:
        label = f"“{(facts.major_brand or '?').strip()}”"
    return _result(
        "container_not_allowed", "fail", text.container_not_allowed(label, list(rules.containers)),
        expected, facts.container or f"brand {facts.major_brand}",
    )


def _file_size(size: int, rules: MediaRules) -> CheckResult:
    limit = rules.max_file_size_bytes
    expected, actual = f"<= {limit} bytes", f"{size} bytes"
    if size > limit:
        return _result("file_too_large", "fail", text.file_too_large(size, limit), expected, actual)
    return _result("file_size_ok", "pass", text.file_size_ok(size), expected, actual)


def _codec(facts: MediaFacts, rules: MediaRules) -> CheckResult:
    expected = ", ".join(rules.video_codecs)
    actual = facts.video_codec
    if actual in rules.video_codecs:
        return _result("codec_allowed", "pass", text.codec_allowed(actual), expected, actual)
    return _result(
        "codec_not_allowed", "fail", text.codec_not_allowed(actual, list(rules.video_codecs)),
        expected, actual,
    )


def _resolution(facts: MediaFacts, rules: MediaRules) -> CheckResult:
    wanted = rules.resolution
    assert wanted is not None
    want_w, want_h = wanted.width, wanted.height
    expected = f"{want_w}x{want_h} ({wanted.match})"
    width, height = facts.display_width, facts.display_height
    if not width or not height:
        return _result(
            "resolution_unknown", "fail", text.resolution_unknown(want_w, want_h), expected, None
        )
    actual = f"{width}x{height}"
    if facts.rotation:
        actual += f" (coded {facts.coded_width}x{facts.coded_height}, rotated {facts.rotation})"
    # A portrait (or landscape) size in the rules also fixes the orientation, even for
    # "minimum": a 3840x2160 landscape clip is not a portrait video of at least 1080x1920.
    same_orientation = (want_w > want_h) == (width > height) and (want_w < want_h) == (width < height)
    if wanted.match == "exact":
        fits = (width, height) == (want_w, want_h)
    else:
        fits = same_orientation and width >= want_w and height >= want_h
    if fits:
        return _result("resolution_ok", "pass", text.resolution_ok(width, height), expected, actual)
    if want_h > want_w and width > height and facts.rotation == 0:
        return _result(
            "landscape_not_rotated", "fail",
            text.landscape_not_rotated(want_w, want_h, width, height), expected, actual,
        )
    if wanted.match == "exact":
        return _result(
            "resolution_mismatch", "fail",
            text.resolution_mismatch(want_w, want_h, width, height), expected, actual,
        )
    return _result(
        "resolution_too_small", "fail",
        text.resolution_too_small(want_w, want_h, width, height), expected, actual,
    )


def _duration(facts: MediaFacts, rules: MediaRules) -> CheckResult:
    low, high = rules.duration.min_seconds, rules.duration.max_seconds
    expected = f"{low:g}-{high:g} s"
    actual_s = facts.duration_seconds
    if actual_s is None:
        return _result("duration_unknown", "fail", text.duration_unknown(low, high), expected, None)
    actual = f"{actual_s:.3f} s"
    if actual_s < low - DURATION_TOLERANCE_SECONDS:
        return _result(
            "duration_too_short", "fail", text.duration_out_of_range(low, high, actual_s),
            expected, actual,
        )
    if actual_s > high + DURATION_TOLERANCE_SECONDS:
        return _result(
            "duration_too_long", "fail", text.duration_out_of_range(low, high, actual_s),
            expected, actual,
        )
    return _result("duration_ok", "pass", text.duration_ok(actual_s), expected, actual)


def _frame_rate(fps: float, rules: MediaRules) -> CheckResult:
    band = rules.frame_rate_warning
    expected = f"{band.min_fps:g}-{band.max_fps:g} fps"
    actual = f"{fps:g} fps"
    # Phones label 30 fps as 29.97; a small slack avoids warning about NTSC rates.
    if band.min_fps - 0.1 <= fps <= band.max_fps + 0.1:
        return _result("frame_rate_ok", "pass", text.frame_rate_ok(fps), expected, actual)
    return _result(
        "frame_rate_unusual", "warn", text.frame_rate_unusual(fps, band.min_fps, band.max_fps),
        expected, actual,
    )


def _audio(facts: MediaFacts) -> CheckResult:
    if facts.has_audio:
        return _result("audio_present", "pass", text.audio_present(), "audio track", "audio track")
    return _result("no_audio", "warn", text.no_audio(), "audio track", "none")
