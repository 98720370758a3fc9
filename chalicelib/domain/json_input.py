"""JSON from outside (request bodies, page cursors, organisation files), parsed within bounds.

The standard parser recurses once per nesting level: a body of a thousand brackets raises
RecursionError, and a structure a few hundred levels deep breaks whatever walks it next.
No document this API accepts nests deeper than a handful of levels.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.errors import InvalidInput

MAX_DEPTH = 32


def too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `value` nests containers more than `max_depth` levels (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _refused(code: str) -> InvalidInput:
    return InvalidInput(
        f"JSON lồng nhau quá {MAX_DEPTH} cấp.",
        f"The JSON nests more than {MAX_DEPTH} levels.",
        code=code,
        max_depth=MAX_DEPTH,
    )


def parse_bounded_json(raw: bytes | str, code: str = "invalid_json") -> Any:
    """`json.loads`, except that nesting beyond MAX_DEPTH is a 400 (`code`), never a RecursionError.

    Malformed JSON still raises ValueError for the caller to word.
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _refused(code) from None
    if too_deep(value):
        raise _refused(code)
    return value
