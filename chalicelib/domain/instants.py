"""Instants: refuse naive datetimes, and one canonical UTC text for every stored or sent time."""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.domain.errors import InvalidInput


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Return `moment` in UTC; a naive datetime is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise InvalidInput(
            f"Thời điểm “{what}” phải kèm múi giờ.",
            f"The {what} must carry a time zone.",
            code="naive_datetime",
            field=what,
        )
    return moment.astimezone(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """Canonical text of an instant: UTC, 'Z' suffix, microseconds only when present."""
    text = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_iso_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return require_aware(parsed, "timestamp")
