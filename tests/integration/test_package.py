"""The deployable artefacts, inspected as AWS will receive them.

The dev venv proves nothing about Lambda: these tests build the package as `make package` does (chalice
package under the packaging venv's CPython 3.13, then scripts/slim_package.py), lint the merged
template, and import the app from the deployment zip alone, plus what the Lambda runtime provides,
under the runtime's interpreter.
"""
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts.lambda_task import (PACKAGE_PYTHON, RUNTIME_PROVIDED, function_environment, functions, isolated_command,
                                 simulate_runtime, unpack)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUNTIME = "python3.13"
# Amazon Linux 2023, which the python3.13 runtime runs on.
LAMBDA_GLIBC = (2, 34)
MAX_ZIP_BYTES = 12_000_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    build = tmp_path_factory.mktemp("package")
    # Not the tests' environment (the local stage's names): chalice applies the prod stage's own.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHON313", "PYENV_ROOT")}
    env["AWS_DEFAULT_REGION"] = "ap-southeast-1"
    # The dev venv is the one running these tests: `make` must not reinstall it, only the packaging venv if stale.
    result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "package", "STAGE=prod",
                             f"BUILD={build}"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return build / "out"


@pytest.fixture(scope="module")
def task(package, tmp_path_factory):
    """The zip unpacked as in /var/task, and the directory standing for the runtime's libraries."""
    root = tmp_path_factory.mktemp("lambda")
    return unpack(package / "deployment.zip", root / "task"), simulate_runtime(root / "runtime")


def _functions(package):
    return functions(package / "sam.json")


def test_cfn_lint_passes_on_the_merged_template(package):
    result = subprocess.run([str(BIN / "cfn-lint"), str(package / "sam.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_merged_template_has_the_resources_of_infra(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    for name in ("UploadBucket", "IntakeQueue", "IntakeDeadLetterQueue", "IntakeDeadLetterAlarm",
                 "UserPool", "AdminGroup", "OrganiserGroup", "JuryGroup", "IdempotencyTable"):
        assert name in resources, name
    assert json.loads((package / "sam.json").read_text())["Parameters"]["Stage"]["Default"] == "prod"


def test_every_sqs_event_source_reports_batch_item_failures(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    sqs_events = [
        event
        for resource in resources.values() if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values() if event["Type"] == "SQS"
    ]
    for event in sqs_events:
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queues = sorted(event["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[1] for event in sqs_events)
    assert queues == ["contest-prod-intake", "contest-prod-metrics", "contest-prod-notifications"]


def test_functions_get_the_least_privilege_policy_of_the_stage(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    expected = json.loads((ROOT / ".chalice" / "policy-prod.json").read_text())
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        assert [p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [expected]


def test_the_generated_policy_lets_functions_write_and_read_exports_and_the_bucket_expires_them(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    bucket = "arn:aws:s3:::contest-prod-uploads-${AWS::AccountId}-${AWS::Region}"
    for role in (r for r in resources.values() if r["Type"] == "AWS::IAM::Role"):
        statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        granted = {a for s in statements if s["Effect"] == "Allow" and s["Resource"] == {"Fn::Sub": f"{bucket}/exports/*"}
                   for a in s["Action"]}
        assert {"s3:PutObject", "s3:GetObject"} <= granted
        assert not any(s["Resource"] == {"Fn::Sub": f"{bucket}/*"} for s in statements)
    rules = resources["UploadBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {"Id": "expire-exports", "Status": "Enabled", "Prefix": "exports/", "ExpirationInDays": 1} in rules


def _wheel_tags(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    tags = {}
    for name in archive.namelist():
        if name.endswith(".dist-info/WHEEL"):
            text = archive.read(name).decode()
            tags[name.split("/")[0]] = re.findall(r"^Tag: (.+)$", text, re.M)
    return tags


def _loadable_on_lambda(tag: str) -> bool:
    """Whether CPython 3.13 on x86_64 with glibc 2.34 can load a wheel of this tag."""
    interpreter, abi, platform = tag.split("-")
    if abi == "abi3":
        minor = re.fullmatch(r"cp3(\d+)", interpreter)
        python_ok = bool(minor) and int(minor.group(1)) <= 13
    elif abi == "cp313":
        python_ok = interpreter == "cp313"
    else:
        python_ok = abi == "none" and interpreter in {"py3", "py2.py3", "cp313"}
    if platform == "any":
        return python_ok
    legacy = {"manylinux1_x86_64": (2, 5), "manylinux2010_x86_64": (2, 12), "manylinux2014_x86_64": (2, 17)}
    perennial = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform)
    glibc = legacy.get(platform) or (perennial and (int(perennial.group(1)), int(perennial.group(2))))
    return python_ok and bool(glibc) and glibc <= LAMBDA_GLIBC


def test_every_function_runs_on_python313(package):
    functions = _functions(package)
    assert {"APIHandler", "ValidateUpload", "IngestMetricsChunk", "CloseFinishedWeeks"} <= set(functions)
    assert {name: f["Runtime"] for name, f in functions.items()} == {name: RUNTIME for name in functions}


def test_native_code_in_the_zip_is_built_for_the_runtime(package):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        native = [n for n in archive.namelist() if n.endswith(".so")]
        assert native, "pydantic-core and cryptography ship native code"
        assert all(("cpython-313-x86_64" in n) or n.endswith(".abi3.so") for n in native), native
        for dist, tags in _wheel_tags(archive).items():
            assert tags, dist
            loadable = [t for t in tags if _loadable_on_lambda(t)]
            assert loadable, f"{dist} has no wheel loadable by cp313 on manylinux glibc <= 2.34 x86_64: {tags}"


def test_the_zip_leaves_out_what_the_runtime_provides_and_the_local_cloud(package):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = archive.namelist()
    tops = {n.split("/")[0] for n in names}
    for provided in RUNTIME_PROVIDED:
        assert provided not in tops and f"{provided}.py" not in tops, provided
        assert not any(t.lower().startswith(f"{provided}-") and t.endswith(".dist-info") for t in tops), provided
    assert not any(t.startswith(("python_dateutil-", "boto3-", "botocore-")) for t in tops)
    assert not [n for n in names if n.startswith("chalicelib/local/")]
    assert "aws_xray_sdk" not in tops, "nothing needs X-Ray's SDK since the Tracer is gone"


def test_every_module_in_the_zip_carries_bytecode_of_the_runtime(package):
    magic = subprocess.run([str(PACKAGE_PYTHON), "-c", "import importlib.util, sys; "
                            "sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"],
                           capture_output=True, text=True, check=True).stdout
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert "app.py" in sources and len(sources) > 500
        missing = []
        for source in sources:
            folder, _, stem = source.rpartition("/")
            pyc = f"{folder}/__pycache__/{stem[:-3]}.cpython-313.pyc".lstrip("/")
            if pyc not in names:
                missing.append(source)
                continue
            header = archive.read(pyc)[:8]
            assert header[:4].hex() == magic, pyc
            # PEP 552 flags: hash-based (1) and unchecked (no 2): the zip's timestamps do not matter.
            assert int.from_bytes(header[4:8], "little") == 0b01, pyc
        assert not missing, missing[:20]
        stale = [n for n in names if n.endswith(".pyc") and ".cpython-313." not in n]
        assert not stale, stale[:20]


def test_the_zip_is_at_most_12_mb(package):
    size = (package / "deployment.zip").stat().st_size
    assert size <= MAX_ZIP_BYTES, f"deployment.zip is {size / 1e6:.1f} MB"


def test_the_app_imports_from_the_zip_alone_under_the_runtime_interpreter(package, task):
    task_dir, runtime_dir = task
    probe = (
        "import importlib, pkgutil, sys\n"
        "assert sys.version_info[:2] == (3, 13), sys.version\n"
        "import app\n"
        "import chalicelib\n"
        "mods = [m.name for m in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.')\n"
        "        if not m.name.startswith('chalicelib.local')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "allowed = (sys.argv[1], sys.argv[2], sys.base_prefix)\n"
        "outside = sorted(n for n, m in list(sys.modules.items())\n"
        "                 if getattr(m, '__file__', None) and not m.__file__.startswith(allowed))\n"
        "assert not outside, outside\n"
        "print(len(mods), 'modules;', len(app.app.routes), 'routes')\n"
    )
    # What the slimming left out must not be needed at run time either: Cognito's RS256 tokens are checked
    # with PyJWT and cryptography, e-mail addresses with pydantic and email-validator.
    calls = (
        "import time, jwt, pydantic\n"
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n"
        "token = jwt.encode({'sub': 'u', 'exp': int(time.time()) + 60}, key, algorithm='RS256')\n"
        "assert jwt.decode(token, key.public_key(), algorithms=['RS256'])['sub'] == 'u'\n"
        "address = pydantic.TypeAdapter(pydantic.EmailStr).validate_python('thi.sinh@doanthanhnien.vn')\n"
        "print('verified', address)\n"
    )
    probe += calls
    command = isolated_command([task_dir, runtime_dir], probe) + [str(task_dir), str(runtime_dir)]
    env = function_environment(package / "sam.json", "APIHandler")
    result = subprocess.run(command, cwd=task_dir, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "routes" in result.stdout


def test_the_packaged_app_serves_the_console_it_ships(package, task):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = archive.namelist()
    assert "chalicelib/web/console/index.html" in names
    assert any(n.startswith("chalicelib/web/console/assets/") and n.endswith(".js") for n in names)
    task_dir, runtime_dir = task
    probe = (
        "import re\n"
        "from chalicelib.api import console_page\n"
        "assert console_page.INDEX_HTML, 'the console build is missing from the package'\n"
        "named = re.findall(r'/console/assets/([^\"]+)\"', console_page.INDEX_HTML)\n"
        "assert named and all(n in console_page.ASSETS for n in named), (named, sorted(console_page.ASSETS))\n"
        "print('console assets', len(named))\n"
    )
    command = isolated_command([task_dir, runtime_dir], probe) + [str(task_dir), str(runtime_dir)]
    env = function_environment(package / "sam.json", "APIHandler")
    result = subprocess.run(command, cwd=task_dir, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "console assets" in result.stdout


def test_personal_data_erasure_runs_daily_at_two_in_the_morning_vietnam_time(package):
    [erasure] = [p for p in _functions(package).values() if p["Handler"].endswith("erase_expired_personal_data")]
    schedules = [e["Properties"]["Schedule"] for e in erasure.get("Events", {}).values() if e["Type"] == "Schedule"]
    assert schedules == ["cron(0 19 * * ? *)"]
    assert erasure["Timeout"] == 300
