"""Pure rules behind the organisers' routes: which week an entry competes in,
who runs a campaign, who reviews and who may enter it, and the spreadsheet exports."""
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.campaign_access import is_eligible, require_campaign_organiser, reviews_entry, runs_campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.review import PublicationRequest, ReviewRequest, publication_week, require_status, review_document
from chalicelib.domain.scope import Principal
from chalicelib.domain.exports import Sheet, export_format
from chalicelib.services.spreadsheets import to_csv, to_xlsx

CAMPAIGN = load_campaign_file(Path(__file__).resolve().parents[2] / "samples" / "campaigns" / "khat-vong-hung-cuong.json")
VN = timezone(timedelta(hours=7))
NOW = datetime(2024, 9, 10, tzinfo=timezone.utc)


def publication(published_at, **extra):
    return PublicationRequest(platform="tiktok", video_id="7400", url="https://www.tiktok.com/v/7400",
                              published_at=published_at, **extra)


@pytest.mark.parametrize("published_at, week", [
    (datetime(2024, 7, 20, 9, tzinfo=VN), 1),  # before voting starts: week 1
    (datetime(2024, 8, 12, 0, tzinfo=VN), 2),  # exactly Monday 00:00 Vietnam: the new week
    (datetime(2024, 8, 11, 23, 59, tzinfo=VN), 1),
])
def test_an_entry_competes_in_the_week_containing_its_publication(published_at, week):
    assert publication_week(CAMPAIGN, publication(published_at), NOW) == week


@pytest.mark.parametrize("request_, code", [
    (publication(datetime(2024, 9, 3, tzinfo=VN)), "no_voting_week"),
    (publication(datetime(2024, 8, 13, tzinfo=VN), week=1), "published_after_week"),
    (publication(datetime(2024, 8, 13, tzinfo=VN), week=7), "unknown_week"),
    (publication(datetime(2024, 9, 11, tzinfo=VN)), "published_in_future"),
    (PublicationRequest(platform="youtube", video_id="1", url="https://y.be/1",
                        published_at=datetime(2024, 8, 6, tzinfo=VN)), "platform_not_in_campaign"),
])
def test_publication_refusals_name_the_problem(request_, code):
    with pytest.raises(InvalidInput) as refused:
        publication_week(CAMPAIGN, request_, NOW)
    assert refused.value.code == code and refused.value.message_vi and refused.value.message_en


def test_status_rules_and_rejection_reason():
    require_status("review", "valid")
    with pytest.raises(Conflict) as locked:
        require_status("publish", "valid")
    assert locked.value.code == "not_publishable"
    with pytest.raises(Conflict) as twice:
        require_status("disqualify", "disqualified")
    assert twice.value.code == "already_disqualified"
    with pytest.raises(InvalidInput) as no_reason:
        review_document(ReviewRequest(decision="reject", reason="  "), "o", NOW, None)
    assert no_reason.value.code == "rejection_reason_required"
    assert review_document(ReviewRequest(decision="reject", reason="Sai chủ đề"), "o", NOW, None)[
        "rejection_reason"] == "Sai chủ đề"


def organiser(path):
    return Principal(user_id="u", role="organiser", unit_id=path.rsplit("/", 1)[-1], unit_path=path)


def test_the_campaign_is_run_by_its_organising_units_organisers_and_admins_only():
    """Issue 11: a unit above the organising one (tw) or beside it (Hà Nội) does not run seed 000's contest;
    before, any organiser whose branch contained Đoàn Khối did."""
    assert runs_campaign(organiser("tw/dk-tw"), CAMPAIGN)
    assert not runs_campaign(organiser("tw"), CAMPAIGN)
    assert not runs_campaign(organiser("tw/dk-tw/dk-tw-bo-ct"), CAMPAIGN)
    assert not runs_campaign(organiser("tw/ha-noi"), CAMPAIGN)
    assert runs_campaign(Principal(user_id="a", role="admin"), CAMPAIGN)
    assert runs_campaign(Principal(user_id="a", role="admin"), CAMPAIGN.model_copy(update={"organiser_unit": None}))
    assert not runs_campaign(organiser("tw/dk-tw"), CAMPAIGN.model_copy(update={"organiser_unit": None}))
    assert not runs_campaign(Principal(user_id="j", role="jury", unit_id="dk-tw", unit_path="tw/dk-tw"), CAMPAIGN)


NATIONAL = CAMPAIGN.model_copy(update={"id": "thanh-nien-sang-tao", "organiser_unit": "tw",
                                       "eligible_units": ["tw"], "review_delegated_to": ["ha-noi", "dk-tw"]})


@pytest.mark.parametrize("reviewer, entry_path, reviews", [
    ("tw", "tw/hcm/hcm-q1", True),                            # the organising unit: every branch
    ("tw/ha-noi", "tw/ha-noi/ha-noi-ba-dinh", True),          # a delegated province: its own branch
    ("tw/ha-noi", "tw/hcm/hcm-q1", False),                    # ... and no other
    ("tw/ha-noi/ha-noi-ba-dinh", "tw/ha-noi/ha-noi-ba-dinh", False),  # not delegated: reads only
    ("tw/hcm", "tw/hcm/hcm-q1", False),                       # a province the campaign did not delegate to
])
def test_review_is_delegated_to_named_units_for_their_own_branch(reviewer, entry_path, reviews):
    assert reviews_entry(organiser(reviewer), NATIONAL, entry_path) is reviews


def test_delegating_review_does_not_delegate_running_the_campaign():
    assert not runs_campaign(organiser("tw/ha-noi"), NATIONAL)
    with pytest.raises(Forbidden) as refused:
        require_campaign_organiser(organiser("tw/ha-noi"), NATIONAL)
    assert refused.value.code == "not_campaign_organiser"


@pytest.mark.parametrize("campaign, unit_path, eligible", [
    (CAMPAIGN, "tw/dk-tw", True),
    (CAMPAIGN, "tw/dk-tw/dk-tw-bo-ct/dk-tw-bo-ct-vp", True),
    (CAMPAIGN, "tw", False),
    (CAMPAIGN, "tw/ha-noi/ha-noi-ba-dinh", False),
    (CAMPAIGN, "tw/dk-tw-2", False),                           # a sibling whose id starts alike
    (NATIONAL, "tw/hcm/hcm-q1", True),
    (CAMPAIGN.model_copy(update={"organiser_unit": None}), "tw/hcm", True),  # nothing named: every unit
])
def test_a_unit_is_eligible_inside_an_eligible_units_subtree(campaign, unit_path, eligible):
    assert is_eligible(campaign, unit_path) is eligible


def test_a_campaign_naming_no_eligible_unit_is_refused():
    from chalicelib.domain.campaign import parse_campaign
    from chalicelib.domain.errors import CampaignConfigError

    with pytest.raises(CampaignConfigError) as refused:
        parse_campaign({**CAMPAIGN.to_document(), "eligible_units": []})
    assert "eligible_units" in str(refused.value)


def test_exports_keep_vietnamese_text_in_csv_and_xlsx():
    sheet = Sheet("tuan-1-v1", ("Hạng", "Tác phẩm", "Đơn vị", "Điểm"), ((1, "Khát vọng “Việt”", "Đoàn phường Kim Mã", 500),))
    text = to_csv(sheet).body
    assert text.startswith("\ufeffHạng,Tác phẩm,Đơn vị,Điểm\r\n")
    assert "Khát vọng “Việt”" in text.encode("utf-8").decode("utf-8-sig")
    rows = list(load_workbook(io.BytesIO(to_xlsx(sheet).body)).active.values)
    assert rows == [("Hạng", "Tác phẩm", "Đơn vị", "Điểm"), (1, "Khát vọng “Việt”", "Đoàn phường Kim Mã", 500)]
    assert export_format(None) is None and export_format("json") is None
    assert export_format("csv") == "csv"
    with pytest.raises(InvalidInput) as refused:
        export_format("pdf")
    assert refused.value.code == "invalid_format"
