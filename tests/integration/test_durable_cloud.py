"""The local cloud keeps what it confirmed through kill -9, and loses no concurrent write."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.local.cloud import LOCAL_REGION, free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys, time
from pathlib import Path
from chalicelib.local.cloud import start_moto_server
server = start_moto_server(int(sys.argv[1]), Path(sys.argv[2]))
print("ready", server.cloud.replayed, flush=True)
time.sleep(600)
"""


class CloudProcess:
    """The durable emulator in a process of its own, so that it can be killed for real."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.replayed = -1

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "CloudProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(self.port), str(self.state_dir)], cwd=ROOT,
            stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        ready = self.process.stdout.readline().split()
        assert ready and ready[0] == "ready", "the emulator did not start"
        self.replayed = int(ready[1])
        return self

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def client(self, service: str):
        return boto3.client(service, region_name=LOCAL_REGION, endpoint_url=self.endpoint,
                            aws_access_key_id="local", aws_secret_access_key="local",
                            config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def cloud_process(tmp_path):
    cloud = CloudProcess(tmp_path / "state")
    yield cloud
    if cloud.process and cloud.process.poll() is None:
        cloud.kill()


def _write_a_little_of_everything(cloud: CloudProcess) -> dict:
    ddb, s3, sqs, idp = (cloud.client(s) for s in ("dynamodb", "s3", "sqs", "cognito-idp"))
    ddb.create_table(TableName="entries", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for n in range(5):
        ddb.put_item(TableName="entries", Item={"pk": {"S": f"entry-{n}"}, "status": {"S": "valid"}})
    queue = sqs.create_queue(QueueName="intake")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="uploads-bucket", CreateBucketConfiguration={"LocationConstraint": LOCAL_REGION})
    s3.put_bucket_notification_configuration(Bucket="uploads-bucket", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="uploads-bucket", Key="uploads/large.mp4", Body=b"L" * 300_000)  # a body kept beside the journal
    post = s3.generate_presigned_post("uploads-bucket", "uploads/posted.mp4")
    assert requests.post(post["url"], data=post["fields"], files={"file": b"v" * 64}, timeout=10).ok
    for body in ("first", "second", "third"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    # One message is consumed, another received once and left for a retry.
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=2, WaitTimeSeconds=1)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=received[0]["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    pool = idp.create_user_pool(PoolName="organisers")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="api",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="organiser", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="organiser", Password="Local-Contest-2026!", Permanent=True)
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "organiser", "PASSWORD": "Local-Contest-2026!"})["AuthenticationResult"]
    return {"pool": pool, "client": client_id, "refresh": tokens["RefreshToken"],
            "consumed": received[0]["MessageId"], "retried": received[1]["MessageId"],
            "pending": sum(int(n) for n in counts.values())}


def _assert_everything_is_there(cloud: CloudProcess, written: dict) -> None:
    ddb, s3, sqs, idp = (cloud.client(s) for s in ("dynamodb", "s3", "sqs", "cognito-idp"))
    assert ddb.scan(TableName="entries")["Count"] == 5
    assert s3.get_object(Bucket="uploads-bucket", Key="uploads/posted.mp4")["Body"].read() == b"v" * 64
    assert s3.get_object(Bucket="uploads-bucket", Key="uploads/large.mp4")["Body"].read() == b"L" * 300_000
    queue = sqs.get_queue_url(QueueName="intake")["QueueUrl"]
    pending = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    by_id = {m["MessageId"]: m for m in pending}
    assert len(pending) == written["pending"] >= 4 and written["consumed"] not in by_id
    assert by_id[written["retried"]]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert [p["Id"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]] == [written["pool"]]
    assert idp.describe_user_pool_client(UserPoolId=written["pool"], ClientId=written["client"])
    refreshed = idp.initiate_auth(ClientId=written["client"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": written["refresh"]})
    assert "IdToken" in refreshed["AuthenticationResult"]


def test_what_was_confirmed_survives_kill_9_then_a_snapshot(cloud_process):
    written = _write_a_little_of_everything(cloud_process.start())
    cloud_process.kill()

    cloud_process.start()
    replayed_from_the_journal = cloud_process.replayed
    assert replayed_from_the_journal >= 20, "the journal is what brought it back"
    _assert_everything_is_there(cloud_process, written)
    cloud_process.kill()
    # That start-up compacted the journal into a snapshot: only what happened since is replayed.
    cloud_process.start()
    assert 0 < cloud_process.replayed < replayed_from_the_journal
    assert cloud_process.client("dynamodb").scan(TableName="entries")["Count"] == 5


def test_a_record_torn_by_the_crash_is_ignored(cloud_process):
    cloud = cloud_process.start()
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="entries", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.put_item(TableName="entries", Item={"pk": {"S": "kept"}})
    cloud.kill()
    with open(cloud.state_dir / "journal.jsonl", "ab") as journal:
        journal.write(b'{"seq": 99, "environ": {"REQUEST_METH')

    items = cloud_process.start().client("dynamodb").scan(TableName="entries")["Items"]
    assert items == [{"pk": {"S": "kept"}}]


def test_concurrent_conditional_transactions_lose_no_committed_write(local_cloud):
    """Two organisers approving one entry at once: exactly one wins, and its write stays.

    moto restores a copy of the table when a transaction fails; unserialised, that copy
    can wipe a transaction that committed in between.
    """
    ddb = boto3.client("dynamodb", region_name=LOCAL_REGION, endpoint_url=local_cloud.config.endpoint_url)
    table = f"approvals-{time.time_ns()}"
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    # A fuller table makes moto's copy slower, and the window for losing a write wider.
    for n in range(0, 200, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"filler-{k}"}, "blob": {"S": "x" * 2000}}}} for k in range(n, n + 25)]})
    rounds, organisers = 16, 8
    answers: dict[int, list[str]] = {r: [] for r in range(rounds)}
    unexpected: list[str] = []

    def approve(round_: int, organiser: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": table, "Key": {"pk": {"S": f"entry-{round_}"}},
                            "UpdateExpression": "SET #s = :approved, approved_by = :who",
                            "ConditionExpression": "#s = :valid",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":approved": {"S": "approved"}, ":valid": {"S": "valid"},
                                                          ":who": {"S": f"organiser-{organiser}"}}}},
                {"Put": {"TableName": table, "Item": {"pk": {"S": f"audit-{round_}-{organiser}"}}}},
            ])
            answers[round_].append(f"organiser-{organiser}")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                unexpected.append(str(exc))

    for round_ in range(rounds):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"entry-{round_}"}, "status": {"S": "valid"}})
        barrier = threading.Barrier(organisers)
        threads = [threading.Thread(target=approve, args=(round_, o, barrier)) for o in range(organisers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert unexpected == []
    for round_ in range(rounds):
        item = ddb.get_item(TableName=table, Key={"pk": {"S": f"entry-{round_}"}}, ConsistentRead=True)["Item"]
        assert len(answers[round_]) == 1, f"round {round_}: {answers[round_]} were all told they approved it"
        assert item["status"]["S"] == "approved", f"round {round_}: the 200 was answered, the write is gone"
        assert item["approved_by"]["S"] == answers[round_][0]
        audit = ddb.get_item(TableName=table, Key={"pk": {"S": f"audit-{round_}-{answers[round_][0][10:]}"}})
        assert "Item" in audit


def test_a_long_poll_does_not_hold_up_other_requests(local_cloud):
    sqs = boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=local_cloud.config.endpoint_url)
    ddb = boto3.client("dynamodb", region_name=LOCAL_REGION, endpoint_url=local_cloud.config.endpoint_url)
    queue = sqs.create_queue(QueueName=f"idle-{time.time_ns()}")["QueueUrl"]
    poller = threading.Thread(target=sqs.receive_message, kwargs={"QueueUrl": queue, "WaitTimeSeconds": 3})
    poller.start()
    time.sleep(0.3)
    began = time.monotonic()
    ddb.list_tables()
    assert time.monotonic() - began < 1.5
    poller.join()


def test_the_journal_records_what_a_receive_changed_not_the_request():
    from chalicelib.local.durable import Kind, classify

    def target(name):
        return {"HTTP_X_AMZ_TARGET": name, "REQUEST_METHOD": "POST", "PATH_INFO": "/"}

    assert classify(target("DynamoDB_20120810.TransactWriteItems"), b"{}") is Kind.CHANGE
    assert classify(target("DynamoDB_20120810.Query"), b"{}") is Kind.READ
    assert classify(target("AmazonSQS.ReceiveMessage"), b"{}") is Kind.QUEUE_CONSUMPTION
    assert classify(target("AmazonSQS.SendMessage"), b"{}") is Kind.CHANGE
    assert classify(target("AWSCognitoIdentityProviderService.InitiateAuth"), b"{}") is Kind.CHANGE
    assert classify({"REQUEST_METHOD": "POST", "PATH_INFO": "/uploads-bucket"}, b"--form") is Kind.CHANGE
    assert classify({"REQUEST_METHOD": "GET", "PATH_INFO": "/pool/.well-known/jwks.json"}, b"") is Kind.READ
