"""The domain package has no import cycle: each module can be read on its own."""
from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "chalicelib" / "domain"
PACKAGE = "chalicelib.domain"


def _module_name(path: Path) -> str:
    parts = path.relative_to(DOMAIN).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _domain_imports(path: Path, known: set[str]) -> set[str]:
    # Every import counts, even inside functions or TYPE_CHECKING blocks: a cycle
    # hidden there is still two modules that cannot be understood apart.
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in DOMAIN.rglob("*.py")}
    known = set(paths)
    return {name: _domain_imports(path, known) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in visiting:
            return visiting[visiting.index(name):] + [name]
        if name in done:
            return None
        visiting.append(name)
        for target in sorted(graph[name]):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name)
        if cycle:
            return cycle
    return None


def test_the_domain_has_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_text_folding_and_the_organisation_tree_are_independent() -> None:
    graph = import_graph()
    assert "chalicelib.domain.organisation" not in graph["chalicelib.domain.text"]
    assert "chalicelib.domain.unit_search" not in graph["chalicelib.domain.organisation"]
