"""What participants are told, and when: the events that reach them and the messages' texts.

Services publish a NotificationEvent where an entry's state changes; the notifier
renders one message per (entry, event) from the entry as it is when the message is
sent. Texts are Vietnamese by default, English for participants who used English,
each as plain text and as HTML, always with the link that stops further messages.
"""
from __future__ import annotations

import hashlib
import hmac
import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

from chalicelib.domain.exports import vietnam_wall_clock

RECEIVED = "received"
VERDICT = "verdict"
APPROVED = "approved"
REJECTED = "rejected"
PUBLISHED = "published"
WEEK_RESULT = "week_result"
FINALIST = "finalist"
PRIZE = "prize"
DISQUALIFIED = "disqualified"
ACCESS_LINK = "access_link"  # to an address, not about one entry: "Tra cứu bài dự thi"
ANNOUNCEMENT = "announcement"  # the organisers' own words; occurrence: the announcement's id
KINDS = (RECEIVED, VERDICT, APPROVED, REJECTED, PUBLISHED, WEEK_RESULT, FINALIST, PRIZE, DISQUALIFIED, ACCESS_LINK,
         ANNOUNCEMENT)
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class NotificationEvent:
    """Something that happened to one entry. `occurrence` separates events of one kind that
    may legitimately happen more than once (the result of week 1, then of week 2)."""

    kind: str
    submission_id: str
    occurrence: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What makes a message unique for its entry: one message per key, ever."""
        return f"{self.kind}#{self.occurrence}" if self.occurrence else self.kind

    def to_message(self) -> dict:
        return {"kind": self.kind, "submission_id": self.submission_id, "occurrence": self.occurrence,
                "details": dict(self.details)}

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> "NotificationEvent":
        kind = message.get("kind")
        if kind not in KINDS or not isinstance(message.get("submission_id"), str):
            raise ValueError(f"not a notification event: {str(message)[:200]}")
        return cls(kind, message["submission_id"], str(message.get("occurrence") or ""),
                   dict(message.get("details") or {}))


# --- the events, as the services name them --------------------------------------------

def entry_received(submission_id: str, access_token: str, language: str) -> NotificationEvent:
    # The token is the one way back to the entry; it travels only to the participant's own address.
    return NotificationEvent(RECEIVED, submission_id, details={
        "access_token": access_token, "language": language if language in LANGUAGES else "vi"})


def verdict_given(submission_id: str, status: str, validated_at: datetime) -> NotificationEvent:
    # Each upload of a replaced video gets its own verdict message.
    return NotificationEvent(VERDICT, submission_id, occurrence=validated_at.isoformat(),
                             details={"status": status})


def review_decided(submission_id: str, decision: str) -> NotificationEvent:
    return NotificationEvent(APPROVED if decision == "approve" else REJECTED, submission_id)


def published(submission_id: str) -> NotificationEvent:
    return NotificationEvent(PUBLISHED, submission_id)


def disqualified(submission_id: str) -> NotificationEvent:
    return NotificationEvent(DISQUALIFIED, submission_id)


def week_closed(document: Mapping[str, Any]) -> list[NotificationEvent]:
    """From a sealed week result: each ranked entry's result, and the finalists' news."""
    week = int(document["week"])
    events: list[NotificationEvent] = []
    rows = (document.get("outputs") or {}).get("rows") or []
    for row in rows:
        details = {"week": week, "rank": row["rank"], "score": row["score"], "winner": bool(row.get("winner")),
                   "entries": len(rows)}
        events.append(NotificationEvent(WEEK_RESULT, row["entry_id"], occurrence=str(week), details=details))
        if row.get("finalist"):
            events.append(NotificationEvent(FINALIST, row["entry_id"], details={"week": week, "rank": row["rank"]}))
    return events


def prize_awarded(submission_id: str, prize: str) -> NotificationEvent:
    # The prize is the occurrence: the same prize published again is the same message, a changed one is new.
    return NotificationEvent(PRIZE, submission_id, occurrence=prize, details={"prize": prize})


def access_link_requested(contact: str, language: str) -> NotificationEvent:
    return NotificationEvent(ACCESS_LINK, "", details={"contact": contact,
                                                       "language": language if language in LANGUAGES else "vi"})


# --- who hears, and how --------------------------------------------------------------

def normalised_email(address: str) -> str:
    return address.strip().lower()


def normalised_phone(number: str) -> str:
    """Vietnamese numbers in the 84xxxxxxxxx form Zalo and SMS gateways take."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits


def normalised_contact(raw: str) -> str | None:
    """An email or a Vietnamese phone number as entries store them, or None when it is neither."""
    text = (raw or "").strip()
    if "@" in text:
        local, _, domain = text.partition("@")
        return normalised_email(text) if local and "." in domain and " " not in text and len(text) <= 254 else None
    phone = normalised_phone(text)
    return phone if 10 <= len(phone) <= 13 and text.lstrip("+").replace(" ", "").replace(".", "").replace("-", "").isdigit() else None


def entry_contacts(authors: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every address and number an entry's authors gave: any of them may ask for its access link."""
    found = set()
    for author in authors:
        if author.get("email"):
            found.add(normalised_email(author["email"]))
        if author.get("phone"):
            found.add(normalised_phone(author["phone"]))
    return found


def recipient_email(authors: Iterable[Mapping[str, Any]]) -> str | None:
    """The first author who gave an email hears about the entry."""
    return next((normalised_email(a["email"]) for a in authors if a.get("email")), None)


def recipient_phone(authors: Iterable[Mapping[str, Any]]) -> str | None:
    return next((normalised_phone(a["phone"]) for a in authors if a.get("phone")), None)


def contact_key(contact: str, secret: bytes) -> str:
    """An address as stored beside notifications: keyed, never in clear."""
    return hmac.new(secret, contact.encode(), hashlib.sha256).hexdigest()


def unsubscribe_token(contact: str, secret: bytes) -> str:
    """A signed token naming the address it stops messages to; it never expires."""
    key = contact_key(contact, secret)
    signature = hmac.new(secret, b"unsubscribe:" + key.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{key}.{signature}"


def unsubscribed_contact_key(token: str, secret: bytes) -> str | None:
    """The keyed address a token names, or None when it was not signed by us."""
    key, _, signature = token.partition(".")
    expected = hmac.new(secret, b"unsubscribe:" + key.encode(), hashlib.sha256).hexdigest()[:32]
    return key if len(key) == 64 and hmac.compare_digest(signature, expected) else None


# --- the messages ------------------------------------------------------------------------

@dataclass(frozen=True)
class MessageContext:
    """Everything a message says, read from the entry and its campaign when it is sent."""

    language: str
    campaign_name: str
    entry_title: str
    follow_url: str
    unsubscribe_url: str
    verdict: Mapping[str, Any] | None = None
    rejection_reason: str | None = None
    disqualification_reason: str | None = None
    video_url: str | None = None
    week: int | None = None
    week_starts_at: datetime | None = None
    week_ends_at: datetime | None = None
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


METRIC_NAMES = {
    "likes": ("lượt thích", "like"), "saves": ("lượt lưu", "save"), "shares": ("lượt chia sẻ", "share"),
    "reposts": ("lượt đăng lại", "repost"), "comments": ("bình luận", "comment"), "views": ("lượt xem", "view"),
}
PRIZE_NAMES = {
    "first": ("Giải Nhất", "First prize"), "second": ("Giải Nhì", "Second prize"),
    "third": ("Giải Ba", "Third prize"), "consolation": ("Giải Khuyến khích", "Consolation prize"),
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _how_votes_count(weights: Mapping[str, float], vi: bool) -> str:
    parts = [f"{_number(w)} {'điểm' if vi else 'point(s)'} / {METRIC_NAMES.get(m, (m, m))[0 if vi else 1]}"
             for m, w in weights.items() if w]
    return ", ".join(parts)


def _failed_checks(verdict: Mapping[str, Any] | None, vi: bool) -> list[str]:
    lines = []
    for check in (verdict or {}).get("checks") or []:
        if check.get("outcome") == "fail":
            message = check.get("message_vi" if vi else "message_en") or check.get("code", "")
            expected = check.get("expected")
            lines.append(f"{message} ({'yêu cầu' if vi else 'expected'}: {expected})" if expected else message)
    return lines


def _body(event: NotificationEvent, c: MessageContext) -> tuple[str, list[str]]:
    """Subject and paragraphs of one message."""
    vi = c.language != "en"
    d = event.details
    title = f"«{c.entry_title}»"
    if event.kind == RECEIVED:
        return (
            f"Đã nhận bài dự thi {title}" if vi else f"Entry {title} received",
            [f"Ban tổ chức {c.campaign_name} đã nhận bài dự thi {title}. Video sẽ được kiểm tra tự động "
             "ngay khi tải lên xong." if vi else
             f"The organisers of {c.campaign_name} have received your entry {title}. The video is checked "
             "automatically as soon as its upload finishes.",
             (f"Theo dõi bài dự thi (giữ kín đường dẫn này, nó cho phép truy cập bài của bạn): {c.follow_url}" if vi
              else f"Follow your entry (keep this link private, it gives access to your entry): {c.follow_url}")],
        )
    if event.kind == VERDICT:
        if d.get("status") == "valid":
            return (
                f"Video của bài {title} hợp lệ" if vi else f"The video of {title} is valid",
                ["Video đã đạt mọi yêu cầu kỹ thuật và đang chờ ban tổ chức thẩm định." if vi else
                 "The video meets every technical requirement and awaits the organisers' review.",
                 (f"Theo dõi: {c.follow_url}" if vi else f"Follow it: {c.follow_url}")],
            )
        problems = _failed_checks(c.verdict, vi)
        return (
            f"Video của bài {title} chưa hợp lệ" if vi else f"The video of {title} is not valid",
            [("Video chưa đạt yêu cầu vì:" if vi else "The video does not meet the rules:"),
             *[f"- {p}" for p in problems],
             (f"Cách khắc phục: sửa video theo các yêu cầu trên rồi tải lại tại {c.follow_url}" if vi else
              f"How to fix it: correct the video as listed above, then upload it again at {c.follow_url}")],
        )
    if event.kind == APPROVED:
        return (
            f"Bài dự thi {title} đã được duyệt" if vi else f"Entry {title} approved",
            ["Ban tổ chức đã duyệt bài dự thi của bạn; bài sẽ được đăng trên kênh của cuộc thi." if vi else
             "The organisers approved your entry; it will be posted on the campaign's channel.",
             (f"Theo dõi: {c.follow_url}" if vi else f"Follow it: {c.follow_url}")],
        )
    if event.kind == REJECTED:
        return (
            f"Bài dự thi {title} không được duyệt" if vi else f"Entry {title} was not approved",
            [(f"Lý do của ban tổ chức: {c.rejection_reason}" if vi else
              f"The organisers' reason: {c.rejection_reason}"),
             (f"Chi tiết: {c.follow_url}" if vi else f"Details: {c.follow_url}")],
        )
    if event.kind == PUBLISHED:
        dates = (f"{vietnam_wall_clock(c.week_starts_at)} – {vietnam_wall_clock(c.week_ends_at)}"
                 if c.week_starts_at and c.week_ends_at else "")
        return (
            f"Bài dự thi {title} đã được đăng" if vi else f"Entry {title} is published",
            [(f"Xem và chia sẻ video: {c.video_url}" if vi else f"Watch and share the video: {c.video_url}"),
             (f"Bài tham gia bình chọn tuần {c.week}: từ {dates} (giờ Việt Nam)." if vi else
              f"It competes in voting week {c.week}: {dates} (Vietnam time)."),
             (f"Cách tính điểm: {_how_votes_count(c.weights, vi)}." if vi else
              f"How votes count: {_how_votes_count(c.weights, vi)}."),
             (f"Điểm trực tiếp: {c.follow_url}" if vi else f"Live score: {c.follow_url}")],
        )
    if event.kind == WEEK_RESULT:
        lines = [(f"Tuần {d['week']} đã chốt: bài của bạn xếp hạng {d['rank']}/{d.get('entries', '?')} "
                  f"với {d['score']} điểm." if vi else
                  f"Week {d['week']} is closed: your entry ranked {d['rank']} of {d.get('entries', '?')} "
                  f"with {d['score']} points.")]
        if d.get("winner"):
            lines.append("Chúc mừng! Bài của bạn đạt giải tuần." if vi else
                         "Congratulations! Your entry wins the weekly prize.")
        lines.append(f"Chi tiết: {c.follow_url}" if vi else f"Details: {c.follow_url}")
        return (f"Kết quả tuần {d['week']}: {title}" if vi else f"Week {d['week']} result: {title}", lines)
    if event.kind == FINALIST:
        return (
            f"Bài dự thi {title} vào vòng chung khảo" if vi else f"Entry {title} is a finalist",
            [(f"Bài của bạn nằm trong nhóm dẫn đầu tuần {d['week']} và vào vòng chung khảo do ban giám khảo chấm."
              if vi else f"Your entry is among the leaders of week {d['week']} and goes to the final round, "
              "judged by the jury."),
             (f"Theo dõi: {c.follow_url}" if vi else f"Follow it: {c.follow_url}")],
        )
    if event.kind == PRIZE:
        prize = PRIZE_NAMES.get(str(d.get("prize")), (str(d.get("prize")), str(d.get("prize"))))[0 if vi else 1]
        return (
            f"Chúc mừng! {title} đạt {prize}" if vi else f"Congratulations! {title} wins the {prize}",
            [(f"Bài dự thi {title} đạt {prize} của {c.campaign_name}. Ban tổ chức sẽ liên hệ để trao giải."
              if vi else f"Your entry {title} wins the {prize} of {c.campaign_name}. The organisers will contact "
              "you about the award.")],
        )
    if event.kind == ANNOUNCEMENT:
        return (str(d.get("subject_vi" if vi else "subject_en") or ""),
                [*str(d.get("message_vi" if vi else "message_en") or "").split("\n\n"),
                 (f"Bài dự thi {title}: {c.follow_url}" if vi else f"Entry {title}: {c.follow_url}")])
    if event.kind == DISQUALIFIED:
        return (
            f"Bài dự thi {title} bị loại" if vi else f"Entry {title} was disqualified",
            [(f"Lý do: {c.disqualification_reason}" if vi else f"Reason: {c.disqualification_reason}"),
             (f"Chi tiết: {c.follow_url}" if vi else f"Details: {c.follow_url}")],
        )
    raise ValueError(f"no message for {event.kind}")


def compose(event: NotificationEvent, context: MessageContext) -> Message:
    vi = context.language != "en"
    subject, paragraphs = _body(event, context)
    footer = (f"Không muốn nhận thêm thư? Hủy đăng ký: {context.unsubscribe_url}" if vi else
              f"No more messages? Unsubscribe: {context.unsubscribe_url}")
    greeting = "Chào bạn," if vi else "Hello,"
    signature = f"Ban tổ chức {context.campaign_name}" if vi else f"The organisers of {context.campaign_name}"
    text = "\n\n".join([greeting, *paragraphs, signature, "--", footer]) + "\n"
    body_html = "".join(f"<p>{_linked(p)}</p>" for p in [greeting, *paragraphs, signature])
    unsubscribe_label = "Hủy đăng ký nhận thư" if vi else "Unsubscribe"
    page = (f'<!doctype html><html lang="{"vi" if vi else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head><body>{body_html}<hr>"
            f'<p><a href="{html.escape(context.unsubscribe_url)}">{unsubscribe_label}</a></p></body></html>')
    return Message(subject=subject, text=text, html=page)


def _linked(paragraph: str) -> str:
    """Escapes a paragraph and makes its http(s) addresses links."""
    words = []
    for word in paragraph.split(" "):
        if word.startswith(("http://", "https://")):
            address = html.escape(word)
            words.append(f'<a href="{address}">{address}</a>')
        else:
            words.append(html.escape(word))
    return " ".join(words)


def zalo_template_data(event: NotificationEvent, context: MessageContext) -> dict[str, str]:
    """The parameters every approved ZNS template of the campaign takes (ZNS caps each value's length)."""
    subject, _ = _body(event, context)
    return {"title": context.entry_title[:100], "campaign": context.campaign_name[:100],
            "status": subject[:100], "link": context.follow_url[:500]}


def access_link_message(language: str, url: str, valid_minutes: int) -> Message:
    vi = language != "en"
    subject = "Đường dẫn tra cứu bài dự thi" if vi else "Your link to your entries"
    paragraphs = [
        ("Bạn (hoặc ai đó) vừa yêu cầu tra cứu các bài dự thi gửi bằng địa chỉ này. Mở đường dẫn dưới đây để xem "
         f"và truy cập từng bài; đường dẫn dùng được một lần, trong {valid_minutes} phút:" if vi else
         "You (or someone) asked for the entries sent with this address. Open the link below to see and reach "
         f"each of them; it works once, within {valid_minutes} minutes:"),
        url,
        ("Mở đường dẫn sẽ cấp mã truy cập mới cho từng bài; mã cũ hết hiệu lực. Nếu bạn không yêu cầu, hãy bỏ qua thư này."
         if vi else "Opening it gives each entry a new access code; the old codes stop working. If you did not ask, "
         "ignore this message."),
    ]
    greeting = "Chào bạn," if vi else "Hello,"
    text = "\n\n".join([greeting, *paragraphs]) + "\n"
    body = "".join(f"<p>{_linked(p)}</p>" for p in [greeting, *paragraphs])
    page = (f'<!doctype html><html lang="{"vi" if vi else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head><body>{body}</body></html>")
    return Message(subject=subject, text=text, html=page)


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    message: Message
    unsubscribe_url: str
    submission_id: str
    event_key: str
