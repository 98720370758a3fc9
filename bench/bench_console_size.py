"""The console's first load: the scripts and styles /console names, compressed as a browser receives them.

    .venv/bin/python bench/bench_console_size.py      # after `make console`

Prints each file's size raw and gzip-compressed (level 9) and the total against the issue's budget of
250 KB of compressed JS and CSS; exits 1 over the budget. Sizes do not drift between runs: the same
sources build the same bytes, so tests/functional/test_console_page.py holds the same budget.
"""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUILD = ROOT / "chalicelib" / "web" / "console"
BUDGET_BYTES = 250_000


def first_load(build: Path = BUILD) -> list[tuple[str, int, int]]:
    """(name, raw bytes, gzip bytes) of every script and stylesheet the page loads before it can run."""
    html = (build / "index.html").read_text(encoding="utf-8")
    names = re.findall(r'(?:src|href)="/console/(assets/[^"]+\.(?:js|css))"', html)
    sizes = []
    for name in names:
        body = (build / name).read_bytes()
        sizes.append((name, len(body), len(gzip.compress(body, compresslevel=9, mtime=0))))
    return sizes


def main() -> int:
    if not (BUILD / "index.html").is_file():
        print("no console build: run `make console` first")
        return 1
    sizes = first_load()
    for name, raw, packed in sizes:
        print(f"{name:48} {raw / 1000:8.1f} KB raw {packed / 1000:8.1f} KB gzip")
    total = sum(packed for _, _, packed in sizes)
    print(f"first load: {total / 1000:.1f} KB compressed JS+CSS (budget {BUDGET_BYTES / 1000:.0f} KB)")
    return 0 if total <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
