"""The embedded local cloud builds what infra/ describes, and the pump behaves like Lambda."""
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests
from chalice import Chalice
from chalice.config import Config

from chalicelib.adapters.dynamodb.models import ALL_MODELS
from chalicelib.adapters.dynamodb.schema import key_schema
from chalicelib.local.api_server import LISTEN_QUEUE, create_api_server
from chalicelib.local.cloud import LOCAL_REGION, free_port, provision
from chalicelib.local.pump import EventPump, QueueBinding


@pytest.fixture
def aws(local_cloud):
    def client(service):
        return boto3.client(service, region_name=LOCAL_REGION, endpoint_url=local_cloud.config.endpoint_url)
    return client


def test_provisioning_twice_changes_nothing(local_cloud):
    again = provision(local_cloud.config)
    assert again == local_cloud.provisioned


def test_tables_match_the_models(aws):
    ddb = aws("dynamodb")
    for model in ALL_MODELS:
        table = ddb.describe_table(TableName=model.Meta.table_name)["Table"]
        spec = key_schema(model)
        assert table["KeySchema"] == spec["KeySchema"]
        assert sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])) == [
            i["IndexName"] for i in spec.get("GlobalSecondaryIndexes", [])]


def test_bucket_sends_uploads_to_the_intake_queue_and_exposes_etag(aws, local_cloud):
    s3 = aws("s3")
    bucket = local_cloud.config.upload_bucket
    notification = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]
    assert notification["QueueArn"].endswith(":" + local_cloud.config.intake_queue_name)
    cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]
    assert "ETag" in cors["ExposeHeaders"] and "POST" in cors["AllowedMethods"]
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert lifecycle["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1


def test_intake_queue_dead_letters_after_three_receives(aws, local_cloud):
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=local_cloud.config.intake_queue_name)["QueueUrl"]
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 3
    assert redrive["deadLetterTargetArn"].endswith(local_cloud.config.intake_queue_name + "-dlq")


@pytest.fixture
def scratch_queue(aws):
    """A queue pair of its own, so the pump's semantics are tested apart from the product's handlers."""
    sqs = aws("sqs")
    name = f"pump-test-{time.time_ns()}"
    dlq = sqs.create_queue(QueueName=name + "-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
    })["QueueUrl"]
    return sqs, name, url, dlq


def _handler_failing(bodies_to_fail, seen):
    app = Chalice("pump-test")

    @app.on_sqs_message(queue="unused", batch_size=10)
    def handle(event):
        failures = []
        for record in event:
            seen.append(record.body)
            if record.body in bodies_to_fail:
                failures.append({"itemIdentifier": record.to_dict()["messageId"]})
        return {"batchItemFailures": failures}

    return handle


def test_partial_batch_failure_retries_only_the_failed_message_then_dead_letters_it(scratch_queue):
    sqs, name, url, dlq = scratch_queue
    for body in ("ok-1", "bad", "ok-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    seen = []
    pump = EventPump(sqs, [QueueBinding(name, "handle", _handler_failing({"bad"}, seen))], LOCAL_REGION)

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pump.poll_once(pump._bindings[0], wait_seconds=1)
        dead = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0).get("Messages", [])
        if dead:
            break
    assert [m["Body"] for m in dead] == ["bad"]
    assert seen.count("ok-1") == 1 and seen.count("ok-2") == 1
    assert seen.count("bad") == 3


def test_a_handler_that_raises_leaves_the_whole_batch_for_retry(scratch_queue):
    sqs, name, url, _ = scratch_queue
    sqs.send_message(QueueUrl=url, MessageBody="first")
    calls = []

    def explode(event, context):
        calls.append(len(event["Records"]))
        raise RuntimeError("boom")

    pump = EventPump(sqs, [QueueBinding(name, "explode", explode)], LOCAL_REGION)
    assert pump.poll_once(pump._bindings[0], wait_seconds=1) == 0
    time.sleep(1.2)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    assert calls == [1]


def test_the_local_api_server_holds_a_crowd():
    app = Chalice("crowd")

    @app.route("/")
    def index():
        return {"ok": True}

    port = free_port()
    server = create_api_server(app, Config.create(chalice_stage="local", app_name="crowd", chalice_app=app),
                               "127.0.0.1", port)
    assert server.server.request_queue_size == LISTEN_QUEUE >= 128
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with ThreadPoolExecutor(64) as pool:
            answers = list(pool.map(lambda _: requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code,
                                    range(64)))
    finally:
        server.shutdown()
    assert answers == [200] * 64
