"""`make run`: the whole product on one machine.

Starts the moto server, creates every resource, seeds the samples, then serves
the API through Chalice's local server while an event pump and a scheduler
stand in for Lambda's SQS and EventBridge triggers. Ctrl-C or SIGTERM stops
everything. What the cloud confirmed is kept under .local/ (see durable.py):
the next start carries on from it, `--reset` (`make reset`) starts clean.
"""
from __future__ import annotations

import argparse
import faulthandler
import importlib
import logging
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from chalicelib.local.cloud import (
    LOCAL_REGION,
    CloudConfig,
    apply_environment,
    local_stage_names,
    provision,
    start_moto_server,
    write_state,
)
from chalicelib.local.pump import EventPump, sqs_bindings
from chalicelib.local.scheduler import Scheduler, schedule_bindings

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STATE_DIR = Path(os.environ.get("LOCAL_STATE_DIR", ".local/cloud-state"))
# Past this, a stuck thread no longer holds the terminal: what was confirmed is on disk already.
STOP_DEADLINE_SECONDS = 8


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the contest backend on an embedded local cloud.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument("--cloud-port", type=int, default=int(os.environ.get("CLOUD_PORT", "5000")))
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR)
    parser.add_argument("--reset", action="store_true", help="forget the local cloud's state and start clean")
    return parser.parse_args(argv)


def local_config(cloud_port: int, api_port: int) -> CloudConfig:
    names = local_stage_names()
    origins = {f"http://localhost:{api_port}", f"http://127.0.0.1:{api_port}"}
    extra = os.environ.get("ALLOWED_ORIGINS", "")
    origins.update(o.strip() for o in extra.split(",") if o.strip())
    return CloudConfig(
        endpoint_url=f"http://127.0.0.1:{cloud_port}",
        stage=names["STAGE"],
        table_prefix=names["TABLE_PREFIX"],
        upload_bucket=names["UPLOAD_BUCKET"],
        intake_queue_name=names["INTAKE_QUEUE_NAME"],
        metrics_queue_name=names["METRICS_QUEUE_NAME"],
        metrics_mode=os.environ.get("METRICS_MODE", names.get("METRICS_MODE", "simulated")),
        allowed_origins=tuple(sorted(origins)),
        queue_visibility_timeout=int(os.environ.get("LOCAL_QUEUE_VISIBILITY", "10")),
    )


def _stop_on_signals() -> threading.Event:
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        # Repeats are expected (a signal to the whole group, then make's going as SIGHUP);
        # a stop that hangs is cut short by _force_exit_after, not by a second signal.
        stopping.set()

    # SIGHUP: the terminal closed, or make went (see _stop_when_the_parent_goes).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, request_stop)
    return stopping


def _stop_when_the_parent_goes() -> None:
    """`kill <pid of make>` alone must not leave the server running without its terminal."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGHUP)
    if os.getppid() != parent:  # it went before the request above was in place
        os.kill(os.getpid(), signal.SIGHUP)


def _force_exit_after(seconds: float) -> None:
    def leave() -> None:
        print(f"Still stopping after {seconds:.0f} s; leaving. Threads at that moment:", file=sys.stderr)
        faulthandler.dump_traceback(all_threads=True)
        os._exit(1)

    timer = threading.Timer(seconds, leave)
    timer.daemon = True
    timer.start()


def _migrate_kept_state() -> None:
    """Bring data kept from an earlier run up to what this code reads (provision already added any
    missing index); each step is idempotent, so a fresh or current state is left as it is."""
    from chalicelib.bootstrap import services

    marks = services().campaign_store.mark_running()
    if marks["marked"] or marks["unmarked"]:
        print(f"Campaigns' schedule marks brought up to date: {marks}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stopping = _stop_on_signals()
    _stop_when_the_parent_goes()
    if args.reset:
        shutil.rmtree(args.state_dir, ignore_errors=True)
    moto = start_moto_server(args.cloud_port, args.state_dir)
    config = replace(local_config(args.cloud_port, args.port), public_base_url=f"http://localhost:{args.port}",
                     outbox_file=str((args.state_dir / "outbox.jsonl").resolve()))
    provisioned = provision(config)
    environment = config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id)
    apply_environment(environment)
    write_state(environment)
    # A copy beside the state it describes: a test (or a second checkout) that runs its own local
    # cloud finds its own environment there, whoever wrote .local/cloud.json last.
    write_state(environment, args.state_dir / "cloud.json")
    _migrate_kept_state()

    from chalicelib.local.seed import default_accounts, seed

    seeded = args.state_dir / "seeded"
    if not seeded.exists():
        now = datetime.now(VIETNAM)
        accounts = seed(config, provisioned.user_pool_id, now.date(), walkthrough_at=now)
        seeded.touch()
    else:
        accounts = default_accounts()  # kept from an earlier run, with everything else
    app_module = importlib.import_module("app")

    from chalice.config import Config

    import boto3

    from chalicelib.local.api_server import create_api_server

    sqs = boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=config.endpoint_url)
    pump = EventPump(sqs, sqs_bindings(app_module.app), LOCAL_REGION)
    scheduler = Scheduler(schedule_bindings(app_module.app), LOCAL_REGION)
    server = create_api_server(
        app_module.app,
        Config.create(chalice_stage="local", app_name="contest", chalice_app=app_module.app),
        args.host,
        args.port,
    )
    api_thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    pump.start()
    scheduler.start()
    api_thread.start()

    print(f"\nLocal cloud (moto) on {config.endpoint_url}, state in {args.state_dir}/"
          f" ({'new' if moto.cloud.fresh else f'kept from the last run, {moto.cloud.replayed} journal entries replayed'})")
    print(f"API on http://localhost:{args.port}  (upload page: http://localhost:{args.port}/upload)")
    print("Accounts (POST /auth/token with username and password):")
    for account in accounts:
        print(f"  {account.role:<10} {account.username:<20} {account.password}  unit={account.unit_id}")
    for when, binding in scheduler.upcoming():
        print(f"  schedule {binding.name}: next at {when.astimezone(VIETNAM):%Y-%m-%d %H:%M} (Vietnam)")
    print("Ctrl-C stops everything; `make reset` starts clean.", flush=True)

    while not stopping.wait(0.5):
        pass
    print("\nStopping…", flush=True)
    stop_began = time.monotonic()
    _force_exit_after(STOP_DEADLINE_SECONDS)
    stoppers = [threading.Thread(target=stop) for stop in (server.shutdown, scheduler.stop, pump.stop)]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()
    moto.stop()
    print(f"Stopped in {time.monotonic() - stop_began:.1f} s; the local cloud's state is kept.", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is on disk by now; the interpreter's teardown of moto's objects took seconds.
    os._exit(code)
