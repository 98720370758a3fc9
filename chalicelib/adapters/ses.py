"""Email through Amazon SES: one MIME message (plain text and HTML) per notification."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from chalicelib.domain.notifications import OutgoingEmail

ENTRY_HEADER = "X-Contest-Entry"
EVENT_HEADER = "X-Contest-Event"


def mime_message(sender: str, sender_name: str, email: OutgoingEmail) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = formataddr((sender_name, sender))
    mime["To"] = email.to
    mime["Subject"] = email.message.subject
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 8058 one-click unsubscribe: mail providers show their own button, and ask for it from bulk senders.
    mime["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
    mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime[ENTRY_HEADER] = email.submission_id
    mime[EVENT_HEADER] = email.event_key
    mime.set_content(email.message.text)
    mime.add_alternative(email.message.html, subtype="html")
    return mime


class SesMailer:
    def __init__(self, client: Any, sender: str, sender_name: str, configuration_set: str | None = None) -> None:
        self._client = client
        self.sender = sender
        self._sender_name = sender_name
        self._configuration_set = configuration_set

    def send(self, email: OutgoingEmail) -> str:
        request: dict[str, Any] = {
            "Source": self.sender,
            "Destinations": [email.to],
            "RawMessage": {"Data": mime_message(self.sender, self._sender_name, email).as_bytes()},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return self._client.send_raw_email(**request)["MessageId"]
