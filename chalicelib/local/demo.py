"""A whole simulated campaign on a private local cloud, printed as tables.

    ./contest demo        (or: make demo)

Starts its own moto server, provisions it, loads the national sample (seed 000's
rules, open to every unit) at its 2024 dates and the sample organisation tree, then drives the real services
with a controlled clock: entries uploaded through S3 → SQS → validator,
reviewed and published, engagement simulated deterministically (one entry
gets a suspicious night-time burst), weeks closed by the Monday 00:00 Vietnam
schedule, a disqualification after a close, the jury, the prizes, the awards.
Nothing here is a shortcut the product does not take.
"""
from __future__ import annotations

import os
import random
import sys
import time
import unicodedata
from datetime import timedelta
from decimal import Decimal
from typing import Sequence

import boto3
import requests

SEED = 2024
ENTRIES_PER_WEEK = 7
UNITS = (
    "ha-noi-ba-dinh-kim-ma", "ha-noi-ba-dinh-dien-bien", "ha-noi-hoan-kiem-hang-bac", "hcm-q1-ben-nghe",
    "hcm-thu-duc-dhqg", "da-nang-hai-chau-thach-thang", "dk-tw-bo-ct-vp", "dk-tw-bo-tttt-bc", "tinh-lc-sa-pa-ta-van",
)
TOPICS = ("Ước mơ", "Khát vọng", "Tuổi trẻ", "Sáng tạo", "Tình nguyện", "Tri thức", "Vươn xa", "Hội nhập")
PLACES = ("Hà Nội", "Sài Gòn", "Đà Nẵng", "Sa Pa", "Ba Đình", "Thủ Đức", "Hải Châu")


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 1 for c in unicodedata.normalize("NFC", text))


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([f"\n■ {title}", line(headers), rule, *(line(r) for r in cells)])


def _start_cloud():
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log would bury the tables
    from chalicelib.local.cloud import CloudConfig, apply_environment, free_port, provision, start_moto_server

    port = free_port()
    server = start_moto_server(port)
    config = CloudConfig(
        endpoint_url=f"http://127.0.0.1:{port}", stage="local", table_prefix="contest-demo-",
        upload_bucket="contest-demo-uploads", intake_queue_name="contest-demo-intake",
        allowed_origins=("http://localhost:8000",), queue_visibility_timeout=1,
    )
    provisioned = provision(config)
    apply_environment(config.environment(provisioned.user_pool_id, provisioned.user_pool_client_id))
    return server, config


def _video() -> bytes:
    from tests.fixtures.make_videos import VIDEOS_DIR, ensure_videos

    path = VIDEOS_DIR / "valid-faststart.mp4"
    if not path.exists():
        ensure_videos()
    return path.read_bytes()


def run() -> int:
    # Before anything imports the app: keep its JSON logs and metrics off the tables.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    started = time.monotonic()
    server, config = _start_cloud()
    try:
        return _simulate(config, started)
    finally:
        server.stop()


def _simulate(config, started: float) -> int:  # noqa: C901 - a script, read top to bottom
    from chalicelib.adapters.dynamodb.organisation import OrgUnitStore
    from chalicelib.adapters.dynamodb.snapshots import EntrySnapshot
    from chalicelib.bootstrap import services
    from chalicelib.domain.display import local_text
    from chalicelib.domain.engagement import Snapshot
    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.organisation_file import load_tree_csv
    from chalicelib.domain.jury import JudgeAssignment
    from chalicelib.domain.scope import Principal
    from chalicelib.domain.weeks import week_window
    from chalicelib.local.cloud import LOCAL_REGION
    from chalicelib.local.pump import EventPump, sqs_bindings
    from chalicelib.local.scheduler import fire, schedule_bindings
    from chalicelib.local.seed import SAMPLES, sample_campaigns
    from chalicelib.services.week_results import BOUNDARY_RUN_GRACE

    import app

    rng = random.Random(SEED)
    # Seed 000's rules, open to every unit: the demo's entries come from all over the country.
    campaign = next(c for c in sample_campaigns() if c.id == "thanh-nien-sang-tao")
    services().campaign_store.put(campaign)
    OrgUnitStore().put_tree(load_tree_csv((SAMPLES / "organisation.csv").read_text(encoding="utf-8")))
    tree = services().org_unit_store.whole_tree()
    admin = Principal(user_id="demo-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")
    pump = EventPump(boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=config.endpoint_url),
                     sqs_bindings(app.app), LOCAL_REGION)
    video = _video()
    participants, review, weeks, final = (services().participants, services().review,
                                          services().week_results, services().final_round)
    print(f"Chiến dịch: {campaign.name_vi}  (giờ Việt Nam, {campaign.timezone})")

    # --- entries, uploaded and validated on arrival ---------------------------
    first_start, _ = week_window(campaign, 1)
    entries: list[dict] = []
    for week in campaign.voting_weeks:
        start, end = week_window(campaign, week.number)
        for n in range(ENTRIES_PER_WEEK):
            unit = rng.choice(UNITS)
            title = f"{rng.choice(TOPICS)} {rng.choice(PLACES)} #{week.number}.{n + 1}"
            created_at = first_start - timedelta(days=20) + timedelta(hours=rng.randint(0, 300))
            created = participants.create(campaign.id, {
                "title": title, "unit_id": unit, "authors": [{"name": "Đoàn viên", "email": "dv@example.vn"}],
                "file_name": "video.mp4", "content_type": "video/mp4", "size_bytes": len(video),
                "accepted_terms_version": campaign.terms.version if campaign.terms else None}, created_at)
            upload = created["upload"]
            requests.post(upload["url"], data=upload["fields"], files={"file": ("video", video, "video/mp4")},
                          timeout=30).raise_for_status()
            published = start + timedelta(hours=rng.randint(1, 60)) if week.number > 1 or n else start - timedelta(days=2)
            entries.append({"id": created["submission_id"], "title": title, "unit": unit, "week": week.number,
                            "published_at": published, "created_at": created_at})
    pump.drain()

    # --- review and publication ------------------------------------------------
    rejected = {entries[3]["id"], entries[17]["id"]}
    for entry in entries:
        decision = ({"decision": "reject", "reason": "Video thiếu hashtag #KhatVongHungCuong."}
                    if entry["id"] in rejected else {"decision": "approve"})
        review.review(admin, entry["id"], decision, entry["created_at"] + timedelta(days=1))
        if entry["id"] in rejected:
            continue
        review.publish(admin, entry["id"], {
            "platform": "tiktok", "video_id": f"73{entry['id'][:16]}",
            "url": f"https://www.tiktok.com/@khatvonghungcuong/video/73{entry['id'][:16]}",
            "published_at": entry["published_at"].isoformat()}, entry["published_at"] + timedelta(minutes=10))
    competing = [e for e in entries if e["id"] not in rejected]

    # --- engagement every 6 hours, deterministic --------------------------------
    suspicious = competing[9]  # bought likes at 02:00 one night
    tiktok_only = competing[-1]  # its source cannot read reposts: the close will ask for confirmation
    snapshots = []
    for entry in competing:
        start, end = week_window(campaign, entry["week"])
        rates = {"likes": rng.uniform(8, 40), "saves": rng.uniform(1, 6), "shares": rng.uniform(1, 5),
                 "reposts": rng.uniform(0.2, 2), "views": rng.uniform(300, 1500)}
        at, counts = entry["published_at"] + timedelta(hours=1), dict.fromkeys(rates, 0)
        while at <= end + timedelta(hours=12):
            for metric, rate in rates.items():
                counts[metric] += int(rate * 6 * rng.uniform(0.5, 1.5))
            if entry is suspicious and at - start >= timedelta(days=3) and "burst" not in entry:
                counts["likes"] += 6000
                entry["burst"] = at
            values = dict(counts)
            source = "csv"
            if entry is tiktok_only:
                values["reposts"], source = None, "tiktok"
            snapshots.append(EntrySnapshot(entry["id"], campaign.id, Snapshot(at, source, values)))
            at += timedelta(hours=6)
    services().snapshot_store.put_many(snapshots)

    # --- weekly close on schedule, at every Monday 00:00 in Vietnam ------------------
    [closer] = [b for b in schedule_bindings(app.app) if b.name == "close_finished_weeks"]
    [retry] = [b for b in schedule_bindings(app.app) if b.name == "retry_waiting_week_closes"]
    for week in campaign.voting_weeks:
        _, end = week_window(campaign, week.number)
        outcome = fire(closer, end, LOCAL_REGION)["outcomes"]
        if any(item["outcome"] == "waiting_for_boundary" for item in outcome):
            # This demo wrote its readings directly, so no boundary run ever starts: the retry closes after the grace.
            minutes = int(BOUNDARY_RUN_GRACE.total_seconds() // 60)
            print(f"Lịch chốt tuần {week.number}: chờ số đo mốc tuần, thử lại sau {minutes} phút")
            outcome = fire(retry, end + BOUNDARY_RUN_GRACE, LOCAL_REGION)["outcomes"]
        for item in outcome:
            print(f"Lịch chốt tuần {item['week']} lúc {local_text(end)} (UTC {end:%a %H:%M}): {item['outcome']}")
            if item["outcome"] == "awaiting_confirmation":
                confirmed = weeks.close_week(campaign.id, item["week"], end + timedelta(hours=9), admin,
                                             confirm_unmeasured=True)
                print(f"  Ban tổ chức xác nhận chỉ số chưa đo → {confirmed['outcome']}, v{confirmed['version']}")
    flags = weeks.flags(campaign.id, suspicious["week"], admin, week_window(campaign, 4)[1])["flags"]
    print(table(f"Cảnh báo gian lận tuần {suspicious['week']} (chỉ là cảnh báo)", ["Tác phẩm", "Loại", "Bằng chứng"],
                [[f["title"], f["kind"], str(f["evidence"])[:80]] for f in flags]))
    after_close = week_window(campaign, 4)[1] + timedelta(days=1)
    review.disqualify(admin, suspicious["id"], {"reason": "Lượt thích tăng đột biến bất thường (nghi mua tương tác)."},
                      after_close)

    # --- weekly rankings (latest version) ------------------------------------------------
    for week in campaign.voting_weeks:
        view = weeks.ranking(campaign.id, week.number, None, after_close)
        rows = [[r["rank"], r["title"], r["unit_name"], r["score"]]
                + [next(p["value"] for p in r["breakdown"] if p["metric"] == m) for m in ("likes", "saves", "shares", "reposts")]
                + ["Giải tuần" if r["winner"] else ("Chung khảo" if r["finalist"] else "")]
                for r in view["rows"]]
        rows += [["Loại", d["title"], d["unit_name"], "", "", "", "", "", d["reason"]] for d in view["disqualified"]]
        print(table(
            f"Tuần {week.number}: {view['starts_at_local']['text']} → {view['ends_at_local']['text']} "
            f"(phiên bản {view['version']}, {view['hash'][:19]}…)",
            ["Hạng", "Tác phẩm", "Đơn vị", "Điểm", "Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại", "Ghi chú"],
            rows))
        report = weeks.verify(campaign.id, week.number)
        print(f"  Kiểm chứng lại từ snapshot: {'khớp' if report['ok'] else 'KHÔNG KHỚP'} "
              f"({len(report['versions'])} phiên bản)")

    # --- final round ---------------------------------------------------------------------------
    judges = [Principal.for_unit("demo-jury-1", "jury", tree.get("dk-tw"), username="jury-1"),
              Principal(user_id="demo-jury-2", role="jury", username="jury-2"),
              Principal.for_unit("demo-jury-3", "jury", tree.get("hcm"), username="jury-3")]
    for judge in judges:
        services().judge_panel_store.assign(JudgeAssignment(campaign.id, judge.username, "admin", after_close))
    pool = final.finalists(campaign.id, admin)["finalists"]
    print(table("Vòng chung khảo", ["Tuần", "Vị trí", "Tác phẩm", "Đơn vị"],
                [[f["week"], f["position"], f["title"], f["unit_name"]] for f in pool]))
    for judge in judges:
        for finalist in pool:
            points = {c.key: str(Decimal(rng.randint(int(c.max_points) * 5, int(c.max_points) * 10)) / 10)
                      for c in campaign.jury_criteria}
            try:
                final.score(campaign.id, finalist["entry_id"], judge, {"points": points}, after_close)
            except DomainError as error:  # a judge never scores a unit they have a conflict with
                assert error.code == "judge_own_subtree"
    results = final.results(campaign.id, admin)
    print(table("Giải chung cuộc", ["Hạng", "Tác phẩm", "Đơn vị", "Điểm TB", "Số GK", "Giải"],
                [[s["rank"], s["title"], s["unit_name"], s["average"], s["judge_count"], s["prize_name_vi"] or ""]
                 for s in results["standings"]]))
    for flag in results["tie_flags"]:
        print(f"  ⚠ {flag['message_vi']} {flag['entry_ids']}")

    awards = final.awards(campaign.id, admin, after_close)
    rows = []
    for award in awards["awards"]:
        names = ", ".join(f"{d['title']} ({d['unit_name']})" if d.get("entry_id") else d["unit_name"]
                          for d in award["winner_details"])
        rows.append([award["name_vi"], names, award["value"]])
    print(table(f"Giải thưởng khác (tính đến {awards['at_local']['text']})", ["Giải", "Người nhận", "Số liệu"], rows))
    print(f"\nHoàn tất trong {time.monotonic() - started:.0f} giây.")
    return 0


if __name__ == "__main__":
    sys.exit(run())
