"""S3 event notifications as they arrive through SQS."""
from __future__ import annotations

import json
from urllib.parse import unquote_plus

from chalicelib.domain.uploads import ObjectCreated


def objects_created(body: str) -> list[ObjectCreated]:
    """The ObjectCreated records in one SQS message body; S3's test event yields none.

    Keys arrive URL-encoded with spaces as '+', on AWS and in the emulator alike.
    """
    message = json.loads(body)
    created = []
    for record in message.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = record["s3"]
        created.append(
            ObjectCreated(
                bucket=s3["bucket"]["name"],
                key=unquote_plus(s3["object"]["key"]),
                size=int(s3["object"].get("size", 0)),
                etag=str(s3["object"].get("eTag", "")).strip('"'),
                sequencer=s3["object"].get("sequencer"),
            )
        )
    return created
