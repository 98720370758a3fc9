"""The README's "Try the whole flow locally" walk-through, run as written against a fresh
`make run` (the runner on its own ports): sign in, review, publish, leaderboard, close last
week, finalists, jury score, results, awards and the Excel download. The block is taken from
the README itself, so the README cannot drift from what the product does."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, running_product

MARKER = "<!-- walkthrough: tests/browser/test_readme_walkthrough.py runs this block -->"
SCRIPT_TIMEOUT_SECONDS = 300


def readme_walkthrough() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```sh\n(.*?)\n```", after, re.DOTALL)
    assert match, "the README's walk-through block is missing"
    return match.group(1)


@pytest.fixture(scope="module")
def fresh_product():
    with running_product() as server:
        yield server


def test_the_readme_walkthrough_works_as_written_on_a_fresh_make_run(fresh_product, tmp_path):
    if shutil.which("curl") is None:
        pytest.fail("curl is missing: the README's walk-through uses it")
    # The same commands, pointed at this runner: its API port, and `./contest` reading this
    # runner's environment (as it reads .local/cloud.json next to `make run`).
    script = readme_walkthrough().replace("http://localhost:8000", fresh_product.base_url)
    script = script.replace("./contest ", f"{sys.executable} -m contest_cli ")
    (tmp_path / ".local").mkdir()
    shutil.copy(fresh_product.state_dir / "cloud.json", tmp_path / ".local" / "cloud.json")

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=SCRIPT_TIMEOUT_SECONDS,
    )

    assert done.returncode == 0, f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{") and line.endswith("}")]
    closed = next(a for a in answers if a.get("week") == 1 and "outcome" in a)
    assert closed["outcome"] == "closed" and closed["version"] == 1
    finalists = next(a for a in answers if "finalists" in a and "criteria" in a)
    assert finalists["finalists"] and all(f["can_score"] for f in finalists["finalists"])
    results = next(a for a in answers if "standings" in a)
    assert [s["entry_id"] for s in results["standings"]] == ["kvhc0000000000000000000000000001"]
    assert results["standings"][0]["prize"] == "first" and results["judges"] == ["jury-1"]
    assert any("awards" in a for a in answers)
    assert (tmp_path / "ket-qua.xlsx").read_bytes()[:2] == b"PK"  # a zip: the workbook
