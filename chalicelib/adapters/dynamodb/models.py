"""PynamoDB models: the single source of truth for every table and index.

infra/tables.json and the local cloud's tables are both rendered from these
classes (see schema.py); tests/unit/test_infra_tables.py fails when they drift.
"""
from __future__ import annotations

import os

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import table_prefix


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"


class _Meta:
    region = _region()
    billing_mode = "PAY_PER_REQUEST"


class CampaignRecord(Model):
    class Meta(_Meta):
        table_name = f"{table_prefix()}campaigns"

    campaign_id = UnicodeAttribute(hash_key=True)
    document = JSONAttribute()
    updated_at = UTCDateTimeAttribute()


class OrgUnitByIdIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit-id"
        projection = AllProjection()

    unit_id = UnicodeAttribute(hash_key=True)


class OrgUnitRecord(Model):
    """One item per unit, keyed by its materialised path so a branch is one Query."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}org-units"

    tree = UnicodeAttribute(hash_key=True)
    path = UnicodeAttribute(range_key=True)
    unit_id = UnicodeAttribute()
    name = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    level = UnicodeAttribute()
    search_key = UnicodeAttribute()

    by_unit_id = OrgUnitByIdIndex()


class IdempotencyRecord(Model):
    """Schema of the table Powertools' idempotency utility writes to (it owns the items)."""

    class Meta(_Meta):
        table_name = f"{table_prefix()}idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)
    status = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)
    in_progress_expiration = NumberAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (CampaignRecord, OrgUnitRecord, IdempotencyRecord)
