"""A world of in-memory fakes for unit-testing the services, and the sample campaign and tree it holds."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.entry import Entry, NewSubmission
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.scope import Principal
from chalicelib.services.audit import AuditLog
from tests.fakes.stores import (
    FakeAuditTrail,
    FakeBestScores,
    FakeBucket,
    FakeCampaigns,
    FakeEntries,
    FakeScorecards,
    FakeSnapshots,
    FakeUnits,
    FakeWeekResults,
)

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN_FILE = ROOT / "samples" / "campaigns" / "khat-vong-hung-cuong.json"
# Organised by the central unit, open to every unit, review delegated to the provinces: the
# sample where a province's organisers review their own branch.
NATIONAL_FILE = ROOT / "samples" / "campaigns" / "thanh-nien-sang-tao.json"
TREE = load_tree_csv((ROOT / "samples" / "organisation.csv").read_text(encoding="utf-8"))
# Inside the sample campaign's submission window (Vietnam time 2024-05-01 .. 2024-08-31).
DURING_SUBMISSIONS = datetime(2024, 6, 1, 3, 0, tzinfo=timezone.utc)

ADMIN = Principal(user_id="admin-1", role="admin", username="admin")


def organiser_of(unit_id: str) -> Principal:
    unit = TREE.find(unit_id)
    return Principal(user_id=f"org-{unit_id}", role="organiser", unit_id=unit_id, unit_path=unit.path,
                     username=f"org-{unit_id}")


@dataclass
class World:
    campaign: Campaign
    campaigns: FakeCampaigns
    units: FakeUnits
    bucket: FakeBucket
    week_results: FakeWeekResults
    entries: FakeEntries
    snapshots: FakeSnapshots
    best_scores: FakeBestScores
    scorecards: FakeScorecards
    audit_trail: FakeAuditTrail
    audit: AuditLog
    _count: list[int] = field(default_factory=lambda: [0])

    def entry(self, unit_id: str = "ha-noi-ba-dinh-kim-ma", status: str = "awaiting_upload",
              created_at: datetime = DURING_SUBMISSIONS, **changes) -> Entry:
        """Given: an entry of the campaign in `status`, filed under its unit."""
        self._count[0] += 1
        submission_id = f"e{self._count[0]:031d}"
        unit = TREE.find(unit_id)
        created = self.entries.create(NewSubmission(
            submission_id, self.campaign.id, unit.unit_id, unit.path, f"Bài {self._count[0]}", "", "Clip",
            [{"name": "Nguyễn Văn A", "email": "a@example.vn"}], "a.mp4", "video/mp4", 1000, "token-hash",
            f"uploads/{self.campaign.id}/{submission_id}/a.mp4", "post", None, created_at,
        ))
        return self.entries.put(dataclasses.replace(created, status=status, **changes))


def build_world(campaign_file: Path = CAMPAIGN_FILE) -> World:
    campaign = load_campaign_file(campaign_file)
    week_results = FakeWeekResults()
    audit_trail = FakeAuditTrail()
    return World(
        campaign=campaign,
        campaigns=FakeCampaigns(campaign),
        units=FakeUnits(TREE),
        bucket=FakeBucket(),
        week_results=week_results,
        entries=FakeEntries(week_results),
        snapshots=FakeSnapshots(),
        best_scores=FakeBestScores(),
        scorecards=FakeScorecards(),
        audit_trail=audit_trail,
        audit=AuditLog(audit_trail),
    )
