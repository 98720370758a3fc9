"""What the console reads and keeps beside the core records: recent entries counted by status,
and each campaign's reason templates."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.models import ReasonTemplateRecord, SubmissionRecord
from chalicelib.domain.organisation import branch_key


class EntryActivity:
    def created_since(self, campaign_id: str, statuses: Iterable[str], since: datetime,
                      branch_path: str | None) -> dict[str, int]:
        """Entries created at or after `since`, per current status: one COUNT Query per status on
        `by-campaign-status` (its sort key starts with status and creation time), never a Scan.
        `branch_path` None counts the whole campaign."""
        low = since.astimezone(timezone.utc).isoformat()
        counts = {}
        for status in statuses:
            in_branch = None
            if branch_path is not None:
                in_branch = (SubmissionRecord.unit_path == branch_path) | SubmissionRecord.unit_path.startswith(
                    branch_key(branch_path))
            counts[status] = SubmissionRecord.by_campaign_status.count(
                campaign_id,
                SubmissionRecord.status_sort.between(f"{status}#{low}", f"{status}#\uffff"),
                filter_condition=in_branch,
            )
        return counts


class ReasonTemplateStore:
    def get(self, campaign_id: str) -> tuple[list[dict], int] | None:
        """The campaign's templates and their version; None when it never edited them."""
        try:
            record = ReasonTemplateRecord.get(campaign_id, consistent_read=True)
        except ReasonTemplateRecord.DoesNotExist:
            return None
        return list(record.templates), int(record.version)

    def put(self, campaign_id: str, templates: list[dict], expected_version: int, by: str, at: datetime) -> bool:
        """Replace the list if it is still at `expected_version` (0: never written); False otherwise."""
        record = ReasonTemplateRecord(campaign_id=campaign_id, templates=templates, version=expected_version + 1,
                                      updated_at=at, updated_by=by)
        condition = (ReasonTemplateRecord.campaign_id.does_not_exist() if expected_version == 0
                     else ReasonTemplateRecord.version == expected_version)
        try:
            record.save(condition=condition)
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True
