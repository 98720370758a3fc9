"""How much DynamoDB a report costs on a national-sized tree. Prints figures; asserts nothing.

    63 provinces, 700 districts, 10,000 grassroots units, 100,000 entries (and their counter
    items and aggregates) written in bulk into an embedded local cloud, then: a province roll-up
    and the national roll-up (each with the process's tree cache cold, then warm), a
    minimum-entries compliance report, a posting compliance report and the public counter, also
    for a campaign of 1,000,000 counted submissions. Requests and items are counted with
    botocore's after-call event on every DynamoDB client the adapters use. None of them may read
    the entries table.
"""
from __future__ import annotations

import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
os.environ.setdefault("TABLE_PREFIX", "contest-bench-")

ENTRIES = 100_000
MILLION, MILLION_DAYS = 1_000_000, 120
STATUSES = ["valid"] * 6 + ["invalid"] * 2 + ["approved", "published"]


def start_cloud():
    """moto in its own process, so the emulator and this client use both cores."""
    import subprocess
    import urllib.request

    from chalicelib.local.cloud import CloudConfig, apply_environment, free_port, provision

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    config = CloudConfig(endpoint_url=f"http://127.0.0.1:{port}", stage="bench", table_prefix="contest-bench-",
                         upload_bucket="contest-bench-uploads", intake_queue_name="contest-bench-intake",
                         allowed_origins=("http://localhost",), queue_visibility_timeout=1)
    provisioned = provision(config)
    apply_environment(config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id))
    return server


def build_tree():
    """bench/scale_world.py's national tree (the same 63 / 700 / 10,000 units)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale_world import build_tree as national_tree

    tree, _provinces, grassroots = national_tree()
    return tree, grassroots


class Meter:
    """Counts DynamoDB requests and items per operation via botocore's after-call event."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.requests = Counter()
        self.items = Counter()
        self.tables = Counter()

    def table(self, params=None, model=None, **_):
        """before-parameter-build: the only event that sees the caller's TableName."""
        table = (params or {}).get("TableName")
        if table:
            self.tables[table.removeprefix("contest-bench-")] += 1

    def __call__(self, http_response=None, parsed=None, model=None, **_):
        op = model.name
        self.requests[op] += 1
        parsed = parsed or {}
        if "Count" in parsed:
            self.items[op] += parsed.get("ScannedCount", parsed["Count"])
        elif "Responses" in parsed and isinstance(parsed["Responses"], dict):
            self.items[op] += sum(len(v) for v in parsed["Responses"].values())
        elif "Item" in parsed:
            self.items[op] += 1

    def attach(self):
        from chalicelib.adapters.dynamodb import models
        from chalicelib.adapters.dynamodb.counters import transaction_connection

        clients = {m._get_connection().connection.client for m in models.ALL_MODELS}
        clients.add(transaction_connection().client)
        for client in clients:
            client.meta.events.register("after-call.dynamodb", self)
            client.meta.events.register("before-parameter-build.dynamodb", self.table)


def main() -> None:
    started = time.monotonic()
    server = start_cloud()
    from chalicelib.adapters.dynamodb.submissions import NewSubmission
    from chalicelib.bootstrap import services
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.domain.scope import Principal
    from chalicelib.local.seed import live_copy

    now = datetime.now(timezone.utc)
    tree, grassroots = build_tree()
    t = time.monotonic()
    services().org_unit_store.put_tree(tree)
    print(f"tree: {len(tree)} units written in {time.monotonic() - t:.1f} s")

    campaigns = services().campaign_store
    clips = live_copy(load_campaign_file(ROOT / "samples/campaigns/clip-phan-bac-thong-tin-xau-doc.json"), now.date())
    links = live_copy(load_campaign_file(ROOT / "samples/campaigns/moi-tuan-mot-cau-chuyen-dep.json"), now.date())
    campaigns.put(clips)
    campaigns.put(links)

    from chalicelib.adapters.dynamodb.links import NewLink

    # Links go in first: each is a transaction, and the emulator copies every table for each one.
    link_rng = random.Random(11)
    link_store = services().link_store
    province = tree.children("tw")[0]
    province_units = [u for u in tree.subtree(province.unit_id) if u.level == "grassroots"]
    for i, unit in enumerate(province_units):
        link_store.create(NewLink(links.id, unit.unit_id, unit.path, f"https://facebook.com/{unit.unit_id}/{i}",
                                  now - timedelta(days=link_rng.randrange(20)), link_rng.random() < 0.8, now, "bench"))
    rng = random.Random(7)
    counts: dict[str, Counter] = defaultdict(Counter)
    daily: dict[str, Counter] = defaultdict(Counter)
    by_id = {u.unit_id: u for u in grassroots}

    def entries():
        from chalicelib.domain.entry_status import STATUS_COUNTERS as STATUS

        for n in range(ENTRIES):
            unit = grassroots[rng.randrange(len(grassroots) - 300)]  # the last 300 units enter nothing
            status = rng.choice(STATUSES)
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
            for name in STATUS[status]:
                counts[unit.unit_id][name] += 1
            day = created.astimezone(timezone(timedelta(hours=7))).date().isoformat()
            daily[day]["received"] += 1
            daily[day]["valid"] += "valid" in STATUS[status]
            sid = uuid.UUID(int=rng.getrandbits(128)).hex
            yield NewSubmission(sid, clips.id, unit.unit_id, unit.path, f"Tác phẩm {n}", "", "", [], "a.mp4",
                                "video/mp4", 1, "h", f"uploads/{clips.id}/{sid}/k.mp4", "post", None,
                                created), status

    t = time.monotonic()
    written = services().submission_store.write_bulk(entries())
    print(f"entries: {written} written in {time.monotonic() - t:.1f} s")
    t = time.monotonic()
    services().counter_store.write_bulk(
        (clips.id, uid, by_id[uid].path, dict(c)) for uid, c in counts.items())
    services().counter_store.write_daily_bulk(
        (clips.id, day, c["received"], c["valid"]) for day, c in daily.items())
    print(f"counters: {len(counts)} unit items + {len(daily)} day items in {time.monotonic() - t:.1f} s")

    # The public counter keeps one item per Vietnam day, whatever the number of submissions.
    million = clips.model_copy(update={"id": "bench-million"})
    campaigns.put(million)
    first_day = now.date() - timedelta(days=MILLION_DAYS)
    per_day = [MILLION // MILLION_DAYS + (1 if d < MILLION % MILLION_DAYS else 0) for d in range(MILLION_DAYS)]
    services().counter_store.write_daily_bulk(
        (million.id, (first_day + timedelta(days=d)).isoformat(), n, n * 9 // 10) for d, n in enumerate(per_day))


    meter = Meter()
    meter.attach()
    admin = Principal(user_id="bench", role="admin", username="bench")
    organiser = Principal(user_id="bench", role="organiser", unit_id=province.unit_id, unit_path=province.path)
    reports = services().reports
    stats = services().public_stats
    directory = services().unit_directory

    def cold(run):
        def with_cold_cache():
            directory.forget()
            return run()
        return with_cold_cache

    province_report = lambda: reports.unit_report(organiser, clips.id, province.unit_id)  # noqa: E731
    national_report = lambda: reports.unit_report(admin, clips.id, "tw")  # noqa: E731
    children = {"tw": len(tree.children("tw")), province.unit_id: len(tree.children(province.unit_id))}
    checks = [
        ("province roll-up (tree cache cold)", cold(province_report)),
        ("province roll-up (tree cache warm)", province_report),
        ("national roll-up (tree cache cold)", cold(national_report)),
        ("national roll-up (tree cache warm)", national_report),
        ("minimum entries (national)", lambda: reports.minimum_entries(admin, clips.id, {})),
        ("minimum entries (province)", lambda: reports.minimum_entries(organiser, clips.id, {})),
        ("posting quota (province, 4 weeks)", lambda: reports.posting(
            organiser, links.id, {"from": (now - timedelta(days=27)).date().isoformat()}, now)),
        ("public counter (cold)", lambda: stats.for_campaign(clips.id)),
        ("public counter (warm, x1000)", lambda: [stats.for_campaign(clips.id) for _ in range(1000)]),
        ("public counter, 1,000,000 submissions (cold)", lambda: stats.for_campaign(million.id)),
        ("entries page (province, 50)", lambda: reports.list_entries(organiser, clips.id, {})),
    ]
    rows = []
    for name, run in checks:
        meter.reset()
        t = time.monotonic()
        result = run()
        elapsed = time.monotonic() - t
        touched_entries = meter.tables.get("submissions", 0)
        total = result if isinstance(result, dict) else result[0]
        totals = total.get("totals") if isinstance(total.get("totals"), dict) else {}
        headline = totals.get("entries", totals.get("received", ""))
        bound = ""
        if "roll-up" in name:
            unit_children = children[total["unit_id"]]
            bound = f"{unit_children} children: <= {unit_children + 2}"
        rows.append((name, sum(meter.requests.values()), sum(meter.items.values()), touched_entries,
                     f"{elapsed * 1000:.0f}", headline, bound,
                     ", ".join(f"{op}×{n}" for op, n in sorted(meter.requests.items()))))
    print()
    header = ("report", "requests", "items read", "entries-table requests", "ms (moto)", "entries/received",
              "roll-up bound", "requests by operation")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    print(f"\n(total run {time.monotonic() - started:.0f} s. Items read = ScannedCount of Queries + items of "
          "GetItem/BatchGetItem. Only the entries page touches the entries table, one 50-item Query page. "
          "A roll-up reads the unit (one index Query), the campaign (once per warm Lambda per 5 minutes), and the aggregates of the unit and its "
          "direct children (one BatchGetItem per 100): the 'roll-up bound' column is children + 2 items. "
          "With the tree cache cold (once per warm Lambda per 5 minutes, or after an import) it first "
          "reads the whole tree: one Query of every unit. Minimum-entries compliance reads the campaign, the "
          "unit and one aggregate per direct child; posting compliance still reads every link of the branch. "
          "The public counter reads the campaign and one item per day. "
          "Times are the emulator's, not DynamoDB's.)")
    server.terminate()


if __name__ == "__main__":
    main()
