"""How instants and numbers are shown to people: on the campaign's wall clock
(Asia/Ho_Chi_Minh by default), Vietnamese weekday names, dd/mm/yyyy."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.campaign import DEFAULT_TIMEZONE

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

METRIC_LABELS_VI = {
    "likes": "Lượt thích",
    "saves": "Lượt lưu",
    "shares": "Lượt chia sẻ",
    "reposts": "Lượt đăng lại",
    "comments": "Bình luận",
    "views": "Lượt xem",
}


def local_time(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> dict:
    """An instant as the campaign's people read it, plus its ISO form with offset."""
    local = moment.astimezone(ZoneInfo(zone))
    return {
        "iso": local.isoformat(),
        "text": f"{WEEKDAYS_VI[local.weekday()]}, {local:%d/%m/%Y %H:%M}",
        "timezone": zone,
    }


def local_text(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> str:
    return local_time(moment, zone)["text"]
