from __future__ import annotations

from chalicelib.adapters.dynamodb.models import ALL_MODELS


def tables_reachable() -> dict[str, bool]:
    return {model.Meta.table_name: model.exists() for model in ALL_MODELS}
