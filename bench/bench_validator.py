"""Validator benchmark: bytes and GETs to judge a 3-minute 1080x1920 H.264 upload.

Prints, for a faststart file, one with moov at the end and a fragmented one with no
index (1 s fragments, no mfra/sidx/mehd, as live recorders write): what our
header-only validator reads through the S3 path of the local cloud, what MediaInfo
reads at its default parse_speed, and what download-then-parse costs. Not a test: it
prints figures (counts of requests and bytes do not drift; times are indicative).

    make bench            # or: .venv/bin/python bench/bench_validator.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUTPUT = ROOT / "bench" / "output"
KIB = 1024


def _ffmpeg(out: Path, movflags: str) -> None:
    # A flat colour at a constant 1 Mb/s: realistic sample counts (30 fps, 3 minutes)
    # and file size, cheap to encode on two cores.
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x2a5599:s=1080x1920:r=30",
         "-f", "lavfi", "-i", "sine=f=440:r=44100", "-t", "180", "-c:v", "libx264", "-preset", "ultrafast",
         "-b:v", "1M", "-maxrate", "1M", "-minrate", "1M", "-bufsize", "2M", "-x264-params", "nal-hrd=cbr",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", *(["-movflags", movflags] if movflags else []),
         str(out)],
        check=True,
    )


def videos() -> dict[str, Path]:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    faststart, moov_end = OUTPUT / "3min-faststart.mp4", OUTPUT / "3min-moov-at-end.mp4"
    fragmented = OUTPUT / "3min-fragmented-no-index.mp4"
    if not faststart.exists():
        print("generating a 3-minute 1080x1920 H.264 file (about a minute)…", flush=True)
        _ffmpeg(faststart, "+faststart")
    if not moov_end.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(faststart), "-c", "copy", str(moov_end)], check=True)
    if not fragmented.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(faststart), "-c", "copy",
                        "-movflags", "+empty_moov+default_base_moof+skip_trailer", "-frag_duration", "1000000",
                        str(fragmented)], check=True)
    return {"faststart": faststart, "moov at end": moov_end, "fragmented": fragmented}


def top_level_boxes(path: Path) -> list[tuple[bytes, int]]:
    """(type, size) of every top-level box."""
    from chalicelib.adapters.local_files import LocalFileRangeReader

    reader, offset, boxes = LocalFileRangeReader(path), 0, []
    while offset < reader.size:
        header = reader.read(offset, 16)
        size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if size == 1:
            size = int.from_bytes(header[8:16], "big")
        boxes.append((kind, size))
        offset += size
    return boxes


def read_target(boxes: list[tuple[bytes, int]]) -> tuple[int, int]:
    """(GETs, bytes) the validator should stay within for a file of these boxes.

    Plain files: at most 3 GETs and moov + 256 KiB. Fragmented files without an index:
    the head, the 16 bytes where an mfro would be, and the tail windows it takes to
    reach the last fragment (one here: a 1 s fragment at 1 Mb/s fits the first).
    """
    from chalicelib.domain.media.probe import HEAD_READ, TAIL_WINDOWS

    moov = next(size for kind, size in boxes if kind == b"moov")
    if any(kind == b"moof" for kind, _size in boxes):
        return 3, HEAD_READ + 16 + TAIL_WINDOWS[0]
    return 3, moov + 256 * KIB


class CountingFile:
    """A file object that counts what MediaInfo actually reads."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self.bytes_read = 0
        self.reads = 0

    def read(self, n: int = -1) -> bytes:
        data = self._file.read(n)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


def main() -> int:
    if not shutil.which("ffmpeg"):
        print("ffmpeg is missing: run `make system-deps`", file=sys.stderr)
        return 1
    files = videos()

    import logging

    import boto3
    from pymediainfo import MediaInfo

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from chalicelib.adapters.s3 import UploadBucket
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.local.cloud import LOCAL_REGION, CloudConfig, free_port, provision, start_moto_server
    from chalicelib.domain.media.verdict import verdict_for

    port = free_port()
    server = start_moto_server(port)
    config = CloudConfig(f"http://127.0.0.1:{port}", "bench", "contest-bench-", "contest-bench-uploads",
                         "contest-bench-intake", ("http://localhost",))
    provision(config)
    s3 = boto3.client("s3", region_name=LOCAL_REGION, endpoint_url=config.endpoint_url,
                      aws_access_key_id="x", aws_secret_access_key="x")
    bucket = UploadBucket(s3, config.upload_bucket)
    campaign = load_campaign_file(ROOT / "samples" / "campaigns" / "khat-vong-hung-cuong.json")

    rows = []
    for label, path in files.items():
        key = f"bench/{path.name}"
        s3.upload_file(str(path), config.upload_bucket, key)
        head = bucket.head(key)
        started = time.perf_counter()
        reader = bucket.reader(key, head)
        verdict = verdict_for(reader, campaign)
        ours_s = time.perf_counter() - started

        counting = CountingFile(path)
        started = time.perf_counter()
        MediaInfo.parse(counting)
        mediainfo_s = time.perf_counter() - started
        counting.close()

        started = time.perf_counter()
        body = s3.get_object(Bucket=config.upload_bucket, Key=key)["Body"].read()
        tmp = OUTPUT / "downloaded.mp4"
        tmp.write_bytes(body)
        MediaInfo.parse(str(tmp))
        download_s = time.perf_counter() - started

        boxes = top_level_boxes(path)
        moov = next(size for kind, size in boxes if kind == b"moov")
        fragments = sum(1 for kind, _size in boxes if kind == b"moof")
        max_gets, budget = read_target(boxes)
        duration = verdict["facts"]["duration_seconds"]
        rows.append((label, path.stat().st_size, moov, fragments, verdict["status"], duration, reader.requests,
                     reader.bytes_read, max_gets, budget, ours_s, counting.bytes_read, mediainfo_s, len(body),
                     download_s))
    server.stop()

    print()
    print("Validator on a 3-minute 1080x1920 H.264 upload, through S3 ranged GETs on the local cloud")
    print(f"{'layout':<13}{'file':>12}{'moov':>8}{'moofs':>7}{'verdict':>9}{'seconds':>9}{'GETs':>6}{'read':>11}"
          f"{'budget':>11}{'ms':>8}{'MediaInfo read':>16}{'ms':>8}{'download':>12}{'ms':>8}")
    for (label, size, moov, fragments, status, duration, gets, read, _max_gets, budget, ours_s, mi_read, mi_s,
         dl, dl_s) in rows:
        print(f"{label:<13}{size:>12,}{moov:>8,}{fragments:>7}{status:>9}{duration or 0:>9.3f}{gets:>6}{read:>11,}"
              f"{budget:>11,}{ours_s*1000:>8.0f}{mi_read:>16,}{mi_s*1000:>8.0f}{dl:>12,}{dl_s*1000:>8.0f}")
    print()
    print("Ratios (ours / other; lower is better for us)")
    for (label, _size, _moov, _fragments, _status, _duration, _gets, read, _max_gets, _budget, ours_s, mi_read,
         _mi_s, dl, dl_s) in rows:
        print(f"  {label:<13} bytes vs MediaInfo {read / mi_read:6.3f}   bytes vs download {read / dl:8.5f}   "
              f"time vs download {ours_s / dl_s:6.3f}")
    print()
    failures = [r[0] for r in rows if not (r[4] == "valid" and r[6] <= r[8] and r[7] <= r[9])]
    print("Targets (valid, at most 3 GETs, and at most moov + 256 KiB; fragmented: head + 16 B + first tail window):",
          "met for every layout" if not failures else f"MISSED for {', '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
