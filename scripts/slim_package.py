"""Rewrite Chalice's deployment.zip into what a Lambda cold start wants.

    .venv-package/bin/python scripts/slim_package.py build/prod/out

- Drops what the Lambda Python runtime already provides (boto3, botocore, s3transfer, jmespath,
  urllib3, python-dateutil, six): pynamodb pulls botocore in, and it alone was 60 % of the zip.
  The function then imports the runtime's copy, which AWS keeps patched.
- Drops chalicelib/local/ (the embedded local cloud: moto and threads, never imported on Lambda), and
  the other files that no import on Lambda reaches (NEVER_IMPORTED, each with its reason).
- Strips the symbol tables of native extensions (debugging data; what the loader needs stays).
- Adds bytecode for every module, compiled by this interpreter, which must be the runtime's version:
  Lambda's disk is read-only, so without it every cold start compiles every module again.
  Unchecked-hash .pyc files do not depend on the zip's timestamps.

Run it with the interpreter of the target runtime (the packaging venv's python); it refuses otherwise.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from py_compile import PycInvalidationMode

# Distributions the Lambda Python runtime ships besides the standard library.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})
# Path prefixes that no import on Lambda reaches; the package test imports the app and runs an RS256
# token check and an e-mail validation from the slimmed zip.
NEVER_IMPORTED = (
    "chalicelib/local/",
    # Assets of the OpenAPI page of Powertools' own HTTP router: the API is Chalice's.
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/",
    # Powertools utilities the functions never use (they log, emit metrics, batch SQS records and keep
    # idempotency records; settings come from the environment, not Powertools' parameters): about 250 KB.
    "aws_lambda_powertools/utilities/kafka/", "aws_lambda_powertools/utilities/feature_flags/",
    "aws_lambda_powertools/utilities/data_masking/", "aws_lambda_powertools/utilities/streaming/",
    "aws_lambda_powertools/utilities/circuit_breaker/", "aws_lambda_powertools/utilities/auth_alpha/",
    "aws_lambda_powertools/utilities/parameters/", "aws_lambda_powertools/event_handler/events_appsync/",
    # email-validator imports dnspython only to check deliverability, which pydantic's EmailStr turns off.
    "dns/", "dnspython-",
    # cffi's compiler front end: cryptography's compiled bindings load only _cffi_backend (kept).
    "cffi/", "pycparser/", "pycparser-",
    # pydantic's mypy plugin imports mypy, which only a type checker has.
    "pydantic/mypy.py",
    # pydantic 1's API, kept for migrations; pydantic 2 imports it only to reject a field of a v1-style
    # type while building a model's schema, which happens at import: the package test imports every module.
    "pydantic/v1/",
)
TYPE_CHECKER_FILES = (".pyi", "/py.typed")
# Where Lambda unpacks the code: tracebacks then name the files as they are on the function.
TASK_ROOT = "/var/task"
MB = 1_000_000


def distribution_name(dist_info_dir: str) -> str:
    """'python_dateutil-2.9.0.post0.dist-info' -> 'python-dateutil' (PEP 503 normalised)."""
    name = dist_info_dir[: -len(".dist-info")].rsplit("-", 1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_provided_files(archive: zipfile.ZipFile) -> set[str]:
    """Every file that a runtime-provided distribution installed, from its RECORD."""
    names = set(archive.namelist())
    dropped: set[str] = set()
    for name in names:
        if not name.endswith(".dist-info/RECORD"):
            continue
        dist_info = name.split("/")[0]
        if distribution_name(dist_info) not in RUNTIME_PROVIDED:
            continue
        for row in archive.read(name).decode().splitlines():
            path = row.split(",")[0]
            if path and not path.startswith("../"):
                dropped.add(path)
        dropped.update(n for n in names if n.startswith(dist_info + "/"))
    return dropped & names


def runtimes_of(template: Path) -> set[str]:
    resources = json.loads(template.read_text())["Resources"].values()
    return {r["Properties"]["Runtime"] for r in resources if r["Type"] == "AWS::Serverless::Function"}


def slim(out_dir: Path) -> dict[str, int]:
    zip_path = out_dir / "deployment.zip"
    expected = f"python{sys.version_info.major}.{sys.version_info.minor}"
    runtimes = runtimes_of(out_dir / "sam.json")
    if runtimes != {expected}:
        raise SystemExit(f"the template's runtimes are {sorted(runtimes)}, this interpreter is {expected}: "
                         "compile with the interpreter of the runtime")

    before = zip_path.stat().st_size
    with zipfile.ZipFile(zip_path) as archive, tempfile.TemporaryDirectory() as scratch:
        dropped = runtime_provided_files(archive)
        kept = [info for info in archive.infolist()
                if info.filename not in dropped
                and not info.filename.startswith(NEVER_IMPORTED)
                and not info.filename.endswith(TYPE_CHECKER_FILES + (".pyc", ".pyo"))
                and "/__pycache__/" not in f"/{info.filename}"]
        tree = Path(scratch) / "task"
        for info in kept:
            if info.filename.endswith((".py", ".so")):
                archive.extract(info, tree)
        stripped = strip_native_code(tree)
        # A module this interpreter cannot compile would fail on Lambda as well: better the build fails.
        if not compileall.compile_dir(tree, ddir=TASK_ROOT, quiet=1, workers=0,
                                      invalidation_mode=PycInvalidationMode.UNCHECKED_HASH):
            raise SystemExit("some modules do not compile under " + expected)
        compiled = sorted(p for p in tree.rglob("*.pyc"))

        slimmed = zip_path.with_suffix(".slim.zip")
        with zipfile.ZipFile(slimmed, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
            for info in kept:
                data = (tree / info.filename).read_bytes() if info.filename in stripped else archive.read(info)
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            for pyc in compiled:
                entry = zipfile.ZipInfo(pyc.relative_to(tree).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                entry.external_attr = 0o100644 << 16
                target.writestr(entry, pyc.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(slimmed, zip_path)
    return {"before": before, "after": zip_path.stat().st_size, "dropped": len(dropped), "pyc": len(compiled),
            "stripped": len(stripped)}


def strip_native_code(tree: Path) -> set[str]:
    """Strips what only a debugger reads from the extensions; returns the zip names of those changed."""
    strip = shutil.which("strip")
    if strip is None:
        print("warning: no `strip` (binutils): native extensions keep their symbol tables", file=sys.stderr)
        return set()
    libraries = sorted(tree.rglob("*.so"))
    if libraries:
        subprocess.run([strip, "--strip-unneeded", *map(str, libraries)], check=True)
    return {library.relative_to(tree).as_posix() for library in libraries}


def unzipped_size(zip_path: Path) -> int:
    with zipfile.ZipFile(zip_path) as archive:
        return sum(info.file_size for info in archive.infolist())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="chalice package's output directory (sam.json, deployment.zip)")
    args = parser.parse_args()
    figures = slim(args.out_dir)
    zip_path = args.out_dir / "deployment.zip"
    print(f"deployment.zip: {figures['before'] / MB:.1f} MB -> {figures['after'] / MB:.1f} MB "
          f"({unzipped_size(zip_path) / MB:.1f} MB unzipped; {figures['dropped']} runtime-provided files dropped, "
          f"{figures['stripped']} extensions stripped, {figures['pyc']} modules compiled for "
          f"python{sys.version_info.major}.{sys.version_info.minor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
