import boto3
import pytest

from chalicelib.local.cloud import LOCAL_REGION
from chalicelib.local.pump import EventPump, sqs_bindings
from tests.fixtures.make_videos import ensure_videos


@pytest.fixture(scope="session")
def videos():
    return ensure_videos()


@pytest.fixture(scope="session")
def s3(seeded_cloud):
    return boto3.client("s3", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)


@pytest.fixture(scope="session")
def sqs(seeded_cloud):
    return boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)


@pytest.fixture(scope="session")
def pump(sqs):
    """Delivers queued events to the app's SQS handlers, as Lambda's event source mapping would."""
    import app

    return EventPump(sqs, sqs_bindings(app.app), LOCAL_REGION)
