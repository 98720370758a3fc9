"""Zalo Notification Service (ZNS): template messages to a phone number, sent by the campaign's
Official Account. Off unless its credentials are in SSM.

The credentials parameter (SecureString JSON) holds the OA's `access_token` and the approved
template id of each event (`templates`: {"received": "…", "verdict": "…", …}); an event without a
template is not sent by Zalo. One POST per message, never retried here: SQS retries the event, and
the notification log makes sure a message that was accepted is not sent again.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from chalicelib.adapters.engagement_sources.http import Backoff, JsonHttp

SEND_PATH = "/message/template"
# Zalo's answers (https://zalo.cloud/zns/guidelines/handle-error-code): what trying again can fix.
RETRYABLE = {-100: "unknown error", -144: "daily quota exceeded", -124: "access token invalid or expired"}
RECIPIENT_PROBLEMS = {
    -108: "phone number invalid", -118: "no Zalo account for this number",
    -119: "account cannot receive ZNS", -139: "the user refused ZNS messages",
}


class ZaloRefused(RuntimeError):
    def __init__(self, code: int, message: str, retryable: bool) -> None:
        super().__init__(f"Zalo ZNS {code}: {message}")
        self.code = code
        self.retryable = retryable


class ZaloZns:
    def __init__(self, read_credentials: Callable[[], Mapping[str, Any] | None], base_url: str,
                 http: JsonHttp | None = None) -> None:
        self._read_credentials = read_credentials
        self._base_url = base_url.rstrip("/")
        self._http = http or JsonHttp("Zalo ZNS", backoff=Backoff(max_attempts=1))
        self._credentials: Mapping[str, Any] | None = None

    def _configured(self) -> Mapping[str, Any] | None:
        if self._credentials is None:
            self._credentials = self._read_credentials() or {}
        return self._credentials if self._credentials.get("access_token") else None

    def template_for(self, event_kind: str) -> str | None:
        credentials = self._configured()
        return ((credentials or {}).get("templates") or {}).get(event_kind)

    def send(self, phone: str, template_id: str, template_data: Mapping[str, str], tracking_id: str) -> str:
        credentials = self._configured()
        if credentials is None:
            raise ZaloRefused(0, "Zalo ZNS is not configured", retryable=False)
        response = self._http.send(
            "POST", self._base_url + SEND_PATH,
            headers={"access_token": str(credentials["access_token"])},
            json_body={"phone": phone, "template_id": template_id, "template_data": dict(template_data),
                       "tracking_id": tracking_id[:48]},
        )
        body = response.body if isinstance(response.body, dict) else {}
        if response.status >= 500 or not body:
            raise ZaloRefused(-100, f"HTTP {response.status}", retryable=True)
        code = int(body.get("error", -100))
        if code == 0:
            return str((body.get("data") or {}).get("msg_id") or "")
        if code == -124:
            self._credentials = None  # read again next time: an operator may have stored a new token
        message = RECIPIENT_PROBLEMS.get(code) or RETRYABLE.get(code) or str(body.get("message") or "refused")
        raise ZaloRefused(code, message, retryable=code in RETRYABLE)
