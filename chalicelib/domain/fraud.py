"""Fraud signals for one voting week: flags with evidence, never automatic bans.

Four signals, each a separate pure detector:

1. `hourly_spike` — an interval whose engagement rate (weighted points per
   hour, from consecutive snapshots) is far above BOTH the entry's own other
   intervals AND the week cohort's intervals (robust z-score).
2. `engagement_view_ratio` — weekly engagement gain ÷ view gain far from the
   cohort's ratios, in either direction: high means bought likes, low means
   bought views.
3. `night_burst` — a large share of the week's engagement arriving between
   00:00 and 05:00 on the campaign's wall clock.
4. `counter_decrease` — a public counter lower than at the previous snapshot
   (platforms strip fake engagement; scrapers misread).

Robust z = 0.6745·(x − median)/MAD (Iglewicz & Hoaglin). When MAD is 0 the
mean absolute deviation (×1.2533) stands in; when every value is identical,
anything different is infinitely far. Minimum sample sizes and a minimum rate
keep near-empty weeks and tiny numbers from producing flags. Flags are
heuristics, not scores, so this module works in floats (fast over a week of
hourly snapshots for thousands of entries) and rounds its evidence to 4 places.

The cohort statistics include the entry under test: with MAD the outlier
barely moves them, and it keeps the cost linear for weeks with thousands of
entries. An entry's own history excludes the interval being tested.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from statistics import median
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import ENGAGEMENT_METRICS, VIEWS, Snapshot, chronological, readings
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.scoring import WeekEntry, campaign_weights, weekly_gains
from chalicelib.domain.weeks import week_window

_HOUR = timedelta(hours=1)
_MAD_SCALE = 0.6745
_MEAN_AD_SCALE = 1.253314
_NOT_A_BAN_VI = " Đây là cảnh báo để Ban tổ chức xem xét, không phải quyết định loại bài."
_NOT_A_BAN_EN = " This is a flag for organisers to review, not a disqualification."


@dataclass(frozen=True)
class FraudThresholds:
    spike_z: float = 3.5
    ratio_z: float = 3.5
    night_share: float = 0.5
    night_start_hour: int = 0
    night_end_hour: int = 5
    min_own_intervals: int = 3
    min_cohort_intervals: int = 10
    min_cohort_ratios: int = 5
    min_spike_points_per_hour: float = 10
    min_night_points: float = 50
    min_ratio_views: int = 100


@dataclass(frozen=True)
class FraudFlag:
    kind: str
    entry_id: str
    evidence: Mapping = field(hash=False)
    message_vi: str
    message_en: str

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "entry_id": self.entry_id,
            "evidence": dict(self.evidence),
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


# --- statistics -------------------------------------------------------------


@dataclass(frozen=True)
class RobustScore:
    value: float
    median: float
    spread: float  # MAD (or its fallback); 0 means every sample value was equal
    z: float

    def to_dict(self) -> dict:
        return {
            "value": _num(self.value),
            "median": _num(self.median),
            "mad": _num(self.spread),
            "z": _num(self.z),
        }


@dataclass(frozen=True)
class Baseline:
    """Median and robust spread of a sample, computed once and reused per value."""

    median: float
    spread: float  # MAD, or 1.2533 × mean absolute deviation when MAD is 0
    scale: float  # turns (value − median) / spread into a z-score

    @classmethod
    def of(cls, sample: Sequence[float]) -> "Baseline":
        centre = median(sample)
        deviations = [abs(s - centre) for s in sample]
        mad = median(deviations)
        if mad > 0:
            return cls(centre, mad, _MAD_SCALE)
        mean_ad = sum(deviations) / len(deviations)
        return cls(centre, mean_ad, 1 / _MEAN_AD_SCALE)

    def score(self, value: float) -> RobustScore:
        if self.spread > 0:
            z = self.scale * (value - self.median) / self.spread
        else:  # every sample value equal: anything different is infinitely far
            z = 0.0 if value == self.median else math.copysign(math.inf, value - self.median)
        return RobustScore(value, self.median, self.spread, z)


def robust_z(value: float, sample: Sequence[float]) -> RobustScore:
    return Baseline.of(sample).score(value)


def _num(value: float) -> float | str:
    """JSON-safe, stable rendering: infinities as text, finite values to 4 places."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return round(value, 4)


# --- engagement intervals ---------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """Weighted engagement gained between two consecutive snapshots."""

    start: datetime
    end: datetime
    points: float

    @property
    def hours(self) -> float:
        return (self.end - self.start) / _HOUR

    @property
    def rate(self) -> float:
        return self.points / self.hours

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.end > start and self.start < end

    def to_dict(self) -> dict:
        return {
            "from": iso_utc(self.start),
            "to": iso_utc(self.end),
            "points": _num(self.points),
            "points_per_hour": _num(self.rate),
        }


def _merged(snapshots: Iterable[Snapshot]) -> list[tuple[datetime, dict[str, int]]]:
    """One reading per instant; a later source fills the gaps of an earlier one."""
    merged: dict[datetime, dict[str, int]] = {}
    for snapshot in chronological(snapshots):
        values = merged.setdefault(snapshot.at, {})
        values.update({m: v for m, v in snapshot.values.items() if v is not None})
    return sorted(merged.items())


def engagement_intervals(
    snapshots: Iterable[Snapshot], weights: Mapping[str, Fraction]
) -> list[Interval]:
    """Points gained between consecutive snapshots, over the weighted metrics
    both of them measured (an interval with none in common is skipped)."""
    weighted = {m: float(w) for m, w in weights.items() if w > 0}
    points = _merged(snapshots)
    intervals = []
    for (t0, before), (t1, after) in zip(points, points[1:]):
        common = [m for m in weighted if m in before and m in after]
        if common:
            gain = sum(weighted[m] * (after[m] - before[m]) for m in common)
            intervals.append(Interval(t0, t1, gain))
    return intervals


# --- 1. hourly spikes -------------------------------------------------------


def spike_flags(
    entries: Sequence[WeekEntry],
    start: datetime,
    end: datetime,
    weights: Mapping[str, Fraction],
    thresholds: FraudThresholds = FraudThresholds(),
) -> list[FraudFlag]:
    history = {e.entry_id: engagement_intervals(e.snapshots, weights) for e in entries}
    in_week = {
        entry_id: [iv for iv in intervals if iv.overlaps(start, end)]
        for entry_id, intervals in history.items()
    }
    cohort_rates = [iv.rate for intervals in in_week.values() for iv in intervals]
    if len(cohort_rates) < thresholds.min_cohort_intervals:
        return []
    cohort = Baseline.of(cohort_rates)
    flags = []
    for entry_id in sorted(in_week):
        spikes = []
        for interval in in_week[entry_id]:
            if interval.rate < thresholds.min_spike_points_per_hour:
                continue
            against_cohort = cohort.score(interval.rate)
            if against_cohort.z <= thresholds.spike_z:
                continue  # cheap test first: the own-history baseline is per interval
            own = [iv.rate for iv in history[entry_id] if iv is not interval]
            if len(own) < thresholds.min_own_intervals:
                continue
            against_own = robust_z(interval.rate, own)
            if against_own.z > thresholds.spike_z:
                spikes.append(
                    {
                        **interval.to_dict(),
                        "own_history": against_own.to_dict(),
                        "cohort": against_cohort.to_dict(),
                    }
                )
        if spikes:
            flags.append(
                FraudFlag(
                    "hourly_spike",
                    entry_id,
                    {"threshold_z": thresholds.spike_z, "intervals": spikes},
                    "Lượng tương tác theo giờ tăng đột biến, vượt xa lịch sử của chính bài "
                    "và các bài cùng tuần." + _NOT_A_BAN_VI,
                    "Hourly engagement spiked far above the entry's own history and its "
                    "week cohort." + _NOT_A_BAN_EN,
                )
            )
    return flags


# --- 2. engagement-to-view ratio ---------------------------------------------


def ratio_flags(
    entries: Sequence[WeekEntry],
    start: datetime,
    end: datetime,
    thresholds: FraudThresholds = FraudThresholds(),
) -> list[FraudFlag]:
    ratios: dict[str, tuple[float, int, int]] = {}
    for entry in entries:
        if entry.published_at >= end:
            continue
        inputs = weekly_gains(entry, start, end, (*ENGAGEMENT_METRICS, VIEWS))
        views = inputs.gains[VIEWS]
        if not views.measured or views.gain < thresholds.min_ratio_views:
            continue
        engagement = sum(
            inputs.gains[m].gain for m in ENGAGEMENT_METRICS if inputs.gains[m].measured
        )
        ratios[entry.entry_id] = (engagement / views.gain, engagement, views.gain)
    if len(ratios) < thresholds.min_cohort_ratios:
        return []
    cohort = Baseline.of([ratio for ratio, _, _ in ratios.values()])
    flags = []
    for entry_id in sorted(ratios):
        ratio, engagement, views = ratios[entry_id]
        score = cohort.score(ratio)
        if abs(score.z) > thresholds.ratio_z:
            direction = "high" if score.z > 0 else "low"
            flags.append(
                FraudFlag(
                    "engagement_view_ratio",
                    entry_id,
                    {
                        "direction": direction,
                        "engagement_gain": engagement,
                        "view_gain": views,
                        "cohort": score.to_dict(),
                        "cohort_size": len(ratios),
                        "threshold_z": thresholds.ratio_z,
                    },
                    ("Tỷ lệ tương tác trên lượt xem cao bất thường" if direction == "high"
                     else "Tỷ lệ tương tác trên lượt xem thấp bất thường")
                    + " so với các bài cùng tuần." + _NOT_A_BAN_VI,
                    f"Engagement-to-view ratio is unusually {direction} compared with the "
                    "week cohort." + _NOT_A_BAN_EN,
                )
            )
    return flags


# --- 3. night bursts --------------------------------------------------------


def night_windows(
    start: datetime, end: datetime, zone: ZoneInfo, thresholds: FraudThresholds
) -> list[tuple[datetime, datetime]]:
    """[00:00, 05:00) local for every local day touching [start, end), clipped to it."""
    windows = []
    day: date = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        night_start = datetime.combine(day, time(thresholds.night_start_hour), tzinfo=zone)
        night_end = datetime.combine(day, time(thresholds.night_end_hour), tzinfo=zone)
        clipped = (max(night_start, start), min(night_end, end))
        if clipped[0] < clipped[1]:
            windows.append(clipped)
        day += timedelta(days=1)
    return windows


def _share_inside(interval: Interval, lo: datetime, hi: datetime) -> float:
    """Part of the interval's gain falling in [lo, hi), assuming an even pace."""
    overlap = min(interval.end, hi) - max(interval.start, lo)
    if overlap <= timedelta(0):
        return 0.0
    return interval.points * (overlap / (interval.end - interval.start))


def night_burst_flags(
    entries: Sequence[WeekEntry],
    start: datetime,
    end: datetime,
    weights: Mapping[str, Fraction],
    zone: ZoneInfo,
    thresholds: FraudThresholds = FraudThresholds(),
) -> list[FraudFlag]:
    nights = night_windows(start, end, zone, thresholds)
    flags = []
    for entry in sorted(entries, key=lambda e: e.entry_id):
        gaining = [iv for iv in engagement_intervals(entry.snapshots, weights) if iv.points > 0]
        total = sum(_share_inside(iv, start, end) for iv in gaining)
        if total <= 0 or total < thresholds.min_night_points:
            continue
        per_night = [
            (lo, sum(_share_inside(iv, lo, hi) for iv in gaining if iv.overlaps(lo, hi)))
            for lo, hi in nights
        ]
        night_total = sum(points for _, points in per_night)
        share = night_total / total
        if share >= thresholds.night_share:
            flags.append(
                FraudFlag(
                    "night_burst",
                    entry.entry_id,
                    {
                        "night_points": _num(night_total),
                        "week_points": _num(total),
                        "share": _num(share),
                        "threshold_share": thresholds.night_share,
                        "window_local": f"{thresholds.night_start_hour:02d}:00–{thresholds.night_end_hour:02d}:00",
                        "nights": [
                            {"date_local": lo.astimezone(zone).date().isoformat(), "points": _num(p)}
                            for lo, p in per_night if p > 0
                        ],
                    },
                    f"{share:.0%} tương tác của tuần phát sinh trong khung "
                    f"{thresholds.night_start_hour:02d}:00–{thresholds.night_end_hour:02d}:00 "
                    "(giờ Việt Nam)." + _NOT_A_BAN_VI,
                    f"{share:.0%} of the week's engagement arrived between "
                    f"{thresholds.night_start_hour:02d}:00 and {thresholds.night_end_hour:02d}:00 "
                    "Vietnam time." + _NOT_A_BAN_EN,
                )
            )
    return flags


# --- 4. decreasing counters ---------------------------------------------------


def counter_decrease_flags(entries: Sequence[WeekEntry]) -> list[FraudFlag]:
    flags = []
    for entry in sorted(entries, key=lambda e: e.entry_id):
        drops = []
        for metric in sorted({m for s in entry.snapshots for m in s.values}):
            series = readings(entry.snapshots, metric)
            for before, after in zip(series, series[1:]):
                if after.values[metric] < before.values[metric]:
                    drops.append(
                        {
                            "metric": metric,
                            "from": {"at": iso_utc(before.at), "source": before.source,
                                     "value": before.values[metric]},
                            "to": {"at": iso_utc(after.at), "source": after.source,
                                   "value": after.values[metric]},
                            "drop": before.values[metric] - after.values[metric],
                        }
                    )
        if drops:
            flags.append(
                FraudFlag(
                    "counter_decrease",
                    entry.entry_id,
                    {"drops": drops},
                    "Bộ đếm công khai bị giảm giữa hai lần ghi nhận liên tiếp." + _NOT_A_BAN_VI,
                    "A public counter went down between consecutive snapshots." + _NOT_A_BAN_EN,
                )
            )
    return flags


# --- all together -------------------------------------------------------------


def detect_fraud(
    campaign: Campaign,
    week_number: int,
    entries: Sequence[WeekEntry],
    thresholds: FraudThresholds = FraudThresholds(),
) -> list[FraudFlag]:
    """Every flag for the week's cohort, ordered by entry id then kind."""
    start, end = week_window(campaign, week_number)
    weights = campaign_weights(campaign)
    flags = [
        *spike_flags(entries, start, end, weights, thresholds),
        *ratio_flags(entries, start, end, thresholds),
        *night_burst_flags(entries, start, end, weights, campaign.zone, thresholds),
        *counter_decrease_flags(entries),
    ]
    return sorted(flags, key=lambda f: (f.entry_id, f.kind))
