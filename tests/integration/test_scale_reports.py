"""bench/scale_reports.py's measurement runs on a small loaded world and keeps the report bounds.
Figures (memory, time) are the bench's to print; only the read bounds are held here."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def _scale_reports():
    spec = importlib.util.spec_from_file_location("scale_reports", ROOT / "bench" / "scale_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reports_read_children_only_and_the_export_is_written_page_by_page(seeded_cloud):
    from chalicelib.bootstrap import services

    tree = services().org_unit_store.whole_tree()
    province = next(u for u in tree.children(tree.root.unit_id) if tree.children(u.unit_id))
    world = SimpleNamespace(campaign_id="khat-vong-hung-cuong", tree=tree, province=province)

    figures = _scale_reports().measure_reports_and_export(world, export_rows=2_345)

    assert figures["national_report_items_read"] <= figures["national_report_children"] + 2
    assert figures["province_report_items_read"] <= figures["province_report_children"] + 2
    assert figures["compliance_national_units_checked"] == figures["national_report_children"]
    assert figures["public_counter_requests"] <= 4
    assert figures["export_rows"] == 2_345 and figures["export_bytes"] > 0
    assert figures["export_ddb_requests"] >= 3  # 1,000 entries a page
    assert figures["export_s3_requests"] >= 1
