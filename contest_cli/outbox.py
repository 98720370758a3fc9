"""`./contest outbox [--to ADDRESS]`: the messages the local cloud sent, as JSON, newest last."""
from __future__ import annotations

import argparse
import json
import sys


def outbox(args: argparse.Namespace) -> int:
    from chalicelib.local.cloud import STATE_FILE, read_state
    from chalicelib.adapters.outbox_file import read_outbox

    if not STATE_FILE.exists():
        print("the local cloud is not running: start it with `make run`", file=sys.stderr)
        return 2
    path = read_state().get("LOCAL_OUTBOX_FILE")
    if not path:
        print("this local cloud keeps no outbox: restart it with `make run`", file=sys.stderr)
        return 2
    shown = [{k: m.get(k) for k in ("to", "subject", "text", "entry", "event", "sent_at")}
             for m in read_outbox(path, args.to)]
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("outbox", help="the messages sent on the local cloud, as JSON, newest last (needs `make run`)")
    p.add_argument("--to", metavar="ADDRESS", help="only the messages to this address")
    p.set_defaults(run=outbox)
