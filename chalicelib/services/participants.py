"""What a participant does: create an entry, get upload instructions, follow its status.

The participant never sends the video through the API: they get a presigned
POST (files up to 64 MiB) or a presigned multipart upload (larger files, which a
browser can resume by asking which parts S3 already has).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.campaign_access import require_eligible
from chalicelib.domain.consent import acceptance_record, require_acceptance
from chalicelib.domain.entry import Entry, NewSubmission, NewUpload
from chalicelib.domain.entry_status import CREATED, status_label
from chalicelib.domain.entry_views import participant_view
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
    require_withdrawable,
    require_video_campaign,
    token_matches,
)
from chalicelib.domain.uploads import PRESIGNED_POST_LIMIT, part_plan
from chalicelib.domain import entry_status
from chalicelib.domain import notifications as notify
from chalicelib.services.entry_progress import EntryProgress
from chalicelib.services.notifications import SILENT
from chalicelib.services.ports import Campaigns, NotificationEvents, ParticipantEntries, UploadLinks, Units


def _submission_not_found() -> NotFound:
    return NotFound("Không tìm thấy bài dự thi.", "Entry not found.", code="submission_not_found")


@dataclass
class ParticipantService:
    campaigns: Campaigns
    units: Units
    submissions: ParticipantEntries
    bucket: UploadLinks
    notifications: NotificationEvents = SILENT
    progress: EntryProgress | None = None

    # --- creating an entry ------------------------------------------------
    def create(
        self, campaign_id: str, body: dict, now: datetime, client_ip: str | None = None, user_agent: str | None = None,
        language: str = "vi",
    ) -> dict:
        campaign = self.campaigns.require(campaign_id)
        require_video_campaign(campaign)
        if not campaign.is_open_for_submissions(now):
            raise Conflict(
                "Cuộc thi hiện không nhận bài dự thi.",
                "The campaign is not accepting entries now.",
                code="campaign_closed",
            )
        request = parse_request(SubmissionRequest, body)
        assert isinstance(request, SubmissionRequest)
        extension = check_file_allowed(campaign, request)
        require_acceptance(campaign, request.accepted_terms_version)
        unit = self.units.find(request.unit_id)
        if unit is None:
            raise InvalidInput(
                "Không tìm thấy đơn vị đã chọn.", "The chosen unit does not exist.", code="unknown_unit"
            )
        require_eligible(campaign, unit.unit_id, unit.path)
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
                consent=acceptance_record(campaign, now, client_ip, user_agent),
            )
        )
        self.notifications.publish([notify.entry_received(submission_id, token, language)])
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
        part_size, count = part_plan(declared.size_bytes)
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
    def _own(self, submission_id: str, token: str | None) -> Entry:
        if not token:
            raise Unauthenticated(
                "Thiếu mã truy cập bài dự thi.",
                "The entry's access token is missing.",
                code="missing_participant_token",
            )
        entry = self.submissions.get(submission_id)
        # A wrong token looks exactly like a missing entry: nothing leaks about other entries.
        if entry is None or not token_matches(token, entry.access_token_hash):
            raise _submission_not_found()
        return entry

    def view(self, submission_id: str, token: str | None, now: datetime | None = None) -> dict:
        entry = self._own(submission_id, token)
        return {**participant_view(entry), **(self.progress.of(entry, now) if self.progress and now else {})}

    def new_upload(self, submission_id: str, token: str | None, body: dict, now: datetime) -> dict:
        entry = self._own(submission_id, token)
        require_reuploadable(entry.status)
        campaign = self.campaigns.require(entry.campaign_id)
        declared = parse_request(FileDeclaration, body)
        assert isinstance(declared, FileDeclaration)
        extension = check_file_allowed(campaign, declared)
        key = new_upload_key(campaign.id, entry.submission_id, extension)
        upload, multipart_id = self._instructions(campaign, key, declared, now)
        previous_key, previous_multipart = entry.upload_key, entry.multipart_upload_id
        replacement = NewUpload(
            key, upload["method"].lower(), multipart_id, declared.file_name, declared.content_type,
            declared.size_bytes,
        )
        moved = self.submissions.replace_upload(entry, replacement, now)
        if not moved:
            if multipart_id:
                self.bucket.abort_multipart(key, multipart_id)
            raise Conflict(
                "Bài dự thi vừa thay đổi trạng thái, vui lòng thử lại.",
                "The entry changed meanwhile; please try again.",
                code="entry_changed",
            )
        if previous_multipart and previous_key != entry.stored_key:
            self.bucket.abort_multipart(previous_key, previous_multipart)
        return {"submission_id": entry.submission_id, "status": entry_status.AWAITING_UPLOAD, "upload": upload}

    def _current_multipart(self, entry: Entry) -> str:
        if entry.upload_kind != "multipart" or not entry.multipart_upload_id or entry.status != entry_status.AWAITING_UPLOAD:
            raise Conflict(
                "Không có lượt tải lên nhiều phần nào đang chờ.",
                "There is no multipart upload in progress for this entry.",
                code="no_multipart_upload",
            )
        return entry.multipart_upload_id

    def multipart_progress(self, submission_id: str, token: str | None) -> dict:
        """Which parts S3 already has, and fresh URLs for the rest: how a browser resumes."""
        entry = self._own(submission_id, token)
        upload_id = self._current_multipart(entry)
        part_size, count = part_plan(int(entry.declared_size))
        uploaded = self.bucket.uploaded_parts(entry.upload_key, upload_id)
        have = {p["part_number"] for p in uploaded}
        missing = [n for n in range(1, count + 1) if n not in have]
        return {
            "key": entry.upload_key,
            "part_size": part_size,
            "part_count": count,
            "uploaded": uploaded,
            "parts": self.bucket.presigned_part_urls(entry.upload_key, upload_id, missing),
        }

    def complete_multipart(self, submission_id: str, token: str | None) -> dict:
        entry = self._own(submission_id, token)
        upload_id = self._current_multipart(entry)
        _, count = part_plan(int(entry.declared_size))
        uploaded = sorted(self.bucket.uploaded_parts(entry.upload_key, upload_id), key=lambda p: p["part_number"])
        missing = sorted(set(range(1, count + 1)) - {p["part_number"] for p in uploaded})
        if missing:
            raise Conflict(
                f"Còn thiếu {len(missing)} phần của tệp, vui lòng tải tiếp.",
                f"{len(missing)} parts of the file are still missing; resume the upload.",
                code="parts_missing",
                missing_parts=missing[:100],
            )
        self.bucket.complete_multipart(entry.upload_key, upload_id, uploaded)
        return {"submission_id": entry.submission_id, "status": entry_status.VALIDATING}

    # --- taking the entry back ------------------------------------------------
    def withdraw(self, submission_id: str, token: str | None, now: datetime) -> dict:
        """The participant takes back an entry that has not been published: it leaves the review
        queue and every counter. A published one is in a voting week: only organisers act on it."""
        entry = self._own(submission_id, token)
        require_withdrawable(entry.status)
        withdrawn = self.submissions.withdraw(entry, now)
        if not withdrawn:
            raise Conflict(
                "Bài dự thi vừa thay đổi trạng thái, vui lòng tải lại và thử lại.",
                "The entry changed meanwhile; reload and try again.",
                code="entry_changed",
            )
        if entry.multipart_upload_id and entry.status == entry_status.AWAITING_UPLOAD:
            self.bucket.abort_multipart(entry.upload_key, entry.multipart_upload_id)
        return participant_view(withdrawn)
