"""The embedded local cloud: a moto server on loopback with every resource created.

Resource definitions mirror infra/ (tables come from the same PynamoDB models),
so the handlers meet the same shapes locally as on AWS.
"""
from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.models import ALL_MODELS
from chalicelib.adapters.dynamodb.schema import create_table_request, ttl_attribute
from chalicelib.config import INTAKE_MAX_RECEIVE_COUNT, LOCAL_DEFAULTS, NOTIFICATIONS_MAX_RECEIVE_COUNT

LOCAL_REGION = "ap-southeast-1"
UPLOAD_PREFIX = "uploads/"
USER_POOL_NAME = "contest-organisers"
ROLE_GROUPS = ("admin", "organiser", "jury")


@dataclass(frozen=True)
class CloudConfig:
    """Everything a process needs to talk to the local cloud, as environment variables."""

    endpoint_url: str
    stage: str
    table_prefix: str
    upload_bucket: str
    intake_queue_name: str
    allowed_origins: tuple[str, ...]
    metrics_queue_name: str = "contest-local-metrics"
    metrics_mode: str = "simulated"
    queue_visibility_timeout: int = 30
    notifications_queue_name: str = LOCAL_DEFAULTS["NOTIFICATIONS_QUEUE_NAME"]
    notification_sender: str = LOCAL_DEFAULTS["NOTIFICATION_SENDER"]
    public_base_url: str = LOCAL_DEFAULTS["PUBLIC_BASE_URL"]
    outbox_file: str = ""

    def environment(self, user_pool_id: str = "", client_id: str = "") -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": LOCAL_REGION,
            "AWS_REGION": LOCAL_REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "STAGE": self.stage,
            "TABLE_PREFIX": self.table_prefix,
            "UPLOAD_BUCKET": self.upload_bucket,
            "INTAKE_QUEUE_NAME": self.intake_queue_name,
            "METRICS_QUEUE_NAME": self.metrics_queue_name,
            "METRICS_MODE": self.metrics_mode,
            "NOTIFICATIONS_QUEUE_NAME": self.notifications_queue_name,
            "NOTIFICATION_SENDER": self.notification_sender,
            "PUBLIC_BASE_URL": self.public_base_url,
            **({"LOCAL_OUTBOX_FILE": self.outbox_file} if self.outbox_file else {}),
            "ALLOWED_ORIGINS": ",".join(self.allowed_origins),
            "USER_POOL_ID": user_pool_id,
            "USER_POOL_CLIENT_ID": client_id,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Contest",
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto_server(port: int, state_dir: Path | None = None) -> Any:
    """The emulator on loopback, one request at a time; durable when given a state directory."""
    from chalicelib.local.durable import LocalCloudServer

    server = LocalCloudServer(port, state_dir)
    server.start()
    return server


def _client(config: CloudConfig, service: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name=LOCAL_REGION
    ).client(service, endpoint_url=config.endpoint_url)


@dataclass(frozen=True)
class Provisioned:
    user_pool_id: str
    user_pool_client_id: str
    queue_url: str
    dead_letter_queue_url: str
    metrics_queue_url: str = ""
    metrics_dead_letter_queue_url: str = ""
    notifications_queue_url: str = ""
    notifications_dead_letter_queue_url: str = ""


def provision(config: CloudConfig) -> Provisioned:
    """Create every resource; safe to run twice."""
    for model in ALL_MODELS:
        _create_table(config, model)
    queue_url, dlq_url, queue_arn = _create_queue_pair(config, config.intake_queue_name)
    metrics_url, metrics_dlq_url, _ = _create_queue_pair(config, config.metrics_queue_name)
    notifications_url, notifications_dlq_url, _ = _create_queue_pair(
        config, config.notifications_queue_name, NOTIFICATIONS_MAX_RECEIVE_COUNT)
    _create_bucket(config, queue_arn)
    # SES sends only from a verified identity, in moto as in AWS (where infra/ declares it).
    _client(config, "ses").verify_email_identity(EmailAddress=config.notification_sender)
    pool_id, client_id = _create_user_pool(config)
    return Provisioned(pool_id, client_id, queue_url, dlq_url, metrics_url, metrics_dlq_url,
                       notifications_url, notifications_dlq_url)


def _create_table(config: CloudConfig, model: Any) -> None:
    ddb = _client(config, "dynamodb")
    request = create_table_request(model)
    try:
        ddb.create_table(**request)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
        add_missing_indexes(ddb, request)
        return
    ttl = ttl_attribute(model)
    if ttl:
        ddb.update_time_to_live(
            TableName=request["TableName"],
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
        )


def add_missing_indexes(ddb: Any, request: dict[str, Any], wait_seconds: float = 60.0) -> list[str]:
    """Create the model's global secondary indexes that an existing table lacks (a local state kept
    from before they were declared): the names created. One index per UpdateTable, each waited for
    until it is active, as DynamoDB requires; the table then indexes the items it already holds."""
    table_name = request["TableName"]
    existing = {i["IndexName"] for i in ddb.describe_table(TableName=table_name)["Table"].get(
        "GlobalSecondaryIndexes", [])}
    created = []
    for index in request.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in existing:
            continue
        ddb.update_table(
            TableName=table_name,
            AttributeDefinitions=request["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        _wait_until_active(ddb, table_name, wait_seconds)
        created.append(index["IndexName"])
    return created


def _wait_until_active(ddb: Any, table_name: str, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        table = ddb.describe_table(TableName=table_name)["Table"]
        if table["TableStatus"] == "ACTIVE" and all(
            i.get("IndexStatus") == "ACTIVE" for i in table.get("GlobalSecondaryIndexes", [])
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{table_name}: an index is still being created after {wait_seconds:.0f} s")
        time.sleep(0.2)


def _create_queue_pair(config: CloudConfig, name: str, max_receive_count: int = INTAKE_MAX_RECEIVE_COUNT
                       ) -> tuple[str, str, str]:
    """A queue and its dead-letter queue, as infra/resources.yaml declares each pair."""
    sqs = _client(config, "sqs")
    dlq_url = sqs.create_queue(
        QueueName=name + "-dlq",
        Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(config.queue_visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
            ),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    return queue_url, dlq_url, queue_arn


def _create_bucket(config: CloudConfig, queue_arn: str) -> None:
    s3 = _client(config, "s3")
    try:
        s3.create_bucket(
            Bucket=config.upload_bucket,
            CreateBucketConfiguration={"LocationConstraint": LOCAL_REGION},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    s3.put_public_access_block(
        Bucket=config.upload_bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_cors(
        Bucket=config.upload_bucket,
        CORSConfiguration={"CORSRules": [upload_cors_rule(config.allowed_origins)]},
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=config.upload_bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "abort-incomplete-multipart-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
    s3.put_bucket_notification_configuration(
        Bucket=config.upload_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "uploads-to-intake",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": UPLOAD_PREFIX}]}},
                }
            ]
        },
    )


def upload_cors_rule(origins: tuple[str, ...]) -> dict:
    """Browsers upload straight to S3: the page's origin may POST/PUT and must see ETag."""
    return {
        "AllowedOrigins": list(origins),
        "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }


def _create_user_pool(config: CloudConfig) -> tuple[str, str]:
    idp = _client(config, "cognito-idp")
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    existing = next((p for p in pools if p["Name"] == USER_POOL_NAME), None)
    if existing:
        pool_id = existing["Id"]
    else:
        pool_id = idp.create_user_pool(
            PoolName=USER_POOL_NAME,
            Schema=[{"Name": "org_unit", "AttributeDataType": "String", "Mutable": True}],
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        )["UserPool"]["Id"]
        for group in ROLE_GROUPS:
            idp.create_group(GroupName=group, UserPoolId=pool_id)
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if clients:
        client_id = clients[0]["ClientId"]
    else:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="contest-api",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "custom:org_unit"],
            WriteAttributes=["email"],
        )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def create_user(
    config: CloudConfig, pool_id: str, username: str, password: str, role: str, unit_id: str
) -> None:
    idp = _client(config, "cognito-idp")
    try:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "custom:org_unit", "Value": unit_id}],
            MessageAction="SUPPRESS",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "UsernameExistsException":
            raise
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role)


STATE_FILE = Path(".local") / "cloud.json"
CHALICE_CONFIG = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"


def local_stage_names() -> dict[str, str]:
    """The local stage's resource names, from the same file that names every stage's."""
    return json.loads(CHALICE_CONFIG.read_text())["stages"]["local"]["environment_variables"]


def write_state(environment: dict[str, str], path: Path = STATE_FILE) -> None:
    """Lets `./contest` commands reach the running local cloud from another terminal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(environment, indent=2))


def read_state(path: Path = STATE_FILE) -> dict[str, str]:
    return json.loads(path.read_text())


def apply_environment(environment: dict[str, str]) -> None:
    """Points this process at the local cloud: the next container is built from these settings."""
    os.environ.update(environment)
    from chalicelib.bootstrap import install

    install(None)



