"""Published final results, versioned, in the week-results table under the partition
"{campaign_id}#final": version n is written once and never changed."""
from __future__ import annotations

import gzip
import json
from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.models import WeekResultRecord


def final_results_key(campaign_id: str) -> str:
    return f"{campaign_id}#final"


class ResultPublicationStore:
    def _document(self, record: WeekResultRecord) -> dict:
        return json.loads(gzip.decompress(record.document_gz).decode("utf-8"))

    def latest(self, campaign_id: str) -> dict | None:
        for record in WeekResultRecord.query(final_results_key(campaign_id), WeekResultRecord.version >= 1,
                                             scan_index_forward=False, limit=1, consistent_read=True):
            return self._document(record)
        return None

    def versions(self, campaign_id: str) -> list[dict]:
        """Every version, oldest first."""
        return [self._document(r) for r in WeekResultRecord.query(
            final_results_key(campaign_id), WeekResultRecord.version >= 1, consistent_read=True)]

    def add(self, campaign_id: str, document: dict, published_at: datetime) -> bool:
        """False when that version already exists (another organiser published it first)."""
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        record = WeekResultRecord(
            campaign_week=final_results_key(campaign_id), version=document["version"], hash=document["hash"],
            document_gz=gzip.compress(text.encode("utf-8"), mtime=0), created_at=published_at,
            created_by=document["published_by"], snapshots_as_of=published_at,
        )
        try:
            record.save(condition=WeekResultRecord.version.does_not_exist())
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True
