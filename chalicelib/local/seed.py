"""Sample data for the local cloud: the seed campaigns, the organisation tree, and accounts."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chalicelib import dependencies
from chalicelib.adapters.dynamodb.organisation import OrgUnitStore
from chalicelib.domain.campaign import Campaign, load_campaign_file, weeks_to_shift_into
from chalicelib.domain.organisation import load_tree_csv
from chalicelib.local.cloud import CloudConfig, create_user

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    unit_id: str


def sample_campaigns() -> list[Campaign]:
    return [load_campaign_file(p) for p in sorted((SAMPLES / "campaigns").glob("*.json"))]


def live_copy(campaign: Campaign, today: date) -> Campaign:
    """The sample moved forward in whole weeks, so the demo has an open campaign today."""
    return campaign.shifted_by_weeks(weeks_to_shift_into(campaign, today))


def default_accounts() -> list[Account]:
    password = os.environ.get("LOCAL_PASSWORD", "Local-Contest-2026!")
    return [
        Account(os.environ.get("LOCAL_ADMIN_USERNAME", "admin"),
                os.environ.get("LOCAL_ADMIN_PASSWORD", password), "admin", "tw"),
        Account("organiser-ha-noi", password, "organiser", "ha-noi"),
        Account("organiser-hcm", password, "organiser", "hcm"),
        Account("organiser-ba-dinh", password, "organiser", "ha-noi-ba-dinh"),
        Account("jury-1", password, "jury", "dk-tw"),
    ]


def seed(config: CloudConfig, user_pool_id: str, today: date) -> list[Account]:
    store = dependencies.campaign_store()
    for campaign in sample_campaigns():
        store.put(live_copy(campaign, today))
    OrgUnitStore().put_tree(load_tree_csv((SAMPLES / "organisation.csv").read_text(encoding="utf-8")))
    accounts = default_accounts()
    for account in accounts:
        create_user(config, user_pool_id, account.username, account.password, account.role, account.unit_id)
    return accounts
