from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contest_cli import outbox

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "campaigns"
DEFAULT_CAMPAIGN = "khat-vong-hung-cuong"


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def validate(args: argparse.Namespace) -> int:
    """The same verdict the S3 validator gives, read from a local file.

    Only the campaign's media rules are read (by the parser `Campaign` itself uses), so the
    command never imports pydantic: that import was most of its cost."""
    from chalicelib.adapters.local_files import LocalFileRangeReader
    from chalicelib.domain.errors import CampaignConfigError
    from chalicelib.domain.media.rules import media_rules_from
    from chalicelib.domain.media.verdict import media_verdict

    campaign_file = SAMPLES / f"{args.campaign}.json"
    if not campaign_file.exists():
        known = ", ".join(sorted(p.stem for p in SAMPLES.glob("*.json")))
        print(f"unknown campaign {args.campaign!r}; known: {known}", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    try:
        rules = media_rules_from(_media_section(campaign_file), source=str(campaign_file))
    except CampaignConfigError as error:
        print(error, file=sys.stderr)
        return 2
    verdict = media_verdict(LocalFileRangeReader(path), rules)
    _print(verdict)
    return 0 if verdict["status"] == "valid" else 1


def _media_section(campaign_file: Path) -> object:
    from chalicelib.domain.errors import CampaignConfigError

    try:
        data = json.loads(campaign_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CampaignConfigError(
            str(campaign_file), [("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}")]
        ) from None
    if not isinstance(data, dict) or "media" not in data:
        raise CampaignConfigError(str(campaign_file), [("media", "Field required")])
    return data["media"]


def _local_app():
    from chalicelib.local.cloud import STATE_FILE, apply_environment, read_state

    if not STATE_FILE.exists():
        print("the local cloud is not running: start it with `make run`", file=sys.stderr)
        raise SystemExit(2)
    apply_environment(read_state())
    import app

    return app.app


def schedules(args: argparse.Namespace) -> int:
    from chalicelib.local.scheduler import schedule_bindings

    for binding in schedule_bindings(_local_app()):
        print(f"{binding.name:<32} {binding.expression}")
    return 0


def fire(args: argparse.Namespace) -> int:
    """Run one scheduled handler now, against the running local cloud."""
    from chalicelib.local.cloud import LOCAL_REGION
    from chalicelib.local.scheduler import fire as fire_binding
    from chalicelib.local.scheduler import schedule_bindings

    bindings = {b.name: b for b in schedule_bindings(_local_app())}
    if args.name not in bindings:
        print(f"unknown schedule {args.name!r}; known: {', '.join(sorted(bindings))}", file=sys.stderr)
        return 2
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(timezone.utc)
    _print(fire_binding(bindings[args.name], at, LOCAL_REGION))
    return 0


def verify_week(campaign_id: str, week: int) -> dict:
    """Recompute every stored version of a week from the readings it recorded (older versions:
    from the snapshots measured up to their close) and compare hashes. Uses whatever
    environment is already set (tests set the emulator's)."""
    from chalicelib.bootstrap import services

    return services().week_results.verify(campaign_id, week)


def verify_week_command(args: argparse.Namespace) -> int:
    from chalicelib.domain.errors import DomainError

    _local_app()
    try:
        report = verify_week(args.campaign, args.week)
    except DomainError as error:
        print(f"{error.code}: {error.message_en}", file=sys.stderr)
        return 2
    _print(report)
    return 0 if report["ok"] else 1


def rebuild_rollups(campaign_ids: list[str] | None = None) -> dict[str, int]:
    """Recompute the roll-up aggregates of these campaigns (all by default) from their per-unit
    counter items: aggregates written per campaign. Uses whatever environment is already set."""
    from chalicelib.bootstrap import services

    ids = campaign_ids or [c.id for c in services().campaign_store.list_all()]
    return {campaign_id: services().counter_store.rebuild_aggregates(campaign_id) for campaign_id in ids}


def rebuild_rollups_command(args: argparse.Namespace) -> int:
    if not args.use_environment:
        _local_app()
    _print({"aggregates_written": rebuild_rollups(args.campaign or None)})
    return 0


def mark_running_campaigns() -> dict[str, int]:
    """The migration for campaigns stored before the `by-schedule` index: every campaign whose
    schedules run gets the mark the hourly round and the weekly close Query. Idempotent."""
    from chalicelib.bootstrap import services

    return services().campaign_store.mark_running()


def _target(args: argparse.Namespace) -> None:
    """Point this process at the stage a setup command acts on: a deployed one (--stage), the
    environment already set (--use-environment), or the running `make run`."""
    if args.use_environment:
        return
    if args.stage:
        import boto3

        from chalicelib.local.cloud import apply_environment
        from contest_cli.stage import stage_environment

        session = boto3.session.Session()
        region = session.region_name or "ap-southeast-1"
        apply_environment(stage_environment(args.stage, session.client("cloudformation", region_name=region), region))
        return
    _local_app()


def _setup_command(work):
    def run(args: argparse.Namespace) -> int:
        from chalicelib.domain.errors import DomainError
        from contest_cli.stage import StageError

        try:
            _target(args)
            _print(work(args))
        except StageError as error:
            print(error, file=sys.stderr)
            return 2
        except DomainError as error:
            print(f"{error.code}: {error.message_en}", file=sys.stderr)
            problems = error.details.get("problems") if error.details else None
            for problem in problems or []:
                print(f"  {problem['field']}: {problem['message_en']}", file=sys.stderr)
            return 2
        return 0
    return run


def _stage_options(p: argparse.ArgumentParser) -> None:
    target = p.add_mutually_exclusive_group()
    target.add_argument("--stage", help="a deployed stage (dev, prod): names from the stack contest-STAGE "
                                        "and .chalice/config.json, credentials from the AWS CLI's")
    target.add_argument("--use-environment", action="store_true",
                        help="use the settings already in the environment (TABLE_PREFIX, USER_POOL_ID, …)")


def _stage_commands(commands: Any) -> None:
    from contest_cli import stage

    p = commands.add_parser("create-campaign", help="store a campaign file as a draft (needs `make run`, or --stage)")
    p.add_argument("file", type=Path)
    p.add_argument("--open", action="store_true", help="open it at once (it takes entries inside its window)")
    p.set_defaults(run=_setup_command(lambda a: stage.create_campaign(a.file, open_it=a.open)))
    _stage_options(p)

    p = commands.add_parser("import-organisation",
                            help="replace the organisation tree from a CSV or JSON file (as PUT /organisation)")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    p.set_defaults(run=_setup_command(lambda a: stage.import_organisation(a.file, dry_run=a.dry_run)))
    _stage_options(p)

    p = commands.add_parser("create-account", help="an admin, organiser or judge account with a temporary password")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=stage.ROLES)
    p.add_argument("--unit", help="the account's unit id (required for organisers)")
    p.add_argument("--email", help="Cognito emails the invitation; otherwise the temporary password is printed")
    p.set_defaults(run=_setup_command(lambda a: stage.create_account(a.username, a.role, a.unit, a.email)))
    _stage_options(p)

    p = commands.add_parser("store-credentials", help="store a platform's credentials in SSM as a SecureString")
    platforms = p.add_subparsers(dest="platform", required=True)
    tiktok = platforms.add_parser("tiktok", help="the OAuth document from a JSON file")
    tiktok.add_argument("file", type=Path)
    tiktok.add_argument("--parameter", help="the parameter name (default: the stage's TIKTOK_TOKEN_PARAMETER)")
    tiktok.set_defaults(run=_setup_command(lambda a: stage.store_tiktok_credentials(a.file, a.parameter)))
    _stage_options(tiktok)
    youtube = platforms.add_parser("youtube", help="the Data API key, read from standard input")
    youtube.add_argument("--parameter", help="the parameter name (default: the stage's YOUTUBE_KEY_PARAMETER)")
    youtube.set_defaults(run=_setup_command(lambda a: stage.store_youtube_key(sys.stdin.readline(), a.parameter)))
    _stage_options(youtube)


def demo(args: argparse.Namespace) -> int:
    from chalicelib.local.demo import run

    return run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="contest", description="Contest backend tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("validate", help="judge a video file against a campaign's rules, offline")
    p.add_argument("file")
    p.add_argument("--campaign", default=DEFAULT_CAMPAIGN)
    p.set_defaults(run=validate)

    p = commands.add_parser("schedules", help="list the scheduled handlers (needs `make run`)")
    p.set_defaults(run=schedules)

    p = commands.add_parser("fire", help="run a scheduled handler now (needs `make run`)")
    p.add_argument("name")
    p.add_argument("--at", help="the event time, ISO 8601 (default: now)")
    p.set_defaults(run=fire)

    p = commands.add_parser("verify-week", help="recompute every version of a closed week from its recorded readings (needs `make run`)")
    p.add_argument("campaign")
    p.add_argument("week", type=int)
    p.set_defaults(run=verify_week_command)

    p = commands.add_parser(
        "rebuild-rollups",
        help="recompute the roll-up aggregates from the per-unit counters (the migration; needs `make run`, "
             "or --use-environment for a deployed stage)")
    p.add_argument("--campaign", action="append", help="only this campaign (repeatable; default: every campaign)")
    p.add_argument("--use-environment", action="store_true",
                   help="use TABLE_PREFIX and the AWS credentials already set instead of the local cloud")
    p.set_defaults(run=rebuild_rollups_command)

    p = commands.add_parser(
        "mark-running-campaigns",
        help="mark the campaigns whose schedules run, so the hourly round and the weekly close find them "
             "(the migration after deploying the campaigns' by-schedule index; `make run` does it at start)")
    p.set_defaults(run=_setup_command(lambda a: mark_running_campaigns()))
    _stage_options(p)

    _stage_commands(commands)

    p = commands.add_parser("demo", help="simulate a whole campaign on a private local cloud and print the results")
    p.set_defaults(run=demo)

    outbox.register(commands)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
