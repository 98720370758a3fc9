"""`make run` keeps what it confirmed: kill -9 under load, start again, count what survived.

Six participants create entries (and upload to every other one) against `make run`;
the whole process group is killed with SIGKILL while they are at it. After a new
`make run` on the same state: every entry that got 201 must be found, an organiser
token issued before the kill must still be accepted, and a presigned POST handed
out before the kill must still lead to a verdict. Then SIGTERM and SIGINT must each
stop `make run` within a few seconds, and `make reset` must start clean.

    .venv/bin/python bench/bench_local_cloud_restart.py
"""
from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_cloud_harness import LocalRun, Participant, require_fixture, wait_for_verdicts  # noqa: E402

PARTICIPANTS = 6
LOAD_SECONDS = 12
ADMIN = {"username": "admin", "password": "Local-Contest-2026!"}


def load(api: str, stop: threading.Event, confirmed: list[dict], lock: threading.Lock, n: int) -> None:
    participant = Participant(api)
    k = 0
    while not stop.is_set():
        created = participant.create_entry(f"Bài dự thi {n}-{k}")
        k += 1
        if created is None:
            continue
        with lock:
            confirmed.append(created)
        if k % 2 == 0:
            participant.upload(created)


def main() -> int:
    require_fixture()
    state = Path(tempfile.mkdtemp(prefix="local-cloud-restart-"))
    run = LocalRun(state / "cloud", 8711, 5711, state / "make-run.log")
    try:
        run.start(reset=True)
        print(f"make reset: answering after {run.started_in:.1f} s")
        token = requests.post(f"{run.api}/auth/token", json=ADMIN, timeout=30).json()["id_token"]
        pending = Participant(run.api).create_entry("Tải lên sau khi khởi động lại")
        assert pending is not None

        stop, lock, confirmed = threading.Event(), threading.Lock(), []
        workers = [threading.Thread(target=load, args=(run.api, stop, confirmed, lock, n), daemon=True)
                   for n in range(PARTICIPANTS)]
        for worker in workers:
            worker.start()
        time.sleep(LOAD_SECONDS)
        run.signal_group(signal.SIGKILL)  # while the participants are still writing
        run.process.wait()
        stop.set()
        for worker in workers:
            worker.join(timeout=70)
        with lock:
            confirmed_before_kill = list(confirmed)

        run.start()
        print(f"make run after kill -9: answering after {run.started_in:.1f} s")
        checker = Participant(run.api)
        found = [c for c in confirmed_before_kill if checker.status(c) not in (None, "http-404")]
        print(f"entries confirmed with 201 before kill -9: {len(confirmed_before_kill)}; "
              f"found after restart: {len(found)}")
        me = requests.get(f"{run.api}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        print(f"organiser token issued before the kill: {me.status_code} after it")
        uploaded = checker.upload(pending)
        verdict = wait_for_verdicts(checker, [pending], timeout=90)[pending["submission_id"]]
        print(f"presigned POST handed out before the kill, used after it: accepted={uploaded}, verdict={verdict}")

        terminated_in = run.stop(signal.SIGTERM)
        print(f"SIGTERM to the process group: make run gone after {terminated_in:.1f} s")
        run.start()
        still_there = checker.status(confirmed_before_kill[0]) if confirmed_before_kill else None
        interrupted_in = run.stop(signal.SIGINT)
        print(f"Ctrl-C (SIGINT) to the process group: gone after {interrupted_in:.1f} s; "
              f"first entry after a clean stop and start: {still_there}")
        run.start(reset=True)
        after_reset = checker.status(confirmed_before_kill[0]) if confirmed_before_kill else None
        run.stop()
        print(f"make reset: first entry now answers {after_reset}")

        ok = (len(found) == len(confirmed_before_kill) > 0 and me.status_code == 200 and uploaded
              and verdict == "valid" and terminated_in < 5 and interrupted_in < 5 and after_reset == "http-404")
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if run.process is not None and run.process.poll() is None:
            run.stop(signal.SIGKILL)
        if "--keep" not in sys.argv:
            shutil.rmtree(state, ignore_errors=True)
        else:
            print(f"kept {state}")


if __name__ == "__main__":
    sys.exit(main())
