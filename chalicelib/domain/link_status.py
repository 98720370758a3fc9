"""A posted link's status (link campaigns, seed 001): whether the post carries the
campaign hashtag. A link counts in the roll-ups like an entry in the same-named status.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from chalicelib.domain import entry_status

LinkStatus = Literal["valid", "invalid"]

WITH_HASHTAG: LinkStatus = entry_status.VALID
WITHOUT_HASHTAG: LinkStatus = entry_status.INVALID

LINK_COUNTERS: Mapping[str | None, frozenset[str]] = {
    None: entry_status.STATUS_COUNTERS[None],
    WITH_HASHTAG: entry_status.STATUS_COUNTERS[entry_status.VALID],
    WITHOUT_HASHTAG: entry_status.STATUS_COUNTERS[entry_status.INVALID],
}


def link_status(has_hashtag: bool) -> LinkStatus:
    return WITH_HASHTAG if has_hashtag else WITHOUT_HASHTAG
