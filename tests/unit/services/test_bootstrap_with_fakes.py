"""The composition root takes the fakes in place of the DynamoDB and S3 adapters, so a use
case wired exactly as in production runs end to end in memory."""
from __future__ import annotations

from chalicelib.bootstrap import bootstrap
from chalicelib.config import read_settings
from chalicelib.domain.uploads import ObjectCreated
from tests.fakes.notifications import RecordedEvents
from tests.fakes.world import ADMIN
from tests.fakes.world import DURING_SUBMISSIONS as NOW


def test_the_intake_built_by_bootstrap_works_on_fakes(world):
    services = bootstrap(read_settings(), campaign_store=world.campaigns, submission_store=world.entries,
                         upload_bucket=world.bucket, notification_events=RecordedEvents())
    entry = world.entry()
    head = world.bucket.put(entry.upload_key, b"not a video at all" * 64)

    outcome = services.intake.handle(ObjectCreated(world.bucket.name, entry.upload_key, head.size, head.etag, "1"), NOW)

    assert outcome == "invalid"
    assert world.entries.get(entry.submission_id).status == "invalid"


def test_the_review_service_built_by_bootstrap_approves_on_fakes(world):
    services = bootstrap(read_settings(), campaign_store=world.campaigns, submission_store=world.entries,
                         snapshot_store=world.snapshots, week_result_store=world.week_results,
                         org_unit_store=world.units, counter_store=world.best_scores, audit_store=world.audit_trail,
                         notification_events=RecordedEvents())
    entry = world.entry(status="valid")

    view = services.review.review(ADMIN, entry.submission_id, {"decision": "approve"}, NOW)

    assert view["status"] == "approved" and world.audit_trail.actions() == ["approve"]
