"""Scale benchmark (issue 10): a national campaign of 100,000 published entries in one week and a
4-level tree of 10,764 units holding 1,000,000 counted submissions, on the local cloud. Prints
figures and writes bench/output/scale.json; asserts nothing (counts do not drift; times are indicative).

    .venv/bin/python bench/bench_scale.py                    # 100,000 entries (a few minutes)
    .venv/bin/python bench/bench_scale.py --entries 10000    # a quicker look

The world is bench/scale_world.py's (loading is not measured). Measured, each phase with its own
counters (bench_ingestion's Meter: botocore's BaseClient._make_api_call wrapped, so PynamoDB's and
boto3's requests alike are counted by operation, with items read and written and request units
priced from the items' sizes):

  1. one hourly ingestion round: fan_out(at, "hourly"), then the local event pump delivers every
     chunk to the same `ingest_metrics_chunk` handler Lambda runs, against a fake TikTok on loopback;
  2. a top-20 live leaderboard: GET /campaigns/{id}/weeks/1/leaderboard?limit=20;
  3. the weekly close at the week's end by an admin (confirming the saves and reposts TikTok does not
     measure): the frozen, hashed result (archived in S3), best weekly scores raised;
  4. the frozen top-20: the same leaderboard request once the week is closed (the frozen ranking's
     first rows, kept on the result's item);
  5. the national and a province roll-up, the public counter and a 100,000-row export, measured by
     bench/scale_reports.py (another helper's) when it is present.

TikTok's per-process rate limiter (300 calls a minute) is switched off here: with it a round of
5,000 calls would wait 17 minutes of this machine's time for a limit Lambda spreads over many
processes. The estimate of the close's Lambda time is the CPU time of the thread that ran it here
(moto answers on other threads of this process), one core taken as one Lambda vCPU (a function has
one full vCPU at 1,769 MB), plus an assumed in-AWS latency per request and per MB returned (printed).
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import math
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import bench_ingestion as bi  # noqa: E402 - the shared meter, emulator speed-ups and price model
import scale_world  # noqa: E402

HOURS_PER_WEEK = 168
SECONDS_PER_WEEK = HOURS_PER_WEEK * 3600
TIKTOK_QUERY = "/v2/video/query/"
OUTPUT = BENCH / "output" / "scale.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=scale_world.ENTRIES)
    parser.add_argument("--rounds", type=int, default=HOURS_PER_WEEK, help="ingestion rounds in the priced week")
    parser.add_argument("--leaderboard-rps", type=float, default=1.0, help="leaderboard requests per second, all week")
    # On-demand prices since 2024-11-01 (halved that day; us-east-1's list price).
    parser.add_argument("--wru-price", type=float, default=0.625, help="$ per million write request units")
    parser.add_argument("--rru-price", type=float, default=0.125, help="$ per million read request units")
    parser.add_argument("--sqs-price", type=float, default=0.40, help="$ per million SQS requests")
    parser.add_argument("--s3-put-price", type=float, default=5.0, help="$ per million S3 PUT requests")
    parser.add_argument("--lambda-request-price", type=float, default=0.20)
    parser.add_argument("--lambda-gb-second-price", type=float, default=0.0000166667)
    parser.add_argument("--aws-latency", type=float, default=0.005,
                        help="assumed seconds per small DynamoDB/SQS/S3 request inside AWS")
    parser.add_argument("--page-latency", type=float, default=0.05,
                        help="assumed extra seconds per MB a request returns (1 MB Query pages)")
    parser.add_argument("--profile-close", action="store_true", help="print where the close spends its time")
    parser.add_argument("--tiktok-latency", type=float, default=0.3, help="assumed seconds per TikTok call")
    return parser.parse_args()


def skip_moto_transaction_backups() -> None:
    """moto deep-copies a table for every item of a TransactWriteItems, to roll back on failure: with
    10,000 counter items that is 100 copies of 10,000 items per transaction. The copy is skipped here
    (answers are the same; nothing the bench writes in a transaction is refused, and a refused
    transaction would be redone item by item anyway)."""
    import moto.dynamodb.models as dynamodb_models

    class _NoBackup:
        @staticmethod
        def deepcopy(value, memo=None):
            return value

    dynamodb_models.copy = _NoBackup


def patient_clients() -> None:
    """The emulator holds 100,000s of items in one process and answers one request at a time; a
    client giving up after PynamoDB's default 30 s would fail the run, not measure it."""
    import os
    import tempfile

    settings = Path(tempfile.mkdtemp()) / "pynamodb_settings.py"
    settings.write_text("read_timeout_seconds = 900\nconnect_timeout_seconds = 60\n")
    os.environ["PYNAMODB_CONFIG"] = str(settings)


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    patient_clients()
    bi.prepare_environment()
    bi.speed_up_moto()
    bi.time_moto()
    skip_moto_transaction_backups()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server, config = bi.start_cloud()

    import boto3

    from chalicelib.adapters.engagement_sources import http as platform_http
    from chalicelib.bootstrap import bootstrap, install, services
    from chalicelib.config import read_settings
    from chalicelib.domain.scope import Principal
    from chalicelib.local.pump import EventPump, sqs_bindings
    from tests.fakes.platforms import FakePlatformServer

    platform_http.RateLimiter.acquire = lambda self: None  # see the module docstring
    fake = FakePlatformServer().__enter__()
    live = dataclasses.replace(read_settings(), metrics_mode="live", tiktok_api_base_url=fake.tiktok_base_url,
                               tiktok_token_parameter=bi.store_tokens(config))
    install(bootstrap(live))

    import app as app_module
    from chalice.test import Client

    at = scale_world.utc_hour()
    campaign = bi.bench_campaign(at).model_copy(update={"id": scale_world.CAMPAIGN_ID})
    t = time.perf_counter()
    world = scale_world.load_world(campaign, at, config.endpoint_url, bi.LOCAL_STAGE["TABLE_PREFIX"],
                                   bi.LOCAL_STAGE["UPLOAD_BUCKET"], entries=args.entries)
    for n, (submission_id, video_id) in enumerate(world.entries):
        fake.state.tiktok_videos[video_id] = scale_world.tiktok_counts(n, 24 + n % 48)
    load_seconds = time.perf_counter() - t
    n = len(world.entries)
    print(f"loaded: {n:,} published entries, {len(world.tree):,} units, {world.counted_submissions:,} counted "
          f"submissions in {load_seconds:.0f} s (not measured)", file=sys.stderr, flush=True)

    meter = bi.Meter(bi.LOCAL_STAGE["TABLE_PREFIX"])
    meter.install()
    sqs = boto3.client("sqs", region_name=bi.REGION, endpoint_url=config.endpoint_url)
    pump = EventPump(sqs, [b for b in sqs_bindings(app_module.app) if b.handler_name == "ingest_metrics_chunk"],
                     bi.REGION)

    def calls(path: str) -> int:
        return len(fake.state.calls_to(path))

    @contextlib.contextmanager
    def measuring(phase):
        tiktok = calls(TIKTOK_QUERY)
        meter.phase = phase
        emulator = bi.EMULATOR_SECONDS[0]
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                yield phase
        finally:
            phase.seconds = time.perf_counter() - t0
            phase.emulator_seconds = bi.EMULATOR_SECONDS[0] - emulator
            meter.phase = None
            phase.tiktok_calls = calls(TIKTOK_QUERY) - tiktok

    # 1. one ingestion round
    ingestion = bi.Phase("1 ingestion round")
    with measuring(ingestion):
        summary = services().engagement.fan_out(at, "hourly", datetime.now(timezone.utc))
        ingestion.extra["fan_out_requests"] = sum(ingestion.requests.values())
        ingestion.extra["fan_out_seconds"] = ingestion.seconds
        while pump.drain(max_rounds=10_000):
            pass
    ingestion.invocations = sum(r["chunks"] for r in summary["runs"])
    print(f"round: {ingestion.seconds:.0f} s", file=sys.stderr, flush=True)

    client = Client(app_module.app)

    # 2. the live top-20
    leaderboard = bi.Phase("2 live top-20")
    # A warm process serves the week's requests (a cold start is once per container, not per request).
    client.http.get(f"/campaigns/{campaign.id}/weeks/{world.week}/leaderboard?limit=20")
    with measuring(leaderboard):
        response = client.http.get(f"/campaigns/{campaign.id}/weeks/{world.week}/leaderboard?limit=20")
    leaderboard.extra["rows"] = len(response.json_body.get("rows", []))
    leaderboard.extra["status"] = response.status_code

    # 3. the weekly close
    admin = Principal(user_id="bench", role="admin", username="bench")
    close_at = world.end + timedelta(minutes=5)
    close = bi.Phase("3 weekly close")
    profiler = None
    if args.profile_close:
        import cProfile

        profiler = cProfile.Profile()
    with measuring(close):
        if profiler:
            profiler.enable()
        cpu = time.thread_time()
        outcome = services().week_results.close_week(campaign.id, world.week, close_at, admin, confirm_unmeasured=True)
        close.extra["cpu_seconds"] = time.thread_time() - cpu
        if profiler:
            profiler.disable()
    if profiler:
        import pstats

        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(r"chalicelib", 40)
    print(f"close: {close.seconds:.0f} s", file=sys.stderr, flush=True)
    close_peak = close_memory(services().week_results, campaign.id, world.week, close_at)

    # 4. the frozen top-20
    frozen_top = bi.Phase("4 frozen top-20")
    with measuring(frozen_top):
        ranked = client.http.get(f"/campaigns/{campaign.id}/weeks/{world.week}/leaderboard?limit=20")
    frozen_top.extra["status"] = ranked.status_code
    frozen_top.extra["frozen"] = bool(ranked.json_body.get("frozen"))

    # 5. reports, counter, export (bench/scale_reports.py)
    reports = scale_world.measure_reports(world)

    fake.__exit__(None, None, None)
    server.stop()
    figures = report(args, world, n, ingestion, leaderboard, close, frozen_top, outcome, close_peak, reports,
                     load_seconds, time.perf_counter() - started)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten: {OUTPUT.relative_to(ROOT)}")
    return 0


def _read_only(mapping: dict):
    import types

    return types.MappingProxyType(mapping)


def close_memory(week_results, campaign_id: str, week: int, close_at: datetime) -> int:
    """Peak bytes of the close's work: the week's entries and kept readings as the close holds them,
    the entries built from them, the frozen result, its canonical JSON and its gzip.

    Traced apart from the close itself: tracemalloc also traces the emulator's thread, which would
    slow its answers past the client's timeout. So the inputs are read first, untraced, and come
    back into memory under tracing by unpickling (about the size the Query pages parse into)."""
    import copyreg
    import gzip
    import pickle
    import types

    from chalicelib.domain.ingestion import campaign_week_key

    campaign = week_results.campaign(campaign_id)
    records = week_results.week_records(campaign, week)
    kept = week_results.boundary_readings.week_bases(campaign_week_key(campaign_id, week))
    # Entries keep read-only mappings (MappingProxyType), which pickle refuses by default.
    copyreg.pickle(types.MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))
    blob = pickle.dumps((records, kept))

    class Kept:
        def __init__(self, bases):
            self.bases = bases

        def week_bases(self, _):
            return self.bases

    tracemalloc.start()
    records, kept = pickle.loads(blob)
    offline = dataclasses.replace(week_results, boundary_readings=Kept(kept))
    frozen = offline._freeze(campaign, week, close_at, records=records)
    text = json.dumps(frozen.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    gzip.compress(text, mtime=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _requests(phase, service: str = "dynamodb") -> int:
    return phase.service_requests(service)


def _app_seconds(phase) -> float:
    """The app's own time: its thread's CPU time when measured (the emulator runs on other threads of
    this process and competes for the GIL, so wall minus moto overstates it), else wall minus moto."""
    return phase.extra.get("cpu_seconds", phase.seconds - phase.emulator_seconds)


# Lambda gives a function one full vCPU at 1,769 MB and a share in proportion below that.
FULL_VCPU_MB = 1769


def _estimated_seconds(phase, args, memory_mb: int = FULL_VCPU_MB) -> float:
    """The app's CPU time here (one core of this machine taken as one Lambda vCPU, slowed in
    proportion below 1,769 MB) + an in-AWS latency per request and per MB returned."""
    megabytes = sum(phase.read_bytes.values()) / 1e6
    cpu = _app_seconds(phase) * max(1.0, FULL_VCPU_MB / memory_mb)
    return cpu + sum(phase.requests.values()) * args.aws_latency + megabytes * args.page_latency


def report(args, world, n, ingestion, leaderboard, close, frozen_top, outcome, close_peak, reports,
           load_seconds, total_seconds) -> dict:
    timeout, memory = bi.prod_timeout, bi.prod_memory
    phases = [ingestion, leaderboard, close, frozen_top]
    print()
    print(f"Scale benchmark (issue 10): {n:,} published TikTok entries in week {world.week}, {len(world.tree):,} units "
          f"(4 levels), {world.counted_submissions:,} counted submissions; local cloud, fake TikTok, all on 127.0.0.1")
    print(f"  loading (not measured) {load_seconds:.0f} s; whole run {total_seconds / 60:.1f} min")
    print()
    bi.print_phases(phases, 22, ("sqs", "s3"))
    print()
    print("DynamoDB by operation and table[/index]: requests, items read or written")
    bi.print_operations(phases, units=False)
    print()

    close_timeout = timeout("close_finished_weeks")
    close_estimate = _estimated_seconds(close, args, memory("close_finished_weeks"))
    label = lambda text: f"  {text:<34}"  # noqa: E731
    floor = n // 10 + 50
    print("Figures asked in issue 10")
    print(label("ingestion round, DynamoDB") + f"{_requests(ingestion):,} requests (at most N/10 + 50 = {floor:,}); "
          f"{ingestion.items_written:,} items written, {ingestion.items_read:,} read; {ingestion.invocations} chunks")
    print(label("ingestion round, TikTok calls") + f"{ingestion.tiktok_calls:,} (ceil(N/20) = {math.ceil(n / 20):,})")
    print(label("live top-20") + f"{leaderboard.items_read} items read in {_requests(leaderboard)} requests, "
          f"{leaderboard.extra['rows']} rows (HTTP {leaderboard.extra['status']}); at most 25")
    print(label("frozen top-20") + f"{frozen_top.items_read} items read in {_requests(frozen_top)} requests "
          f"(HTTP {frozen_top.extra['status']}), S3 {_requests(frozen_top, 's3')}")
    print(label("weekly close") + f"{_requests(close):,} DynamoDB requests (at most 1,000), {close.items_read:,} items "
          f"read, {close.items_written:,} written; S3 {_requests(close, 's3')} requests; outcome "
          f"{outcome.get('outcome')} v{outcome.get('version')}")
    print(label("") + f"estimated Lambda time {close_estimate:.1f} s of its {close_timeout} s timeout "
          f"(at most {close_timeout / 4:.0f} s) at {memory('close_finished_weeks')} MB: the app's CPU time here "
          f"{_app_seconds(close):.1f} s (one core taken as one Lambda vCPU) + "
          f"{sum(close.requests.values()):,} requests × {args.aws_latency * 1000:g} ms + "
          f"{sum(close.read_bytes.values()) / 1e6:.0f} MB × {args.page_latency * 1000:g} ms/MB")
    print(label("") + f"peak memory of reading, freezing and serialising the week: {close_peak / 2**20:.0f} MiB "
          f"(tracemalloc; the function has {memory('close_finished_weeks')} MB)")
    scans = sorted({f"{t} ({p.name})" for p in phases for t in p.scans})
    print(label("Scans") + (", ".join(scans) if scans else "none"))
    if reports:
        print(label("reports, counter, export") + ", ".join(f"{k} {v}" for k, v in sorted(reports.items())))
    else:
        print(label("reports, counter, export") + "not measured: bench/scale_reports.py is not there yet")
    print()
    week_cost = cost(args, n, ingestion, leaderboard, close, memory)
    return {
        "entries": n,
        "ingestion_ddb_requests": _requests(ingestion),
        "ingestion_tiktok_calls": ingestion.tiktok_calls,
        "close_ddb_requests": _requests(close),
        "close_estimated_seconds": round(close_estimate, 1),
        "close_timeout_seconds": close_timeout,
        "close_peak_mib": round(close_peak / 2**20, 1),
        "leaderboard_items_read": leaderboard.items_read,
        "frozen_leaderboard_items_read": frozen_top.items_read,
        "national_report_items_read": reports.get("national_report_items_read"),
        "national_report_children": reports.get("national_report_children"),
        "province_report_items_read": reports.get("province_report_items_read"),
        "province_report_children": reports.get("province_report_children"),
        "public_counter_requests": reports.get("public_counter_requests"),
        "export_rows": reports.get("export_rows"),
        "export_peak_mib": reports.get("export_peak_mib"),
        "export_s3_requests": reports.get("export_s3_requests"),
        "week_cost_usd": round(week_cost, 2),
    }


def cost(args, n, ingestion, leaderboard, close, memory) -> float:
    R = args.rounds
    W, RR = args.wru_price / 1e6, args.rru_price / 1e6
    chunks = max(ingestion.invocations, 1)
    round_rru, round_wru = ingestion.rru, ingestion.wru
    week_rru = round_rru * R
    week_wru = round_wru * R
    lb_requests = args.leaderboard_rps * SECONDS_PER_WEEK
    priced_sqs = ("SendMessageBatch", "SendMessage", "ReceiveMessage", "DeleteMessageBatch", "DeleteMessage")
    sqs_round = sum(c for (svc, op), c in ingestion.requests.items() if svc == "sqs" and op in priced_sqs)
    sqs_idle = 5 * 3 * 60 * HOURS_PER_WEEK
    fan_out_requests = ingestion.extra["fan_out_requests"]
    chunk_requests = (sum(ingestion.requests.values()) - fan_out_requests) / chunks
    chunk_app = (ingestion.seconds - ingestion.emulator_seconds) / chunks
    chunk_s = chunk_app + chunk_requests * args.aws_latency + (ingestion.tiktok_calls / chunks) * args.tiktok_latency
    close_s = _estimated_seconds(close, args, memory("close_finished_weeks"))
    lb_s = leaderboard.seconds - leaderboard.emulator_seconds + sum(leaderboard.requests.values()) * args.aws_latency
    functions = [("ingest_metrics_chunk", R * chunks, chunk_s), ("close_finished_weeks", 1, close_s),
                 ("api_handler (leaderboard)", lb_requests, lb_s)]
    print(f"Cost of a {n:,}-entry week on AWS, on-demand (bench_ingestion's price model, from the counts above)")
    print("  assumptions")
    for line in (
        f"every entry on TikTok and competing all week; {R} hourly rounds like the one measured; one close; the "
        f"live leaderboard asked {args.leaderboard_rps:g}×/s all week ({lb_requests:,.0f} requests)",
        f"DynamoDB ${args.wru_price}/M WRU, ${args.rru_price}/M RRU; units from item sizes (a read costs ceil(bytes/4 KB), "
        f"half when eventually consistent; a write ceil(item/1 KB), again for every GSI holding the item; score items "
        f"are in no GSI: the board is one kept item per week, ranked once a round)",
        f"SQS ${args.sqs_price}/M requests (sends, receives, deletes, ~{sqs_idle:,} idle long polls); S3 ${args.s3_put_price}/M PUTs",
        f"Lambda ${args.lambda_request_price}/M requests + ${args.lambda_gb_second_price}/GB-s, memory from "
        f".chalice/config.json (prod); duration = the app's time here + {args.aws_latency * 1000:g} ms per AWS request "
        f"+ {args.tiktok_latency * 1000:g} ms per TikTok call; API Gateway and storage not priced",
    ):
        print(f"  - {line}")
    lines = [
        ("DynamoDB reads, ingestion", week_rru * RR, f"{week_rru / 1e6:,.2f} M RRU"),
        ("DynamoDB writes, ingestion", week_wru * W, f"{week_wru / 1e6:,.2f} M WRU"),
        ("DynamoDB, weekly close", close.rru * RR + close.wru * W, f"{close.rru:,.0f} RRU, {close.wru:,.0f} WRU"),
        ("DynamoDB, leaderboard", leaderboard.rru * lb_requests * RR, f"{leaderboard.rru:.1f} RRU per request"),
        ("SQS", (sqs_round * R + sqs_idle) * args.sqs_price / 1e6, f"{(sqs_round * R + sqs_idle) / 1e6:,.3f} M requests"),
        ("S3 (result archive)", close.service_requests("s3") * args.s3_put_price / 1e6, "the close's PUT"),
    ]
    for name, count, seconds in functions:
        gb = memory(name.split(" ")[0]) / 1024
        amount = count * args.lambda_request_price / 1e6 + count * seconds * gb * args.lambda_gb_second_price
        lines.append((f"Lambda {name}", amount, f"{count:,.0f} × {seconds:,.2f} s × {gb:g} GB"))
    total = sum(amount for _, amount, _ in lines)
    width = max(len(name) for name, _, _ in lines) + 2
    for name, amount, detail in lines:
        print(f"  {name:<{width}}{bi._money(amount):>10}  {detail}")
    print(f"  {'total':<{width}}{bi._money(total):>10}  (at most $50)")
    dynamodb = sum(amount for name, amount, _ in lines if name.startswith("DynamoDB"))
    print(f"  At the on-demand prices before 2024-11-01 ($1.25/M WRU, $0.25/M RRU) the DynamoDB lines would be "
          f"{bi._money(dynamodb * 2)} and the week {bi._money(total + dynamodb)}; ap-southeast-1, where the stack "
          f"runs, lists somewhat higher prices than us-east-1 (--wru-price, --rru-price).")
    return total


if __name__ == "__main__":
    sys.exit(main())
