"""Fifty participants at once against `make run`: every entry created, uploaded and judged.

Each participant creates an entry and uploads a small valid video through the
presigned POST it gets, all released at the same instant. Counts: entries (201),
uploads accepted, verdicts, connection resets, entries stuck in `validating`, and
log lines whose correlation id belongs to another request.

    .venv/bin/python bench/bench_local_cloud_crowd.py [participants]
"""
from __future__ import annotations

import json
from collections import Counter
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_cloud_harness import LocalRun, Participant, require_fixture, wait_for_verdicts  # noqa: E402

CORRELATION_HEADER = "X-Correlation-Id"


def participate(api: str, barrier: threading.Barrier, results: list, lock: threading.Lock, n: int) -> None:
    participant = Participant(api)
    barrier.wait()
    created = participant.create_entry(f"Cùng lúc {n}")
    uploaded = participant.upload(created) if created else False
    with lock:
        results.append((participant, created, uploaded))


def mixed_correlation_ids(log_path: Path) -> tuple[int, int, int]:
    """Requests served, requests whose "request served" line shares its correlation id with
    another request's, and upload judgements that picked up a request's keys (http_method)."""
    served: list[str] = []
    leaked = 0
    for raw in log_path.read_text(errors="replace").splitlines():
        if not raw.startswith("{"):
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("message") == "request served":
            served.append(line.get("correlation_id"))
        elif line.get("message") == "upload judged" and "http_method" in line:
            leaked += 1
    shared = sum(n for n in Counter(served).values() if n > 1)
    return len(served), shared, leaked


def main() -> int:
    require_fixture()
    participants = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdecimal() else 50
    state = Path(tempfile.mkdtemp(prefix="local-cloud-crowd-"))
    run = LocalRun(state / "cloud", 8712, 5712, state / "make-run.log")
    try:
        run.start(reset=True)
        barrier, lock, results = threading.Barrier(participants), threading.Lock(), []
        threads = [threading.Thread(target=participate, args=(run.api, barrier, results, lock, n))
                   for n in range(participants)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answered_in = time.monotonic() - began
        created = [c for _, c, _ in results if c]
        uploads = sum(1 for _, _, u in results if u)
        resets = sum(p.resets for p, _, _ in results)
        verdicts = wait_for_verdicts(Participant(run.api), created, timeout=300)
        judged = sum(1 for s in verdicts.values() if s in ("valid", "invalid"))
        stuck = sum(1 for s in verdicts.values() if s == "validating")
        valid = sum(1 for s in verdicts.values() if s == "valid")
        run.stop()
        served, shared, leaked = mixed_correlation_ids(run.log_path)
        print(f"{participants} participants at once: {len(created)} entries (201), {uploads} uploads accepted, "
              f"{resets} connection resets, in {answered_in:.1f} s")
        print(f"verdicts: {judged} ({valid} valid), stuck in validating: {stuck}")
        print(f"requests logged: {served}; sharing a correlation id with another request: {shared}; "
              f"upload judgements carrying a request's keys: {leaked}")
        errors = [e for p, _, _ in results for e in p.errors]
        for error in errors[:5]:
            print("  error:", re.sub(r"\s+", " ", error))
        ok = (len(created) == uploads == judged == valid == participants and resets == 0 and stuck == 0
              and shared == 0 and leaked == 0)
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if run.process is not None and run.process.poll() is None:
            run.stop()
        if "--keep" in sys.argv:
            print(f"kept {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
