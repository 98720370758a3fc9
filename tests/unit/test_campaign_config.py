"""Campaign files are refused at load time, with a message that names the bad field."""
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.campaign import load_campaign_file, parse_campaign, weeks_to_shift_into
from chalicelib.domain.errors import CampaignConfigError

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "campaigns"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def sample(name="khat-vong-hung-cuong"):
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_seed_000_sample_carries_the_plan_rules():
    campaign = load_campaign_file(SAMPLES / "khat-vong-hung-cuong.json")
    assert campaign.media.containers == ["mp4", "mov"]
    assert campaign.media.video_codecs == ["h264"]
    assert (campaign.media.resolution.width, campaign.media.resolution.height) == (1080, 1920)
    assert campaign.media.resolution.match == "exact"
    assert (campaign.media.duration.min_seconds, campaign.media.duration.max_seconds) == (15, 180)
    assert campaign.scoring.weights == {"likes": 1, "saves": 2, "shares": 3, "reposts": 5}
    assert (campaign.rounds.winners_per_week, campaign.rounds.finalists_per_week) == (1, 5)
    assert [(p.key, p.count) for p in campaign.prizes] == [
        ("first", 1), ("second", 2), ("third", 3), ("consolation", 5)]
    assert {a.kind for a in campaign.special_awards} == {"most_entries_unit", "most_viewed_entry"}
    assert campaign.timezone == "Asia/Ho_Chi_Minh"
    assert len(campaign.voting_weeks) == 4


def test_seed_004_sample_carries_its_own_rules():
    campaign = load_campaign_file(SAMPLES / "clip-phan-bac-thong-tin-xau-doc.json")
    assert (campaign.media.duration.min_seconds, campaign.media.duration.max_seconds) == (5, 600)
    assert [p.count for p in campaign.prizes] == [1, 2, 3, 15]
    assert campaign.min_entries_per_unit == 2
    assert set(campaign.platforms) == {"facebook", "tiktok", "youtube"}


def test_voting_weeks_run_monday_midnight_to_monday_midnight_in_vietnam():
    campaign = load_campaign_file(SAMPLES / "khat-vong-hung-cuong.json")
    for week in campaign.voting_weeks:
        start, end = campaign.localize(week.starts_at), campaign.localize(week.ends_at)
        assert start.weekday() == 0 and (start.hour, start.minute) == (0, 0)
        assert (end - start).days == 7
    first = campaign.localize(campaign.voting_weeks[0].starts_at)
    assert first.utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["media"]["duration"].update(min_seconds=-5), "media.duration.min_seconds"),
        (lambda d: d["media"].update(video_codecs=["h264", "divx"]), "media.video_codecs.1"),
        (lambda d: d["voting_weeks"][1].update(starts_at="2024-08-10T00:00:00"), "voting_weeks"),
        (lambda d: d["media"].update(max_file_size_bytes=0), "media.max_file_size_bytes"),
        (lambda d: d["scoring"]["weights"].update(likes=-1), "scoring.weights"),
        (lambda d: d.update(timezone="Mars/Olympus"), "timezone"),
        (lambda d: d["media"]["resolution"].update(match="roughly"), "media.resolution.match"),
        (lambda d: d["submission_window"].update(closes_at="2024-04-01T00:00:00"), "submission_window"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["prizes"][0].update(count=0), "prizes.0.count"),
    ],
    ids=["negative-duration", "unknown-codec", "overlapping-weeks", "zero-size", "negative-weight",
         "unknown-zone", "unknown-match", "window-reversed", "unknown-key", "empty-prize-tier"],
)
def test_bad_configuration_is_refused_naming_the_field(mutate, field):
    data = sample()
    mutate(data)
    with pytest.raises(CampaignConfigError) as refused:
        parse_campaign(data, source="bad.json")
    assert field in [f for f, _ in refused.value.problems]
    assert field in str(refused.value) and "bad.json" in str(refused.value)


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x",\n oops}', encoding="utf-8")
    with pytest.raises(CampaignConfigError, match="line 2"):
        load_campaign_file(broken)


def test_submissions_open_and_close_on_the_campaigns_wall_clock():
    campaign = parse_campaign(sample())
    opens = datetime(2024, 5, 1, 0, 0, tzinfo=VIETNAM)
    assert campaign.is_open_for_submissions(opens)
    assert not campaign.is_open_for_submissions(opens - timedelta(seconds=1))
    assert not campaign.is_open_for_submissions(datetime(2024, 8, 31, 0, 0, tzinfo=VIETNAM))


def test_demo_copy_moves_whole_weeks_so_mondays_stay_mondays():
    campaign = parse_campaign(sample())
    shifted = campaign.shifted_by_weeks(weeks_to_shift_into(campaign, date(2026, 11, 21)))
    assert shifted.is_open_for_submissions(datetime(2026, 11, 21, 12, tzinfo=VIETNAM))
    assert all(campaign.localize(w.starts_at).weekday() == 0 for w in shifted.voting_weeks)


def test_seed_001_sample_is_a_link_campaign_with_a_weekly_posting_quota():
    campaign = load_campaign_file(SAMPLES / "moi-tuan-mot-cau-chuyen-dep.json")
    assert campaign.entry_kind == "link"
    assert (campaign.posting_quota.per_week, campaign.posting_quota.hashtag) == (1, "#moituan1cauchuyendep")
    assert campaign.timezone == "Asia/Ho_Chi_Minh"


def test_every_sample_campaign_loads():
    assert sorted(p.stem for p in SAMPLES.glob("*.json")) == [
        "clip-phan-bac-thong-tin-xau-doc", "khat-vong-hung-cuong", "moi-tuan-mot-cau-chuyen-dep",
        "thanh-nien-sang-tao"]
    for path in SAMPLES.glob("*.json"):
        load_campaign_file(path)
