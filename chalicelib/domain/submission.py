"""An entry (tác phẩm dự thi): what a participant sends, its upload and its access token.

The statuses an entry moves through, and which may replace the video, are
declared in domain/entry_status.py.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, model_validator

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.entry_status import WITHDRAWN, can_replace_video, can_withdraw
from chalicelib.domain.errors import Conflict, InvalidInput

EXTENSION_BY_CONTENT_TYPE = {"video/mp4": "mp4", "video/quicktime": "mov"}
UPLOAD_PREFIX = "uploads/"



class Author(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .-]{8,20}$")

    @model_validator(mode="after")
    def _reachable(self) -> "Author":
        if not self.email and not self.phone:
            raise ValueError("each author needs an email or a phone number")
        return self


class FileDeclaration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    size_bytes: int = Field(gt=0)


class SubmissionRequest(FileDeclaration):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    category: str = Field(default="", max_length=100)
    unit_id: str = Field(min_length=1, max_length=64)
    authors: list[Author] = Field(min_length=1, max_length=20)
    # The version of the campaign's terms the participant ticked "I agree" to (domain/consent.py).
    accepted_terms_version: str | None = Field(default=None, min_length=1, max_length=32)


_FIELD_MESSAGES_VI = {
    "missing": "bắt buộc phải có",
    "string_too_long": "quá dài",
    "string_too_short": "không được để trống",
    "too_long": "quá nhiều mục",
    "too_short": "cần ít nhất một mục",
    "extra_forbidden": "không được phép gửi trường này",
    "greater_than": "phải lớn hơn 0",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi ký tự",
    "string_pattern_mismatch": "sai định dạng",
    "value_error": "không hợp lệ",
}


def _invalid_fields(exc: ValidationError) -> InvalidInput:
    problems = [
        {
            "field": ".".join(str(p) for p in err["loc"]),
            "code": err["type"],
            "message_vi": _FIELD_MESSAGES_VI.get(err["type"], "không hợp lệ"),
            "message_en": err["msg"],
        }
        for err in exc.errors()
    ]
    fields = ", ".join(p["field"] for p in problems)
    return InvalidInput(
        f"Thông tin chưa hợp lệ: {fields}.",
        f"Some fields are missing or invalid: {fields}.",
        code="invalid_fields",
        problems=problems,
    )


def parse_request(model: type[BaseModel], body: dict) -> BaseModel:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise _invalid_fields(exc) from None


def require_video_campaign(campaign: Campaign) -> None:
    """A link campaign (units post links to their own posts) takes no video entries."""
    if campaign.entry_kind == "link":
        raise Conflict(
            "Cuộc thi này nhận đường dẫn bài đăng của đơn vị, không nhận video dự thi.",
            "This campaign takes links to units' posts, not video entries.",
            code="campaign_takes_links",
        )


def check_file_allowed(campaign: Campaign, declared: FileDeclaration) -> str:
    """The upload's extension, after refusing a type or size the campaign does not accept."""
    if declared.content_type not in campaign.media.content_types:
        allowed = ", ".join(campaign.media.containers).upper()
        raise InvalidInput(
            f"Định dạng tệp không được chấp nhận. Cuộc thi chỉ nhận: {allowed}.",
            f"This file type is not accepted. The campaign accepts: {allowed}.",
            code="content_type_not_allowed",
            allowed_content_types=list(campaign.media.content_types),
        )
    if declared.size_bytes > campaign.media.max_file_size_bytes:
        limit_mb = campaign.media.max_file_size_bytes / 1024**2
        raise InvalidInput(
            f"Tệp quá lớn. Dung lượng tối đa là {limit_mb:,.0f} MB.".replace(",", "."),
            f"The file is too large. The maximum is {limit_mb:,.0f} MB.",
            code="file_too_large",
            max_file_size_bytes=campaign.media.max_file_size_bytes,
        )
    return EXTENSION_BY_CONTENT_TYPE[declared.content_type]


def require_reuploadable(status: str) -> None:
    if not can_replace_video(status):
        raise Conflict(
            "Bài dự thi đã được duyệt nên không thể thay video.",
            "The entry has been approved; its video can no longer be replaced.",
            code="entry_locked",
            status=status,
        )


def require_withdrawable(status: str) -> None:
    if status == WITHDRAWN:
        raise Conflict("Bài dự thi đã được rút trước đó.", "The entry has already been withdrawn.",
                       code="already_withdrawn", status=status)
    if not can_withdraw(status):
        raise Conflict(
            "Bài dự thi đã được đăng tải nên không thể rút. Vui lòng liên hệ ban tổ chức.",
            "The entry has been published and can no longer be withdrawn; contact the organisers.",
            code="entry_already_published",
            status=status,
        )


def new_submission_id() -> str:
    return uuid.uuid4().hex


# Ids are 32 hex characters; anything far longer names no entry, and DynamoDB refuses a key over
# 2,048 bytes with an error rather than "not found".
MAX_SUBMISSION_ID_BYTES = 128


def could_be_submission_id(text: str) -> bool:
    return 0 < len(text.encode("utf-8", "surrogatepass")) <= MAX_SUBMISSION_ID_BYTES


def new_upload_key(campaign_id: str, submission_id: str, extension: str) -> str:
    """Server-made and unguessable: never derived from the participant's file name."""
    return f"{UPLOAD_PREFIX}{campaign_id}/{submission_id}/{uuid.uuid4().hex}.{extension}"


def submission_id_from_key(key: str) -> str | None:
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != UPLOAD_PREFIX:
        return None
    return parts[2]


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


def hash_access_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_access_token(token), stored_hash)

