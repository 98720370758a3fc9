"""A large upload goes in parts, survives a dropped connection, and is validated once complete."""
from __future__ import annotations

import struct

import requests

from chalicelib.bootstrap import services
from tests.fixtures.make_videos import case
from tests.integration.test_intake import _create_entry, _status

MIB = 1024**2


def _large_valid_video(video: bytes, size: int) -> bytes:
    """A real fixture padded with a `free` box: still a valid MP4, just big enough for multipart."""
    padding = size - len(video)
    return video + struct.pack(">I", padding) + b"free" + bytes(padding - 8)


def _put(part: dict, data: bytes, part_size: int) -> None:
    start = (part["part_number"] - 1) * part_size
    response = requests.put(part["url"], data=data[start:start + part_size], timeout=60)
    assert response.status_code == 200, response.text


def test_a_multipart_upload_resumes_after_a_dropped_connection_and_is_validated(seeded_cloud, pump, videos):
    path = case("valid-faststart.mp4").path(videos)
    data = _large_valid_video(path.read_bytes(), 70 * MIB)
    created = _create_entry(path, size=len(data))
    upload = created["upload"]
    assert upload["method"] == "MULTIPART" and upload["part_count"] == 9

    for part in upload["parts"][:4]:
        _put(part, data, upload["part_size"])
    # The connection drops; the page asks what S3 already has and gets fresh URLs for the rest.
    service = services().participants
    progress = service.multipart_progress(created["submission_id"], created["access_token"])
    assert [p["part_number"] for p in progress["uploaded"]] == [1, 2, 3, 4]
    assert [p["part_number"] for p in progress["parts"]] == [5, 6, 7, 8, 9]
    for part in progress["parts"]:
        _put(part, data, upload["part_size"])

    assert service.complete_multipart(created["submission_id"], created["access_token"])["status"] == "validating"
    pump.drain()
    view = _status(created["submission_id"], created["access_token"])
    assert view["status"] == "valid"
    assert view["verdict"]["facts"]["size_bytes"] == len(data)
    assert view["verdict"]["facts"]["get_requests"] <= 3
