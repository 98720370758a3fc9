"""What a participant does: create an entry, get upload instructions, follow its status.

The participant never sends the video through the API: they get a presigned
POST (files up to 64 MiB) or a presigned multipart upload (larger files, which a
browser can resume by asking which parts S3 already has).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.dynamodb.campaigns import CampaignStore
from chalicelib.adapters.dynamodb.models import SubmissionRecord
from chalicelib.adapters.dynamodb.organisation import OrgUnitStore
from chalicelib.adapters.dynamodb.submissions import NewSubmission, SubmissionStore
from chalicelib.adapters.s3 import PRESIGNED_POST_LIMIT, UploadBucket, part_size_for
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.entry_status import CREATED, can_replace_video, status_label
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.submission import (
    FileDeclaration,
    SubmissionRequest,
    check_file_allowed,
    hash_access_token,
    new_access_token,
    new_submission_id,
    new_upload_key,
    parse_request,
    require_reuploadable,
    token_matches,
)


def _part_plan(size_bytes: int) -> tuple[int, int]:
    """(part size, number of parts) for a multipart upload of this size."""
    part_size = part_size_for(size_bytes)
    return part_size, -(-size_bytes // part_size)



def _submission_not_found() -> NotFound:
    return NotFound("Không tìm thấy bài dự thi.", "Entry not found.", code="submission_not_found")


@dataclass
class ParticipantService:
    campaigns: CampaignStore
    units: OrgUnitStore
    submissions: SubmissionStore
    bucket: UploadBucket

    # --- creating an entry ------------------------------------------------
    def create(self, campaign_id: str, body: dict, now: datetime) -> dict:
        campaign = self.campaigns.require(campaign_id)
        if not campaign.is_open_for_submissions(now):
            raise Conflict(
                "Cuộc thi hiện không nhận bài dự thi.",
                "The campaign is not accepting entries now.",
                code="campaign_closed",
            )
        request = parse_request(SubmissionRequest, body)
        assert isinstance(request, SubmissionRequest)
        extension = check_file_allowed(campaign, request)
        unit = self.units.find(request.unit_id)
        if unit is None:
            raise InvalidInput(
                "Không tìm thấy đơn vị đã chọn.", "The chosen unit does not exist.", code="unknown_unit"
            )
        submission_id = new_submission_id()
        token = new_access_token()
        key = new_upload_key(campaign.id, submission_id, extension)
        upload, multipart_id = self._instructions(campaign, key, request, now)
        self.submissions.create(
            NewSubmission(
                submission_id=submission_id,
                campaign_id=campaign.id,
                unit_id=unit.unit_id,
                unit_path=unit.path,
                title=request.title,
                description=request.description,
                category=request.category,
                authors=[a.model_dump(exclude_none=True) for a in request.authors],
                file_name=request.file_name,
                content_type=request.content_type,
                declared_size=request.size_bytes,
                access_token_hash=hash_access_token(token),
                upload_key=key,
                upload_kind=upload["method"].lower(),
                multipart_upload_id=multipart_id,
                created_at=now,
            )
        )
        return {
            "submission_id": submission_id,
            "access_token": token,
            "status": CREATED,
            "status_label": status_label(CREATED),
            "upload": upload,
        }

    def _instructions(
        self, campaign: Campaign, key: str, declared: FileDeclaration, now: datetime
    ) -> tuple[dict, str | None]:
        if declared.size_bytes <= PRESIGNED_POST_LIMIT:
            post = self.bucket.presigned_post(key, declared.content_type, campaign.media.max_file_size_bytes, now)
            return post, None
        upload_id = self.bucket.start_multipart(key, declared.content_type)
        part_size, count = _part_plan(declared.size_bytes)
        return (
            {
                "method": "MULTIPART",
                "key": key,
                "part_size": part_size,
                "part_count": count,
                "parts": self.bucket.presigned_part_urls(key, upload_id, list(range(1, count + 1))),
            },
            upload_id,
        )

    # --- the participant's own entry -------------------------------------
    def _own(self, submission_id: str, token: str | None) -> SubmissionRecord:
        if not token:
            raise Unauthenticated(
                "Thiếu mã truy cập bài dự thi.",
                "The entry's access token is missing.",
                code="missing_participant_token",
            )
        record = self.submissions.get(submission_id)
        # A wrong token looks exactly like a missing entry: nothing leaks about other entries.
        if record is None or not token_matches(token, record.access_token_hash):
            raise _submission_not_found()
        return record

    def view(self, submission_id: str, token: str | None) -> dict:
        record = self._own(submission_id, token)
        review = record.review or {}
        return {
            "submission_id": record.submission_id,
            "campaign_id": record.campaign_id,
            "title": record.title,
            "unit_id": record.unit_id,
            "status": record.status,
            "status_label": status_label(record.status),
            "can_replace_video": can_replace_video(record.status),
            "verdict": record.verdict,
            "rejection_reason": review.get("rejection_reason"),
            "created_at": record.created_at.isoformat(),
            "updated_at": record.status_changed_at.isoformat(),
        }

    def new_upload(self, submission_id: str, token: str | None, body: dict, now: datetime) -> dict:
        record = self._own(submission_id, token)
        require_reuploadable(record.status)
        campaign = self.campaigns.require(record.campaign_id)
        declared = parse_request(FileDeclaration, body)
        assert isinstance(declared, FileDeclaration)
        extension = check_file_allowed(campaign, declared)
        key = new_upload_key(campaign.id, record.submission_id, extension)
        upload, multipart_id = self._instructions(campaign, key, declared, now)
        previous_key, previous_multipart = record.upload_key, record.multipart_upload_id
        moved = self.submissions.replace_upload(
            record, key, upload["method"].lower(), multipart_id,
            declared.file_name, declared.content_type, declared.size_bytes, now,
        )
        if not moved:
            if multipart_id:
                self.bucket.abort_multipart(key, multipart_id)
            raise Conflict(
                "Bài dự thi vừa thay đổi trạng thái, vui lòng thử lại.",
                "The entry changed meanwhile; please try again.",
                code="entry_changed",
            )
        if previous_multipart and previous_key != record.stored_key:
            self.bucket.abort_multipart(previous_key, previous_multipart)
        return {"submission_id": record.submission_id, "status": "awaiting_upload", "upload": upload}

    def _current_multipart(self, record: SubmissionRecord) -> str:
        if record.upload_kind != "multipart" or not record.multipart_upload_id or record.status != "awaiting_upload":
            raise Conflict(
                "Không có lượt tải lên nhiều phần nào đang chờ.",
                "There is no multipart upload in progress for this entry.",
                code="no_multipart_upload",
            )
        return record.multipart_upload_id

    def multipart_progress(self, submission_id: str, token: str | None) -> dict:
        """Which parts S3 already has, and fresh URLs for the rest: how a browser resumes."""
        record = self._own(submission_id, token)
        upload_id = self._current_multipart(record)
        part_size, count = _part_plan(int(record.declared_size))
        uploaded = self.bucket.uploaded_parts(record.upload_key, upload_id)
        have = {p["part_number"] for p in uploaded}
        missing = [n for n in range(1, count + 1) if n not in have]
        return {
            "key": record.upload_key,
            "part_size": part_size,
            "part_count": count,
            "uploaded": uploaded,
            "parts": self.bucket.presigned_part_urls(record.upload_key, upload_id, missing),
        }

    def complete_multipart(self, submission_id: str, token: str | None) -> dict:
        record = self._own(submission_id, token)
        upload_id = self._current_multipart(record)
        _, count = _part_plan(int(record.declared_size))
        uploaded = sorted(self.bucket.uploaded_parts(record.upload_key, upload_id), key=lambda p: p["part_number"])
        missing = sorted(set(range(1, count + 1)) - {p["part_number"] for p in uploaded})
        if missing:
            raise Conflict(
                f"Còn thiếu {len(missing)} phần của tệp, vui lòng tải tiếp.",
                f"{len(missing)} parts of the file are still missing; resume the upload.",
                code="parts_missing",
                missing_parts=missing[:100],
            )
        self.bucket.complete_multipart(record.upload_key, upload_id, uploaded)
        return {"submission_id": record.submission_id, "status": "validating"}
