"""Campaign configurations stored as validated JSON documents, with every version kept.

An edit is one transaction: the campaign's item, conditioned on the version the edit was
made on, and the new version's item, which must not exist yet. Two editors of the same
version cannot both succeed; the loser's transaction changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import transaction_connection
from chalicelib.adapters.dynamodb.models import RUNNING_SCHEDULES, CampaignRecord, CampaignVersionRecord
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
        schedule=_schedule_mark(campaign),
    )


def _schedule_mark(campaign: Campaign) -> str | None:
    # Every write of a campaign is a whole item, so the mark follows the status on each one:
    # set when the campaign opens or closes, gone once it is archived (or while it is a draft).
    return RUNNING_SCHEDULES if campaign.runs_schedules else None


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

    def list_running(self) -> list[Campaign]:
        """The campaigns whose schedules run (open or closed), for the hourly round and the weekly
        close: a Query of the sparse `by-schedule` index, never a Scan, whatever the catalogue holds.

        The index is eventually consistent, so the status is checked again on the document: a
        campaign archived a moment ago is not run."""
        campaigns = [
            parse_campaign(r.document, source=f"campaign {r.campaign_id}")
            for r in CampaignRecord.running.query(RUNNING_SCHEDULES)
        ]
        return [c for c in campaigns if c.runs_schedules]

    def mark_running(self) -> dict[str, int]:
        """Bring every stored campaign's `schedule` mark in line with its status: the migration for
        items stored before the `by-schedule` index (idempotent; one Scan, so run once at deploy or
        start-up, never on a schedule). Counts of campaigns checked, marked and unmarked."""
        counts = {"checked": 0, "marked": 0, "unmarked": 0}
        for record in CampaignRecord.scan():
            counts["checked"] += 1
            campaign = parse_campaign(record.document, source=f"campaign {record.campaign_id}")
            wanted = _schedule_mark(campaign)
            if record.schedule == wanted:
                continue
            action = CampaignRecord.schedule.set(wanted) if wanted else CampaignRecord.schedule.remove()
            # Only on the item as read: any write since then carries its own mark already.
            unchanged = _stored_version_is(int(record.version or 1)) & (CampaignRecord.updated_at == record.updated_at)
            try:
                record.update(actions=[action], condition=unchanged)
            except UpdateError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    continue
                raise
            counts["marked" if wanted else "unmarked"] += 1
        return counts

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
