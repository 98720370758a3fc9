"""Who may act on a campaign as a whole (close a week, read its fraud flags,
prizes and final results), as opposed to one entry.

A campaign belongs to its organising unit (`organiser_unit`; seed 000: Đoàn
Khối các cơ quan Trung ương). An organiser whose branch contains that unit
runs the campaign; an organiser elsewhere acts only on their own branch's
entries. Admins run every campaign. A campaign without an organising unit is
run by admins only. Campaigns are public, so refusing says so (403) instead of
pretending the campaign does not exist.
"""
from __future__ import annotations

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.organisation import is_within
from chalicelib.domain.scope import Principal


def runs_campaign(principal: Principal, organiser_unit_path: str | None) -> bool:
    if principal.role == "admin":
        return True
    if principal.role != "organiser" or not principal.unit_path or not organiser_unit_path:
        return False
    return is_within(organiser_unit_path, principal.unit_path)


def require_campaign_organiser(principal: Principal, campaign: Campaign, organiser_unit_path: str | None) -> None:
    if not runs_campaign(principal, organiser_unit_path):
        raise Forbidden(
            "Chỉ Ban tổ chức cuộc thi (đơn vị tổ chức hoặc cấp trên) mới thực hiện được thao tác này.",
            "Only the campaign's organisers (its organising unit or a unit above it) can do this.",
            code="not_campaign_organiser",
            campaign_id=campaign.id,
        )
