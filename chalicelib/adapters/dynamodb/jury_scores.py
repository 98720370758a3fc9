"""Judges' scorecards for a campaign's final round: one Query reads them all."""
from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamodb.models import JuryScoreRecord
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.jury import Scorecard, StoredScorecard


class JuryScoreStore:
    def put(self, campaign_id: str, card: Scorecard, judge_unit_path: str | None, at: datetime) -> StoredScorecard | None:
        """Store the judge's card for the entry; returns the card it replaced, if any."""
        previous = self.get(campaign_id, card.entry_id, card.judge_id)
        JuryScoreRecord(
            campaign_id=campaign_id,
            entry_judge=f"{card.entry_id}#{card.judge_id}",
            submission_id=card.entry_id,
            judge_id=card.judge_id,
            judge_unit_path=judge_unit_path,
            points={key: str(render_exact(value)) for key, value in sorted(card.points.items())},
            scored_at=at,
        ).save()
        return previous

    def get(self, campaign_id: str, entry_id: str, judge_id: str) -> StoredScorecard | None:
        try:
            return _stored(JuryScoreRecord.get(campaign_id, f"{entry_id}#{judge_id}", consistent_read=True))
        except JuryScoreRecord.DoesNotExist:
            return None

    def for_campaign(self, campaign_id: str) -> list[StoredScorecard]:
        return [_stored(r) for r in JuryScoreRecord.query(campaign_id, consistent_read=True)]


def _stored(record: JuryScoreRecord) -> StoredScorecard:
    return StoredScorecard(
        Scorecard(record.judge_id, record.submission_id, dict(record.points)),
        record.judge_unit_path,
        record.scored_at,
    )
