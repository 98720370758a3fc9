"""The composition root builds nothing until asked, builds each collaborator once, and takes
any collaborator by name instead; `import app` and `./contest validate` stay cheap."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.bootstrap import COLLABORATORS, bootstrap, install, installed, services
from chalicelib.config import read_settings

ROOT = Path(__file__).resolve().parents[2]
LOCAL = read_settings({"STAGE": "local"})


class FakeCampaignStore:
    def __init__(self):
        self.asked = []

    def require(self, campaign_id):
        self.asked.append(campaign_id)
        return campaign_id


def test_a_new_container_builds_nothing():
    container = bootstrap(LOCAL)
    assert not COLLABORATORS & set(vars(container))


def test_each_collaborator_is_built_once_and_only_what_it_needs():
    container = bootstrap(LOCAL)
    assert container.audit_log is container.audit_log
    assert container.audit_log.store is container.audit_store
    assert "submission_store" not in vars(container)


def test_an_override_takes_the_place_of_a_collaborator_and_reaches_the_services_built_on_it():
    fake = FakeCampaignStore()
    container = bootstrap(LOCAL, campaign_store=fake)
    assert container.campaign_store is fake
    assert container.intake.campaigns is fake
    assert container.reports.campaigns is fake


def test_an_unknown_override_is_refused_by_name():
    with pytest.raises(TypeError, match="campaing_store"):
        bootstrap(LOCAL, campaing_store=object())


def test_engagement_sources_follow_the_settings():
    from dataclasses import replace

    simulated = bootstrap(replace(LOCAL, metrics_mode="simulated"))
    assert type(simulated.engagement_source("tiktok")).__name__ == "SimulatedSource"
    assert simulated.engagement_source("tiktok") is simulated.engagement_source("tiktok")
    live = bootstrap(replace(LOCAL, metrics_mode="live"))
    assert type(live.engagement_source("youtube")).__name__ == "YouTubeDataApi"
    assert live.engagement_source("facebook") is None
    off = bootstrap(replace(LOCAL, metrics_mode="off"))
    assert [off.engagement_source(p) for p in ("tiktok", "youtube", "facebook")] == [None, None, None]


def test_installed_makes_a_container_current_and_restores_the_previous_one():
    before = install(None)
    try:
        mine = bootstrap(LOCAL)
        with installed(mine):
            assert services() is mine
        assert services() is not mine
    finally:
        install(before)


def _modules_after(code: str, extra_env: dict | None = None) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, **(extra_env or {})}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], *prefixes: str) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_importing_the_app_builds_and_imports_no_adapter_service_or_heavy_library():
    modules = _modules_after("import app")
    assert _loaded(modules, "chalicelib.adapters", "chalicelib.services", "chalicelib.domain.campaign",
                   "pynamodb", "openpyxl", "boto3", "botocore.session", "botocore.client", "aws_xray_sdk", "jwt",
                   "pydantic", "requests", "chalicelib.local") == []


def test_importing_the_composition_root_imports_only_settings():
    modules = _modules_after("import chalicelib.bootstrap")
    assert _loaded(modules, "chalicelib.adapters", "chalicelib.services", "chalicelib.domain", "chalice",
                   "boto3", "botocore", "pynamodb") == []


def test_observability_does_not_import_chalice():
    modules = _modules_after("import chalicelib.observability")
    assert _loaded(modules, "chalice", "aws_xray_sdk") == []


def test_contest_validate_imports_no_dynamodb_or_http_client(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "contest_cli", "validate", str(video)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["status"] == "invalid"
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert _loaded(imported, "pynamodb", "botocore", "boto3", "requests", "urllib3", "chalicelib.adapters.dynamodb",
                   "chalicelib.services", "chalice") == []
    # The media rules are read without pydantic: its import was most of the command's cost.
    assert _loaded(imported, "pydantic", "pydantic_core", "chalicelib.domain.campaign") == []
    assert "chalicelib.domain.media.verdict" in imported


class NoSubmissions:
    def get(self, submission_id):
        return None


class RecordingBucket:
    name = "contest-local-uploads"

    def __init__(self):
        self.deleted = []

    def delete(self, key):
        self.deleted.append(key)


def test_a_service_logs_through_powertools_keeping_the_correlation_id_and_its_keys():
    import io
    from datetime import datetime, timezone

    from chalicelib.adapters.s3_events import ObjectCreated
    from chalicelib.observability import logger

    bucket = RecordingBucket()
    container = bootstrap(LOCAL, submission_store=NoSubmissions(), upload_bucket=bucket,
                          campaign_store=FakeCampaignStore())
    key = "uploads/s-unknown/clip.mp4"
    output = io.StringIO()
    previous = logger.registered_handler.setStream(output)
    logger.set_correlation_id("corr-123")
    try:
        outcome = container.intake.handle(ObjectCreated(bucket.name, key, 10, "etag", "01"), datetime.now(timezone.utc))
    finally:
        logger.registered_handler.setStream(previous)
        logger.set_correlation_id(None)
    assert outcome == "deleted_unknown" and bucket.deleted == [key]
    [line] = [json.loads(text) for text in output.getvalue().splitlines() if "unknown key" in text]
    assert line["key"] == key
    assert line["correlation_id"] == "corr-123"
    assert line["level"] == "WARNING"
