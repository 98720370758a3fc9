"""The one verdict code path: the S3 validator and `./contest validate` both call it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.media.checks import evaluate

if TYPE_CHECKING:
    from chalicelib.domain.campaign import Campaign
    from chalicelib.domain.media.probe import RangeReader
    from chalicelib.domain.media.rules import MediaRules


def verdict_for(reader: RangeReader, campaign: Campaign) -> dict:
    """Every check of the campaign's media rules on the file `reader` reads, as the API shows it."""
    return media_verdict(reader, campaign.media)


def media_verdict(reader: RangeReader, rules: MediaRules) -> dict:
    """The same verdict from the media rules alone (`./contest validate` reads no more of a campaign)."""
    return evaluate(reader, rules).to_dict()
