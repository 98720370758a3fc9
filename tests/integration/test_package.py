"""The deployable artefacts, inspected as AWS will receive them.

The dev venv proves nothing about Lambda: these tests build the package with
`chalice package --merge-template`, lint the merged template, and import the
app from the deployment zip alone (plus what the Lambda runtime provides).
"""
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What the python3.11 Lambda runtime provides besides the standard library.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
LAMBDA_GLIBC = (2, 26)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    merge = out / "merge-template.json"
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "AWS_DEFAULT_REGION": "ap-southeast-1", "HOME": str(out)}
    subprocess.run([sys.executable, "scripts/render_infra.py", "merge", "prod", str(merge)],
                   cwd=ROOT, env=env, check=True)
    subprocess.run([str(BIN / "chalice"), "package", "--stage", "prod", "--merge-template", str(merge),
                    str(out / "out")], cwd=ROOT, env=env, check=True, capture_output=True)
    return out / "out"


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
    assert queues == ["contest-prod-intake", "contest-prod-metrics"]


def test_functions_get_the_least_privilege_policy_of_the_stage(package):
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    expected = json.loads((ROOT / ".chalice" / "policy-prod.json").read_text())
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        assert [p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [expected]


def _wheel_tags(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    tags = {}
    for name in archive.namelist():
        if name.endswith(".dist-info/WHEEL"):
            text = archive.read(name).decode()
            tags[name.split("/")[0]] = re.findall(r"^Tag: (.+)$", text, re.M)
    return tags


def test_native_code_in_the_zip_is_built_for_the_runtime(package):
    runtime = {r["Properties"]["Runtime"] for r in json.loads((package / "sam.json").read_text())["Resources"].values()
               if r["Type"] == "AWS::Serverless::Function"}
    assert runtime == {"python3.11"}
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        native = [n for n in archive.namelist() if n.endswith(".so")]
        assert all(("cpython-311-x86_64" in n) or n.endswith(".abi3.so") for n in native), native
        for dist, tags in _wheel_tags(archive).items():
            platforms = {t.split("-")[-1] for t in tags}
            if platforms == {"any"}:
                continue
            ok = []
            for platform in platforms:
                match = re.match(r"manylinux_(\d+)_(\d+)_x86_64|manylinux(2014|2010|1)_x86_64", platform)
                if match and match.group(1):
                    ok.append((int(match.group(1)), int(match.group(2))) <= LAMBDA_GLIBC)
                elif match:
                    ok.append(True)
            assert any(ok), f"{dist} has no wheel loadable with glibc 2.26: {tags}"


def test_the_app_imports_from_the_zip_alone(package, tmp_path):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        archive.extractall(tmp_path / "task")
    provided = tmp_path / "runtime"
    provided.mkdir()
    site = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "boto3").exists())
    for name in RUNTIME_PROVIDED:
        source = site / name
        if source.exists():
            (provided / name).symlink_to(source)
    probe = (
        "import importlib, pkgutil, sys\n"
        "import app\n"
        "import chalicelib\n"
        "mods = [m.name for m in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.')\n"
        "        if not m.name.startswith('chalicelib.local')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "print(len(mods), 'modules;', len(app.app.routes), 'routes')\n"
    )
    env = {"PYTHONPATH": f"{tmp_path / 'task'}:{provided}", "PATH": "/usr/bin:/bin",
           "AWS_DEFAULT_REGION": "ap-southeast-1", "TABLE_PREFIX": "contest-prod-",
           "INTAKE_QUEUE_NAME": "contest-prod-intake", "POWERTOOLS_TRACE_DISABLED": "true"}
    result = subprocess.run([sys.executable, "-I", "-S", "-c", "import sys; sys.path[:0] = "
                             f"{[str(tmp_path / 'task'), str(provided)]!r}; exec({probe!r})"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "routes" in result.stdout
