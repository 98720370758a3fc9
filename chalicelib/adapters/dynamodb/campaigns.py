"""Campaign configurations stored as validated JSON documents."""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.adapters.dynamodb.models import CampaignRecord
from chalicelib.domain.campaign import Campaign, campaign_not_found, parse_campaign


class CampaignStore:
    def put(self, campaign: Campaign) -> None:
        CampaignRecord(
            campaign_id=campaign.id,
            document=campaign.to_document(),
            updated_at=datetime.now(timezone.utc),
        ).save()

    def get(self, campaign_id: str) -> Campaign | None:
        try:
            record = CampaignRecord.get(campaign_id)
        except CampaignRecord.DoesNotExist:
            return None
        return parse_campaign(record.document, source=f"campaign {campaign_id}")

    def require(self, campaign_id: str) -> Campaign:
        """The campaign, or the 404 every caller gives for a missing one."""
        campaign = self.get(campaign_id)
        if campaign is None:
            raise campaign_not_found()
        return campaign

    def list_all(self) -> list[Campaign]:
        # The catalogue holds a handful of campaigns; a Scan of it is cheaper than an index.
        campaigns = [
            parse_campaign(r.document, source=f"campaign {r.campaign_id}")
            for r in CampaignRecord.scan()
        ]
        return sorted(campaigns, key=lambda c: c.id)
