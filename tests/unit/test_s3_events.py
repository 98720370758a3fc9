from chalicelib.adapters.s3_events import objects_created
from tests.conftest import load_event


def test_keys_arrive_url_encoded_and_are_decoded():
    event = load_event("sqs_s3_object_created.json")
    created = objects_created(event["Records"][0]["body"])
    assert [c.key for c in created] == ["uploads/khat-vong-hung-cuong/abc/ước mơ+1.mp4"]
    assert created[0].size == 1048576 and created[0].etag == "9b2cf535f27731c974343645a3985328"
    assert created[0].sequencer == "0062E99A88DC407460"


def test_s3_test_events_and_other_event_kinds_yield_nothing():
    assert objects_created('{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}') == []
    assert objects_created('{"Records":[{"eventName":"ObjectRemoved:Delete","s3":{}}]}') == []
