"""Creating, editing, opening, closing, archiving and deleting campaigns (rules in domain/campaign_changes.py).

Every accepted change is stored as the campaign's next version together with a version
record (who, when, what changed) and an audit entry. Edits name the version they were
made on; the store writes only if that is still the current one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from chalicelib.domain import campaign_changes as rules
from chalicelib.domain.campaign import Campaign, campaign_not_found
from chalicelib.domain.campaign_changes import CampaignVersion
from chalicelib.domain.display import local_time
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.scope import Principal
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import BranchCounters, Units, VersionedCampaigns, WeekResults


@dataclass
class CampaignService:
    campaigns: VersionedCampaigns
    units: Units
    results: WeekResults
    counters: BranchCounters
    audit: AuditLog

    # --- reading ----------------------------------------------------------------
    def listed(self, principal: Principal | None) -> list[Campaign]:
        return [c for c in self.campaigns.list_all() if rules.visible_to(c, principal)]

    def visible(self, campaign_id: str, principal: Principal | None) -> Campaign:
        """The campaign, or 404 for a draft or archived one the caller may not edit (as if missing)."""
        campaign = self.campaigns.require(campaign_id)
        if not rules.visible_to(campaign, principal):
            raise campaign_not_found()
        return campaign

    def editable(self, campaign_id: str, principal: Principal) -> Campaign:
        campaign = self.visible(campaign_id, principal)
        rules.require_editor(principal, campaign.organiser_unit, campaign.id)
        return campaign

    def versions(self, principal: Principal, campaign_id: str) -> dict:
        campaign = self.editable(campaign_id, principal)
        return {
            "campaign_id": campaign.id,
            "current_version": campaign.version,
            "rules_version": campaign.rules_version,
            "versions": [self._version_view(v, campaign.timezone) for v in reversed(self.campaigns.versions(campaign.id))],
        }

    @staticmethod
    def _version_view(version: CampaignVersion, zone: str) -> dict:
        return {
            "version": version.version,
            "rules_version": version.rules_version,
            "status": version.status,
            "action": version.action,
            "at": iso_utc(version.at),
            "at_local": local_time(version.at, zone),
            "by": version.actor,
            "by_role": version.actor_role,
            "changed_fields": [c["field"] for c in version.changes],
            "changes": list(version.changes),
        }

    # --- changing ---------------------------------------------------------------
    def create(self, principal: Principal, body: Mapping[str, Any], now: datetime) -> Campaign:
        document = {k: v for k, v in body.items() if k not in rules.LIFECYCLE_FIELDS}
        if principal.role == "organiser" and not document.get("organiser_unit"):
            document["organiser_unit"] = principal.unit_id  # an organiser's campaigns are their unit's
        proposed = rules.parse_campaign_body({**document, "status": "draft"})
        rules.require_editor(principal, proposed.organiser_unit, proposed.id)
        self._require_known_unit(proposed)
        campaign = rules.next_version(None, proposed)
        if not self.campaigns.create(campaign, self._version(principal, None, campaign, "create", now)):
            raise Conflict(
                f"Đã có cuộc thi với mã “{campaign.id}”.", f"A campaign with id {campaign.id!r} already exists.",
                code="campaign_exists", campaign_id=campaign.id,
            )
        self._audit(principal, "create_campaign", None, campaign, now)
        return campaign

    def replace(
        self, principal: Principal, campaign_id: str, body: Mapping[str, Any], expected: int | None, now: datetime,
    ) -> Campaign:
        current = self.editable(campaign_id, principal)
        document = {k: v for k, v in body.items() if k not in ("version", "rules_version")}
        document.setdefault("status", current.status)
        document.setdefault("id", current.id)
        return self._edit(principal, current, document, expected, now, "replace")

    def patch(
        self, principal: Principal, campaign_id: str, patch: Mapping[str, Any], expected: int | None, now: datetime,
    ) -> Campaign:
        current = self.editable(campaign_id, principal)
        changes = {k: v for k, v in patch.items() if k not in ("version", "rules_version")}
        document = rules.merge_patch(current.to_document(), changes)
        return self._edit(principal, current, document, expected, now, "patch")

    def _edit(
        self, principal: Principal, current: Campaign, document: dict, expected: int | None, now: datetime,
        action: str,
    ) -> Campaign:
        if expected is None:
            raise rules.version_required()
        if expected != current.version:
            raise rules.stale_version(current, expected)
        proposed = rules.parse_campaign_body(document)
        if proposed.organiser_unit != current.organiser_unit:
            rules.require_editor(principal, proposed.organiser_unit, current.id)
            self._require_known_unit(proposed)
        rules.check_edit(current, proposed, now, self._closed_weeks(current))
        if not rules.changes_between(current, proposed):
            return current  # nothing changed: no new version
        return self._store(principal, current, rules.next_version(current, proposed), action, now)

    def transition(
        self, principal: Principal, campaign_id: str, action: str, expected: int | None, now: datetime,
    ) -> Campaign:
        current = self.editable(campaign_id, principal)
        if expected is not None and expected != current.version:
            raise rules.stale_version(current, expected)
        return self._store(principal, current, rules.transitioned(current, action), action, now)

    def delete(self, principal: Principal, campaign_id: str, expected: int | None, now: datetime) -> dict:
        current = self.editable(campaign_id, principal)
        if expected is not None and expected != current.version:
            raise rules.stale_version(current, expected)
        rules.deletable(current, has_entries=any(received for _, received, _ in self.counters.daily(current.id)))
        if not self.campaigns.delete(current.id, current.version):
            raise rules.stale_version(self.campaigns.require(current.id), current.version)
        self._audit(principal, "delete_campaign", current, None, now)
        return {"campaign_id": current.id, "deleted": True, "version": current.version}

    # --- helpers ----------------------------------------------------------------
    def _store(self, principal: Principal, current: Campaign, campaign: Campaign, action: str, now: datetime) -> Campaign:
        if not self.campaigns.replace(campaign, current.version, self._version(principal, current, campaign, action, now)):
            latest = self.campaigns.get(current.id)
            if latest is None:
                raise campaign_not_found()
            raise rules.stale_version(latest, current.version)
        self._audit(principal, f"{action}_campaign", current, campaign, now)
        return campaign

    def _version(
        self, principal: Principal, before: Campaign | None, after: Campaign, action: str, now: datetime,
    ) -> CampaignVersion:
        changes = rules.changes_between(before, after) if before is not None else ()
        if before is not None and before.status != after.status:
            changes = changes + ({"field": "status", "before": before.status, "after": after.status},)
        return CampaignVersion(
            campaign_id=after.id, version=after.version, at=now, actor=principal.username or principal.user_id,
            actor_role=principal.role, action=action, changes=changes, document=after.to_document(),
        )

    def _audit(self, principal: Principal, action: str, before: Campaign | None, after: Campaign | None,
               now: datetime) -> None:
        subject = after or before
        assert subject is not None
        changed = [c["field"] for c in rules.changes_between(before, after)] if before and after else []
        self.audit.record(
            principal, action, "campaign", subject.id, now, campaign_id=subject.id,
            before=None if before is None else _summary(before),
            after=None if after is None else {**_summary(after), "changed_fields": changed},
        )

    def _closed_weeks(self, campaign: Campaign) -> set[int]:
        return {w.number for w in campaign.voting_weeks if self.results.latest(campaign.id, w.number) is not None}

    def _require_known_unit(self, campaign: Campaign) -> None:
        if campaign.organiser_unit and self.units.find(campaign.organiser_unit) is None:
            raise InvalidInput(
                f"Không tìm thấy đơn vị tổ chức “{campaign.organiser_unit}”.",
                f"The organising unit {campaign.organiser_unit!r} does not exist.",
                code="unknown_organiser_unit", field="organiser_unit",
            )


def _summary(campaign: Campaign) -> dict:
    return {"status": campaign.status, "version": campaign.version, "rules_version": campaign.rules_version}
