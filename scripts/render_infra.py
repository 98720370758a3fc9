"""Renders infra/ pieces that are derived from code, and the stage's merge template.

    python scripts/render_infra.py tables            # rewrite infra/tables.json from the models
    python scripts/render_infra.py merge STAGE OUT   # infra/resources.yaml + tables + event-source
                                                     # settings Chalice cannot express, as one JSON
"""
from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLES_FILE = ROOT / "infra" / "tables.json"
RESOURCES_FILE = ROOT / "infra" / "resources.yaml"
TEMPLATE_PREFIX = "contest-local-"


def rendered_tables() -> dict[str, Any]:
    os.environ.setdefault("TABLE_PREFIX", TEMPLATE_PREFIX)
    from chalicelib.adapters.dynamodb.schema import cloudformation_tables

    return cloudformation_tables(os.environ["TABLE_PREFIX"])


def tables_json() -> str:
    return json.dumps(rendered_tables(), indent=2, sort_keys=True) + "\n"


def _cfn_name(name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name)


def sqs_batch_failure_reporting(app_module: Any) -> dict[str, Any]:
    """Chalice cannot set ReportBatchItemFailures; without it a partial failure retries the whole batch."""
    resources: dict[str, Any] = {}
    for source in app_module.app.event_sources:
        if not (hasattr(source, "queue") and hasattr(source, "batch_size")):
            continue
        handler = source.name
        resources[_cfn_name(handler)] = {
            "Properties": {
                "Events": {
                    _cfn_name(f"{handler}-sqs-event-source"): {
                        "Properties": {"FunctionResponseTypes": ["ReportBatchItemFailures"]}
                    }
                }
            }
        }
    return resources


# Chalice names the API function "APIHandler" but, with log retention set, points its
# log group at "${ApiHandler}", which does not exist; name the log group correctly.
API_LOG_GROUP_FIX = {
    "ApiHandlerLogGroup": {"Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${APIHandler}"}}}
}


def merge_template(stage: str) -> dict[str, Any]:
    template = yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))
    template["Parameters"]["Stage"]["Default"] = stage
    template["Resources"].update(json.loads(TABLES_FILE.read_text(encoding="utf-8")))
    stage_env = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage]["environment_variables"]
    os.environ.update(stage_env)
    app_module = importlib.import_module("app")
    overrides = {**sqs_batch_failure_reporting(app_module), **API_LOG_GROUP_FIX}
    for name, override in overrides.items():
        template["Resources"].setdefault(name, {}).update(override)
    return template


def main(argv: list[str]) -> int:
    if argv[:1] == ["tables"]:
        TABLES_FILE.write_text(tables_json(), encoding="utf-8")
        return 0
    if len(argv) == 3 and argv[0] == "merge":
        out = Path(argv[2])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(merge_template(argv[1]), indent=2), encoding="utf-8")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
