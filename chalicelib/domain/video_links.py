"""Links to an entry's stored video for the people who review or judge it.

Only the object the validator passed is ever linked: a replacement still being
validated, or one that failed, is not what the entry competes with. The links
are presigned GETs that expire within minutes; the browser gets the file inline
to stream it (and seeks with Range requests), or as an attachment named after
the entry's title so an organiser's download folder stays readable.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import quote

from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_status import APPROVED, DISQUALIFIED, PUBLISHED, REJECTED, VALID
from chalicelib.domain.errors import Conflict

LINK_TTL_SECONDS = 5 * 60

# Statuses reached only through a passing verdict, so the stored object is the validated one.
WATCHABLE = frozenset({VALID, APPROVED, REJECTED, PUBLISHED, DISQUALIFIED})

_EXTENSIONS = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/3gpp": ".3gp"}
_SAFE_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}")
_NOT_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_REPEATED_DASH = re.compile(r"-{2,}")
_MAX_STEM = 120
# RFC 5987 attr-char, apart from ALPHA and DIGIT which quote() always keeps.
_ATTR_CHARS = "!#$&+-.^_`|~"

Disposition = Literal["inline", "attachment"]


def video_not_available() -> Conflict:
    return Conflict(
        "Bài dự thi chưa có video hợp lệ để xem.",
        "The entry has no validated video to watch yet.",
        code="video_not_available",
    )


def watchable_video_key(entry: Entry) -> str | None:
    """The key of the validated video, or None while there is none."""
    if entry.status not in WATCHABLE or not entry.stored_key:
        return None
    return entry.stored_key


def file_extension(file_name: str, content_type: str | None) -> str:
    suffix = PurePosixPath(file_name or "").suffix
    if _SAFE_EXTENSION.fullmatch(suffix):
        return suffix.lower()
    return _EXTENSIONS.get((content_type or "").split(";")[0].strip().lower(), "")


def ascii_file_name(title: str, extension: str) -> str:
    """"Khát vọng hùng cường", ".mp4" -> "Khat-vong-hung-cuong.mp4" (case kept, marks dropped)."""
    text = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in text if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    stem = _REPEATED_DASH.sub("-", _NOT_FILENAME.sub("-", bare)).strip("-._")[:_MAX_STEM].rstrip("-._")
    return f"{stem or 'video'}{extension}"


def unicode_file_name(title: str, extension: str) -> str:
    # Path separators and control characters never belong in a saved file's name.
    cleaned = "".join(" " if ch in '/\\"' or unicodedata.category(ch).startswith("C") else ch for ch in title)
    stem = " ".join(cleaned.split())[:_MAX_STEM].strip()
    return f"{stem or 'video'}{extension}"


def content_disposition(kind: Disposition, title: str, extension: str) -> str:
    """inline or attachment, with an ASCII filename and the exact one as RFC 5987 filename*."""
    fallback = ascii_file_name(title, extension)
    exact = quote(unicode_file_name(title, extension), safe=_ATTR_CHARS)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"
