"""The entry's status machine: every status, what moves an entry from one to the next,
and the sets the rest of the code asks about.

    awaiting_upload ─receive_upload─▶ validating ─pass_validation─▶ valid ─approve─▶ approved ─publish─▶ published
          ▲                              ├─fail_validation─▶ invalid       └─reject─▶ rejected
          │                              └─abandon_validation─▶ validation_error
          └─replace_video─ any status before approval (receive_upload too)
    approved, published ─disqualify─▶ disqualified
    any status before publication ─withdraw─▶ withdrawn   (the participant takes the entry back)

Stores build their conditional writes from `allowed_from(action)` and
`transition_target(action)`, and the API tells front ends what an entry still
allows (`can_replace_video`), so no other module keeps its own copy of these rules.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Status = Literal[
    "awaiting_upload",
    "validating",
    "valid",
    "invalid",
    "validation_error",
    "approved",
    "rejected",
    "published",
    "disqualified",
    "withdrawn",
]

AWAITING_UPLOAD: Status = "awaiting_upload"
VALIDATING: Status = "validating"
VALID: Status = "valid"
INVALID: Status = "invalid"
VALIDATION_ERROR: Status = "validation_error"
APPROVED: Status = "approved"
REJECTED: Status = "rejected"
PUBLISHED: Status = "published"
DISQUALIFIED: Status = "disqualified"
WITHDRAWN: Status = "withdrawn"

STATUSES: tuple[Status, ...] = (
    AWAITING_UPLOAD, VALIDATING, VALID, INVALID, VALIDATION_ERROR, APPROVED, REJECTED, PUBLISHED, DISQUALIFIED, WITHDRAWN,
)

# A new entry has no video yet: the participant uploads it with the instructions it was created with.
CREATED: Status = AWAITING_UPLOAD

STATUS_LABELS: Mapping[str, tuple[str, str]] = {
    AWAITING_UPLOAD: ("Đang chờ tải video lên", "Waiting for the video upload"),
    VALIDATING: ("Đang kiểm tra video", "Checking the video"),
    VALID: ("Hợp lệ", "Valid"),
    INVALID: ("Không hợp lệ", "Invalid"),
    VALIDATION_ERROR: ("Lỗi khi kiểm tra video, ban tổ chức sẽ xử lý", "Checking failed; the organisers will look into it"),
    APPROVED: ("Đã được duyệt", "Approved"),
    REJECTED: ("Không được duyệt", "Rejected"),
    PUBLISHED: ("Đã đăng tải", "Published"),
    DISQUALIFIED: ("Bị loại", "Disqualified"),
    WITHDRAWN: ("Đã rút khỏi cuộc thi", "Withdrawn"),
}

Action = Literal[
    "replace_video",
    "receive_upload",
    "pass_validation",
    "fail_validation",
    "abandon_validation",
    "approve",
    "reject",
    "publish",
    "disqualify",
    "withdraw",
]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status


# Until an organiser has approved it, the video is the participant's to change.
_BEFORE_REVIEW: frozenset[Status] = frozenset({AWAITING_UPLOAD, VALIDATING, VALID, INVALID, VALIDATION_ERROR})

TRANSITIONS: Mapping[Action, Transition] = {
    # The participant asks for a new upload.
    "replace_video": Transition(_BEFORE_REVIEW, AWAITING_UPLOAD),
    # The entry's current upload arrived in the bucket (a late event for an older upload is
    # refused by the store's key check, not by status).
    "receive_upload": Transition(_BEFORE_REVIEW, VALIDATING),
    # The validator's verdict, or its giving up after the last retry or a timeout.
    "pass_validation": Transition(frozenset({VALIDATING}), VALID),
    "fail_validation": Transition(frozenset({VALIDATING}), INVALID),
    "abandon_validation": Transition(frozenset({VALIDATING}), VALIDATION_ERROR),
    # Organisers.
    "approve": Transition(frozenset({VALID}), APPROVED),
    "reject": Transition(frozenset({VALID}), REJECTED),
    "publish": Transition(frozenset({APPROVED}), PUBLISHED),
    "disqualify": Transition(frozenset({APPROVED, PUBLISHED}), DISQUALIFIED),
    # The participant, while the entry has not been posted publicly: once published it is in a
    # voting week and its withdrawal is the organisers' decision (disqualification).
    "withdraw": Transition(_BEFORE_REVIEW | {APPROVED, REJECTED}, WITHDRAWN),
}

# The validator's verdict status names the transition that records it.
_VERDICT_ACTIONS: Mapping[str, Action] = {VALID: "pass_validation", INVALID: "fail_validation"}


def _transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"unknown entry action {action!r}") from None


def allowed_from(action: str) -> frozenset[Status]:
    """The statuses in which `action` may happen."""
    return _transition(action).sources


def transition_target(action: str) -> Status:
    """The status `action` moves an entry to."""
    return _transition(action).target


def allows(action: str, status: str) -> bool:
    return status in allowed_from(action)


def verdict_action(verdict_status: str) -> Action:
    """The transition that records a validator verdict ("valid" or "invalid")."""
    try:
        return _VERDICT_ACTIONS[verdict_status]
    except KeyError:
        raise ValueError(f"no transition records a verdict of {verdict_status!r}") from None


# --- what the rest of the code asks ----------------------------------------------

REPLACEABLE: frozenset[Status] = allowed_from("replace_video")
REVIEWABLE: frozenset[Status] = allowed_from("approve") | allowed_from("reject")
PUBLISHABLE: frozenset[Status] = allowed_from("publish")
DISQUALIFIABLE: frozenset[Status] = allowed_from("disqualify")
WITHDRAWABLE: frozenset[Status] = allowed_from("withdraw")
# Only a published entry competes in its voting week; disqualifying it moves it out.
COMPETING: frozenset[Status] = frozenset({transition_target("publish")})
# Statuses in which the current upload already has the validator's verdict: a repeated
# event for the same object must not start its validation again.
JUDGED: frozenset[Status] = frozenset(STATUSES) - {
    transition_target("replace_video"),
    transition_target("receive_upload"),
}


def can_replace_video(status: str) -> bool:
    return status in REPLACEABLE


def can_withdraw(status: str) -> bool:
    return status in WITHDRAWABLE


def is_competing(status: str) -> bool:
    return status in COMPETING


def status_label(status: str) -> dict[str, str]:
    vi, en = STATUS_LABELS[status]
    return {"vi": vi, "en": en}


# Which roll-up counters an entry in each status contributes to (see rollup.counter_deltas).
# A status implies its earlier stages: a published entry is also approved and valid. A
# rejected entry stays valid (its video passed the checks); a disqualified one leaves
# valid/approved/published, so "valid" means "still in the contest". `None` is no entry.
STATUS_COUNTERS: Mapping[str | None, frozenset[str]] = {
    None: frozenset(),
    AWAITING_UPLOAD: frozenset({"entries"}),
    VALIDATING: frozenset({"entries"}),
    VALIDATION_ERROR: frozenset({"entries"}),
    VALID: frozenset({"entries", "valid"}),
    INVALID: frozenset({"entries", "invalid"}),
    APPROVED: frozenset({"entries", "valid", "approved"}),
    REJECTED: frozenset({"entries", "valid"}),
    PUBLISHED: frozenset({"entries", "valid", "approved", "published"}),
    DISQUALIFIED: frozenset({"entries", "disqualified"}),
    # Taken back by its author: no longer an entry of the contest, so it counts nowhere.
    WITHDRAWN: frozenset(),
}
