"""Authors' personal data: reviewers read contacts (each read audited), and a scheduled
job erases personal data once a campaign's retention period is over (domain/privacy.py
says what is erased and what stays)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.instants import iso_utc
from chalicelib.domain.privacy import (
    contacts_view,
    erased_authors,
    erased_consent,
    erasure_due_at,
    is_erasure_due,
    may_see_contacts,
    videos_to_delete,
)
from chalicelib.domain.scope import Principal, require_role
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import CampaignCatalogue, DeletableObjects, ErasableEntries
from chalicelib.services.review import submission_not_found

ERASURE = Principal(user_id="system:personal-data-erasure", role="admin", username="system:personal-data-erasure")
ERASURE_PAGE = 100
# Stop a run while this much of the invocation is left; the next run carries on where the
# entries still holding personal data are (the job is idempotent).
SAFETY_MARGIN_MS = 20_000


@dataclass
class PrivacyService:
    campaigns: CampaignCatalogue
    submissions: ErasableEntries
    audit: AuditLog
    videos: DeletableObjects

    # --- reviewers reaching authors -----------------------------------------
    def contacts(self, principal: Principal, submission_id: str, now: datetime) -> dict:
        require_role(principal, "admin", "organiser")
        entry = self.submissions.get(submission_id)
        if entry is None or not may_see_contacts(principal, entry, self.campaigns.require(entry.campaign_id)):
            raise submission_not_found()
        self.audit.record(principal, "view_contacts", "submission", entry.submission_id, now,
                          campaign_id=entry.campaign_id)
        return contacts_view(entry)

    # --- erasure ------------------------------------------------------------
    def erase_due(self, now: datetime, time_left_ms: Callable[[], int] | None = None) -> list[dict]:
        """Erase every campaign whose retention period is over; one outcome per such campaign."""
        outcomes = []
        for campaign in self.campaigns.list_all():
            if is_erasure_due(campaign, now):
                outcomes.append(self.erase_campaign(campaign.id, now, time_left_ms))
        return outcomes

    def erase_campaign(
        self, campaign_id: str, now: datetime, time_left_ms: Callable[[], int] | None = None
    ) -> dict:
        campaign = self.campaigns.require(campaign_id)
        erased, start, complete = 0, None, False
        while True:
            if time_left_ms is not None and time_left_ms() < SAFETY_MARGIN_MS:
                break
            entries, start = self.submissions.not_erased_page(campaign.id, start, ERASURE_PAGE)
            for entry in entries:
                # The videos first: deleting again is harmless, so an interrupted run only repeats it.
                for key in videos_to_delete(entry):
                    self.videos.delete(key)
                if self.submissions.erase_personal_data(entry, erased_authors(entry), erased_consent(entry.consent), now):
                    erased += 1
            if start is None:
                complete = True
                break
        due = erasure_due_at(campaign)
        outcome = {"campaign_id": campaign.id, "erased": erased, "complete": complete,
                   "due_at": iso_utc(due) if due else None}
        if erased:
            self.audit.record(ERASURE, "erase_personal_data", "campaign", campaign.id, now,
                              campaign_id=campaign.id, after=outcome,
                              reason=f"personal_data_retention_days={campaign.personal_data_retention_days}")
        return outcome
