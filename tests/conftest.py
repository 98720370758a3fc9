"""One fixture builds the emulated AWS world; everything else asks for it.

Resource names are fixed here, before any test module imports the app or the
PynamoDB models, because both read them at import time (as Lambda does).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
# chalice.test.Client applies a stage's environment; the tests use the local stage's names.
LOCAL_STAGE = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"]
TEST_NAMES = {
    **LOCAL_STAGE["environment_variables"],
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}
os.environ.update(TEST_NAMES)
for leaked in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(leaked, None)



def pytest_configure(config):
    """Build the console before the app is imported (it reads the build once), as `make test` does.

    Only the controlling process builds: xdist's workers start after it and must not race on the
    build folder. `make console` does nothing when the build is newer than the sources."""
    import subprocess

    if hasattr(config, "workerinput"):
        return
    result = subprocess.run(["make", "--no-print-directory", "-s", "console"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"make console failed; the console's tests will fail:\n{(result.stdout + result.stderr)[-2000:]}")


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def local_cloud():
    """A moto server on loopback with every resource provisioned, as `make run` builds it."""
    from chalicelib.local.cloud import CloudConfig, apply_environment, free_port, provision, start_moto_server

    port = free_port()
    server = start_moto_server(port)
    config = CloudConfig(
        endpoint_url=f"http://127.0.0.1:{port}",
        stage="local",
        table_prefix=TEST_NAMES["TABLE_PREFIX"],
        upload_bucket=TEST_NAMES["UPLOAD_BUCKET"],
        intake_queue_name=TEST_NAMES["INTAKE_QUEUE_NAME"],
        metrics_queue_name=TEST_NAMES["METRICS_QUEUE_NAME"],
        metrics_mode=TEST_NAMES["METRICS_MODE"],
        allowed_origins=("http://localhost:8000",),
        queue_visibility_timeout=1,
    )
    provisioned = provision(config)
    environment = config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id)
    apply_environment(environment)
    yield type("LocalCloud", (), {"config": config, "provisioned": provisioned, "environment": environment})
    server.stop()


@pytest.fixture(scope="session")
def seeded_cloud(local_cloud):
    """The local cloud with the sample campaigns, organisation tree and accounts."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

    from chalicelib.local.seed import seed

    accounts = seed(local_cloud.config, local_cloud.provisioned.user_pool_id, datetime.now(VIETNAM).date())
    local_cloud.accounts = {a.username: a for a in accounts}
    return local_cloud


@pytest.fixture
def live_tiktok(seeded_cloud):
    """Switch the metric sources from the simulator to TikTok's API, served by a loopback fake.

    Yields the fake's state: tests set what TikTok reports for each video id."""
    import time
    import uuid
    from dataclasses import replace

    import boto3

    from chalicelib.bootstrap import bootstrap, installed
    from chalicelib.config import read_settings
    from chalicelib.local.cloud import LOCAL_REGION
    from tests.fakes.platforms import FakePlatformServer

    with FakePlatformServer() as fake:
        parameter = f"/contest-local/tiktok/oauth-{uuid.uuid4().hex[:6]}"
        boto3.client("ssm", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url).put_parameter(
            Name=parameter, Type="SecureString", Overwrite=True, Value=json.dumps({
                "client_key": "ck", "client_secret": "cs", "access_token": "act.initial",
                "refresh_token": "rft.initial", "access_expires_at": time.time() + 86400,
                "refresh_expires_at": time.time() + 86400 * 365}))
        live = replace(read_settings(), metrics_mode="live", tiktok_api_base_url=fake.tiktok_base_url,
                       tiktok_token_parameter=parameter)
        with installed(bootstrap(live)):
            yield fake.state
