"""Retried requests get the first answer: Powertools idempotency on its DynamoDB table.

A phone on a flaky connection re-sends "create my entry" when the first answer
is lost; keyed by the client's Idempotency-Key, the retry returns the entry
already made instead of a second one.
"""
from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.domain.errors import Conflict

REMEMBER_SECONDS = 24 * 3600


class Idempotency:
    def __init__(self, table_name: str, client: Any) -> None:
        self._store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)
        self._config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="payload",
            expires_after_seconds=REMEMBER_SECONDS,
        )

    def once(
        self, scope: str, key: str, payload: dict, compute: Callable[[], dict], lambda_context: Any = None
    ) -> dict:
        @idempotent_function(
            data_keyword_argument="request",
            persistence_store=self._store,
            config=self._config,
            key_prefix=scope,
        )
        def run(request: dict) -> dict:
            return compute()

        if lambda_context is not None:
            # Lets an in-progress record expire with the invocation instead of blocking retries.
            self._config.register_lambda_context(lambda_context)
        try:
            return run(request={"key": key, "payload": payload})
        except IdempotencyValidationError:
            raise Conflict(
                "Mã Idempotency-Key này đã được dùng cho một yêu cầu khác.",
                "This Idempotency-Key was already used for a different request.",
                code="idempotency_key_reused",
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                "Yêu cầu giống hệt đang được xử lý, vui lòng thử lại sau giây lát.",
                "An identical request is still being processed; retry in a moment.",
                code="request_in_progress",
            ) from None
