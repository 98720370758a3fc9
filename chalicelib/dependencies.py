"""Composition root: every outside client is built here, lazily, once.

Handlers and services ask for collaborators through these functions; tests
reset them with `reset()` after pointing the environment at the emulator.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.adapters.cognito import CognitoUserPool
from chalicelib.adapters.dynamodb.campaigns import CampaignStore
from chalicelib.adapters.s3 import UploadBucket
from chalicelib.adapters.sqs import Queue
from chalicelib.config import get_settings
from chalicelib.services.identity import TokenVerifier

_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


@lru_cache(maxsize=None)
def aws_client(service: str) -> Any:
    return boto3.session.Session().client(
        service, region_name=get_settings().region, config=_BOTO_CONFIG
    )


@lru_cache(maxsize=1)
def user_pool() -> CognitoUserPool:
    settings = get_settings()
    return CognitoUserPool(
        aws_client("cognito-idp"),
        settings.user_pool_id,
        settings.user_pool_client_id,
        settings.jwks_url,
    )


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    settings = get_settings()
    return TokenVerifier(
        fetch_jwks=user_pool().fetch_jwks,
        issuer=settings.token_issuer,
        audience=settings.user_pool_client_id,
    )


@lru_cache(maxsize=1)
def campaign_store() -> CampaignStore:
    return CampaignStore()


@lru_cache(maxsize=1)
def upload_bucket() -> UploadBucket:
    return UploadBucket(aws_client("s3"), get_settings().upload_bucket)


@lru_cache(maxsize=1)
def intake_queue() -> Queue:
    return Queue(aws_client("sqs"), get_settings().intake_queue_name)


@lru_cache(maxsize=1)
def intake_dead_letter_queue() -> Queue:
    return Queue(aws_client("sqs"), get_settings().intake_queue_name + "-dlq")


def reset() -> None:
    get_settings.cache_clear()
    for factory in (aws_client, user_pool, token_verifier, campaign_store, upload_bucket,
                    intake_queue, intake_dead_letter_queue):
        factory.cache_clear()
