"""Reports, the public counter and a large export, measured on a loaded world. Prints figures; asserts nothing.

`measure_reports_and_export(env)` is what bench/bench_scale.py calls on the world
bench/scale_world.py loads (its ScaleWorld). It needs of `env` only:

    env.campaign_id            the campaign whose entries are exported and reported on
    env.tree                   the organisation tree (domain OrgTree) loaded into the units table
    env.province               one province (OrgUnit) of that tree, for the province figures

and the services installed against the loaded local cloud (chalicelib.bootstrap.services()).
The public counter is read for the same campaign (its day items hold every counted submission).

Figures (a dict):
    national_report_items_read, province_report_items_read: DynamoDB items read by the worse of the
        unit roll-up and the minimum-entries compliance report of that unit (warm Lambda: the
        organisation tree cached, as after the first report); the bound is children + 2;
    national_report_children, province_report_children: the unit's direct children;
    rollup_* / compliance_*: each report's own items and requests;
    public_counter_requests (and _items): a cold read of the public counter;
    export_rows, export_bytes, export_seconds: an XLSX of the entries export (ReportService.entries_sheet
        through ExportService into the bucket, handed out as a link: the path a browser's click takes
        after the API's checks). By default its rows come from GeneratedEntryPages (100,000, page by
        page): moto sorts a whole index for each Query page and cannot answer one page of a
        100,000-item index within 30 s on a busy machine. `export_from_table=True` reads the
        campaign's entries from the table instead;
    export_peak_mib: tracemalloc's peak over the export (every Python allocation made while it runs,
        the in-process emulator's included when it runs in this process);
    export_rss_high_water_mib: the process's resident high-water mark during the export (Linux),
        which also counts everything the world loaded before it;
    export_s3_requests, export_ddb_requests: requests the export made.

Run alone (`python bench/scale_reports.py [EXPORT_ROWS [ENTRIES]]`) it loads a world of its own (the
4-level tree of 10,764 units, ENTRIES entries in the table, their counters and aggregates, a day item
per day) and prints the figures.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


class Requests:
    """DynamoDB and S3 requests (and DynamoDB items read) seen by botocore's after-call event."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter = Counter()
        self.items: Counter = Counter()

    def __call__(self, http_response: Any = None, parsed: Any = None, model: Any = None,
                 event_name: str = "", **_: Any) -> None:
        service = event_name.split(".")[1] if "." in event_name else "?"
        self.requests[(service, model.name)] += 1
        parsed = parsed or {}
        if service != "dynamodb":
            return
        if "Count" in parsed:
            self.items[model.name] += parsed.get("ScannedCount", parsed["Count"])
        elif isinstance(parsed.get("Responses"), dict):
            self.items[model.name] += sum(len(v) for v in parsed["Responses"].values())
        elif "Item" in parsed:
            self.items[model.name] += 1

    def of(self, service: str) -> int:
        return sum(n for (s, _), n in self.requests.items() if s == service)

    @property
    def items_read(self) -> int:
        return sum(self.items.values())

    def attach(self) -> "Requests":
        from chalicelib.adapters.dynamodb import models
        from chalicelib.adapters.dynamodb.counters import transaction_connection
        from chalicelib.bootstrap import services

        clients = {m._get_connection().connection.client for m in models.ALL_MODELS}
        clients.add(transaction_connection().client)
        clients.add(services().upload_bucket._client)
        self._clients = clients
        for client in clients:
            client.meta.events.register("after-call.*", self)
        return self

    def detach(self) -> None:
        for client in getattr(self, "_clients", ()):
            client.meta.events.unregister("after-call.*", self)


def _resident_high_water_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
        return True
    except OSError:
        return False


def _resident_high_water_mib() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


@contextmanager
def emulator_sorting_plain_strings() -> Iterator[None]:
    """moto sorts a whole index for every Query page, comparing its own value objects, and walks
    it again to find the page's start: a 100-page read of a 100,000-item index takes it about an
    hour. Here it compares the keys' plain strings instead (the same order for string keys; any
    other key is left to moto). What the adapter asks for (pages, requests, items) is unchanged;
    DynamoDB reads an index page in order and never sorts. Only when moto runs in this process."""
    try:
        from moto.dynamodb.models.table import Table
    except ImportError:
        yield
        return
    sorted_items, comes_before = Table.sorted_items, Table._item_comes_before_dct

    def plain_sorted_items(self, hash_key_attrs, range_key_attrs, items):
        attrs = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        if not all(a is not None and getattr(x.attrs.get(a), "type", None) == "S" for x in items[:1] for a in attrs):
            return sorted_items(self, hash_key_attrs, range_key_attrs, items)
        try:
            items.sort(key=lambda x: tuple(x.attrs[a].value for a in attrs))
        except (KeyError, TypeError):
            return sorted_items(self, hash_key_attrs, range_key_attrs, items)
        return items

    def plain_comes_before(self, item, dct, hash_key_attrs, range_key_attrs, scan_index_forward):
        for attr in self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs):
            if attr in item.attrs:
                mine, theirs = item.attrs[attr], (dct.get(attr) or {}).get("S")
                if mine.type != "S" or theirs is None:
                    return comes_before(self, item, dct, hash_key_attrs, range_key_attrs, scan_index_forward)
                if mine.value != theirs:
                    return (mine.value < theirs) == scan_index_forward
        return True

    Table.sorted_items, Table._item_comes_before_dct = plain_sorted_items, plain_comes_before
    try:
        yield
    finally:
        Table.sorted_items, Table._item_comes_before_dct = sorted_items, comes_before


class GeneratedEntryPages:
    """The entries table's `branch_page`, answered from entries made up page by page (never all
    at once): the export's own path (service, sheet, write-only workbook, upload) at any size,
    without the emulator, which cannot serve one page of a 100,000-item index within its 30 s
    read timeout on a busy machine. Counts the pages asked for: DynamoDB's requests."""

    def __init__(self, campaign_id: str, units: list, total: int) -> None:
        self.campaign_id, self.units, self.total, self.pages = campaign_id, units, total, 0

    def branch_page(self, campaign_id: str, path: str, status: Any, start_key: Any, limit: int) -> tuple[list, Any]:
        from chalicelib.domain.entry import Entry

        self.pages += 1
        first = int(start_key["offset"]) if start_key else 0
        last = min(first + limit, self.total)
        created = datetime(2027, 3, 2, 9, 30, tzinfo=timezone.utc)
        entries = []
        for n in range(first, last):
            unit = self.units[n % len(self.units)]
            entries.append(Entry(
                submission_id=f"s-{n:06d}-{n * 2654435761 % 2**32:08x}", campaign_id=campaign_id,
                unit_id=unit.unit_id, unit_path=unit.path, status="published",
                title=f"Khát vọng hùng cường — bài dự thi số {n + 1}", created_at=created - timedelta(seconds=n),
                status_changed_at=created, access_token_hash="x" * 64, upload_key=f"uploads/{campaign_id}/{n}/a.mp4",
                upload_kind="post", declared_size=48_000_000, file_name="bai-du-thi.mp4", category="Video ngắn",
                authors=[{"name": "Nguyễn Văn Ánh", "email": "anh@example.vn", "phone": "0912345678"}]))
        return entries, ({"offset": last} if last < self.total else None)


def measure_export_at_scale(campaign_id: str, units: list, rows: int, export_format: str = "xlsx") -> dict:
    """The entries export of `rows` rows through the real service, writer and bucket, its rows from
    GeneratedEntryPages; peak memory by tracemalloc (every allocation while it runs)."""
    import dataclasses

    from chalicelib.bootstrap import services
    from chalicelib.domain.scope import Principal

    admin = Principal(user_id="bench-admin", role="admin", username="bench-admin")
    pages = GeneratedEntryPages(campaign_id, units, rows)
    reports = dataclasses.replace(services().reports, submissions=pages)
    reports.unit_report(admin, campaign_id, units[0].path.split("/")[0])  # a warm Lambda: the tree is cached
    meter = Requests().attach()
    try:
        _resident_high_water_reset()
        tracemalloc.start()
        started = time.monotonic()
        link = services().exports.publish(lambda: reports.entries_sheet(admin, campaign_id, {}), export_format,
                                          datetime.now(timezone.utc))
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        meter.detach()
    return _export_figures("generated pages of 1,000 entries (the emulator's index Query is not measured)",
                           export_format, link, seconds, peak, meter, pages.pages)


def _export_figures(source: str, export_format: str, link: Any, seconds: float, peak: int, meter: Requests,
                    pages: int = 0) -> dict:
    high_water = _resident_high_water_mib()
    return {
        "export_source": source,
        "export_format": export_format,
        "export_rows": link.rows,
        "export_bytes": link.size,
        "export_seconds": round(seconds, 1),
        "export_peak_mib": round(peak / MIB, 1),
        "export_rss_high_water_mib": None if high_water is None else round(high_water, 1),
        "export_s3_requests": meter.of("s3"),
        "export_ddb_requests": pages + meter.of("dynamodb"),
        "export_ddb_items_read": meter.items_read,
        "export_link_expires_at": link.expires_at.isoformat(),
    }


def _measured(meter: Requests, run: Any) -> tuple[Any, int, int]:
    meter.reset()
    result = run()
    return result, meter.items_read, meter.of("dynamodb")


def measure_reports_and_export(env: Any, export_format: str = "xlsx", export_rows: int | None = 100_000,
                               export_from_table: bool = False) -> dict:
    meter = Requests().attach()
    try:
        return _measure(env, meter, export_format, export_rows, export_from_table)
    finally:
        meter.detach()


def _measure(env: Any, meter: Requests, export_format: str, export_rows: int | None, export_from_table: bool) -> dict:
    from chalicelib.bootstrap import services
    from chalicelib.domain.scope import Principal

    campaign_id, tree, province = env.campaign_id, env.tree, env.province
    root = tree.root
    admin = Principal(user_id="bench-admin", role="admin", username="bench-admin")
    organiser = Principal(user_id="bench-province", role="organiser", username="bench-province",
                          unit_id=province.unit_id, unit_path=province.path)
    reports, stats, exports = services().reports, services().public_stats, services().exports
    figures: dict[str, Any] = {
        "national_report_children": len(tree.children(root.unit_id)),
        "province_report_children": len(tree.children(province.unit_id)),
    }

    # A warm Lambda: the tree is cached after its first report (measured cold by bench_org_reports.py).
    reports.unit_report(admin, campaign_id, root.unit_id)
    for scope, who, unit_id in (("national", admin, root.unit_id), ("province", organiser, province.unit_id)):
        _, rollup_items, rollup_requests = _measured(meter, lambda: reports.unit_report(who, campaign_id, unit_id))
        report, compliance_items, compliance_requests = _measured(
            meter, lambda: reports.minimum_entries(who, campaign_id, {"unit_id": unit_id}))
        figures |= {
            f"rollup_{scope}_items_read": rollup_items, f"rollup_{scope}_requests": rollup_requests,
            f"compliance_{scope}_items_read": compliance_items, f"compliance_{scope}_requests": compliance_requests,
            f"compliance_{scope}_units_checked": report["units_checked"],
            f"{scope}_report_items_read": max(rollup_items, compliance_items),
        }

    stats.clear()
    counter, counter_items, counter_requests = _measured(meter, lambda: stats.for_campaign(campaign_id))
    figures |= {"public_counter_requests": counter_requests, "public_counter_items_read": counter_items,
                "public_counter_received": counter["totals"]["received"]}

    if not export_from_table:
        leaves = [u for u in tree.subtree(root.unit_id) if not tree.children(u.unit_id)]
        return figures | measure_export_at_scale(campaign_id, leaves, export_rows or 100_000, export_format)
    meter.reset()
    _resident_high_water_reset()
    with emulator_sorting_plain_strings():
        tracemalloc.start()
        started = time.monotonic()
        link = exports.publish(lambda: reports.entries_sheet(admin, campaign_id, {}), export_format,
                               datetime.now(timezone.utc))
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return figures | _export_figures("the campaign's entries in the entries table", export_format, link, seconds,
                                     peak, meter)


def print_figures(figures: dict) -> None:
    national, province = figures["national_report_children"], figures["province_report_children"]
    lines = [
        ("national roll-up: items read", figures["rollup_national_items_read"], f"<= {national + 2} (children + 2)"),
        ("national minimum-entries: items read", figures["compliance_national_items_read"],
         f"<= {national + 2}; {figures['compliance_national_units_checked']} units checked"),
        ("province roll-up: items read", figures["rollup_province_items_read"], f"<= {province + 2} (children + 2)"),
        ("province minimum-entries: items read", figures["compliance_province_items_read"],
         f"<= {province + 2}; {figures['compliance_province_units_checked']} units checked"),
        ("public counter: requests", figures["public_counter_requests"],
         f"<= 4; {figures['public_counter_items_read']} items, {figures['public_counter_received']:,} received"),
        (f"{figures['export_format'].upper()} export: rows", f"{figures['export_rows']:,}",
         f"{(figures['export_bytes'] or 0) / MIB:.1f} MiB file in {figures['export_seconds']} s (tracemalloc on)"),
        ("export: peak memory (tracemalloc)", f"{figures['export_peak_mib']} MiB", "< 256 MiB"),
        ("export: process high-water mark", f"{figures['export_rss_high_water_mib']} MiB",
         "the whole process, loaded world included"),
        ("export: requests", f"S3 {figures['export_s3_requests']}, DynamoDB {figures['export_ddb_requests']}",
         figures["export_source"]),
    ]
    width = max(len(label) for label, _, _ in lines)
    for label, value, note in lines:
        print(f"  {label.ljust(width)}  {str(value).rjust(12)}  {note}")


# --- run alone -------------------------------------------------------------------------------------


class SmallWorld:
    """The attributes measure_reports_and_export reads, for a world loaded here."""

    def __init__(self, campaign_id: str, tree: Any, province: Any) -> None:
        self.campaign_id, self.tree, self.province = campaign_id, tree, province


def load_small_world(campaign: Any, entries: int, provinces: int = 63, districts: int = 700,
                     grassroots: int = 10_000, daily_days: int = 120) -> SmallWorld:
    """A 4-level tree, `entries` entries spread over its grassroots units with their counters and
    aggregates, and a day item per day for the public counter (bulk writes, not measured)."""
    import random
    import uuid

    from chalicelib.adapters.dynamodb.submissions import NewSubmission
    from chalicelib.bootstrap import services
    from chalicelib.domain.organisation import OrgTree, OrgUnit

    units = [OrgUnit("tw", "Trung ương Đoàn", None, "central", "tw")]
    province_units = [OrgUnit(f"p{i:02d}", f"Tỉnh đoàn số {i}", "tw", "province", f"tw/p{i:02d}")
                      for i in range(provinces)]
    district_units = []
    for i in range(districts):
        parent = province_units[i % provinces]
        unit_id = f"{parent.unit_id}-d{i:03d}"
        district_units.append(OrgUnit(unit_id, f"Huyện đoàn số {i}", parent.unit_id, "district",
                                      f"{parent.path}/{unit_id}"))
    leaves = []
    for i in range(grassroots):
        parent = district_units[i % districts]
        unit_id = f"{parent.unit_id}-g{i:05d}"
        leaves.append(OrgUnit(unit_id, f"Đoàn cơ sở số {i}", parent.unit_id, "grassroots", f"{parent.path}/{unit_id}"))
    tree = OrgTree(units + province_units + district_units + leaves)
    services().org_unit_store.put_tree(tree)
    services().campaign_store.put(campaign)
    rng = random.Random(3)
    counts: dict[str, Counter] = {}
    now = datetime.now(timezone.utc)

    def rows():
        for n in range(entries):
            unit = leaves[n % len(leaves)]
            counts.setdefault(unit.unit_id, Counter()).update(entries=1, valid=1)
            sid = uuid.UUID(int=rng.getrandbits(128)).hex
            yield NewSubmission(sid, campaign.id, unit.unit_id, unit.path, f"Tác phẩm “Khát vọng” số {n + 1}", "",
                                "Clip", [{"name": "Nguyễn Văn Ánh"}], "a.mp4", "video/mp4", 1, "h",
                                f"uploads/{campaign.id}/{sid}/a.mp4", "post", None,
                                now - timedelta(minutes=n % 10_000)), "valid"

    services().submission_store.write_bulk(rows())
    by_id = {u.unit_id: u for u in leaves}
    services().counter_store.write_bulk((campaign.id, uid, by_id[uid].path, dict(c)) for uid, c in counts.items())
    first_day = now.date() - timedelta(days=daily_days)
    services().counter_store.write_daily_bulk(
        (campaign.id, (first_day + timedelta(days=d)).isoformat(), entries // daily_days, entries // daily_days)
        for d in range(daily_days))
    return SmallWorld(campaign.id, tree, province_units[0])


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
    sys.path.insert(0, str(ROOT))
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    entries = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.local.cloud import CloudConfig, apply_environment, free_port, provision, start_moto_server
    from chalicelib.local.seed import live_copy

    port = free_port()
    server = start_moto_server(port)
    try:
        config = CloudConfig(endpoint_url=f"http://127.0.0.1:{port}", stage="local", table_prefix="contest-bench-",
                             upload_bucket="contest-bench-uploads", intake_queue_name="contest-bench-intake",
                             allowed_origins=("http://localhost",), queue_visibility_timeout=1)
        provisioned = provision(config)
        apply_environment(config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id))
        campaign = live_copy(load_campaign_file(ROOT / "samples/campaigns/clip-phan-bac-thong-tin-xau-doc.json"),
                             datetime.now(timezone.utc).date())
        started = time.monotonic()
        world = load_small_world(campaign, entries)
        print(f"world: {len(world.tree):,} units, {entries:,} entries loaded in {time.monotonic() - started:.0f} s")
        print_figures(measure_reports_and_export(world, export_rows=rows))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
