"""A campaign's rules, as data.

Every rule the product enforces (media checks, voting weeks, score weights,
prizes) is read from a validated `Campaign`. Nothing here talks to AWS. The media
rules are a plain value with their own parser (media/rules.py), so a command that
needs only them does not import pydantic.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from chalicelib.domain.errors import CampaignConfigError, NotFound
from chalicelib.domain.media.rules import MediaRules, MediaRulesError, media_rules_from
from chalicelib.domain.schedule import DEFAULT_TIMEZONE

Metric = Literal["likes", "saves", "shares", "reposts", "comments", "views"]
Platform = Literal["tiktok", "facebook", "youtube"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
NonBlank = Annotated[str, Field(min_length=1, max_length=300)]
# draft -> open -> closed -> archived; see campaign_changes.py for who moves it and when.
CampaignStatus = Literal["draft", "open", "closed", "archived"]


def _media_rules(value: object) -> MediaRules:
    """The one media-rules parser, its problems reported where pydantic reports the others."""
    try:
        return media_rules_from(value, path="")
    except MediaRulesError as refused:
        raise ValidationError.from_exception_data("MediaRules", [
            InitErrorDetails(type=PydanticCustomError("media_rules", message), loc=loc, input=value)
            for loc, message in refused.locations
        ]) from None


# Media rules are a plain domain value (see media/rules.py for why), validated and dumped by their own code.
Media = Annotated[MediaRules, PlainValidator(_media_rules), PlainSerializer(MediaRules.to_dict, return_type=dict)]


class _Strict(BaseModel):
    # Unknown keys are refused so a typo in a campaign file is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    """A half-open interval [opens_at, closes_at) of local wall-clock times."""

    opens_at: datetime
    closes_at: datetime

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.opens_at >= self.closes_at:
            raise ValueError("opens_at must be before closes_at")
        return self


class VotingWeek(_Strict):
    number: int = Field(ge=1)
    starts_at: datetime
    ends_at: datetime

    @model_validator(mode="after")
    def _ordered(self) -> "VotingWeek":
        if self.starts_at >= self.ends_at:
            raise ValueError("starts_at must be before ends_at")
        return self


class Scoring(_Strict):
    weights: dict[Metric, float]
    tie_break: list[Metric] = ["reposts", "shares", "saves", "likes"]
    formula_version: str = "weighted-sum/1"

    @field_validator("weights")
    @classmethod
    def _weights_sane(cls, weights: dict[str, float]) -> dict[str, float]:
        if not weights:
            raise ValueError("at least one metric must carry a weight")
        negative = [m for m, w in weights.items() if w < 0]
        if negative:
            raise ValueError(f"weights must not be negative: {', '.join(negative)}")
        return weights


class Rounds(_Strict):
    winners_per_week: int = Field(default=1, ge=0)
    finalists_per_week: int = Field(default=5, ge=0)


class PrizeTier(_Strict):
    key: Slug
    name_vi: NonBlank
    name_en: NonBlank
    count: int = Field(gt=0)


class SpecialAward(_Strict):
    key: Slug
    kind: Literal["most_entries_unit", "most_viewed_entry"]
    name_vi: NonBlank
    name_en: NonBlank


class JuryCriterion(_Strict):
    key: Slug
    name_vi: NonBlank
    name_en: NonBlank
    max_points: float = Field(gt=0)


class PostingQuota(_Strict):
    """Seed 001: each unit posts at least `per_week` items with the hashtag every week."""

    per_week: int = Field(ge=1)
    hashtag: NonBlank


class Terms(_Strict):
    """What a participant accepts with each entry (seed 000 III.5: copyright, no reuse in other
    contests, the organisers' right to use the work). A changed text gets a new version, so each
    stored acceptance names the text it agreed to."""

    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
    text_vi: Annotated[str, Field(min_length=1, max_length=20000)]
    text_en: Annotated[str, Field(min_length=1, max_length=20000)]


class JurySettings(_Strict):
    """Blind scoring: judges see neither authors, units nor engagement (position, score, platform link)."""

    blind: bool = False


class Campaign(_Strict):
    id: Slug
    name_vi: NonBlank
    name_en: NonBlank
    organiser_unit: NonBlank | None = None
    hashtag: str | None = None
    platforms: list[Platform] = Field(min_length=1)
    entry_kind: Literal["upload", "link"] = "upload"
    timezone: str = DEFAULT_TIMEZONE
    media: Media
    submission_window: Window
    voting_weeks: list[VotingWeek] = []
    scoring: Scoring
    rounds: Rounds = Rounds()
    prizes: list[PrizeTier] = []
    special_awards: list[SpecialAward] = []
    jury_criteria: list[JuryCriterion] = []
    min_entries_per_unit: int = Field(default=0, ge=0)
    posting_quota: PostingQuota | None = None
    # Consent and personal data (domain/consent.py, domain/privacy.py): entries must accept the
    # terms when there are any; authors' personal data is erased this many days after the
    # campaign ends (None: kept until the organisers set a period).
    terms: Terms | None = None
    personal_data_retention_days: int | None = Field(default=None, ge=1, le=3650)
    # Lifecycle, set by services/campaigns.py (never by an editor's body). A campaign file
    # without them is an open campaign at its first version, as every campaign was before.
    status: CampaignStatus = "open"
    version: int = Field(default=1, ge=1)
    rules_version: int = Field(default=1, ge=1)
    # Who may enter and who reviews (domain/campaign_access.py). None: the organising unit's subtree.
    eligible_units: Annotated[list[NonBlank], Field(min_length=1)] | None = None
    review_delegated_to: list[NonBlank] = []
    jury: JurySettings = JurySettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @field_validator("voting_weeks")
    @classmethod
    def _weeks_disjoint(cls, weeks: list[VotingWeek]) -> list[VotingWeek]:
        numbers = [w.number for w in weeks]
        if len(set(numbers)) != len(numbers):
            raise ValueError("week numbers must be unique")
        ordered = sorted(weeks, key=lambda w: w.starts_at)
        for earlier, later in zip(ordered, ordered[1:]):
            if later.starts_at < earlier.ends_at:
                raise ValueError(
                    f"week {later.number} overlaps week {earlier.number}"
                )
        return sorted(weeks, key=lambda w: w.number)

    @model_validator(mode="after")
    def _keys_unique(self) -> "Campaign":
        for key in ("prizes", "special_awards", "jury_criteria"):
            keys = [item.key for item in getattr(self, key)]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{key}: keys must be unique")
        return self

    @property
    def eligible_roots(self) -> frozenset[str] | None:
        """The units whose subtrees may enter; None: every unit (no organising unit, nothing named)."""
        if self.eligible_units is not None:
            return frozenset(self.eligible_units)
        return frozenset({self.organiser_unit}) if self.organiser_unit else None

    # --- time -----------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def localize(self, wall_clock: datetime) -> datetime:
        """A naive datetime in a campaign file means the campaign's own wall clock."""
        if wall_clock.tzinfo is None:
            return wall_clock.replace(tzinfo=self.zone)
        return wall_clock.astimezone(self.zone)

    def is_open_for_submissions(self, at: datetime) -> bool:
        window = self.submission_window
        return self.status == "open" and self.localize(window.opens_at) <= at < self.localize(window.closes_at)

    @property
    def runs_schedules(self) -> bool:
        """Drafts are not running yet and archived campaigns are over: no reading, no closing."""
        return self.status in ("open", "closed")

    def week(self, number: int) -> VotingWeek | None:
        return next((w for w in self.voting_weeks if w.number == number), None)

    def week_containing(self, at: datetime) -> VotingWeek | None:
        for week in self.voting_weeks:
            if self.localize(week.starts_at) <= at < self.localize(week.ends_at):
                return week
        return None

    def shifted_by_weeks(self, weeks: int) -> "Campaign":
        """The same campaign moved whole weeks in time, so Mondays stay Mondays."""
        delta = timedelta(weeks=weeks)
        data = self.model_dump()
        data["submission_window"] = {
            k: v + delta for k, v in data["submission_window"].items()
        }
        data["voting_weeks"] = [
            {**w, "starts_at": w["starts_at"] + delta, "ends_at": w["ends_at"] + delta}
            for w in data["voting_weeks"]
        ]
        return Campaign.model_validate(data)

    def to_document(self) -> dict:
        return self.model_dump(mode="json")


def campaign_not_found() -> NotFound:
    return NotFound("Không tìm thấy cuộc thi.", "Campaign not found.", code="campaign_not_found")


def parse_campaign(data: dict, source: str = "campaign") -> Campaign:
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        raise CampaignConfigError.from_validation(source, exc) from None


def load_campaign_file(path: Path) -> Campaign:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CampaignConfigError(
            str(path), [("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}")]
        ) from None
    return parse_campaign(data, source=str(path))


def weeks_to_shift_into(campaign: Campaign, today: date) -> int:
    """Whole weeks that move the submission window so that `today` falls inside it."""
    opens = campaign.submission_window.opens_at.date()
    return max(0, (today - opens).days // 7)
