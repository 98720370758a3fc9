"""Each campaign's judges and their declared conflicts of interest: one Query reads a panel."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.models import JudgeAssignmentRecord
from chalicelib.domain.jury import JudgeAssignment


class JudgePanelStore:
    def for_campaign(self, campaign_id: str) -> list[JudgeAssignment]:
        return [_assignment(r) for r in JudgeAssignmentRecord.query(campaign_id, consistent_read=True)]

    def get(self, campaign_id: str, judge_id: str) -> JudgeAssignment | None:
        try:
            return _assignment(JudgeAssignmentRecord.get(campaign_id, judge_id, consistent_read=True))
        except JudgeAssignmentRecord.DoesNotExist:
            return None

    def assign(self, assignment: JudgeAssignment) -> None:
        """Put the judge on the panel; a judge already on it keeps their record and declarations."""
        try:
            _record(assignment).save(condition=JudgeAssignmentRecord.judge_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def remove(self, campaign_id: str, judge_id: str) -> None:
        JudgeAssignmentRecord(campaign_id=campaign_id, judge_id=judge_id).delete()

    def declare(self, assignment: JudgeAssignment) -> bool:
        """Store the judge's declared conflicts, only while they are still on the panel."""
        try:
            _record(assignment).save(condition=JudgeAssignmentRecord.judge_id.exists())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _record(assignment: JudgeAssignment) -> JudgeAssignmentRecord:
    return JudgeAssignmentRecord(
        campaign_id=assignment.campaign_id, judge_id=assignment.judge_id, assigned_by=assignment.assigned_by,
        assigned_at=assignment.assigned_at, conflict_units=list(assignment.conflict_units),
        declared_at=assignment.declared_at,
    )


def _assignment(record: JudgeAssignmentRecord) -> JudgeAssignment:
    declared_at: datetime | None = record.declared_at
    return JudgeAssignment(record.campaign_id, record.judge_id, record.assigned_by, record.assigned_at,
                           tuple(record.conflict_units or ()), declared_at)
