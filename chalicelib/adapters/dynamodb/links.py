"""Link entries (seed 001): a unit's posts, checked for the campaign hashtag.

A link is keyed by a hash of its normalised URL, so the same post submitted
twice is refused by the key itself. It counts in the roll-ups like an entry in
its status (domain.link_status: with or without the hashtag), in the same
transaction as its creation.
"""
from __future__ import annotations

import hashlib

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import (
    stage_counts_moved,
    stage_daily_deltas,
    stage_unit_deltas,
    transaction_connection,
    with_occupancy_guesses,
    with_occupancy_read,
)
from chalicelib.adapters.dynamodb.models import PostedLinkRecord
from chalicelib.adapters.dynamodb.submissions import first_item_refused
from chalicelib.domain.link_status import LINK_COUNTERS, link_status
from chalicelib.domain.links import NewLink, StoredLink
from chalicelib.domain.organisation import branch_key
from chalicelib.domain.posting_quota import normalise_url
from chalicelib.domain.rollup import counter_deltas


def link_id(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode()).hexdigest()[:32]


def to_link(record: PostedLinkRecord) -> StoredLink:
    return StoredLink(
        link_id=record.link_id, campaign_id=record.campaign_id, unit_id=record.unit_id, unit_path=record.unit_path,
        url=record.url, posted_at=record.posted_at, has_hashtag=record.has_hashtag, status=record.status,
    )


class LinkStore:
    def create(self, new: NewLink) -> StoredLink | None:
        """The stored link, or None when this post was already submitted for the campaign."""
        identifier = link_id(new.url)
        status = link_status(new.has_hashtag)
        record = PostedLinkRecord(
            campaign_id=new.campaign_id,
            link_id=identifier,
            unit_id=new.unit_id,
            unit_path=new.unit_path,
            unit_sort=f"{branch_key(new.unit_path)}{new.posted_at.isoformat()}#{identifier}",
            url=new.url,
            posted_at=new.posted_at,
            has_hashtag=new.has_hashtag,
            status=status,
            created_at=new.created_at,
            created_by=new.created_by,
        )
        deltas = counter_deltas(None, status, LINK_COUNTERS)

        def write(entries_before: int) -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.save(record, condition=PostedLinkRecord.link_id.does_not_exist())
                stage_unit_deltas(tx, new.campaign_id, new.unit_id, new.unit_path, deltas, entries_before)
                # The public counter counts a link on the day it was posted.
                stage_daily_deltas(tx, new.campaign_id, new.posted_at, deltas)

        try:
            with_occupancy_guesses(write)
        except TransactWriteError as error:
            if first_item_refused(error):
                return None
            raise
        return to_link(record)

    def in_branch(self, campaign_id: str, path: str) -> list[StoredLink]:
        """Every link of a branch: one Query (paginated by PynamoDB), never a Scan."""
        return [
            to_link(r)
            for r in PostedLinkRecord.by_campaign_unit.query(
                campaign_id, PostedLinkRecord.unit_sort.startswith(branch_key(path))
            )
        ]

    def under_path(self, campaign_id: str, path: str, limit: int) -> list[StoredLink]:
        return [
            to_link(r)
            for r in PostedLinkRecord.by_campaign_unit.query(
                campaign_id, PostedLinkRecord.unit_sort.startswith(branch_key(path)), limit=limit
            )
        ]

    def rekey(self, link: StoredLink, new_path: str) -> bool:
        """Like SubmissionStore.rekey: the link and its counts follow its unit, atomically."""
        deltas = counter_deltas(None, link.status, LINK_COUNTERS)

        def write(entries_before: tuple[int, int]) -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.update(
                    PostedLinkRecord(link.campaign_id, link.link_id),
                    actions=[
                        PostedLinkRecord.unit_path.set(new_path),
                        PostedLinkRecord.unit_sort.set(
                            f"{branch_key(new_path)}{link.posted_at.isoformat()}#{link.link_id}"
                        ),
                    ],
                    condition=PostedLinkRecord.unit_path == link.unit_path,
                )
                stage_counts_moved(tx, link.campaign_id, link.unit_id, link.unit_path, new_path, deltas,
                                   entries_before)

        try:
            with_occupancy_read(link.campaign_id, link.unit_path, new_path, write)
        except TransactWriteError as error:
            if first_item_refused(error):
                return False
            raise
        return True
