"""A sweep of bad requests against the local product: every answer must be a 4xx in the project's
error shape (or a success where the input is merely odd), never a 5xx, never a hang, always
within 5 s and under 1 MB.

Every operation in docs/openapi.yaml is hit, as an anonymous caller and as the local admin, with
hostile path ids, query values, headers and bodies: JSON nested 1,000 deep, invalid UTF-8,
long and odd ids, injection strings, Unicode digits, huge numbers and 10 MB bodies; opaque
cursors that decode to deep or huge JSON, 400 KB of bad organisation rows, methods a path does
not serve and paths the API does not have.

    .venv/bin/python bench/bench_bad_input.py                 # starts its own local product
    .venv/bin/python bench/bench_bad_input.py --url http://localhost:8000   # against `make run`

Exits 1 when any answer breaks the rules above, after printing the summary.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT_S = 5.0
SIZE_LIMIT = 1024 * 1024
ADMIN = {"username": os.environ.get("LOCAL_ADMIN_USERNAME", "admin"),
         "password": os.environ.get("LOCAL_ADMIN_PASSWORD", "Local-Contest-2026!")}

ODD_IDS = {
    "long id": "a" * 5000,
    "unicode id": quote("Hà-Nội-😀"),
    "traversal": "../../etc/passwd",
    "nul byte": "%00",
    "invalid utf-8": "%ff%fe%fd",
    "sql injection": quote("1' OR '1'='1"),
    "nosql injection": quote('{"$gt": ""}'),
    "script": quote("<script>alert(1)</script>"),
}
ODD_NUMBERS = {
    "superscript two": "²",
    "arabic-indic digits": "١٢",
    "4301 digits": "9" * 4301,
    "negative": "-1",
    "float": "1.5",
    "exponent": "1e9",
    "empty": "",
    "nan": "NaN",
}


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


BODIES: dict[str, tuple[bytes, str]] = {
    "nested 1000 arrays": (deep_json(1000), "application/json"),
    "nested 1000 objects": (deep_object(1000), "application/json"),
    "nested 100000 arrays": (deep_json(100_000), "application/json"),
    "invalid utf-8": (b'{"title": "\xff\xfe"}', "application/json"),
    "not json": (b"title=hello&unit_id=x", "application/json"),
    "form encoded": (b"title=hello&unit_id=x", "application/x-www-form-urlencoded"),
    "text/plain": (b"hello", "text/plain"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "json null": (b"null", "application/json"),
    "huge number": (b'{"size_bytes": 1e999999, "limit": ' + b"9" * 5000 + b"}", "application/json"),
    "injection strings": (json.dumps({"title": "'; DROP TABLE x; --", "unit_id": "../..",
                                      "authors": [{"name": "<script>", "email": "a@b"}]}).encode(),
                          "application/json"),
    "wrong types": (json.dumps({"title": 1, "unit_id": [], "authors": "x", "file_name": {},
                                "content_type": None, "size_bytes": "big", "decision": 7}).encode(),
                    "application/json"),
    "10 MB": (b'{"title": "' + b"x" * (10 * 1024 * 1024) + b'"}', "application/json"),
}
def bad_rows_csv(size: int) -> bytes:
    rows = ["unit_id,name,parent_id,level"]
    while sum(len(r) + 1 for r in rows) < size:
        rows.append(f"u{len(rows)},Đơn vị {len(rows)},khong-co-{len(rows)},province")
    return "\n".join(rows).encode("utf-8")


BODIES["400 KB of bad rows as CSV"] = (bad_rows_csv(400 * 1024), "text/csv")
CURSORS = {
    "nested 1000 arrays": base64.urlsafe_b64encode(deep_json(1000)).decode().rstrip("="),
    "4301-digit number": base64.urlsafe_b64encode(b"9" * 4301).decode().rstrip("="),
    "not base64": "%%%%",
    "long": "A" * 5000,
    "request line over 64 KB": "A" * 100_000,
}
UNKNOWN_PATHS = ["/khong-co", "/campaigns/x/y/z/w/v", "/" + "a" * 2000, "/%ff%fe", "/campaigns/../../etc/passwd"]
HEADERS = {
    "long idempotency key": {"Idempotency-Key": "k" * 300},
    "garbage bearer": {"Authorization": "Bearer not.a.token"},
    "huge bearer": {"Authorization": "Bearer " + "x" * 10_000},
    "odd accept": {"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}


@dataclass
class Probe:
    method: str
    path: str
    variant: str
    identity: str
    body: bytes | None = None
    content_type: str | None = None
    headers: dict | None = None


@dataclass
class Answer:
    probe: Probe
    status: int | None
    seconds: float
    size: int
    error_shape: bool
    excerpt: str


def operations() -> list[tuple[str, str, dict]]:
    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path, operation))
    return found


def integer_query_names(operation: dict, spec_parameters: dict) -> list[str]:
    names = []
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = spec_parameters.get(parameter["$ref"].rsplit("/", 1)[-1], {})
        if parameter.get("in") in ("query", "path") and parameter.get("schema", {}).get("type") == "integer":
            names.append((parameter["in"], parameter["name"]))
    return names


def fill(path: str, value: str, numbers: dict[str, str] | None = None) -> str:
    out = path
    for name, number in (numbers or {}).items():
        out = out.replace("{" + name + "}", number)
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        out = out[:start] + value + out[end + 1:]
    return out


def probes(identities: list[str]) -> list[Probe]:
    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
    parameters = spec.get("components", {}).get("parameters", {})
    out: list[Probe] = []
    for identity in identities:
        for method, path, operation in operations():
            has_params = "{" in path
            if has_params:
                for variant, value in ODD_IDS.items():
                    out.append(Probe(method, fill(path, value, {"week": "1"}), f"path {variant}", identity))
            for where, name in integer_query_names(operation, parameters):
                for variant, number in ODD_NUMBERS.items():
                    if where == "path":
                        target = fill(path, "khat-vong-hung-cuong", {name: quote(number) or "%20"})
                    else:
                        target = fill(path, "khat-vong-hung-cuong", {"week": "1"}) + f"?{name}={quote(number)}"
                    out.append(Probe(method, target, f"{where} {name} {variant}", identity))
            base = fill(path, "khat-vong-hung-cuong", {"week": "1"})
            for variant, headers in HEADERS.items():
                out.append(Probe(method, base, f"header {variant}", identity, headers=headers))
            if method in ("POST", "PUT", "PATCH"):
                for variant, (body, content_type) in BODIES.items():
                    out.append(Probe(method, base, f"body {variant}", identity, body, content_type))
            out.append(Probe(method, base + "?format=xlsx&lang=%ff", "odd format and lang", identity))
            if any(p.get("name") == "cursor" for p in operation.get("parameters", [])):
                for variant, cursor in CURSORS.items():
                    out.append(Probe(method, f"{base}?cursor={cursor}", f"cursor {variant}", identity))
        for path, served in served_methods().items():
            base = fill(path, "khat-vong-hung-cuong", {"week": "1"})
            for method in sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - served):
                out.append(Probe(method, base, "method not served", identity))
        for path in UNKNOWN_PATHS:
            for method in ("GET", "POST"):
                out.append(Probe(method, path, "unknown path", identity))
    return out


def served_methods() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for method, path, _ in operations():
        found.setdefault(path, set()).add(method)
    return found


def send(base_url: str, probe: Probe, token: str | None) -> Answer:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIME_LIMIT_S)
    headers = {"Accept-Language": "vi"}
    if token and probe.identity == "admin":
        headers["Authorization"] = f"Bearer {token}"
    if probe.content_type:
        headers["Content-Type"] = probe.content_type
    headers.update(probe.headers or {})
    started = time.monotonic()
    try:
        connection.request(probe.method, probe.path, body=probe.body, headers=headers)
        response = connection.getresponse()
        data = response.read(SIZE_LIMIT + 1)
        status = response.status
    except (TimeoutError, socket.timeout):
        return Answer(probe, None, time.monotonic() - started, 0, False, "timeout")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(probe, None, time.monotonic() - started, 0, False, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
    seconds = time.monotonic() - started
    try:
        parsed = json.loads(data)
        shaped = (isinstance(parsed, dict) and isinstance(parsed.get("error"), dict)
                  and {"code", "message", "message_vi", "message_en"} <= set(parsed["error"]))
    except ValueError:
        shaped = False
    return Answer(probe, status, seconds, len(data), shaped, data[:160].decode("utf-8", "replace"))


def admin_token(base_url: str) -> str:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
    connection.request("POST", "/auth/token", body=json.dumps(ADMIN), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"admin sign-in failed: {response.status} {body}")
    return body.get("id_token") or body["token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_product() -> tuple[subprocess.Popen, str]:
    api_port, cloud_port = free_port(), free_port()
    state = tempfile.mkdtemp(prefix="contest-sweep-")
    env = {**os.environ, "LOCAL_STATE_DIR": state}
    process = subprocess.Popen(
        [sys.executable, "-m", "chalicelib.local.runner", "--port", str(api_port), "--cloud-port", str(cloud_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", api_port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process, url
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit("the local product did not start")
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the local product did not answer /health within 180 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running product (default: start one on free ports)")
    args = parser.parse_args()
    process = None
    url = args.url
    if not url:
        process, url = start_product()
    try:
        token = admin_token(url)
        sweep = probes(["anonymous", "admin"])
        started = time.monotonic()
        answers = [send(url, probe, token) for probe in sweep]
        elapsed = time.monotonic() - started
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    return report(answers, elapsed)


def report(answers: list[Answer], elapsed: float) -> int:
    by_class = Counter((f"{a.status // 100}xx" if a.status else "no answer") for a in answers)
    by_status = Counter(a.status for a in answers)
    server_errors = [a for a in answers if a.status and a.status >= 500]
    hangs = [a for a in answers if a.status is None]
    slow = [a for a in answers if a.seconds > TIME_LIMIT_S]
    large = [a for a in answers if a.size > SIZE_LIMIT]
    unshaped = [a for a in answers if a.status and 400 <= a.status < 500 and not a.error_shape]
    print(f"Bad-input sweep: {len(answers)} requests in {elapsed:.1f} s "
          f"({len({(a.probe.method, a.probe.path.split('?')[0]) for a in answers})} distinct targets)")
    print("  by class:  " + ", ".join(f"{k} {v}" for k, v in sorted(by_class.items())))
    print("  by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items(), key=lambda kv: str(kv[0]))))
    print(f"  5xx: {len(server_errors)}   hangs/no answer: {len(hangs)}   over {TIME_LIMIT_S:.0f} s: {len(slow)}   "
          f"over 1 MB: {len(large)}   4xx not in the error shape: {len(unshaped)}")
    slowest = max(answers, key=lambda a: a.seconds)
    biggest = max(answers, key=lambda a: a.size)
    print(f"  slowest: {slowest.seconds:.2f} s ({slowest.probe.method} {slowest.probe.variant}); "
          f"largest answer: {biggest.size:,} bytes ({biggest.probe.method} {biggest.probe.variant})")
    problems = server_errors + hangs + slow + large + unshaped
    for answer in problems[:40]:
        print(f"  ! {answer.status} {answer.probe.identity:<9} {answer.probe.method} "
              f"{answer.probe.path[:70]} [{answer.probe.variant}] {answer.seconds:.2f}s {answer.excerpt[:100]!r}")
    if len(problems) > 40:
        print(f"  ... and {len(problems) - 40} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
