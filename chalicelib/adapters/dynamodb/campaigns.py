"""Campaign configurations stored as validated JSON documents, with every version kept.

An edit is one transaction: the campaign's item, conditioned on the version the edit was
made on, and the new version's item, which must not exist yet. Two editors of the same
version cannot both succeed; the loser's transaction changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import transaction_connection
from chalicelib.adapters.dynamodb.models import CampaignRecord, CampaignVersionRecord
from chalicelib.adapters.dynamodb.submissions import first_item_refused
from chalicelib.domain.campaign import Campaign, campaign_not_found, parse_campaign
from chalicelib.domain.campaign_changes import CampaignVersion


def _version_record(version: CampaignVersion) -> CampaignVersionRecord:
    return CampaignVersionRecord(
        campaign_id=version.campaign_id, version=version.version, at=version.at, actor=version.actor,
        actor_role=version.actor_role, action=version.action, changes=list(version.changes),
        document=dict(version.document),
    )


def _campaign_record(campaign: Campaign, at: datetime) -> CampaignRecord:
    return CampaignRecord(
        campaign_id=campaign.id, document=campaign.to_document(), updated_at=at, version=campaign.version,
    )


def _stored_version_is(expected: int):
    condition = CampaignRecord.version == expected
    if expected == 1:  # stored before versions were kept
        condition = condition | (CampaignRecord.campaign_id.exists() & CampaignRecord.version.does_not_exist())
    return condition


class CampaignStore:
    def put(self, campaign: Campaign) -> None:
        """Store a campaign as it is, unconditionally (the local seed and the demo)."""
        _campaign_record(campaign, datetime.now(timezone.utc)).save()

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

    # --- versioned changes ----------------------------------------------------------

    def create(self, campaign: Campaign, version: CampaignVersion) -> bool:
        """Store a new campaign and its first version; False when the id is taken."""
        return self._write(
            _campaign_record(campaign, version.at), CampaignRecord.campaign_id.does_not_exist(), version
        )

    def replace(self, campaign: Campaign, expected_version: int, version: CampaignVersion) -> bool:
        """Store `campaign` as the version after `expected_version`; False when that is no longer current."""
        return self._write(_campaign_record(campaign, version.at), _stored_version_is(expected_version), version)

    @staticmethod
    def _write(record: CampaignRecord, condition, version: CampaignVersion) -> bool:
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.save(record, condition=condition)
                tx.save(_version_record(version), condition=CampaignVersionRecord.version.does_not_exist())
        except TransactWriteError as error:
            if first_item_refused(error):
                return False
            raise
        return True

    def delete(self, campaign_id: str, expected_version: int) -> bool:
        """Delete the campaign if it is still at `expected_version`, with its versions (only a draft is
        deleted, so they were never public; the audit log keeps the deletion), so its id can be used again."""
        try:
            CampaignRecord(campaign_id).delete(condition=_stored_version_is(expected_version))
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        with CampaignVersionRecord.batch_write() as batch:
            for record in CampaignVersionRecord.query(campaign_id):
                batch.delete(record)
        return True

    def versions(self, campaign_id: str) -> list[CampaignVersion]:
        """Every recorded version, oldest first: one Query."""
        return [
            CampaignVersion(
                campaign_id=r.campaign_id, version=int(r.version), at=r.at, actor=r.actor,
                actor_role=r.actor_role, action=r.action, changes=tuple(r.changes or ()),
                document=r.document or {},
            )
            for r in CampaignVersionRecord.query(campaign_id)
        ]
