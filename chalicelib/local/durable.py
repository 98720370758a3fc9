"""The local cloud's memory: moto behind one lock, every confirmed change on disk before its answer.

moto keeps its state in memory and is not safe under concurrent writes (its
TransactWriteItems restores a copy of the table when a transaction fails, wiping
a write that committed meanwhile). So every request to the emulator runs under
one lock, and every request that changes state is appended to a journal that is
fsynced before the answer leaves. At start the last snapshot is loaded and the
journal replayed into the fresh moto; moto's random source is seeded with each
entry's sequence number, so the replay hands out the same ids (queue messages,
user pools, upload ids) that clients saw. A snapshot of the replayed state then
replaces the journal, which keeps start-up fast.

Queue consumption (receive, delete, visibility) is not replayed request by request:
its outcome depends on the clock. The journal records what it changed instead:
receive counts, messages gone, messages moved to the dead-letter queue.
"""
from __future__ import annotations

import base64
import copyreg
import io
import json
import logging
import os
import pickle
import threading
import time
import uuid
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import parse_qsl, urlencode

log = logging.getLogger("contest.local.durable")

SNAPSHOT_FORMAT = 1
PERSISTED_SERVICES = ("dynamodb", "s3", "sqs", "cognito-idp")
COMPACT_AFTER_BYTES = 256 * 1024 * 1024
# Larger bodies (video parts) go to a file of their own, fsynced by their own request: the
# journal stays small, and its shared fsync never waits for megabytes of someone else's upload.
BLOB_BYTES = 256 * 1024
_READ_PREFIXES = ("Get", "BatchGet", "Query", "Scan", "TransactGet", "Describe", "List", "AdminGet", "AdminList")
_QUEUE_CONSUMPTION = {"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
                      "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"}
_REPLAYED_ENVIRON_PREFIXES = ("HTTP_", "REQUEST_", "PATH_", "QUERY_", "CONTENT_", "SERVER_", "SCRIPT_", "RAW_")
_LONG_POLL_STEP_SECONDS = 0.05


class Kind(Enum):
    READ = "read"
    CHANGE = "change"
    QUEUE_CONSUMPTION = "queue-consumption"


def operation(environ: dict[str, Any], body: bytes) -> str:
    """The API operation a request asks for: X-Amz-Target, a query-protocol Action, or ''."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rpartition(".")[2]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and b"Action=" in body:
        return dict(parse_qsl(body.decode("utf-8", "replace"))).get("Action", "")
    return ""


def classify(environ: dict[str, Any], body: bytes) -> Kind:
    if environ.get("PATH_INFO", "").startswith("/moto-api"):
        return Kind.READ
    name = operation(environ, body)
    if name in _QUEUE_CONSUMPTION:
        return Kind.QUEUE_CONSUMPTION
    if name:
        return Kind.READ if name.startswith(_READ_PREFIXES) else Kind.CHANGE
    # REST (S3, Cognito's JWKS): the method says it.
    return Kind.READ if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD", "OPTIONS") else Kind.CHANGE


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])


def call(app: Callable, environ: dict[str, Any]) -> Answer:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return Answer(captured["status"], captured["headers"], body)


def replayable_environ(environ: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {k: v for k, v in environ.items()
                            if isinstance(v, str) and k.startswith(_REPLAYED_ENVIRON_PREFIXES)}
    kept["wsgi.url_scheme"] = environ.get("wsgi.url_scheme", "http")
    for key, value in environ.items():
        if key.startswith("moto.") and isinstance(value, dict):
            kept[key] = value  # moto's record of header names with underscores (S3 metadata)
    return kept


def rebuilt_environ(saved: dict[str, Any], body: bytes) -> dict[str, Any]:
    environ = dict(saved)
    environ.update({
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
    })
    return environ


def _request_body(environ: dict[str, Any]) -> bytes:
    from werkzeug.wsgi import get_input_stream

    return get_input_stream(environ, safe_fallback=True).read()


# ---- queue consumption, recorded as its effect -------------------------------------------------

def _queue_name(environ: dict[str, Any], body: bytes) -> str:
    url = ""
    if environ.get("HTTP_X_AMZ_TARGET"):
        try:
            url = json.loads(body or b"{}").get("QueueUrl", "")
        except ValueError:
            url = ""
    else:
        url = dict(parse_qsl(body.decode("utf-8", "replace"))).get("QueueUrl", "") or environ.get("PATH_INFO", "")
    return url.rstrip("/").rpartition("/")[2]


def _find_queue(name: str) -> tuple[str, str, Any] | None:
    from moto.sqs.models import sqs_backends

    for account, regions in list(sqs_backends.items()):
        for region, backend in list(regions.items()):
            queue = backend.queues.get(name)
            if queue is not None:
                return account, region, queue
    return None


def _queue_state(queue: Any) -> tuple[dict[str, int], set[str]]:
    counts = {m.id: m.approximate_receive_count for m in queue._messages}
    dead = {m.id for m in queue.dead_letter_queue._messages} if queue.dead_letter_queue is not None else set()
    return counts, dead


def queue_effect(queue: Any, before: tuple[dict[str, int], set[str]]) -> dict[str, Any] | None:
    (counts_before, dead_before), (counts_after, dead_after) = before, _queue_state(queue)
    gone = [mid for mid in counts_before if mid not in counts_after]
    moved = [mid for mid in gone if mid in dead_after and mid not in dead_before]
    counts = {mid: n for mid, n in counts_after.items() if counts_before.get(mid) != n}
    if not (gone or counts):
        return None
    return {"queue": queue.name, "counts": counts, "gone": gone, "moved": moved}


def apply_queue_effect(effect: dict[str, Any]) -> None:
    found = _find_queue(effect["queue"])
    if found is None:
        return
    queue = found[2]
    by_id = {m.id: m for m in queue._messages}
    for mid, count in effect["counts"].items():
        if mid in by_id:
            by_id[mid].approximate_receive_count = count
    gone = set(effect["gone"])
    leaving = [m for m in queue._messages if m.id in gone]
    queue._messages = [m for m in queue._messages if m.id not in gone]
    for message in leaving:
        queue.pending_messages.discard(message)
        if message.id in effect["moved"] and queue.dead_letter_queue is not None:
            queue.dead_letter_queue._messages.append(message)


def _without_long_poll(environ: dict[str, Any], body: bytes) -> tuple[bytes, float]:
    """The same ReceiveMessage asking for no wait, and the wait it asked for."""
    if environ.get("HTTP_X_AMZ_TARGET"):
        request = json.loads(body or b"{}")
        wait = float(request.get("WaitTimeSeconds") or 0)
        request["WaitTimeSeconds"] = 0
        return json.dumps(request).encode(), wait
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    wait = float(dict(fields).get("WaitTimeSeconds") or 0)
    fields = [(k, v) for k, v in fields if k != "WaitTimeSeconds"] + [("WaitTimeSeconds", "0")]
    return urlencode(fields).encode(), wait


def _delivered_something(answer: Answer) -> bool:
    if answer.code >= 300:
        return True
    return b'"Messages"' in answer.body or b"<Message>" in answer.body


# ---- snapshots ----------------------------------------------------------------------------------

def _fresh_lock(_lock: Any) -> tuple[Callable, tuple]:
    return threading.Lock, ()


def _fresh_rlock(_lock: Any) -> tuple[Callable, tuple]:
    return threading.RLock, ()


def _moto_signing_key() -> Any:
    from joserfc import jwk
    from moto.utilities.utils import load_resource

    return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


def _signing_key_reduce(_key: Any) -> tuple[Callable, tuple]:
    # moto signs every pool's tokens with the key it ships; reloading it keeps old tokens valid.
    return _moto_signing_key, ()


def _register_pickling() -> None:
    from joserfc import jwk

    copyreg.pickle(type(threading.Lock()), _fresh_lock)
    copyreg.pickle(type(threading.RLock()), _fresh_rlock)
    copyreg.pickle(jwk.RSAKey, _signing_key_reduce)


def _backend_dicts() -> dict[str, Any]:
    from moto.backends import get_backend

    return {service: get_backend(service) for service in PERSISTED_SERVICES}


def capture_state() -> dict[str, Any]:
    dicts = _backend_dicts()
    return {
        "backends": {service: {account: dict(regions) for account, regions in bd.items()}
                     for service, bd in dicts.items()},
        "bucket_accounts": dict(dicts["s3"].bucket_accounts),
    }


def restore_state(state: dict[str, Any]) -> None:
    dicts = _backend_dicts()
    for service, accounts in state["backends"].items():
        for account, regions in accounts.items():
            specific = dicts[service][account]
            for region, backend in regions.items():
                dict.__setitem__(specific, region, backend)
    dicts["s3"].bucket_accounts.update(state["bucket_accounts"])


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- the journal ------------------------------------------------------------------------------

class Journal:
    """Appends one JSON line per change; `sync(offset)` returns once that line is on disk.

    Writers append under the emulator's lock (so the file's order is the order moto
    applied them) and sync outside it, so concurrent writers share one fsync.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "ab")
        self._sync_lock = threading.Lock()
        self._synced = self._file.tell()

    @property
    def size(self) -> int:
        return self._file.tell()

    def append(self, record: dict[str, Any]) -> int:
        self._file.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
        self._file.flush()
        return self._file.tell()

    def sync(self, offset: int) -> None:
        with self._sync_lock:
            if self._file.closed or self._synced >= offset:
                return  # closed only after a snapshot that holds every line it had
            target = self._file.tell()
            os.fsync(self._file.fileno())
            self._synced = target

    def close(self) -> None:
        self._file.close()


def read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete record; a line torn by a crash mid-write ends the journal."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            try:
                yield json.loads(line)
            except ValueError:
                return


# ---- the durable emulator -----------------------------------------------------------------------

class SerialisedCloud:
    """A WSGI wrapper around moto: one request at a time, changes journaled when a directory is given."""

    def __init__(self, app: Callable, state_dir: Path | None = None,
                 compact_after_bytes: int = COMPACT_AFTER_BYTES) -> None:
        from moto.moto_api._internal import mock_random

        self._app = app
        self._random = mock_random
        self._lock = threading.RLock()
        self._state_dir = state_dir
        self._compact_after_bytes = compact_after_bytes
        self._journal: Journal | None = None
        self._seq = 0
        # Seeds are salted per state directory: after `make reset` ids (pools, clients) are new ones.
        self._salt = os.urandom(8).hex()
        self.replayed = 0
        self.fresh = True
        self._blob_lock = threading.Lock()
        self._blobs_in_flight: set[str] = set()
        if state_dir is not None:
            _register_pickling()
            state_dir.mkdir(parents=True, exist_ok=True)
            self._recover()

    @property
    def snapshot_path(self) -> Path:
        assert self._state_dir is not None
        return self._state_dir / "snapshot.pickle"

    @property
    def journal_path(self) -> Path:
        assert self._state_dir is not None
        return self._state_dir / "journal.jsonl"

    @property
    def blob_dir(self) -> Path:
        assert self._state_dir is not None
        return self._state_dir / "blobs"

    def _write_blob(self, body: bytes) -> str:
        name = f"{uuid.uuid4().hex}.bin"
        with self._blob_lock:
            self._blobs_in_flight.add(name)
        self.blob_dir.mkdir(exist_ok=True)
        with open(self.blob_dir / name, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_directory(self.blob_dir)
        return name

    def _blob_settled(self, name: str, keep: bool) -> None:
        with self._blob_lock:
            self._blobs_in_flight.discard(name)
        if not keep:
            (self.blob_dir / name).unlink(missing_ok=True)

    def _remove_blobs_in_the_snapshot(self) -> None:
        if not self.blob_dir.exists():
            return
        with self._blob_lock:
            in_flight = set(self._blobs_in_flight)
        for blob in self.blob_dir.iterdir():
            if blob.name not in in_flight:
                blob.unlink(missing_ok=True)

    # -- start-up

    def _recover(self) -> None:
        self.fresh = not self.snapshot_path.exists() and not self.journal_path.exists()
        if self.snapshot_path.exists():
            snapshot = pickle.loads(self.snapshot_path.read_bytes())
            if snapshot.get("format") != SNAPSHOT_FORMAT:
                raise RuntimeError(f"{self.snapshot_path} has another format; `make reset` starts clean")
            restore_state(snapshot["state"])
            self._seq, self._salt = snapshot["seq"], snapshot["salt"]
        for record in read_journal(self.journal_path):
            if record["seq"] <= self._seq:
                continue
            self._replay(record)
            self._seq = record["seq"]
            self.replayed += 1
        self.compact()

    def _seed(self, seq: int) -> str:
        return f"{self._salt}:{seq}"

    def _replay(self, record: dict[str, Any]) -> None:
        if "queue_effect" in record:
            apply_queue_effect(record["queue_effect"])
            return
        if "body_file" in record:
            body = (self.blob_dir / record["body_file"]).read_bytes()
        else:
            body = base64.b64decode(record["body"])
        self._random.seed(self._seed(record["seq"]))
        try:
            answer = call(self._app, rebuilt_environ(record["environ"], body))
        finally:
            self._random.seed()
        if answer.code >= 400:
            log.warning("journal entry %s replayed as %s", record["seq"], answer.status)

    def compact(self) -> None:
        """Write a snapshot of everything, then start an empty journal."""
        if self._state_dir is None:
            return
        with self._lock:
            data = pickle.dumps({"format": SNAPSHOT_FORMAT, "seq": self._seq, "salt": self._salt,
                                 "state": capture_state()},
                                protocol=pickle.HIGHEST_PROTOCOL)
            _write_atomically(self.snapshot_path, data)
            if self._journal is not None:
                self._journal.close()
            # Entries up to `seq` are in the snapshot: a crash before this truncation only replays nothing.
            with open(self.journal_path, "wb") as handle:
                os.fsync(handle.fileno())
            self._journal = Journal(self.journal_path)
            self._remove_blobs_in_the_snapshot()

    def close(self) -> None:
        if self._state_dir is not None:
            self.compact()
            assert self._journal is not None
            self._journal.close()

    # -- serving

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        body = _request_body(environ)
        kind = classify(environ, body)
        if kind is Kind.QUEUE_CONSUMPTION and operation(environ, body) == "ReceiveMessage":
            answer = self._receive(environ, body)
        else:
            answer = self._serve(environ, body, kind)
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _serve(self, environ: dict[str, Any], body: bytes, kind: Kind) -> Answer:
        environ = dict(environ)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        offset = 0
        journaled = self._journal is not None
        blob = self._write_blob(body) if journaled and kind is Kind.CHANGE and len(body) >= BLOB_BYTES else None
        try:
            answer, offset = self._serve_locked(environ, body, kind, journaled, blob)
        finally:
            if blob is not None:
                self._blob_settled(blob, keep=bool(offset))
        if offset:
            self._journal.sync(offset)  # type: ignore[union-attr]
            if self._journal is not None and self._journal.size > self._compact_after_bytes:
                self.compact()
        return answer

    def _serve_locked(self, environ: dict[str, Any], body: bytes, kind: Kind, journaled: bool,
                      blob: str | None) -> tuple[Answer, int]:
        offset = 0
        with self._lock:
            if kind is Kind.CHANGE and journaled:
                self._random.seed(self._seed(self._seq + 1))
            queue = _find_queue(_queue_name(environ, body)) if kind is Kind.QUEUE_CONSUMPTION else None
            before = _queue_state(queue[2]) if queue else None
            try:
                answer = call(self._app, environ)
            finally:
                if kind is Kind.CHANGE and journaled:
                    self._random.seed()
            if self._journal is not None:
                record = self._record(kind, environ, body, answer, queue, before, blob)
                if record is not None:
                    self._seq += 1
                    record["seq"] = self._seq
                    offset = self._journal.append(record)
        return answer, offset

    def _record(self, kind: Kind, environ: dict[str, Any], body: bytes, answer: Answer,
                queue: tuple[str, str, Any] | None, before: Any, blob: str | None) -> dict[str, Any] | None:
        if kind is Kind.CHANGE and answer.code < 400:
            record: dict[str, Any] = {"at": time.time(), "environ": replayable_environ(environ)}
            if blob is not None:
                record["body_file"] = blob
            else:
                record["body"] = base64.b64encode(body).decode()
            return record
        if kind is Kind.QUEUE_CONSUMPTION and queue is not None:
            effect = queue_effect(queue[2], before)
            if effect is not None:
                return {"at": time.time(), "queue_effect": effect}
        return None

    def _receive(self, environ: dict[str, Any], body: bytes) -> Answer:
        """Long polls wait outside the lock: a short receive, again and again until the wait is over."""
        short_body, wait = _without_long_poll(environ, body)
        deadline = time.monotonic() + min(wait, 20)
        while True:
            answer = self._serve(environ, short_body, Kind.QUEUE_CONSUMPTION)
            if _delivered_something(answer) or time.monotonic() >= deadline:
                return answer
            time.sleep(_LONG_POLL_STEP_SECONDS)


class LocalCloudServer:
    """moto's server app behind `SerialisedCloud`, served by a threaded werkzeug server on loopback."""

    def __init__(self, port: int, state_dir: Path | None = None, host: str = "127.0.0.1") -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.cloud = SerialisedCloud(DomainDispatcherApplication(create_backend_app), state_dir)
        self._server = make_server(host, port, self.cloud, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-cloud", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self.cloud.close()
