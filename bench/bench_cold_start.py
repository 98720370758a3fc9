"""Cold-start benchmark: what each Lambda function's import costs, from the built package.

For every function of build/prod/out/sam.json (rebuilt with `make package STAGE=prod` when older
than the code), under the packaging venv's CPython 3.13 with only the unzipped package and the
runtime's libraries on the path (as on Lambda): the CPU time (process_time, a fresh interpreter each
run, -X frozen_modules=on) of importing the function's handler, against `import boto3` in the same
interpreter. Runs alternate; figures are medians. Also, per function, "first call": the handler's
import plus the services its first invocation builds, asked of the composition root (informational).
Then the zip's size, and `./contest validate` against `ffprobe` on a 3-minute 1080x1920 H.264 file
(whole-process CPU, as users run it). Not a test: it prints figures.

    make bench            # or: .venv/bin/python bench/bench_cold_start.py
"""
from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.lambda_task import (PACKAGE_PYTHON, function_environment, functions,  # noqa: E402
                                 isolated_command, simulate_runtime, unpack)

BUILD = ROOT / "build" / "prod"
OUT = BUILD / "out"
ROUNDS = 9
API_FUNCTION = "APIHandler"
TARGETS = {"api": 2.0, "other": 1.5, "validate": 2.5}
# What makes the package: when any of it is newer than the zip, the zip is rebuilt.
PACKAGE_INPUTS = ("app.py", "chalicelib", "requirements.txt", "requirements-package.txt", "scripts",
                  ".chalice/config.json", "infra")
# The API has many routes; its first call here is a participant's own entry (the busiest route).
API_FIRST_CALL_SERVICES = ("token_verifier", "participants")
MEASURE = "import time\nstarted = time.process_time()\nexec({statement!r})\nprint(time.process_time() - started)\n"
VIDEO = ROOT / "build" / "bench" / "3min-1080x1920.mp4"
MB = 1_000_000


def newest_input() -> float:
    newest = 0.0
    for name in PACKAGE_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else [
            f for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def fresh_package() -> Path:
    zip_path = OUT / "deployment.zip"
    if zip_path.exists() and zip_path.stat().st_mtime >= newest_input():
        print(f"reusing {zip_path.relative_to(ROOT)} (newer than the code)")
    else:
        print("building the package: make package STAGE=prod", flush=True)
        # `make bench` has set the dev venv up already: only the package is rebuilt.
        subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "package", "STAGE=prod"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return zip_path


def handler_statement(handler: str) -> str:
    module, attribute = handler.rsplit(".", 1)
    return f"import importlib\ngetattr(importlib.import_module({module!r}), {attribute!r})"


def first_call_services(task_dir: Path, function: str, handler: str) -> tuple[str, ...] | str:
    """The container's attributes the function's first invocation builds, or why there is no answer."""
    bootstrap = task_dir / "chalicelib" / "bootstrap.py"
    if not bootstrap.exists():
        return "n/a: no chalicelib/bootstrap.py (no composition root to ask)"
    source = bootstrap.read_text()
    if "def services(" not in source:
        return "n/a: chalicelib.bootstrap has no services() accessor"
    if function == API_FUNCTION:
        names = API_FIRST_CALL_SERVICES
    else:
        module_file = task_dir / (handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
        names = tuple(sorted(set(re.findall(r"services\(\)\.(\w+)", module_file.read_text()))))
    missing = [n for n in names if not re.search(rf"def {n}\(self", source)]
    if not names or missing:
        return f"n/a: the container builds no {', '.join(missing) or 'service for it'}"
    return names


def first_call_statement(handler: str, names: tuple[str, ...]) -> str:
    return (handler_statement(handler) + "\nfrom chalicelib.bootstrap import services\n"
            + "".join(f"services().{name}\n" for name in names))


def child_cpu(command: list[str], env: dict[str, str], cwd: Path) -> float:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[-1][:200]}…\n{result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def whole_process_cpu(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def video() -> Path:
    if not VIDEO.exists():
        from bench_validator import _ffmpeg

        VIDEO.parent.mkdir(parents=True, exist_ok=True)
        print("generating a 3-minute 1080x1920 H.264 file (about a minute)…", flush=True)
        _ffmpeg(VIDEO, "+faststart")
    return VIDEO


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:5.2f}x  target <= {target}x  {'met' if ratio <= target else 'NOT MET'}"


def main() -> int:
    if not PACKAGE_PYTHON.exists():
        print("no packaging venv: run `make package-venv`", file=sys.stderr)
        return 1
    if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
        print("ffmpeg/ffprobe are missing: run `make system-deps`", file=sys.stderr)
        return 1
    zip_path = fresh_package()
    template = OUT / "sam.json"
    lambda_dir = BUILD / "lambda"
    shutil.rmtree(lambda_dir, ignore_errors=True)
    task_dir = unpack(zip_path, lambda_dir / "task")
    runtime_dir = simulate_runtime(lambda_dir / "runtime")
    paths = [task_dir, runtime_dir]

    handlers = {name: props["Handler"] for name, props in sorted(functions(template).items())}
    runs: dict[tuple[str, str], list[float]] = {}
    plan: list[tuple[tuple[str, str], list[str], dict[str, str]]] = []
    baseline_env = function_environment(template, API_FUNCTION)
    plan.append((("boto3", "import"), isolated_command(paths, MEASURE.format(statement="import boto3")), baseline_env))
    first_calls: dict[str, tuple[str, ...] | str] = {}
    for name, handler in handlers.items():
        env = function_environment(template, name)
        plan.append(((name, "import"), isolated_command(paths, MEASURE.format(statement=handler_statement(handler))),
                     env))
        first_calls[name] = first_call_services(task_dir, name, handler)
        if isinstance(first_calls[name], tuple):
            statement = first_call_statement(handler, first_calls[name])
            plan.append(((name, "first call"), isolated_command(paths, MEASURE.format(statement=statement)), env))

    print(f"measuring {len(plan)} imports x {ROUNDS} alternating rounds…", flush=True)
    for _ in range(ROUNDS):
        for key, command, env in plan:
            runs.setdefault(key, []).append(child_cpu(command, env, task_dir))
    median = {key: statistics.median(values) for key, values in runs.items()}
    boto3 = median[("boto3", "import")]

    python = subprocess.run([str(PACKAGE_PYTHON), "-c", "import sys; print(sys.version.split()[0])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    print()
    print(f"Import CPU from the built package (CPython {python}, -X frozen_modules=on, read-only bytecode, "
          f"median of {ROUNDS} alternating runs)")
    print(f"  import boto3 (the runtime's): {boto3 * 1000:6.1f} ms")
    print(f"  {'function':<26}{'handler':<56}{'import ms':>10}  {'vs boto3':<36}{'first call ms':>14}")
    met = True
    for name, handler in handlers.items():
        ratio = median[(name, "import")] / boto3
        target = TARGETS["api"] if name == API_FUNCTION else TARGETS["other"]
        met &= ratio <= target
        first = median.get((name, "first call"))
        first_text = f"{first * 1000:14.1f}" if first is not None else f"{'n/a':>14}"
        print(f"  {name:<26}{handler:<56}{median[(name, 'import')] * 1000:10.1f}  {verdict(ratio, target):<36}"
              f"{first_text}")
    print("  first call = the handler's import + the services its first invocation builds:")
    for name, services in first_calls.items():
        described = ", ".join(services) if isinstance(services, tuple) else services
        print(f"    {name:<26}{described}")

    with zipfile.ZipFile(zip_path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    size = zip_path.stat().st_size
    print()
    print(f"deployment.zip: {size / MB:.2f} MB ({size:,} bytes), {unzipped / MB:.1f} MB unzipped   "
          f"target <= 12 MB  {'met' if size <= 12 * MB else 'NOT MET'}")

    path = video()
    contest = [str(ROOT / "contest"), "validate", str(path)]
    ffprobe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", str(path)]
    whole_process_cpu(contest)  # the first run may build the dev venv; it is not measured
    cli, probe = [], []
    for _ in range(ROUNDS):
        cli.append(whole_process_cpu(contest))
        probe.append(whole_process_cpu(ffprobe))
    cli_ms, probe_ms = statistics.median(cli) * 1000, statistics.median(probe) * 1000
    validate_ratio = cli_ms / probe_ms
    print(f"./contest validate {path.relative_to(ROOT)}: {cli_ms:.0f} ms CPU (whole process), "
          f"ffprobe {probe_ms:.0f} ms: {verdict(validate_ratio, TARGETS['validate'])}")
    print()
    met &= size <= 12 * MB and validate_ratio <= TARGETS["validate"]
    print("Targets:", "all met" if met else "NOT all met (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
