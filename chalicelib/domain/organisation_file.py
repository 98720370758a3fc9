"""Organisation unit lists (CSV or JSON files) and their validation into a tree.

Imports are all-or-nothing: `build_tree` collects every problem (row, unit id,
machine-readable code, Vietnamese and English message) and raises one
`OrganisationImportError` instead of loading a partial tree.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.json_input import parse_bounded_json
from chalicelib.domain.organisation import (
    LEVEL_NAMES_VI,
    LEVEL_RANK,
    LEVELS,
    PATH_SEPARATOR,
    UNIT_ID_PATTERN,
    Level,
    OrgTree,
    OrgUnit,
    RawUnitRow,
)
from chalicelib.domain.text import fold

# Spreadsheets filled in by Vietnamese staff often use the Vietnamese word.
_LEVEL_ALIASES: dict[str, Level] = {
    **{level: level for level in LEVELS},
    "trung uong": "central",
    "tinh": "province",
    "tinh/thanh": "province",
    "huyen": "district",
    "quan/huyen": "district",
    "co so": "grassroots",
}

MAX_NAME_LENGTH = 300
CSV_COLUMNS = ("unit_id", "name", "parent_id", "level")
MAX_LISTED_PROBLEMS = 100


@dataclass(frozen=True)
class ImportProblem:
    code: str
    message_vi: str
    message_en: str
    row: int | None = None
    unit_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "unit_id": self.unit_id,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class OrganisationImportError(InvalidInput):
    """The whole import is refused; `problems` keeps every bad row, the answer lists the first
    MAX_LISTED_PROBLEMS of them with the total (a file of bad rows must not make a larger answer)."""

    code = "invalid_organisation"

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(problems)
        count = len(self.problems)
        listed = self.problems[:MAX_LISTED_PROBLEMS]
        super().__init__(
            f"Danh sách đơn vị có {count} lỗi; chưa nhập đơn vị nào.",
            f"The unit list has {count} problem(s); nothing was imported.",
            problems=[p.as_dict() for p in listed],
            problem_count=count,
            problems_listed=len(listed),
        )


@lru_cache(maxsize=64)
def _parse_level(raw: str) -> Level | None:
    # Cached: a file has a handful of distinct level spellings but many rows.
    return _LEVEL_ALIASES.get(fold(raw))


def _clean(value: str) -> str:
    # NFC so a name typed on macOS (NFD) and one typed on Windows (NFC) are equal.
    return unicodedata.normalize("NFC", value).strip()


def parse_units_csv(text: str) -> list[RawUnitRow]:
    """Rows of a `unit_id,name,parent_id,level` CSV. `row` is the line number in the file."""
    if text.startswith("\ufeff"):  # Excel's "CSV UTF-8" adds a byte-order mark
        text = text[1:]
    problems: list[ImportProblem] = []
    rows: list[RawUnitRow] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header: list[str] | None = None
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                problems.extend(_header_problems(header))
                if problems:
                    break
                continue
            values = dict(zip(header, record))
            if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
                problems.append(
                    ImportProblem(
                        "too_many_fields",
                        f"Dòng {reader.line_num} có nhiều cột hơn tiêu đề.",
                        f"Line {reader.line_num} has more fields than the header.",
                        row=reader.line_num,
                        unit_id=_clean(values.get("unit_id", "")) or None,
                    )
                )
            rows.append(
                RawUnitRow(
                    row=reader.line_num,
                    unit_id=_clean(values.get("unit_id", "")),
                    name=_clean(values.get("name", "")),
                    parent_id=_clean(values.get("parent_id", "")),
                    level=_clean(values.get("level", "")),
                )
            )
    except csv.Error as exc:
        problems.append(
            ImportProblem(
                "unreadable_csv",
                f"Không đọc được tệp CSV ở dòng {reader.line_num}: {exc}.",
                f"The CSV file cannot be read at line {reader.line_num}: {exc}.",
                row=reader.line_num,
            )
        )
    if header is None and not problems:
        problems.append(_empty_file_problem())
    if problems:
        raise OrganisationImportError(problems)
    return rows


def _header_problems(header: list[str]) -> list[ImportProblem]:
    problems = []
    for column in CSV_COLUMNS:
        if column not in header:
            problems.append(
                ImportProblem(
                    "missing_column",
                    f"Thiếu cột “{column}” ở dòng tiêu đề.",
                    f"The header has no “{column}” column.",
                    row=1,
                )
            )
    # Unnamed trailing columns are what spreadsheets leave behind; named unknown
    # ones are usually typos of a required column and must not be ignored.
    for column in header:
        if column and column not in CSV_COLUMNS:
            problems.append(
                ImportProblem(
                    "unknown_column",
                    f"Cột “{column}” không được hỗ trợ.",
                    f"Unknown column “{column}”.",
                    row=1,
                )
            )
    return problems


def _empty_file_problem() -> ImportProblem:
    return ImportProblem(
        "empty_file", "Tệp không có đơn vị nào.", "The file contains no units."
    )


def parse_units_json(text: str) -> list[RawUnitRow]:
    """Rows of a JSON list of {unit_id, name, parent_id, level} (or {"units": [...]}).

    `row` is the 1-based position in the list.
    """
    try:
        data = parse_bounded_json(text)
    except json.JSONDecodeError as exc:
        raise OrganisationImportError(
            [
                ImportProblem(
                    "invalid_json",
                    f"Tệp JSON không hợp lệ: {exc.msg} ở dòng {exc.lineno}.",
                    f"Not valid JSON: {exc.msg} at line {exc.lineno}.",
                )
            ]
        ) from None
    except (InvalidInput, ValueError) as exc:  # nested too deep, or a number too long to convert
        message_vi, message_en = (
            (exc.message_vi, exc.message_en) if isinstance(exc, InvalidInput)
            else ("Tệp JSON có số quá dài.", "The JSON has a number that is too long.")
        )
        raise OrganisationImportError([ImportProblem("invalid_json", message_vi, message_en)]) from None
    if isinstance(data, dict) and set(data) == {"units"}:
        data = data["units"]
    if not isinstance(data, list):
        raise OrganisationImportError(
            [
                ImportProblem(
                    "not_a_list",
                    "Tệp JSON phải là một danh sách đơn vị.",
                    "The JSON document must be a list of units.",
                )
            ]
        )
    problems: list[ImportProblem] = []
    rows: list[RawUnitRow] = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(
                ImportProblem(
                    "not_an_object",
                    f"Phần tử thứ {position} không phải là một đơn vị (object).",
                    f"Item {position} is not an object.",
                    row=position,
                )
            )
            continue
        unit_id = item.get("unit_id")
        label = unit_id if isinstance(unit_id, str) else None
        for key in item:
            if key not in CSV_COLUMNS:
                problems.append(
                    ImportProblem(
                        "unknown_field",
                        f"Trường “{key}” không được hỗ trợ.",
                        f"Unknown field “{key}”.",
                        row=position,
                        unit_id=label,
                    )
                )
        values: dict[str, str] = {}
        for key in CSV_COLUMNS:
            value = item.get(key)
            if value is None:
                values[key] = ""
            elif isinstance(value, str):
                values[key] = _clean(value)
            else:
                values[key] = ""
                problems.append(
                    ImportProblem(
                        "not_text",
                        f"Trường “{key}” phải là chuỗi ký tự.",
                        f"Field “{key}” must be a string.",
                        row=position,
                        unit_id=label,
                    )
                )
        rows.append(RawUnitRow(row=position, **values))
    if not data:
        problems.append(_empty_file_problem())
    if problems:
        raise OrganisationImportError(problems)
    return rows


def build_tree(rows: Iterable[RawUnitRow]) -> OrgTree:
    """Validate every row and build the tree, or raise one error listing every problem."""
    rows = list(rows)
    problems: list[ImportProblem] = []
    if not rows:
        raise OrganisationImportError([_empty_file_problem()])

    registry: dict[str, RawUnitRow] = {}
    levels: dict[str, Level] = {}
    for row in rows:
        problems.extend(_row_problems(row))
        if not row.unit_id:
            continue
        if row.unit_id in registry:
            first = registry[row.unit_id]
            problems.append(
                ImportProblem(
                    "duplicate_unit_id",
                    f"Mã đơn vị “{row.unit_id}” bị trùng (đã có ở dòng {first.row}).",
                    f"Unit id “{row.unit_id}” is repeated (first seen on row {first.row}).",
                    row=row.row,
                    unit_id=row.unit_id,
                )
            )
            continue
        # Malformed ids are still registered so their children are not also
        # reported as orphans: one mistake, one message.
        registry[row.unit_id] = row
        level = _parse_level(row.level)
        if level is not None:
            levels[row.unit_id] = level

    problems.extend(_root_problems(registry, levels))
    problems.extend(_parent_problems(registry, levels))
    problems.extend(_cycle_problems(registry))
    if problems:
        raise OrganisationImportError(sorted(problems, key=_problem_order))

    children: dict[str, list[str]] = {uid: [] for uid in registry}
    root_id = ""
    for row in registry.values():
        if row.parent_id:
            children[row.parent_id].append(row.unit_id)
        else:
            root_id = row.unit_id
    units: list[OrgUnit] = []
    stack: list[tuple[str, str]] = [(root_id, root_id)]
    while stack:
        unit_id, path = stack.pop()
        row = registry[unit_id]
        units.append(
            OrgUnit(
                unit_id=unit_id,
                name=row.name,
                parent_id=row.parent_id or None,
                level=levels[unit_id],
                path=path,
            )
        )
        stack.extend(
            (child, path + PATH_SEPARATOR + child) for child in reversed(children[unit_id])
        )
    # Unreachable units would mean a cycle or orphan slipped through validation.
    assert len(units) == len(registry), "validation let an unreachable unit through"
    return OrgTree(units)


def load_tree_csv(text: str) -> OrgTree:
    return build_tree(parse_units_csv(text))


def load_tree_json(text: str) -> OrgTree:
    return build_tree(parse_units_json(text))


def _problem_order(problem: ImportProblem) -> tuple[int, str]:
    return (problem.row if problem.row is not None else 0, problem.code)


def _row_problems(row: RawUnitRow) -> Iterator[ImportProblem]:
    label = row.unit_id or None
    if not UNIT_ID_PATTERN.fullmatch(row.unit_id):
        yield ImportProblem(
            "invalid_unit_id",
            f"Mã đơn vị “{row.unit_id}” không hợp lệ: chỉ dùng chữ thường không dấu, "
            "chữ số và dấu gạch ngang, tối đa 64 ký tự.",
            f"Unit id “{row.unit_id}” is invalid: use lower-case a-z, digits and "
            "hyphens, at most 64 characters.",
            row=row.row,
            unit_id=label,
        )
    if not row.name:
        yield ImportProblem(
            "blank_name",
            "Tên đơn vị đang để trống.",
            "The unit name is blank.",
            row=row.row,
            unit_id=label,
        )
    elif len(row.name) > MAX_NAME_LENGTH:
        yield ImportProblem(
            "name_too_long",
            f"Tên đơn vị dài quá {MAX_NAME_LENGTH} ký tự.",
            f"The unit name is longer than {MAX_NAME_LENGTH} characters.",
            row=row.row,
            unit_id=label,
        )
    if _parse_level(row.level) is None:
        yield ImportProblem(
            "invalid_level",
            f"Cấp “{row.level}” không hợp lệ; dùng central, province, district hoặc grassroots.",
            f"Level “{row.level}” is invalid; use central, province, district or grassroots.",
            row=row.row,
            unit_id=label,
        )
    if row.parent_id and row.parent_id == row.unit_id:
        yield ImportProblem(
            "self_parent",
            "Đơn vị không thể là đơn vị cấp trên của chính nó.",
            "A unit cannot be its own parent.",
            row=row.row,
            unit_id=label,
        )


def _root_problems(
    registry: Mapping[str, RawUnitRow], levels: Mapping[str, Level]
) -> Iterator[ImportProblem]:
    roots = [row for row in registry.values() if not row.parent_id]
    if not roots:
        yield ImportProblem(
            "no_root",
            "Không có đơn vị gốc (đơn vị cấp Trung ương để trống parent_id).",
            "There is no root unit (the central unit with an empty parent_id).",
        )
    if len(roots) > 1:
        ids = ", ".join(r.unit_id for r in roots)
        for row in roots:
            yield ImportProblem(
                "multiple_roots",
                f"Chỉ được có một đơn vị gốc, đang có {len(roots)}: {ids}.",
                f"There must be exactly one root unit; found {len(roots)}: {ids}.",
                row=row.row,
                unit_id=row.unit_id,
            )
    for row in roots:
        level = levels.get(row.unit_id)
        if level is not None and level != "central":
            yield ImportProblem(
                "root_not_central",
                "Đơn vị gốc phải ở cấp Trung ương (central).",
                "The root unit must be at the central level.",
                row=row.row,
                unit_id=row.unit_id,
            )


def _parent_problems(
    registry: Mapping[str, RawUnitRow], levels: Mapping[str, Level]
) -> Iterator[ImportProblem]:
    for row in registry.values():
        if not row.parent_id or row.parent_id == row.unit_id:
            continue
        if row.parent_id not in registry:
            yield ImportProblem(
                "unknown_parent",
                f"Đơn vị cấp trên “{row.parent_id}” không có trong danh sách.",
                f"Parent unit “{row.parent_id}” is not in the list.",
                row=row.row,
                unit_id=row.unit_id,
            )
            continue
        level, parent_level = levels.get(row.unit_id), levels.get(row.parent_id)
        if level is None or parent_level is None:
            continue  # already reported as invalid_level
        if LEVEL_RANK[level] != LEVEL_RANK[parent_level] + 1:
            expected = LEVELS[LEVEL_RANK[parent_level] + 1] if parent_level != "grassroots" else None
            expected_vi = (
                f"phải là cấp {LEVEL_NAMES_VI[expected]} ({expected})"
                if expected
                else "nhưng cấp Cơ sở không có đơn vị trực thuộc"
            )
            expected_en = (
                f"must be {expected}" if expected else "but grassroots units have no children"
            )
            yield ImportProblem(
                "level_mismatch",
                f"Đơn vị cấp {LEVEL_NAMES_VI[level]} ({level}) nằm dưới “{row.parent_id}” "
                f"cấp {LEVEL_NAMES_VI[parent_level]} ({parent_level}), {expected_vi}.",
                f"A {level} unit under {parent_level} unit “{row.parent_id}” {expected_en}.",
                row=row.row,
                unit_id=row.unit_id,
            )


def _cycle_problems(registry: Mapping[str, RawUnitRow]) -> Iterator[ImportProblem]:
    finished: set[str] = set()
    for start in registry:
        chain: list[str] = []
        position: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in registry and current not in finished:
            if current in position:
                cycle = chain[position[current]:]
                if len(cycle) > 1:  # a unit naming itself is reported as self_parent
                    yield _cycle_problem(cycle, registry)
                break
            position[current] = len(chain)
            chain.append(current)
            current = registry[current].parent_id or None
        finished.update(chain)


def _cycle_problem(cycle: list[str], registry: Mapping[str, RawUnitRow]) -> ImportProblem:
    first = min(cycle, key=lambda uid: registry[uid].row)
    start = cycle.index(first)
    ordered = cycle[start:] + cycle[:start]
    loop = " → ".join(ordered + [first])
    return ImportProblem(
        "cycle",
        f"Quan hệ cấp trên tạo thành vòng lặp: {loop}.",
        f"The parent links form a loop: {loop}.",
        row=registry[first].row,
        unit_id=first,
    )


__all__ = [
    "CSV_COLUMNS",
    "ImportProblem",
    "OrganisationImportError",
    "build_tree",
    "load_tree_csv",
    "load_tree_json",
    "parse_units_csv",
    "parse_units_json",
]
