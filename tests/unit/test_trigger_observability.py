"""Triggers carry their own correlation id and metrics flush.

On Lambda, Chalice points each trigger function at its blueprint's module, so app.py (and the
middleware it registers) is never imported there. These tests look at what Lambda would run."""
from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from chalicelib.observability import observed

ROOT = Path(__file__).resolve().parents[2]


def _trigger_handler_strings() -> list[str]:
    import app

    return [source.handler_string for source in app.app.event_sources]


def test_every_trigger_that_lambda_runs_is_observed():
    handler_strings = _trigger_handler_strings()
    assert len(handler_strings) >= 6
    for handler_string in handler_strings:
        module_name, _, name = handler_string.rpartition(".")
        handler = getattr(importlib.import_module(module_name), name)
        # Chalice's EventSourceHandler keeps the decorated function as `func`.
        assert handler.func.__code__.co_qualname == "observed.<locals>.run", handler_string


def test_an_observed_trigger_logs_with_the_message_id_as_correlation_id_and_flushes_metrics(capsys):
    from chalicelib.observability import logger, metrics

    class FakeSqsEvent:
        def to_dict(self):
            return {"Records": [{"messageId": "message-42"}]}

    @observed
    def trigger(event):
        metrics.add_metric(name="Seen", unit="Count", value=1)
        logger.info("handled")
        return "done"

    log = io.StringIO()
    previous = logger.registered_handler.setStream(log)
    try:
        assert trigger(FakeSqsEvent()) == "done"
    finally:
        logger.registered_handler.setStream(previous)
        logger.set_correlation_id(None)
    [handled] = [json.loads(line) for line in log.getvalue().splitlines() if '"handled"' in line]
    assert handled["correlation_id"] == "message-42"
    flushed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert flushed and "Seen" in flushed[0]


def test_a_trigger_imported_without_the_app_sets_its_correlation_id():
    """What Lambda does: import only the trigger's module and call the handler string's target."""
    script = textwrap.dedent(
        """
        import json, os, sys
        os.environ.update(json.load(open(".chalice/config.json"))["stages"]["local"]["environment_variables"])
        import chalicelib.triggers.intake as module
        assert "app" not in sys.modules
        from chalicelib.observability import logger
        seen = {}
        module.services = lambda: type("S", (), {"intake": type("I", (), {
            "sweep_stuck": staticmethod(lambda now: seen.setdefault("id", logger.get_correlation_id()) and 0)})()})()
        event = {"id": "schedule-event-7", "time": "2026-11-30T00:00:00Z", "detail-type": "Scheduled Event",
                 "source": "aws.events", "resources": [], "detail": {}, "account": "1", "region": "x",
                 "version": "0"}
        module.sweep_stuck_validations(event, None)
        print(seen["id"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "schedule-event-7"
