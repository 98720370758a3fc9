"""The upload bucket: presigned uploads from browsers, ranged reads for validation,
presigned downloads for reviewers and judges, and organisers' exported files."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import IO, Any

from botocore.exceptions import ClientError

from chalicelib.domain.uploads import ObjectHead, ObjectReplaced

UPLOAD_URL_TTL_SECONDS = 15 * 60


class UploadBucket:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.name = bucket

    def is_reachable(self) -> bool:
        self._client.head_bucket(Bucket=self.name)
        return True

    # --- browser uploads -------------------------------------------------
    def presigned_post(self, key: str, content_type: str, max_bytes: int, now: datetime) -> dict:
        """A form POST pinned to one key, one type and a size range, valid for 15 minutes."""
        post = self._client.generate_presigned_post(
            Bucket=self.name,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"bucket": self.name},
                {"key": key},
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=UPLOAD_URL_TTL_SECONDS,
        )
        return {
            "method": "POST",
            "url": post["url"],
            "fields": post["fields"],
            "key": key,
            "expires_at": (now + timedelta(seconds=UPLOAD_URL_TTL_SECONDS)).isoformat(),
        }

    def start_multipart(self, key: str, content_type: str) -> str:
        return self._client.create_multipart_upload(Bucket=self.name, Key=key, ContentType=content_type)["UploadId"]

    def presigned_part_urls(self, key: str, upload_id: str, part_numbers: list[int]) -> list[dict]:
        return [
            {
                "part_number": n,
                "url": self._client.generate_presigned_url(
                    "upload_part",
                    Params={"Bucket": self.name, "Key": key, "UploadId": upload_id, "PartNumber": n},
                    ExpiresIn=UPLOAD_URL_TTL_SECONDS,
                ),
            }
            for n in part_numbers
        ]

    def uploaded_parts(self, key: str, upload_id: str) -> list[dict]:
        parts: list[dict] = []
        marker = 0
        while True:
            page = self._client.list_parts(
                Bucket=self.name, Key=key, UploadId=upload_id, PartNumberMarker=marker
            )
            parts.extend(
                {"part_number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]}
                for p in page.get("Parts", [])
            )
            if not page.get("IsTruncated"):
                return parts
            marker = page["NextPartNumberMarker"]

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict]) -> None:
        self._client.complete_multipart_upload(
            Bucket=self.name,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p["part_number"], "ETag": p["etag"]} for p in parts]},
        )

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._client.abort_multipart_upload(Bucket=self.name, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchUpload":
                raise

    # --- objects -----------------------------------------------------------
    def head(self, key: str) -> ObjectHead | None:
        try:
            head = self._client.head_object(Bucket=self.name, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectHead(head["ContentLength"], head["ETag"].strip('"'), head.get("ContentType"))

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.name, Key=key)

    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        """A GET of one object for `expires_in` seconds; S3 answers with these headers (and honours Range)."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.name,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_in,
        )

    def exports(self) -> "ExportBucket":
        return ExportBucket(self._client, self.name)

    def archive(self) -> "ObjectArchive":
        return ObjectArchive(self._client, self.name)

    def reader(self, key: str, head: ObjectHead) -> "S3RangeReader":
        return S3RangeReader(self._client, self.name, key, head)


class S3RangeReader:
    """One ranged GET per read, pinned to the ETag so a replaced object is never mixed in."""

    def __init__(self, client: Any, bucket: str, key: str, head: ObjectHead) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._etag = head.etag
        self.size = head.size
        self.requests = 0
        self.bytes_read = 0

    def read(self, offset: int, length: int) -> bytes:
        if length <= 0 or offset >= self.size:
            return b""
        last = min(offset + length, self.size) - 1
        self.requests += 1
        try:
            response = self._client.get_object(
                Bucket=self._bucket, Key=self._key, Range=f"bytes={offset}-{last}", IfMatch=f'"{self._etag}"'
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("PreconditionFailed", "412"):
                raise ObjectReplaced(self._key, self._etag) from None
            raise
        data = response["Body"].read()
        self.bytes_read += len(data)
        return data


class ObjectArchive:
    """Immutable documents under one prefix of the bucket (e.g. large frozen week results)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType="application/gzip")

    def get(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()


# Parts of 16 MiB: a 100,000-row workbook (about 10 MB) goes up in one PUT, a larger CSV in a few parts,
# and the transfer holds at most a few parts in memory at once.
EXPORT_PART_BYTES = 16 * 1024 * 1024


class ExportBucket:
    """Exported files under exports/ (a lifecycle rule deletes them after a day): written once,
    read through presigned GETs that carry the file's type and download name."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put_file(self, key: str, body: IO[bytes], content_type: str, disposition: str) -> None:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=EXPORT_PART_BYTES, multipart_chunksize=EXPORT_PART_BYTES,
                                max_concurrency=2)
        self._client.upload_fileobj(
            body, self._bucket, key, Config=config,
            ExtraArgs={"ContentType": content_type, "ContentDisposition": disposition},
        )

    def presigned_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key, "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition},
            ExpiresIn=expires_in,
        )
