"""Services reach the outside world only through their ports: no module under
chalicelib/services imports an adapter, PynamoDB, boto3 or Chalice, not even lazily
inside a function or under TYPE_CHECKING."""
from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[3] / "chalicelib" / "services"
FORBIDDEN = ("chalicelib.adapters", "pynamodb", "boto3", "botocore", "chalice")


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_no_service_module_imports_an_adapter_or_an_aws_library():
    modules = sorted(SERVICES.rglob("*.py"))
    assert len(modules) > 10, "the services package moved: point this test at it"
    offenders = {
        path.relative_to(SERVICES.parent.parent).as_posix(): sorted(m for m in imported_modules(path) if forbidden(m))
        for path in modules
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_check_sees_every_kind_of_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from chalicelib.adapters.s3 import UploadBucket\n"
        "def later():\n    import pynamodb.models\n"
        "from chalicelib import adapters\n",
        encoding="utf-8",
    )
    assert {m for m in imported_modules(sample) if forbidden(m)} == {
        "chalicelib.adapters.s3", "chalicelib.adapters.s3.UploadBucket", "pynamodb.models", "chalicelib.adapters",
    }
