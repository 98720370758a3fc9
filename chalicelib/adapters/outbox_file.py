"""The local outbox: every message SES accepted on the local cloud, kept beside its state.

moto's SES keeps sent messages in memory only, so the local stage's mailer also
appends each accepted message to a JSON-lines file in the state directory (fsynced
before the send counts as done): `./contest outbox` reads it, and it survives a
restart like everything else the local cloud confirmed.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from chalicelib.domain.notifications import OutgoingEmail

_write_lock = threading.Lock()


class RecordingMailer:
    def __init__(self, mailer: Any, path: str | Path) -> None:
        self._mailer = mailer
        self._path = Path(path)

    def send(self, email: OutgoingEmail) -> str:
        message_id = self._mailer.send(email)
        record = {
            "to": email.to,
            "subject": email.message.subject,
            "text": email.message.text,
            "html": email.message.html,
            "entry": email.submission_id,
            "event": email.event_key,
            "message_id": message_id,
            "sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with _write_lock, open(self._path, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        return message_id


def read_outbox(path: str | Path, to: str | None = None) -> list[dict]:
    """Sent messages, oldest first; a line torn by a crash mid-write is skipped."""
    path = Path(path)
    if not path.exists():
        return []
    wanted = to.strip().lower() if to else None
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if wanted is None or record.get("to", "").lower() == wanted:
            messages.append(record)
    return messages
