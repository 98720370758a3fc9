"""The scheduled paths find the campaigns they run with a Query of the campaigns' sparse
`by-schedule` index, never a Scan (issue 10), and a local state kept from before the index is
brought up to date at start-up."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3

from chalicelib.adapters.dynamodb.models import CampaignRecord
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.scope import Principal
from chalicelib.local.cloud import LOCAL_REGION
from chalicelib.local.seed import SAMPLES
from tests.integration.test_scale_requests import Requests

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Principal(user_id="schedule-admin", role="admin", username="schedule-admin")


def _new_campaign_body() -> dict:
    document = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").to_document()
    for key in ("status", "version", "rules_version"):
        document.pop(key)
    return {**document, "id": f"schedule-{uuid.uuid4().hex[:8]}", "organiser_unit": "tw"}


def _stored_item(seeded_cloud, campaign_id: str) -> dict:
    ddb = boto3.client("dynamodb", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)
    return ddb.get_item(TableName=CampaignRecord.Meta.table_name, Key={"campaign_id": {"S": campaign_id}},
                        ConsistentRead=True)["Item"]


def _running_ids() -> set[str]:
    return {c.id for c in services().campaign_store.list_running()}


def test_only_open_and_closed_campaigns_are_listed_and_every_transition_moves_the_mark(seeded_cloud):
    now = datetime.now(timezone.utc)
    campaigns = services().campaigns
    # Given a new draft: not running, no mark on its item
    draft = campaigns.create(ADMIN, _new_campaign_body(), now)
    assert draft.id not in _running_ids()
    assert "schedule" not in _stored_item(seeded_cloud, draft.id)
    # When it opens, then closes, it is listed with the mark
    for action in ("open", "close"):
        campaign = campaigns.transition(ADMIN, draft.id, action, None, now)
        assert campaign.id in _running_ids()
        assert _stored_item(seeded_cloud, draft.id)["schedule"] == {"S": "running"}
    # And once archived it is gone from the index: its item has no mark left
    campaigns.transition(ADMIN, draft.id, "archive", None, now)
    assert draft.id not in _running_ids()
    assert "schedule" not in _stored_item(seeded_cloud, draft.id)
    # While the console's catalogue still lists it
    assert draft.id in {c.id for c in services().campaign_store.list_all()}


def test_an_edit_of_an_open_campaign_keeps_its_mark(seeded_cloud):
    now = datetime.now(timezone.utc)
    campaigns = services().campaigns
    created = campaigns.create(ADMIN, _new_campaign_body(), now)
    opened = campaigns.transition(ADMIN, created.id, "open", None, now)
    edited = campaigns.patch(ADMIN, opened.id, {"name_vi": opened.name_vi + " (sửa)"}, opened.version, now)
    assert edited.version == opened.version + 1
    assert opened.id in _running_ids()


def test_the_hourly_fan_out_and_the_weekly_close_query_the_index_and_scan_nothing(seeded_cloud):
    # Given the seeded catalogue, running campaigns among drafts and archived ones
    assert _running_ids()
    # When the hourly round fans out and the Monday close runs, at a time no week of theirs is open
    # or over (so no run is started and nothing is queued for the tests that count the queue)
    at = datetime.now(timezone.utc) - timedelta(days=3650)
    with Requests() as fan_out:
        services().engagement.fan_out(at, "hourly", at)
    with Requests() as close:
        services().week_results.close_due_weeks(at)
    # Then neither scans any table, and each finds its campaigns with one Query of the campaigns table
    for requests in (fan_out, close):
        assert requests.count("Scan") == 0, requests.by_target
        assert requests.count("Query", "campaigns") == 1, requests.by_target


def test_a_running_campaign_whose_item_lost_its_mark_is_marked_again_and_only_once(seeded_cloud):
    # Given an open campaign stored before the index: its item carries no mark
    now = datetime.now(timezone.utc)
    campaigns = services().campaigns
    opened = campaigns.transition(ADMIN, campaigns.create(ADMIN, _new_campaign_body(), now).id, "open", None, now)
    CampaignRecord.get(opened.id).update(actions=[CampaignRecord.schedule.remove()])
    assert opened.id not in _running_ids()
    # When the migration runs, it is listed again; running it again changes nothing
    first = services().campaign_store.mark_running()
    assert first["marked"] >= 1 and opened.id in _running_ids()
    assert services().campaign_store.mark_running() == {**first, "marked": 0, "unmarked": 0}
    # And the document was not touched (no new version, same update time)
    record = CampaignRecord.get(opened.id)
    assert int(record.version) == opened.version


def test_the_admin_command_runs_the_migration_on_the_stage_it_is_pointed_at(seeded_cloud, capsys):
    from contest_cli.__main__ import main

    now = datetime.now(timezone.utc)
    campaigns = services().campaigns
    opened = campaigns.transition(ADMIN, campaigns.create(ADMIN, _new_campaign_body(), now).id, "open", None, now)
    CampaignRecord.get(opened.id).update(actions=[CampaignRecord.schedule.remove()])
    assert main(["mark-running-campaigns", "--use-environment"]) == 0
    assert json.loads(capsys.readouterr().out)["marked"] == 1
    assert opened.id in _running_ids()


MIGRATE = """
import json, os, sys
from pathlib import Path
from chalicelib.local.cloud import CloudConfig, apply_environment, provision, start_moto_server

phase, port, state_dir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
server = start_moto_server(port, state_dir)
config = CloudConfig(endpoint_url=f"http://127.0.0.1:{port}", stage="local", table_prefix=os.environ["TABLE_PREFIX"],
                     upload_bucket="contest-migrate-uploads", intake_queue_name="contest-migrate-intake",
                     metrics_queue_name="contest-migrate-metrics", allowed_origins=("http://localhost:8000",))
if phase == "old":
    # The campaigns table and item as they were before the by-schedule index existed.
    import boto3
    from datetime import datetime, timezone
    from chalicelib.adapters.dynamodb.models import CampaignRecord
    from chalicelib.adapters.dynamodb.schema import create_table_request
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.local.seed import SAMPLES

    apply_environment(config.environment())
    request = create_table_request(CampaignRecord)
    request.pop("GlobalSecondaryIndexes")
    request["AttributeDefinitions"] = [d for d in request["AttributeDefinitions"] if d["AttributeName"] != "schedule"]
    ddb = boto3.client("dynamodb", endpoint_url=config.endpoint_url)
    ddb.create_table(**request)
    campaign = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    CampaignRecord(campaign_id=campaign.id, document=campaign.to_document(),
                   updated_at=datetime.now(timezone.utc)).save()
    print(json.dumps({"indexes": ddb.describe_table(TableName=request["TableName"])["Table"].get(
        "GlobalSecondaryIndexes", [])}), flush=True)
else:
    # What `make run` does at start on a kept state, then the hourly round.
    import dataclasses
    from datetime import datetime, timedelta
    from chalicelib.domain.weeks import week_window

    provisioned = provision(config)
    apply_environment(config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id))
    from chalicelib.bootstrap import services
    from chalicelib.local.runner import _migrate_kept_state

    _migrate_kept_state()
    asked = []

    class Entries:
        def in_week(self, campaign_week):
            asked.append(campaign_week)
            return []

    campaign = services().campaign_store.require("khat-vong-hung-cuong")
    at = week_window(campaign, 1)[0] + timedelta(hours=1)
    dataclasses.replace(services().engagement, entries=Entries()).fan_out(at, "hourly", at)
    print(json.dumps({"asked": asked, "again": services().campaign_store.mark_running(),
                      "running": [c.id for c in services().campaign_store.list_running()]}), flush=True)
server.stop()
os._exit(0)
"""


def _run_phase(phase: str, state_dir: Path) -> dict:
    from chalicelib.local.cloud import free_port

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TABLE_PREFIX": "contest-migrate-",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": LOCAL_REGION}
    result = subprocess.run([sys.executable, "-c", MIGRATE, phase, str(free_port()), str(state_dir)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_state_kept_from_before_the_index_gets_it_at_start_up_and_the_hourly_round_finds_its_campaign(tmp_path):
    # Given a local state saved with the old campaigns table (no index) and an open campaign without the mark
    state_dir = tmp_path / "state"
    assert _run_phase("old", state_dir) == {"indexes": []}
    # When the local cloud starts again on it: provision, the start-up migration, then an hourly round
    after = _run_phase("new", state_dir)
    # Then the round reads the campaign's open week, and the migration has nothing left to do
    assert after["asked"] == ["khat-vong-hung-cuong#1"]
    assert after["running"] == ["khat-vong-hung-cuong"]
    assert after["again"] == {"checked": 1, "marked": 0, "unmarked": 0}
