"""The built package laid out as Lambda runs it, on this machine: for the package test and the benchmark.

A Lambda function's interpreter sees the unzipped deployment package (/var/task), the runtime's own
copy of boto3 and its dependencies, and the standard library: nothing else. Here the interpreter is
the packaging venv's CPython 3.13, started isolated (-I -S), with the zip unpacked into a directory
and the runtime's libraries simulated by links into the packaging venv, which pins boto3 close to
the version the python3.13 runtime ships.
"""
from __future__ import annotations

import json
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
    # -B: Lambda's disk is read-only, so what the zip does not carry compiled is compiled on every start.
    return [str(python), "-I", "-S", "-B", "-X", "frozen_modules=on", "-c", bootstrap]


# What CloudFormation resolves at deploy time (Ref, Fn::Join), given plausible values here.
DEPLOY_TIME_VALUES = {
    "UPLOAD_BUCKET": "contest-prod-uploads",
    "USER_POOL_ID": "ap-southeast-1_Bench0000",
    "USER_POOL_CLIENT_ID": "bench0client0id0000000000",
    "ALLOWED_ORIGINS": "https://khatvonghungcuong.vn",
}


def functions(template: Path) -> dict[str, dict]:
    """The template's Lambda functions by logical id, with their properties."""
    resources = json.loads(template.read_text())["Resources"]
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}


def function_environment(template: Path, function: str) -> dict[str, str]:
    """The environment Lambda gives `function`: the template's variables and the runtime's own."""
    document = json.loads(template.read_text())
    variables = {
        **document.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}),
        **functions(template)[function].get("Environment", {}).get("Variables", {}),
    }
    resolved = {k: v if isinstance(v, str) else DEPLOY_TIME_VALUES.get(k, f"bench-{k.lower()}")
                for k, v in variables.items()}
    return {
        **resolved,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "ap-southeast-1",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_LAMBDA_FUNCTION_NAME": f"contest-prod-{function}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": "/var/task",
        # Lambda hands the role's credentials in the environment; dummies keep botocore from
        # looking for an instance metadata service.
        "AWS_ACCESS_KEY_ID": "ASIABENCHBENCHBENCH0",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
