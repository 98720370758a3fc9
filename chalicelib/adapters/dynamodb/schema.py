"""Renders table definitions from the PynamoDB models.

One rendering feeds both CloudFormation (infra/tables.json) and the local
cloud's CreateTable calls, so the two cannot disagree.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models import ALL_MODELS


def short_name(model: type[Model], prefix: str) -> str:
    return model.Meta.table_name.removeprefix(prefix)


def _ttl_attribute(model: type[Model]) -> str | None:
    for attr in model.get_attributes().values():
        if isinstance(attr, TTLAttribute):
            return attr.attr_name
    return None


def _hash_first(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    # DynamoDB requires the HASH element first; PynamoDB lists attributes alphabetically.
    return [
        {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
        for k in sorted(keys, key=lambda k: k["KeyType"] != "HASH")
    ]


def key_schema(model: type[Model]) -> dict[str, Any]:
    """The model's keys and indexes in DynamoDB API shape (also CloudFormation's)."""
    schema = model._get_schema()
    definitions = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    spec: dict[str, Any] = {
        "KeySchema": _hash_first(schema["key_schema"]),
        "BillingMode": "PAY_PER_REQUEST",
    }
    indexes = []
    for index in schema["global_secondary_indexes"]:
        indexes.append(
            {
                "IndexName": index["index_name"],
                "KeySchema": _hash_first(index["key_schema"]),
                "Projection": dict(index["projection"]),
            }
        )
    if indexes:
        spec["GlobalSecondaryIndexes"] = sorted(indexes, key=lambda i: i["IndexName"])
    spec["AttributeDefinitions"] = [
        {"AttributeName": name, "AttributeType": kind} for name, kind in sorted(definitions.items())
    ]
    return spec


def create_table_request(model: type[Model]) -> dict[str, Any]:
    return {"TableName": model.Meta.table_name, **key_schema(model)}


def ttl_attribute(model: type[Model]) -> str | None:
    return _ttl_attribute(model)


def cloudformation_resource_name(model: type[Model]) -> str:
    return model.__name__.removesuffix("Record") + "Table"


def cloudformation_tables(prefix: str) -> dict[str, Any]:
    """CloudFormation resources for every table, named from the stage parameter."""
    resources: dict[str, Any] = {}
    for model in ALL_MODELS:
        properties: dict[str, Any] = {
            "TableName": {"Fn::Sub": "contest-${Stage}-" + short_name(model, prefix)},
            **key_schema(model),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        }
        ttl = _ttl_attribute(model)
        if ttl:
            properties["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
        resources[cloudformation_resource_name(model)] = {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": properties,
        }
    return resources
