"""Ingestion benchmark (issue 4): what one hourly reading of 20,000 published TikTok entries,
a top-20 leaderboard request and a weekly close cost, and what a 100,000-entry campaign costs
for a week on AWS. Prints figures; asserts nothing (counts do not drift; times are indicative).

    .venv/bin/python bench/bench_ingestion.py                  # 20,000 entries (~10 minutes)
    .venv/bin/python bench/bench_ingestion.py --entries 2000   # a quicker look

Everything runs on loopback: moto's server in this process (the local stage's names from
.chalice/config.json), the fake TikTok of tests/fakes/platforms.py serving one video per entry,
the OAuth tokens in SSM, the metrics queue delivered by the local event pump to the same
`ingest_metrics_chunk` handler Lambda runs. The entries are written straight into the
submissions table (setup, not measured). Measured, each phase with its own counters:

  1. one ingestion round: `fan_out(at, "hourly", now)`, then the pump drains the queue;
  2. one top-20 leaderboard request: GET /campaigns/{id}/weeks/{week}/leaderboard?limit=20;
  3. the weekly close at the week's end, by an admin (confirming the unmeasured saves and
     reposts, which TikTok's Display API does not give);
  4. one chunk read again an hour later, to show how a round's reads grow with each reading.

Every AWS request goes through botocore's BaseClient._make_api_call (PynamoDB and boto3 alike),
which is wrapped to count requests by operation, items read (Count/ScannedCount, GetItem,
BatchGetItem) and written (PutItem, BatchWriteItem items, TransactWriteItems items, UpdateItem),
and to price each request in DynamoDB request units from the items' sizes. TikTok calls are the
fake's own record of `/v2/video/query/`.

The emulator is sped up, not changed: moto answers a Query by sorting the whole table before
filtering it, which makes 20,000 per-entry Queries quadratic; during a Query, the table's
items are handed over unsorted (and for a base-table Query only the partition asked for) --
moto sorts what it returns either way, so answers and counts are the same.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import io
import json
import math
import os
import random
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGION = "ap-southeast-1"
CAMPAIGN_ID = "kvhc-bench"
WEEK = 1
TIKTOK_QUERY = "/v2/video/query/"
HOURS_PER_WEEK = 168
SECONDS_PER_WEEK = HOURS_PER_WEEK * 3600


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=20_000, help="published entries simulated (20,000)")
    parser.add_argument("--campaign-entries", type=int, default=100_000, help="entries of the priced campaign")
    parser.add_argument("--rounds", type=int, default=HOURS_PER_WEEK, help="ingestion rounds in the priced week")
    parser.add_argument("--leaderboard-rps", type=float, default=1.0,
                        help="assumed leaderboard requests per second, all week")
    parser.add_argument("--wru-price", type=float, default=1.25, help="$ per million DynamoDB write request units")
    parser.add_argument("--rru-price", type=float, default=0.25, help="$ per million DynamoDB read request units")
    parser.add_argument("--sqs-price", type=float, default=0.40, help="$ per million SQS requests")
    parser.add_argument("--lambda-request-price", type=float, default=0.20, help="$ per million Lambda requests")
    parser.add_argument("--lambda-gb-second-price", type=float, default=0.0000166667, help="$ per GB-second (x86)")
    parser.add_argument("--apigw-price", type=float, default=3.50, help="$ per million REST API requests")
    parser.add_argument("--aws-latency", type=float, default=0.005,
                        help="assumed seconds per DynamoDB/SQS request inside AWS, for Lambda durations")
    parser.add_argument("--tiktok-latency", type=float, default=0.3, help="assumed seconds per TikTok API call")
    parser.add_argument("--seed", type=int, default=4)
    return parser.parse_args()


# --- environment: before anything reads table or queue names ---------------------------

CHALICE_CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
LOCAL_STAGE = CHALICE_CONFIG["stages"]["local"]["environment_variables"]


def prepare_environment() -> None:
    os.environ.update({
        **LOCAL_STAGE,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
        "POWERTOOLS_LOG_LEVEL": "WARNING",  # one INFO line per chunk would bury the figures
        "POWERTOOLS_METRICS_DISABLED": "true",
    })
    for leaked in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(leaked, None)


# --- the emulator, faster, and timed ---------------------------------------------------------

EMULATOR_SECONDS = [0.0]  # time moto spent answering, so durations can be told apart from the app's


def time_moto() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    dispatch = DomainDispatcherApplication.__call__

    def timed(self, environ, start_response):
        t0 = time.perf_counter()
        try:
            return dispatch(self, environ, start_response)
        finally:
            EMULATOR_SECONDS[0] += time.perf_counter() - t0

    DomainDispatcherApplication.__call__ = timed


def speed_up_moto() -> None:
    from moto.dynamodb.models.table import Table

    during_query = threading.local()
    all_items, query = Table.all_items, Table.query

    def fast_all_items(self):
        if not getattr(during_query, "active", False):
            return all_items(self)
        key = during_query.hash_key
        if key is not None:  # base-table Query: only its partition can match
            bucket = self.items.get(key)
            if bucket is None:
                return []
            return list(bucket.values()) if self.range_key_attr else [bucket]
        return [i for bucket in self.items.values()
                for i in (bucket.values() if self.range_key_attr else (bucket,))]

    def fast_query(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        during_query.active, during_query.hash_key = True, (None if index_name else hash_key)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            during_query.active, during_query.hash_key = False, None

    Table.all_items, Table.query = fast_all_items, fast_query
    _send_without_counting_the_queue()
    _answer_dynamodb_with_json_dumps()


def _answer_dynamodb_with_json_dumps() -> None:
    """moto turns a DynamoDB answer (already plain DynamoDB JSON) into its body through a generic,
    model-driven serializer: two thirds of the emulator's time in a 10,000-entry round. The body
    json.dumps gives is the same document; anything it cannot encode goes the generic way."""
    import json as json_module

    from moto.dynamodb.responses import DynamoResult

    generic = DynamoResult.execute_result

    def dumped(self, context):
        try:
            body = json_module.dumps(self.result, separators=(",", ":"))
        except (TypeError, ValueError):
            return generic(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    DynamoResult.execute_result = dumped


def _send_without_counting_the_queue() -> None:
    """moto's SendMessage reads the queue's attributes, which counts every message in it, for one
    flag: a close that tells 100,000 participants queues 100,000 messages, each send counting the
    ones before it. During a send the attributes hold only that flag (SQS's answers are the same)."""
    from moto.sqs.models import Queue, SQSBackend

    during_send = threading.local()
    attributes, send_message = Queue.attributes, SQSBackend.send_message

    def cheap_attributes(self):
        if getattr(during_send, "active", False):
            flag = getattr(self, "content_based_deduplication", False)
            return {"ContentBasedDeduplication": str(flag).lower() if isinstance(flag, bool) else flag}
        return attributes.fget(self)

    def counted_send(self, *args, **kwargs):
        during_send.active = True
        try:
            return send_message(self, *args, **kwargs)
        finally:
            during_send.active = False

    Queue.attributes, SQSBackend.send_message = property(cheap_attributes), counted_send


# --- DynamoDB item sizes and request units ------------------------------------------------

def _attr_size(value: dict) -> int:
    (kind, raw), = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return min(21, (len(digits) + 1) // 2 + 1)
    if kind == "B":
        return len(raw) if isinstance(raw, (bytes, bytearray)) else len(base64.b64decode(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(_attr_size({"N": n}) for n in raw)
    if kind == "BS":
        return sum(_attr_size({"B": b}) for b in raw)
    if kind == "L":
        return 3 + sum(1 + _attr_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + 1 + _attr_size(v) for k, v in raw.items())
    return 0


def item_size(item: dict) -> int:
    """Bytes as DynamoDB bills them: attribute names plus values (docs' sizing rules)."""
    return sum(len(name.encode("utf-8")) + _attr_size(value) for name, value in item.items())


def read_units(total_bytes: int, consistent: bool) -> float:
    return max(1, math.ceil(total_bytes / 4096)) * (1.0 if consistent else 0.5)


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def index_keys() -> dict[str, list[tuple[str, list[str]]]]:
    """Table name -> its GSIs and their key attributes (a write also writes each GSI the item is in)."""
    from chalicelib.adapters.dynamodb.models import ALL_MODELS
    from chalicelib.adapters.dynamodb.schema import create_table_request

    found = {}
    for model in ALL_MODELS:
        request = create_table_request(model)
        found[request["TableName"]] = [
            (g["IndexName"], [k["AttributeName"] for k in g["KeySchema"]])
            for g in request.get("GlobalSecondaryIndexes", [])
        ]
    return found


# --- counting every AWS request ------------------------------------------------------------

@dataclasses.dataclass
class Phase:
    name: str
    requests: Counter = dataclasses.field(default_factory=Counter)  # (service, operation)
    targets: Counter = dataclasses.field(default_factory=Counter)   # "Operation table[/index]" -> requests
    target_read: Counter = dataclasses.field(default_factory=Counter)
    target_written: Counter = dataclasses.field(default_factory=Counter)
    target_rru: Counter = dataclasses.field(default_factory=Counter)
    target_wru: Counter = dataclasses.field(default_factory=Counter)
    read_bytes: Counter = dataclasses.field(default_factory=Counter)
    scans: list = dataclasses.field(default_factory=list)
    errors: Counter = dataclasses.field(default_factory=Counter)
    seconds: float = 0.0
    emulator_seconds: float = 0.0
    tiktok_calls: int = 0
    token_refreshes: int = 0
    invocations: int = 0
    extra: dict = dataclasses.field(default_factory=dict)

    def service_requests(self, service: str) -> int:
        return sum(n for (s, _), n in self.requests.items() if s == service)

    @property
    def items_read(self) -> int:
        return sum(self.target_read.values())

    @property
    def items_written(self) -> int:
        return sum(self.target_written.values())

    @property
    def rru(self) -> float:
        return sum(self.target_rru.values())

    @property
    def wru(self) -> float:
        return sum(self.target_wru.values())


class Meter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.phase: Phase | None = None
        self.indexes = index_keys()
        self._lock = threading.Lock()

    def _short(self, table: str) -> str:
        return table.removeprefix(self.prefix)

    def install(self) -> None:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        meter = self

        def counted(client, operation_name, api_params):
            result, failed = None, None
            try:
                result = original(client, operation_name, api_params)
                return result
            except Exception as error:  # noqa: BLE001 - counted, then re-raised
                failed = error
                raise
            finally:
                phase = meter.phase
                if phase is not None:
                    with meter._lock:
                        meter.record(phase, client.meta.service_model.service_name, operation_name,
                                     api_params, result or {}, failed)

        botocore.client.BaseClient._make_api_call = counted

    def _gsi_units(self, table: str, item: dict, size: int) -> int:
        return sum(write_units(size) for _, keys in self.indexes.get(table, []) if all(k in item for k in keys))

    def record(self, phase: Phase, service: str, op: str, params: dict, result: dict, failed) -> None:
        phase.requests[(service, op)] += 1
        if failed is not None:
            phase.errors[f"{service}.{op}: {getattr(failed, 'response', {}).get('Error', {}).get('Code', type(failed).__name__)}"] += 1
        if service != "dynamodb":
            return
        if failed is not None and op not in ("Query", "Scan", "GetItem", "BatchGetItem"):
            phase.targets[f"{op} {self._short(params.get('TableName', ''))} (failed)"] += 1
            return
        table = params.get("TableName", "")
        target = f"{op} {self._short(table)}" + (f"/{params['IndexName']}" if params.get("IndexName") else "")
        consistent = bool(params.get("ConsistentRead"))
        if op in ("Query", "Scan"):
            items = result.get("Items", [])
            size = sum(item_size(i) for i in items)
            phase.targets[target] += 1
            phase.target_read[target] += result.get("ScannedCount", result.get("Count", len(items)))
            phase.read_bytes[target] += size
            phase.target_rru[target] += read_units(size, consistent)
            if op == "Scan":
                phase.scans.append(self._short(table))
        elif op == "GetItem":
            item = result.get("Item")
            size = item_size(item) if item else 0
            phase.targets[target] += 1
            phase.target_read[target] += 1 if item else 0
            phase.read_bytes[target] += size
            phase.target_rru[target] += read_units(size, consistent)
        elif op == "BatchGetItem":
            for name, items in (result.get("Responses") or {}).items():
                key = f"{op} {self._short(name)}"
                phase.targets[key] += 1
                phase.target_read[key] += len(items)
                for i in items:
                    size = item_size(i)
                    phase.read_bytes[key] += size
                    phase.target_rru[key] += read_units(size, consistent)
        elif op == "PutItem":
            item = params.get("Item", {})
            size = item_size(item)
            phase.targets[target] += 1
            phase.target_written[target] += 1
            phase.target_wru[target] += write_units(size) + self._gsi_units(table, item, size)
        elif op == "BatchWriteItem":
            unprocessed = result.get("UnprocessedItems") or {}
            for name, requests in (params.get("RequestItems") or {}).items():
                key = f"{op} {self._short(name)}"
                phase.targets[key] += 1
                done = len(requests) - len(unprocessed.get(name, []))
                phase.target_written[key] += done
                for request in requests[:done]:
                    item = (request.get("PutRequest") or {}).get("Item")
                    if item is not None:
                        size = item_size(item)
                        phase.target_wru[key] += write_units(size) + self._gsi_units(name, item, size)
                    else:
                        phase.target_wru[key] += 1
        elif op == "TransactWriteItems":
            items = params.get("TransactItems", [])
            phase.targets[target] += 1
            phase.target_written[target] += len(items)
            phase.target_wru[target] += 2 * len(items)  # transactions cost two units per item
        elif op in ("UpdateItem", "DeleteItem"):
            phase.targets[target] += 1
            phase.target_written[target] += 1
            phase.target_wru[target] += 1  # a small item; see the run item's growth below
        else:
            phase.targets[target.strip()] += 1


# --- setup --------------------------------------------------------------------------------

def start_cloud():
    from chalicelib.local.cloud import CloudConfig, apply_environment, free_port, provision, start_moto_server

    port = free_port()
    server = start_moto_server(port)
    config = CloudConfig(
        endpoint_url=f"http://127.0.0.1:{port}", stage="local", table_prefix=LOCAL_STAGE["TABLE_PREFIX"],
        upload_bucket=LOCAL_STAGE["UPLOAD_BUCKET"], intake_queue_name=LOCAL_STAGE["INTAKE_QUEUE_NAME"],
        metrics_queue_name=LOCAL_STAGE["METRICS_QUEUE_NAME"], metrics_mode="live",
        allowed_origins=("http://localhost:8000",), queue_visibility_timeout=120,
    )
    provisioned = provision(config)
    apply_environment(config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id))
    return server, config


def store_tokens(config) -> str:
    import boto3

    parameter = "/contest-local/tiktok/oauth"
    boto3.client("ssm", region_name=REGION, endpoint_url=config.endpoint_url).put_parameter(
        Name=parameter, Type="SecureString", Overwrite=True, Value=json.dumps({
            "client_key": "ck", "client_secret": "cs", "access_token": "act.initial",
            "refresh_token": "rft.initial", "access_expires_at": time.time() + 86400,
            "refresh_expires_at": time.time() + 86400 * 365}))
    return parameter


def bench_campaign(instant: datetime):
    """Seed 000's campaign moved whole weeks so that its voting week 1 contains `instant`."""
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.domain.weeks import week_window
    from chalicelib.local.seed import SAMPLES

    sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    start, _ = week_window(sample, WEEK)
    shifted = sample.shifted_by_weeks((instant - start).days // 7)
    return shifted.model_copy(update={"id": CAMPAIGN_ID})


def write_entries(campaign, count: int, instant: datetime, rng: random.Random) -> tuple[list[tuple[str, str]], list]:
    """`count` published TikTok entries over the sample's grassroots units: [(submission id, video id)], units."""
    from chalicelib.adapters.dynamodb.models import SubmissionRecord
    from chalicelib.adapters.dynamodb.submissions import status_sort, unit_sort
    from chalicelib.domain.ingestion import campaign_week_key
    from chalicelib.domain.organisation_file import load_tree_csv
    from chalicelib.domain.weeks import week_window
    from chalicelib.local.seed import SAMPLES

    tree = load_tree_csv((SAMPLES / "organisation.csv").read_text(encoding="utf-8"))
    grassroots = [u for u in tree if u.level == "grassroots"]
    start, _ = week_window(campaign, WEEK)
    span = max((instant - start).total_seconds() - 60, 60)
    created = start - timedelta(days=3)
    entries = []
    with SubmissionRecord.batch_write() as batch:
        for n in range(count):
            unit = grassroots[n % len(grassroots)]
            submission_id = f"s-{n:06d}-{rng.getrandbits(32):08x}"
            video_id = f"74{n:017d}"
            batch.save(SubmissionRecord(
                submission_id=submission_id, campaign_id=campaign.id, unit_id=unit.unit_id, unit_path=unit.path,
                unit_sort=unit_sort(unit.path, created, submission_id), status="published",
                status_sort=status_sort("published", created, submission_id), status_changed_at=created,
                created_at=created, title=f"Khát vọng hùng cường — bài dự thi số {n + 1}",
                authors=[{"name": "Nguyễn Văn A", "email": "a@example.vn"}], file_name="bai-du-thi.mp4",
                content_type="video/mp4", declared_size=48_000_000, access_token_hash="x" * 64,
                upload_key=f"uploads/{submission_id}", upload_kind="post",
                campaign_week=campaign_week_key(campaign.id, WEEK), platform_video=f"tiktok#{video_id}",
                published_at=start + timedelta(seconds=rng.uniform(0, span)),
            ))
            entries.append((submission_id, video_id))
    return entries, grassroots


# --- main ------------------------------------------------------------------------------------

def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    prepare_environment()
    speed_up_moto()
    time_moto()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server, config = start_cloud()

    import boto3

    from chalicelib.adapters.dynamodb import week_results as week_results_adapter
    from chalicelib.adapters.dynamodb.models import IngestionRunRecord
    from chalicelib.adapters.dynamodb.organisation import OrgUnitStore
    from chalicelib.adapters.engagement_sources import http as platform_http
    from chalicelib.bootstrap import bootstrap, install, services
    from chalicelib.config import read_settings
    from chalicelib.domain.ingestion import Chunk
    from chalicelib.domain.organisation_file import load_tree_csv
    from chalicelib.domain.scope import Principal
    from chalicelib.domain.weeks import week_window
    from chalicelib.local.pump import EventPump, sqs_bindings
    from chalicelib.local.seed import SAMPLES
    from tests.fakes.platforms import FakePlatformServer

    rng = random.Random(args.seed)
    fake = FakePlatformServer().__enter__()
    live = dataclasses.replace(read_settings(), metrics_mode="live", tiktok_api_base_url=fake.tiktok_base_url,
                               tiktok_token_parameter=store_tokens(config))
    install(bootstrap(live))

    import app as app_module
    from chalice.test import Client

    now = datetime.now(timezone.utc)
    at = now.replace(minute=0, second=0, microsecond=0)  # the hourly schedule's instant
    campaign = bench_campaign(at)
    start, end = week_window(campaign, WEEK)
    services().campaign_store.put(campaign)
    OrgUnitStore().put_tree(load_tree_csv((SAMPLES / "organisation.csv").read_text(encoding="utf-8")))
    t = time.perf_counter()
    entries, grassroots = write_entries(campaign, args.entries, at, rng)
    setup_seconds = time.perf_counter() - t
    for n, (_, video_id) in enumerate(entries):
        fake.state.tiktok_videos[video_id] = {
            "like_count": 50 + (n * 7919) % 5000, "comment_count": (n * 31) % 400,
            "share_count": (n * 13) % 900, "view_count": 1000 + (n * 104729) % 200_000}

    meter = Meter(LOCAL_STAGE["TABLE_PREFIX"])
    meter.install()

    # Timers the product does not expose: the chunk handler's duration and TikTok's rate limiter.
    limiter_wait = [0.0]
    acquire = platform_http.RateLimiter.acquire

    def timed_acquire(self):
        t0 = time.perf_counter()
        acquire(self)
        limiter_wait[0] += time.perf_counter() - t0

    platform_http.RateLimiter.acquire = timed_acquire
    chunk_seconds: list[float] = []
    first_chunk: list[dict] = []

    def timed(handler):
        def run(event, context):
            if not first_chunk:
                first_chunk.append(json.loads(event["Records"][0]["body"]))
            t0 = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                chunk_seconds.append(time.perf_counter() - t0)
        return run

    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=config.endpoint_url)
    bindings = [dataclasses.replace(b, handler=timed(b.handler))
                for b in sqs_bindings(app_module.app) if b.handler_name == "ingest_metrics_chunk"]
    pump = EventPump(sqs, bindings, REGION)
    documents: list[tuple[int, int]] = []
    record_for = week_results_adapter.WeekResultStore.record_for

    def measured_record_for(self, result):
        record = record_for(self, result)
        text = json.dumps(result.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        stored = record.document_gz if record.document_gz is not None else self._archive.get(record.document_key)
        documents.append((len(text.encode("utf-8")), len(stored)))
        return record

    week_results_adapter.WeekResultStore.record_for = measured_record_for

    def calls(path: str) -> int:
        return len(fake.state.calls_to(path))

    @contextlib.contextmanager
    def measuring(phase: Phase):
        tiktok, refresh = calls(TIKTOK_QUERY), calls("/v2/oauth/token/")
        meter.phase = phase
        emulator = EMULATOR_SECONDS[0]
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                yield phase
        finally:
            phase.seconds = time.perf_counter() - t0
            phase.emulator_seconds = EMULATOR_SECONDS[0] - emulator
            meter.phase = None
            phase.tiktok_calls = calls(TIKTOK_QUERY) - tiktok
            phase.token_refreshes = calls("/v2/oauth/token/") - refresh

    service = services().engagement
    print(f"setup: {args.entries:,} published entries over {len(grassroots)} grassroots units written in "
          f"{setup_seconds:.1f} s (not measured)", file=sys.stderr, flush=True)

    # 1. one ingestion round
    ingestion = Phase("1 ingestion round")
    with measuring(ingestion):
        t0, emulator = time.perf_counter(), EMULATOR_SECONDS[0]
        summary = service.fan_out(at, "hourly", datetime.now(timezone.utc))
        ingestion.extra["fan_out_seconds"] = time.perf_counter() - t0
        ingestion.extra["fan_out_emulator_seconds"] = EMULATOR_SECONDS[0] - emulator
        ingestion.extra["fan_out_requests"] = sum(ingestion.requests.values())
        delivered = 0
        while True:
            moved = pump.drain(max_rounds=10_000)
            delivered += moved
            if moved == 0:
                break
    ingestion.invocations = 1 + delivered
    runs = [r for r in summary["runs"] if r["campaign_id"] == CAMPAIGN_ID]
    planned = runs[0]["chunks"] if runs else 0
    run_item = IngestionRunRecord.get(CAMPAIGN_ID, runs[0]["run_id"]) if runs else None
    print(f"phase 1 done in {ingestion.seconds:.0f} s", file=sys.stderr, flush=True)

    # 2. one top-20 leaderboard request, through the API
    leaderboard = Phase("2 leaderboard top-20")
    path = f"/campaigns/{CAMPAIGN_ID}/weeks/{WEEK}/leaderboard?limit=20"
    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
        with measuring(leaderboard):
            response = client.http.get(path)
        leaderboard.invocations = 1
        rows = response.json_body.get("rows", []) if response.status_code == 200 else []
        repeat = 20
        t0, emulator = time.perf_counter(), EMULATOR_SECONDS[0]
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(repeat):
                client.http.get(path)
        leaderboard.extra["mean_seconds"] = (time.perf_counter() - t0) / repeat
        leaderboard.extra["mean_emulator_seconds"] = (EMULATOR_SECONDS[0] - emulator) / repeat

    # 3. the weekly close, at the week's end
    close = Phase("3 weekly close")
    admin = Principal(user_id="bench-admin", role="admin", username="admin")
    close_outcome: dict | str
    with measuring(close):
        try:
            close_outcome = services().week_results.close_week(
                CAMPAIGN_ID, WEEK, end, admin, confirm_unmeasured=True)
        except Exception as error:  # noqa: BLE001 - a failed close is a figure too
            cause = getattr(error, "cause_response_message", None) or str(error)[:160]
            code = getattr(error, "cause_response_code", None)
            close_outcome = f"FAILED, {type(error).__name__}" + (f" {code}" if code else "") + f": {cause}"
    close.invocations = 1
    print(f"phase 3 done in {close.seconds:.0f} s", file=sys.stderr, flush=True)

    # 4. the same chunk read again an hour later: a round's reads per entry grow with each reading
    again = Phase("4 one chunk, 2nd reading")
    if first_chunk:
        message = dict(first_chunk[0], at=(at + timedelta(hours=1)).isoformat().replace("+00:00", "Z"))
        chunk = Chunk.from_message(message)
        with measuring(again):
            service.ingest_chunk(chunk, datetime.now(timezone.utc))
        again.invocations = 1
        again.extra["entries"] = len(chunk.entries)

    fake.__exit__(None, None, None)
    server.stop()
    total_seconds = time.perf_counter() - started

    report(args, campaign, at, start, end, entries, grassroots, setup_seconds, total_seconds, summary, planned,
           ingestion, leaderboard, close, again, rows, response.status_code, close_outcome, documents,
           chunk_seconds, limiter_wait[0], run_item)
    return 0


# --- report ----------------------------------------------------------------------------------

def _money(x: float) -> str:
    return f"${x:,.2f}" if x >= 0.01 or x == 0 else f"${x:,.4f}"


def _outcome(outcome) -> str:
    if isinstance(outcome, dict):
        return f"{outcome.get('outcome')}, version {outcome.get('version')}, {str(outcome.get('hash'))[:19]}…"
    return str(outcome)


def prod_memory(name: str) -> int:
    """A function's memory in the prod stage of .chalice/config.json (its own, else the default)."""
    prod = CHALICE_CONFIG["stages"]["prod"].get("lambda_functions", {})
    return prod.get(name, {}).get("lambda_memory_size", CHALICE_CONFIG.get("lambda_memory_size", 512))


def prod_timeout(name: str) -> int:
    prod = CHALICE_CONFIG["stages"]["prod"].get("lambda_functions", {})
    return prod.get(name, {}).get("lambda_timeout", CHALICE_CONFIG.get("lambda_timeout", 30))


def print_phases(phases, name_width: int, services: tuple[str, ...]) -> None:
    """The phases' table: times, DynamoDB requests, items, request units, then `services`' requests."""
    header = (f"{'phase':<{name_width}}{'wall s':>8}{'moto s':>8}{'DDB req':>9}{'items read':>12}{'written':>9}"
              f"{'RRU~':>9}{'WRU~':>8}" + "".join(f"{s.upper() + ' req':>9}" for s in services)
              + f"{'TikTok':>8}{'Scans':>7}")
    print(header)
    print("-" * len(header))
    for p in phases:
        print(f"{p.name:<{name_width}}{p.seconds:>8.1f}{p.emulator_seconds:>8.1f}{p.service_requests('dynamodb'):>9,}"
              f"{p.items_read:>12,}{p.items_written:>9,}{p.rru:>9,.0f}{p.wru:>8,.0f}"
              + "".join(f"{p.service_requests(s):>9,}" for s in services) + f"{p.tiktok_calls:>8,}{len(p.scans):>7}")


def print_operations(phases, units: bool) -> None:
    """Each phase's DynamoDB requests by operation and table[/index], then its other services' requests."""
    for p in phases:
        print(f"  {p.name}")
        for target, count in sorted(p.targets.items(), key=lambda kv: (-kv[1], kv[0])):
            moved = p.target_read[target] or p.target_written[target]
            if not units:
                print(f"    {target:<44}{count:>7,} req{moved:>10,} items")
                continue
            spent = (f"{p.target_rru[target]:,.1f} RRU" if p.target_rru[target]
                     else f"{p.target_wru[target]:,.0f} WRU" if p.target_wru[target] else "")
            size = (f", {p.read_bytes[target] / max(p.target_read[target], 1):,.0f} B/item"
                    if p.read_bytes[target] else "")
            print(f"    {target:<42}{count:>8,} req{moved:>9,} items  {spent}{size}")
        other = {f"{s}.{o}": c for (s, o), c in p.requests.items() if s != "dynamodb"}
        if other:
            print("    other: " + ", ".join(f"{k} {v:,}" for k, v in sorted(other.items())))
        if p.errors:
            print("    errors: " + ", ".join(f"{k} ×{v}" for k, v in sorted(p.errors.items())))


def report(args, campaign, at, start, end, entries, grassroots, setup_seconds, total_seconds, summary, planned,
           ingestion, leaderboard, close, again, rows, status, close_outcome, documents, chunk_seconds,
           limiter_wait, run_item) -> None:
    import moto

    n = len(entries)
    phases = [ingestion, leaderboard, close, again]
    print()
    print(f"Ingestion benchmark (issue 4): {n:,} published TikTok entries on the local cloud "
          f"(moto {moto.__version__} in this process, fake TikTok; all on 127.0.0.1)")
    print(f"  campaign {campaign.id} = seed 000 moved whole weeks; week {WEEK} is "
          f"{start:%Y-%m-%d %H:%M}Z .. {end:%Y-%m-%d %H:%M}Z; hourly reading at {at:%Y-%m-%d %H:%M}Z; "
          f"entries over {len(grassroots)} grassroots units")
    print(f"  setup, not measured: {setup_seconds:.0f} s to write the entries; whole run {total_seconds / 60:.1f} min")
    print()
    print_phases(phases, 27, ("sqs", "ssm"))
    print("  moto s: wall time spent inside the emulator.  RRU~/WRU~: request units priced from the items' sizes"
          " (rules below).")
    print("  SQS req counts the local pump's GetQueueUrl + GetQueueAttributes before every receive (Lambda's event"
          " source mapping makes no such calls; not priced).")
    print()
    print("DynamoDB by operation and table[/index]: requests, items read or written, request units")
    print_operations(phases, units=True)
    print()

    snap_q = "Query snapshots"
    label = lambda text: f"  {text:<38}"
    print("Figures asked in issue 4")
    print(label("TikTok calls, one ingestion round") + f"{ingestion.tiktok_calls:,} (floor {n:,}/20 = "
          f"{math.ceil(n / 20):,}); {ingestion.token_refreshes} token refreshes; {planned:,} chunks planned, "
          f"{ingestion.invocations - 1:,} delivered")
    print(label("DynamoDB, one ingestion round") + f"{ingestion.service_requests('dynamodb'):,} requests, "
          f"{ingestion.items_written:,} items written, {ingestion.items_read:,} items read")
    print(label(f"leaderboard top-20 (HTTP {status})") + f"{leaderboard.items_read:,} items read "
          f"({leaderboard.target_read['GetItem live-tops']} kept board + the campaign; at most 25 wanted) in "
          f"{leaderboard.service_requests('dynamodb')} requests, {len(rows)} rows")
    print(label("weekly close") + f"{close.items_read:,} items read in {close.service_requests('dynamodb'):,} "
          f"requests ({close.items_read / n:.2f} per entry)")
    print(label("") + f"outcome: {_outcome(close_outcome)}")
    if documents:
        from chalicelib.adapters.dynamodb.week_results import INLINE_DOCUMENT_BYTES

        text, gz = documents[-1]
        print(label("") + f"result document: {text / 1e6:.1f} MB of JSON, {gz / 1024:,.0f} KiB gzip'd "
              f"({'archived in S3: over' if gz > INLINE_DOCUMENT_BYTES else 'inline: within'} the "
              f"{INLINE_DOCUMENT_BYTES // 1024} KiB kept in the DynamoDB item)")
    scans = sorted({f"{t} (phase {p.name[0]})" for p in phases for t in p.scans})
    print(label("Scans in measured phases") + (", ".join(scans) if scans else "none"))
    mean_chunk = sum(chunk_seconds) / max(len(chunk_seconds), 1)
    print(label("wall time here") + f"round {ingestion.seconds:.0f} s ({ingestion.emulator_seconds:.0f} s in moto): "
          f"fan-out {ingestion.extra['fan_out_seconds']:.0f} s, {len(chunk_seconds):,} chunks of {mean_chunk:.2f} s "
          f"mean, {limiter_wait:.0f} s waiting on the TikTok limiter; leaderboard "
          f"{leaderboard.extra['mean_seconds'] * 1000:.0f} ms mean of 20 "
          f"({leaderboard.extra['mean_emulator_seconds'] * 1000:.0f} ms in moto); close {close.seconds:.0f} s "
          f"({close.emulator_seconds:.0f} s in moto)")
    if again.invocations:
        print(label("one chunk read again 1 h later") + f"{again.target_read[snap_q]:,} snapshot items read for "
              f"{again.extra['entries']} entries ({again.target_read[snap_q] / again.extra['entries']:.0f} per entry, "
              f"in round 1)" + (": round k reads k snapshots of every entry" if again.target_read[snap_q] else
                                 ": a round reads no entry's history"))
    print()
    cost(args, n, ingestion, leaderboard, close, chunk_seconds, run_item)


def cost(args, n, ingestion, leaderboard, close, chunk_seconds, run_item) -> None:
    N, R = args.campaign_entries, args.rounds
    f = N / n
    memory, timeout = prod_memory, prod_timeout
    snap_q = "Query snapshots"
    snapshot_size = ingestion.read_bytes[snap_q] / max(ingestion.target_read[snap_q], 1)
    from chalicelib.domain.ingestion import ENTRIES_PER_CHUNK

    chunks_N = math.ceil(N / ENTRIES_PER_CHUNK)
    calls_per_chunk = ENTRIES_PER_CHUNK // 20

    # DynamoDB: one round as measured, ×f; then what a single round cannot show.
    round_rru, round_wru = ingestion.rru * f, ingestion.wru * f
    measured_snap_rru = ingestion.target_rru[snap_q] * f
    reads_history = ingestion.target_read[snap_q] > 0  # before issue 10 a round read every entry's history
    grown_snap_rru = (N * sum(read_units(int(k * snapshot_size), False) for k in range(1, R + 1)) / R
                      if reads_history else 0.0)
    score_gsi_rewrite = 0.0  # score items are in no index (the board is one kept item per week)
    base = 0
    if run_item is not None:
        base = item_size({k: v for k, v in run_item.serialize().items() if k != "chunks_ok"})
    run_updates = sum(write_units(base + sum(len(str(j)) for j in range(1, i + 1))) for i in range(1, chunks_N + 1))
    measured_updates = ingestion.target_wru["UpdateItem ingestion-runs"] * f
    week_rru_flat, week_wru_flat = round_rru * R, round_wru * R
    week_rru = (round_rru - measured_snap_rru + grown_snap_rru) * R
    week_wru = (round_wru - measured_updates + run_updates) * R + score_gsi_rewrite * (R - 1)
    per_close = min(R, HOURS_PER_WEEK)
    close_rru_flat = close.rru * f
    close_rru = (close_rru_flat - close.target_rru[snap_q] * f + N * read_units(int(per_close * snapshot_size), False)
                 if close.target_read[snap_q] else close_rru_flat)
    close_wru = close.wru * f
    lb_requests = args.leaderboard_rps * SECONDS_PER_WEEK
    lb_rru = leaderboard.rru * lb_requests

    # SQS: what Lambda's event source mapping and the fan-out do (sends, receives, deletes), plus idle polling.
    priced_sqs = ("SendMessageBatch", "SendMessage", "ReceiveMessage", "DeleteMessageBatch", "DeleteMessage")
    sqs_round = sum(c for (svc, op), c in ingestion.requests.items() if svc == "sqs" and op in priced_sqs) * f
    sqs_idle = 5 * 3 * 60 * HOURS_PER_WEEK

    # Lambda durations: the app's own time here (wall minus moto), plus an AWS latency per request.
    lat, tk = args.aws_latency, args.tiktok_latency
    chunks = max(len(chunk_seconds), 1)
    chunk_requests = (sum(ingestion.requests.values()) - ingestion.extra["fan_out_requests"]) / chunks
    chunk_app = (sum(chunk_seconds) - (ingestion.emulator_seconds - ingestion.extra["fan_out_emulator_seconds"])) / chunks
    chunk_s = max(chunk_app + chunk_requests * lat + calls_per_chunk * tk, calls_per_chunk / (300 / 60))
    fan_out_s = (ingestion.extra["fan_out_seconds"] - ingestion.extra["fan_out_emulator_seconds"]
                 + ingestion.extra["fan_out_requests"] * lat) * f
    close_s = (close.seconds - close.emulator_seconds + sum(close.requests.values()) * lat) * f
    lb_s = (leaderboard.extra["mean_seconds"] - leaderboard.extra["mean_emulator_seconds"]
            + sum(leaderboard.requests.values()) * lat)
    functions = [
        ("schedule_metrics_ingestion", R, fan_out_s),
        ("ingest_metrics_chunk", R * chunks_N, chunk_s),
        ("close_finished_weeks", 1, close_s),
        ("api_handler (leaderboard)", lb_requests, lb_s),
    ]

    W, RR = args.wru_price / 1e6, args.rru_price / 1e6
    print(f"Cost of a {N:,}-entry campaign for one week on AWS, on-demand, from the counts above ×{f:g}")
    print("  assumptions")
    for line in (
        f"all {N:,} entries on TikTok and competing in the week from its first hour (an upper bound); {R} hourly "
        f"rounds; one close; the leaderboard asked {args.leaderboard_rps:g}×/s all week ({lb_requests:,.0f} requests)",
        f"DynamoDB ${args.wru_price}/M WRU, ${args.rru_price}/M RRU (the list prices before 2024-11-01; see the note below the table). Units from item sizes "
        f"(DynamoDB's sizing rules): a Query or GetItem costs ceil(bytes read / 4 KB), ×0.5 when eventually consistent "
        f"-- so 20 small items cost 1-2 units, not 20; a write costs ceil(item / 1 KB), again for every GSI holding "
        f"the item",
        (f"the one measured round cannot show: round k's score refresh reads all k snapshots of each entry "
         f"({snapshot_size:.0f} B each); " if reads_history else
         "a round reads no history (the boundary readings kept on each score item), so every round costs like "
         "the measured one; ")
        + f"score items are in no GSI (the board is one kept item, ranked once a round); the run item's chunks_ok set "
        f"grows to {chunks_N:,} numbers" + (f"; the close reads {per_close} snapshots per entry" if close.target_read[snap_q] else ""),
        f"SQS ${args.sqs_price}/M requests: sends, receives, deletes, plus ~{sqs_idle:,} idle long polls "
        f"(5 pollers × 3/min); SSM: a standard parameter read at standard throughput, free",
        f"Lambda ${args.lambda_request_price}/M requests + ${args.lambda_gb_second_price}/GB-s (x86), memory per "
        f"function from .chalice/config.json (prod); duration = the app's time here (wall minus moto) "
        f"+ {lat * 1000:g} ms per AWS request + {tk * 1000:g} ms per TikTok call, at least 0.6 s a chunk "
        f"({calls_per_chunk} calls at 300/min per process)",
        f"API Gateway REST ${args.apigw_price}/M requests (not in the issue's list; shown apart)",
    ):
        print(f"  - {line}")
    print()
    lines = [
        ("DynamoDB reads, ingestion", week_rru * RR,
         f"{week_rru / 1e6:,.1f} M RRU ({week_rru_flat / 1e6:,.1f} M if every round read like round 1)"),
        ("DynamoDB writes, ingestion", week_wru * W,
         f"{week_wru / 1e6:,.1f} M WRU ({week_wru_flat / 1e6:,.1f} M as round 1 ×{R}); score items "
         f"{(ingestion.target_wru['BatchWriteItem scores'] * f * R + score_gsi_rewrite * (R - 1)) / week_wru:.0%}"),
        ("DynamoDB, weekly close", close_rru * RR + close_wru * W,
         f"{close_rru / 1e6:,.2f} M RRU ({close_rru_flat / 1e6:,.2f} M as measured ×{f:g}), {close_wru:,.0f} WRU"),
        ("DynamoDB, leaderboard", lb_rru * RR, f"{lb_rru / 1e6:,.2f} M RRU ({leaderboard.rru:.1f} per request)"),
        ("SQS", (sqs_round * R + sqs_idle) * args.sqs_price / 1e6, f"{(sqs_round * R + sqs_idle) / 1e6:,.2f} M requests"),
    ]
    for name, count, seconds in functions:
        gb = memory(name.split(" ")[0]) / 1024
        amount = count * args.lambda_request_price / 1e6 + count * seconds * gb * args.lambda_gb_second_price
        lines.append((f"Lambda {name}", amount, f"{count:,.0f} × {seconds:,.2f} s × {gb:g} GB"))
    lines.append(("SSM Parameter Store", 0.0, "GetParameter once per cold start"))
    total = sum(amount for _, amount, _ in lines)
    width = max(len(name) for name, _, _ in lines) + 2
    for name, amount, detail in lines:
        print(f"  {name:<{width}}{_money(amount):>10}  {detail}")
    print(f"  {'total':<{width}}{_money(total):>10}")
    apigw = lb_requests * args.apigw_price / 1e6
    print(f"  {'+ API Gateway (leaderboard)':<{width}}{_money(apigw):>10}  -> {_money(total + apigw)}")
    ddb = sum(amount for name, amount, _ in lines if name.startswith("DynamoDB"))
    print()
    print(f"  DynamoDB's on-demand throughput prices were halved on 2024-11-01 (us-east-1 now $0.625/M WRU, "
          f"$0.125/M RRU): the DynamoDB lines would be {_money(ddb / 2)} instead of {_money(ddb)}. "
          f"ap-southeast-1, where the stack runs, lists higher prices than us-east-1.")
    print(f"  Not priced: storage (~{N * R * snapshot_size / 1e9:,.1f} GB of snapshots after the week), CloudWatch "
          f"logs and metrics, X-Ray, data transfer.")
    print(f"  TikTok: {N // 20:,} calls a round, {R * N // 20:,} in the week; at 600/min (2 × 300) a round takes "
          f"{N / 20 / 600:.1f} min of its hour.")
    for name, count, seconds in functions[:3]:
        if count and seconds * (1 if name == "ingest_metrics_chunk" else 1) > timeout(name):
            print(f"  {name} at {N:,} entries: ~{seconds:,.0f} s by this estimate, over its {timeout(name)} s "
                  f"timeout (.chalice/config.json).")
    close_requests = sum(close.requests.values()) * f
    print(f"  The close at {N:,} entries makes ~{close_requests:,.0f} DynamoDB requests (×{f:g} of the measured "
          f"close; it reads pages, so this overstates it: see bench/bench_scale.py).")


if __name__ == "__main__":
    sys.exit(main())
