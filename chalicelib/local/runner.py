"""`make run`: the whole product on one machine.

Starts the moto server, creates every resource, seeds the samples, then serves
the API through Chalice's local server while an event pump and a scheduler
stand in for Lambda's SQS and EventBridge triggers. Ctrl-C stops everything.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from datetime import datetime
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


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the contest backend on an embedded local cloud.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument("--cloud-port", type=int, default=int(os.environ.get("CLOUD_PORT", "5000")))
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = start_moto_server(args.cloud_port)
    config = local_config(args.cloud_port, args.port)
    provisioned = provision(config)
    environment = config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id)
    apply_environment(environment)
    write_state(environment)

    from chalicelib.local.seed import seed

    accounts = seed(config, provisioned.user_pool_id, datetime.now(VIETNAM).date())
    app_module = importlib.import_module("app")

    from chalice.config import Config
    from chalice.local import create_local_server

    import boto3

    sqs = boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=config.endpoint_url)
    pump = EventPump(sqs, sqs_bindings(app_module.app), LOCAL_REGION)
    scheduler = Scheduler(schedule_bindings(app_module.app), LOCAL_REGION)
    server = create_local_server(
        app_module.app,
        Config.create(chalice_stage="local", app_name="contest", chalice_app=app_module.app),
        args.host,
        args.port,
    )
    api_thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    pump.start()
    scheduler.start()

    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    api_thread.start()

    print(f"\nLocal cloud (moto) on {config.endpoint_url}")
    print(f"API on http://localhost:{args.port}  (upload page: http://localhost:{args.port}/upload)")
    print("Accounts (POST /auth/token with username and password):")
    for account in accounts:
        print(f"  {account.role:<10} {account.username:<20} {account.password}  unit={account.unit_id}")
    for when, binding in scheduler.upcoming():
        print(f"  schedule {binding.name}: next at {when.astimezone(VIETNAM):%Y-%m-%d %H:%M} (Vietnam)")
    print("Ctrl-C stops everything.", flush=True)

    stopping.wait()
    print("\nStopping…", flush=True)
    scheduler.stop()
    pump.stop()
    server.shutdown()
    moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
