"""docs/openapi.yaml is the API: a bounded, seeded Schemathesis pass over every operation, as an
anonymous caller and as the local admin, against the real local product (its own process, its
own emulated cloud, on free ports: what the admin pass writes stays there).

Fails on any 5xx, any status code the document does not list for the operation, and any
response that breaks its documented schema or content type.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "openapi.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
# Bounded: about two minutes on two cores for both identities; seeded so a failure replays.
EXAMPLES_PER_OPERATION = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
ADMIN = {"username": os.environ.get("LOCAL_ADMIN_USERNAME", "admin"),
         "password": os.environ.get("LOCAL_ADMIN_PASSWORD", "Local-Contest-2026!")}

schema = schemathesis.openapi.from_path(DOC)
bounded = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def product():
    api_port, cloud_port = _free_port(), _free_port()
    state = tempfile.mkdtemp(prefix="contest-contract-")
    log = tempfile.NamedTemporaryFile(prefix="contest-contract-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "chalicelib.local.runner", "--port", str(api_port), "--cloud-port", str(cloud_port)],
        cwd=ROOT, env={**os.environ, "LOCAL_STATE_DIR": state}, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(base_url + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the local product did not start:\n" + Path(log.name).read_text()[-3000:])
            time.sleep(0.3)
        request = urllib.request.Request(base_url + "/auth/token", data=json.dumps(ADMIN).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            token = json.loads(response.read())["id_token"]
        yield {"base_url": base_url, "admin": {"Authorization": f"Bearer {token}"}}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        os.unlink(log.name)
        shutil.rmtree(state, ignore_errors=True)


@schema.parametrize()
@bounded
def test_the_api_keeps_the_document_for_anonymous_callers(case, product):
    case.call_and_validate(base_url=product["base_url"], checks=CHECKS, timeout=10)


@schema.parametrize()
@bounded
def test_the_api_keeps_the_document_for_the_admin(case, product):
    case.call_and_validate(base_url=product["base_url"], headers=product["admin"], checks=CHECKS, timeout=10)
