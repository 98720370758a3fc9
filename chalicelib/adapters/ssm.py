"""SSM Parameter Store: platform credentials as SecureString JSON documents."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.errors import DependencyUnavailable


class ParameterStore:
    def __init__(self, client: Any) -> None:
        self._client = client

    def get_json(self, name: str) -> dict:
        try:
            value = self._client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except self._client.exceptions.ParameterNotFound:
            raise DependencyUnavailable(
                f"Chưa cấu hình thông tin kết nối nền tảng ({name}).",
                f"Platform credentials are not configured ({name}).",
                code="platform_credentials_missing", parameter=name,
            ) from None
        return json.loads(value)

    def get_text(self, name: str) -> str:
        try:
            return self._client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except self._client.exceptions.ParameterNotFound:
            raise DependencyUnavailable(
                f"Chưa cấu hình thông tin kết nối nền tảng ({name}).",
                f"Platform credentials are not configured ({name}).",
                code="platform_credentials_missing", parameter=name,
            ) from None

    def put_json(self, name: str, value: dict) -> None:
        self._client.put_parameter(
            Name=name, Value=json.dumps(value, sort_keys=True), Type="SecureString", Overwrite=True
        )

    def put_text(self, name: str, value: str) -> None:
        self._client.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
