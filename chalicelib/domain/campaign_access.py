"""Who may do what in one campaign: enter it, review its entries, run it as a whole.

- Entering: a unit may enter when it lies in the subtree of one of the campaign's
  eligible units (`eligible_units`; by default the organising unit's subtree; a
  campaign with neither is open to every unit).
- Running (close a week, revise it, finalists, results, prizes, assign judges):
  admins and the organisers *of the organising unit itself*. An organiser of a unit
  above it does not run it: seed 000's contest belongs to Đoàn Khối, not to the
  central committee above it, and a province sits beside it.
- Reviewing an entry (approve, reject, publish, disqualify, watch its video): those
  who run the campaign, and organisers of a unit the campaign delegates review to
  (`review_delegated_to`), for entries of their own branch only.
- Everyone else with a branch (organisers inside the eligible subtree) reads their
  branch's entries, reports and compliance (domain/scope.py) and changes nothing:
  a change answers 403 `not_campaign_reviewer`.

Units are named by id, and a unit's path is the chain of ids from the root, so these
rules need no lookup. Campaigns are public, so refusing says so (403) instead of
pretending the campaign does not exist.
"""
from __future__ import annotations

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.organisation import PATH_SEPARATOR
from chalicelib.domain.scope import Principal, can_see_unit


def runs_campaign(principal: Principal, campaign: Campaign) -> bool:
    if principal.role == "admin":
        return True
    return (principal.role == "organiser" and campaign.organiser_unit is not None
            and principal.unit_id == campaign.organiser_unit)


def reviews_entry(principal: Principal, campaign: Campaign, entry_unit_path: str) -> bool:
    """The one rule for who reviews an entry of `campaign` in the unit at `entry_unit_path`."""
    if runs_campaign(principal, campaign):
        return True
    return (principal.role == "organiser" and principal.unit_id in campaign.review_delegated_to
            and can_see_unit(principal, entry_unit_path))


def is_eligible(campaign: Campaign, unit_path: str) -> bool:
    roots = campaign.eligible_roots
    return roots is None or not roots.isdisjoint(unit_path.split(PATH_SEPARATOR))


def require_campaign_organiser(principal: Principal, campaign: Campaign) -> None:
    if not runs_campaign(principal, campaign):
        raise Forbidden(
            "Chỉ Ban tổ chức cuộc thi (người tổ chức của đơn vị tổ chức) mới thực hiện được thao tác này.",
            "Only the campaign's organisers (organisers of its organising unit) can do this.",
            code="not_campaign_organiser",
            campaign_id=campaign.id,
        )


def not_campaign_reviewer(campaign: Campaign) -> Forbidden:
    return Forbidden(
        "Bạn chỉ được xem bài dự thi của đơn vị mình; việc thẩm định do Ban tổ chức cuộc thi "
        "hoặc đơn vị được giao thẩm định thực hiện.",
        "You may read your branch's entries, but only the campaign's organisers or the units it "
        "delegates review to may change them.",
        code="not_campaign_reviewer",
        campaign_id=campaign.id,
    )


def require_eligible(campaign: Campaign, unit_id: str, unit_path: str) -> None:
    if not is_eligible(campaign, unit_path):
        raise InvalidInput(
            "Đơn vị đã chọn không thuộc đối tượng tham gia cuộc thi này.",
            "The chosen unit may not enter this campaign.",
            code="unit_not_eligible",
            unit_id=unit_id,
            eligible_units=sorted(campaign.eligible_roots or ()),
        )
