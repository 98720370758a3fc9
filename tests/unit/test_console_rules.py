"""The console's pure rules: the periods an overview counts in, the jobs due next, score curves,
where fraud evidence sits on a chart, ingestion health, reason templates and selections."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.console import (
    DEFAULT_REASON_TEMPLATES,
    MAX_BULK_ENTRIES,
    evidence_marks,
    ingestion_health,
    local_periods,
    next_jobs,
    parse_reason_templates,
    parse_selection,
    parse_top,
    score_series,
)
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ingestion import RunStatus
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")


def test_today_and_this_week_are_vietnam_days_and_monday_weeks():
    # Sunday 23:30 UTC is already Monday 06:30 in Vietnam
    today, week = local_periods(VN, datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc))
    assert (today.first_day.isoformat(), week.first_day.isoformat()) == ("2026-11-30", "2026-11-30")
    assert today.starts_at == datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)
    today, week = local_periods(VN, datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc))
    assert (today.first_day.isoformat(), week.first_day.isoformat()) == ("2026-12-03", "2026-11-30")


def test_the_next_jobs_are_the_next_reading_week_close_and_window_changes_soonest_first():
    start, end = week_window(CAMPAIGN, 1)
    now = start + timedelta(hours=5, minutes=10)
    jobs = next_jobs(CAMPAIGN, now, 60, last_reading=start + timedelta(hours=5))
    reading = next(j for j in jobs if j["job"] == "metrics_ingestion")
    assert reading["at"] == (start + timedelta(hours=6)).isoformat().replace("+00:00", "Z") and reading["estimated"]
    close = next(j for j in jobs if j["job"] == "week_close")
    assert (close["week"], close["at"]) == (1, end.isoformat().replace("+00:00", "Z"))
    assert [j["at"] for j in jobs] == sorted(j["at"] for j in jobs)
    # Outside every voting week nothing is read
    before = week_window(CAMPAIGN, 1)[0] - timedelta(days=30)
    assert "metrics_ingestion" not in [j["job"] for j in next_jobs(CAMPAIGN, before, 60, None)]


def test_a_stale_reading_estimate_moves_forward_to_the_future():
    start, _ = week_window(CAMPAIGN, 1)
    now = start + timedelta(hours=10, minutes=1)
    [reading] = [j for j in next_jobs(CAMPAIGN, now, 60, start) if j["job"] == "metrics_ingestion"]
    assert reading["at"] == (start + timedelta(hours=11)).isoformat().replace("+00:00", "Z")


def _run(at, state_dead=False, ok=("0",)):
    return RunStatus(CAMPAIGN.id, f"{at.isoformat()}#w001", 1, at, "hourly", 5, 2, frozenset(ok),
                     frozenset({"1"}) if state_dead else frozenset(), 0, 10, 0, 0)


def test_ingestion_health_names_gaps_and_an_overdue_reading():
    now = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    runs = [_run(now - timedelta(hours=3), state_dead=True), _run(now - timedelta(hours=2, minutes=30), ok=("0", "1"))]
    health = ingestion_health(runs, now, 60)
    assert health["last_run"]["at"] == "2026-12-01T09:30:00Z"
    assert health["dead_lettered_chunks"] == 1 and len(health["runs_with_gaps"]) == 1
    assert health["overdue"] is True
    assert ingestion_health([], now, 60) | {"interval_minutes": 60} == {
        "last_run": None, "runs_inspected": 0, "runs_with_gaps": [], "dead_lettered_chunks": 0, "in_progress": 0,
        "interval_minutes": 60, "overdue": False}


def test_a_score_curve_follows_the_live_rules_at_each_reading_and_is_thinned_to_its_bound():
    start, end = week_window(CAMPAIGN, 1)
    published = start + timedelta(hours=1)
    snapshots = [Snapshot(published + timedelta(hours=h), "csv", {"likes": 10 * h, "saves": h, "shares": 0,
                                                                  "reposts": 0}) for h in range(0, 300)]
    series = score_series(CAMPAIGN, 1, published, snapshots, most=50)
    assert len(series) == 50
    assert series[0] == {"at": published.isoformat().replace("+00:00", "Z"), "score": 0}
    last_inside = max((s for s in snapshots if s.at <= end), key=lambda s: s.at)
    hours = int((last_inside.at - published).total_seconds() // 3600)
    assert series[-1]["score"] == 10 * hours + 2 * hours  # 1 per like, 2 per save
    assert all(a["at"] < b["at"] for a, b in zip(series, series[1:]))


def test_fraud_evidence_becomes_ranges_and_points_on_the_time_axis():
    start, end = week_window(CAMPAIGN, 1)
    spike = {"kind": "hourly_spike", "evidence": {"intervals": [
        {"from": "2026-01-05T01:00:00Z", "to": "2026-01-05T02:00:00Z", "points_per_hour": 900}]}}
    assert evidence_marks(spike, VN, start, end) == [
        {"from": "2026-01-05T01:00:00Z", "to": "2026-01-05T02:00:00Z", "points_per_hour": 900}]
    night = {"kind": "night_burst", "evidence": {"window_local": "00:00–05:00",
                                                 "nights": [{"date_local": "2026-01-06", "points": 400}]}}
    assert evidence_marks(night, VN, start, end) == [
        {"from": "2026-01-05T17:00:00Z", "to": "2026-01-05T22:00:00Z", "points": 400}]
    drop = {"kind": "counter_decrease", "evidence": {"drops": [
        {"metric": "likes", "from": {"at": "a"}, "to": {"at": "2026-01-06T03:00:00Z"}, "drop": 12}]}}
    assert evidence_marks(drop, VN, start, end) == [{"at": "2026-01-06T03:00:00Z", "metric": "likes", "drop": 12}]
    ratio = {"kind": "engagement_view_ratio", "evidence": {}}
    assert evidence_marks(ratio, VN, start, end) == [
        {"from": start.isoformat().replace("+00:00", "Z"), "to": end.isoformat().replace("+00:00", "Z")}]


def test_the_default_reason_templates_have_both_languages_and_distinct_ids():
    assert len({t["id"] for t in DEFAULT_REASON_TEMPLATES}) == len(DEFAULT_REASON_TEMPLATES) >= 5
    assert parse_reason_templates({"templates": list(DEFAULT_REASON_TEMPLATES)}) == list(DEFAULT_REASON_TEMPLATES)


def test_a_selection_keeps_its_order_once_per_id_and_is_bounded():
    assert parse_selection({"submission_ids": ["b", "a", "b"]}) == ["b", "a"]
    assert len(parse_selection({"submission_ids": [str(n) for n in range(MAX_BULK_ENTRIES)]})) == MAX_BULK_ENTRIES
    with pytest.raises(InvalidInput) as refused:
        parse_selection({"submission_ids": [str(n) for n in range(MAX_BULK_ENTRIES + 1)]})
    assert refused.value.code == "selection_too_large"


@pytest.mark.parametrize("raw, expected", [(None, 5), ("1", 1), ("10", 10)])
def test_top_defaults_to_five_and_allows_one_to_ten(raw, expected):
    assert parse_top(raw) == expected


@pytest.mark.parametrize("raw", ["0", "11", "-1", "2.5", "", "²", " 5", "9" * 5000])
def test_top_outside_one_to_ten_is_refused(raw):
    with pytest.raises(InvalidInput):
        parse_top(raw)
