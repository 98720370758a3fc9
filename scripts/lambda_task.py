"""The built package laid out as Lambda runs it, on this machine: for the package test and the benchmark.

A Lambda function's interpreter sees the unzipped deployment package (/var/task), the runtime's own
copy of boto3 and its dependencies, and the standard library: nothing else. Here the interpreter is
the packaging venv's CPython 3.13, started isolated (-I -S), with the zip unpacked into a directory
and the runtime's libraries simulated by links into the packaging venv, which pins boto3 close to
the version the python3.13 runtime ships.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_VENV = ROOT / ".venv-package"
PACKAGE_PYTHON = PACKAGE_VENV / "bin" / "python"
# Import names of what the Lambda Python runtime provides besides the standard library.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")


def package_site_packages() -> Path:
    return next(PACKAGE_VENV.glob("lib/python3.*/site-packages"))


def unpack(zip_path: Path, task_dir: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task_dir)
    return task_dir


def simulate_runtime(runtime_dir: Path) -> Path:
    """A directory holding only what the Lambda runtime adds to the path."""
    site = package_site_packages()
    runtime_dir.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PROVIDED:
        for source in (site / name, site / f"{name}.py"):
            if source.exists() and not (runtime_dir / source.name).exists():
                (runtime_dir / source.name).symlink_to(source)
    if not (runtime_dir / "boto3").exists():
        raise RuntimeError(f"boto3 is missing from {site}: run `make package-venv`")
    return runtime_dir


def isolated_command(paths: list[Path], code: str, *, python: Path = PACKAGE_PYTHON) -> list[str]:
    """Run `code` with only the standard library and `paths` importable, as on Lambda."""
    bootstrap = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}; exec({code!r})"
    return [str(python), "-I", "-S", "-X", "frozen_modules=on", "-c", bootstrap]


# The stage's deployed names, which the app's decorators read at import time.
def lambda_environment(stage: str = "prod") -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_REGION": "ap-southeast-1",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "STAGE": stage,
        "TABLE_PREFIX": f"contest-{stage}-",
        "INTAKE_QUEUE_NAME": f"contest-{stage}-intake",
        "METRICS_QUEUE_NAME": f"contest-{stage}-metrics",
        "POWERTOOLS_SERVICE_NAME": "contest",
        "POWERTOOLS_METRICS_NAMESPACE": "Contest",
        "AWS_LAMBDA_FUNCTION_NAME": "contest-bench",
    }
