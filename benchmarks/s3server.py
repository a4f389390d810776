"""The embedded S3 server: start and stop times, and how much it holds.

    python benchmarks/s3server.py [--starts 10] [--buckets 0] [--gib 0] [--dir DIR]

Starts and stops SeaweedFS (`weed mini`) `--starts` times on a fresh folder and on a reused
one; prints the median and worst start (until a real S3 write succeeds) and stop (SIGTERM until
the process is gone, SIGKILL after the grace period). `--buckets N` creates N buckets and writes
and reads back an object in each; `--gib G` writes G GiB in 256 MiB objects into one bucket and
checks their sizes and one object's bytes. The data folder is removed at the end unless `--dir`
is given.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aws_sagemaker_remote.s3server import S3Server
from aws_sagemaker_remote.s3server.readiness import s3_client
from aws_sagemaker_remote.s3server.settings import STOP_GRACE

MIB = 1024 * 1024
OBJECT_MIB = 256


def start_stop(folder: Path, runs: int, fresh: bool) -> tuple[list[float], list[float]]:
    starts, stops = [], []
    for i in range(runs):
        data = folder / (f"fresh-{i}" if fresh else "reused")
        server = S3Server(data)
        began = time.monotonic()
        server.start()
        started = time.monotonic()
        server.stop()  # SIGTERM, then SIGKILL after STOP_GRACE
        starts.append(started - began)
        stops.append(time.monotonic() - started)
    return starts, stops


def show(label: str, values: list[float]) -> None:
    print(f"{label:26s} median {statistics.median(values):5.2f} s   worst {max(values):5.2f} s")


def fill_buckets(client, count: int) -> None:
    began = time.monotonic()
    for i in range(count):
        name = f"capacity-{i:04d}"
        client.create_bucket(Bucket=name)
        client.put_object(Bucket=name, Key="object", Body=name.encode())
    for i in range(count):
        name = f"capacity-{i:04d}"
        assert client.get_object(Bucket=name, Key="object")["Body"].read() == name.encode()
    listed = {b["Name"] for b in client.list_buckets()["Buckets"]}
    assert all(f"capacity-{i:04d}" in listed for i in range(count))
    print(f"{count} buckets created, written and read back in {time.monotonic() - began:.1f} s")


class Pattern(io.RawIOBase):
    """`size` bytes of a repeated 1 MiB random block, without holding them in memory."""

    def __init__(self, block: bytes, size: int) -> None:
        self.block, self.size, self.pos = block, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.pos)
        for done in range(0, n, len(self.block)):
            start = (self.pos + done) % len(self.block)
            chunk = (self.block[start:] + self.block)[: min(len(self.block), n - done)]
            buffer[done : done + len(chunk)] = chunk
        self.pos += n
        return n


def fill_gib(client, gib: float) -> None:
    from boto3.s3.transfer import TransferConfig

    client.create_bucket(Bucket="capacity-big")
    block = os.urandom(MIB)
    size = OBJECT_MIB * MIB
    count = max(1, round(gib * 1024 / OBJECT_MIB))
    config = TransferConfig(multipart_chunksize=64 * MIB, max_concurrency=4)
    began = time.monotonic()
    for i in range(count):
        client.upload_fileobj(Pattern(block, size), "capacity-big", f"part-{i:04d}", Config=config)
    elapsed = time.monotonic() - began
    pages = client.get_paginator("list_objects_v2").paginate(Bucket="capacity-big")
    sizes = [o["Size"] for page in pages for o in page.get("Contents", [])]
    assert sizes == [size] * count, "an object is missing or has the wrong size"
    expected = hashlib.sha256(Pattern(block, size).read()).hexdigest()
    body = client.get_object(Bucket="capacity-big", Key=f"part-{count - 1:04d}")["Body"]
    assert hashlib.sha256(body.read()).hexdigest() == expected, "an object came back different"
    total = count * size / 1024**3
    rate = total * 1024 / elapsed
    print(f"{total:.1f} GiB in {count} objects written in {elapsed:.0f} s ({rate:.0f} MiB/s)")
    print("every object's size and the last object's bytes checked")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--buckets", type=int, default=0)
    parser.add_argument("--gib", type=float, default=0)
    parser.add_argument("--dir", type=Path, help="keep the data here (default: a temporary one)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="asr-s3-bench-"))
    try:
        if args.starts:
            for fresh in (True, False):
                starts, stops = start_stop(folder, args.starts, fresh)
                what = "fresh folder" if fresh else "reused folder"
                show(f"start, {what}", starts)
                show(f"stop, {what}", stops)
                killed = sum(stop >= STOP_GRACE for stop in stops)
                print(f"{'':26s} {killed} of {len(stops)} killed after {STOP_GRACE:g} s")
        if args.buckets or args.gib:
            with S3Server(folder / "capacity") as info:
                client = s3_client(info, timeout=120)
                if args.buckets:
                    fill_buckets(client, args.buckets)
                if args.gib:
                    fill_gib(client, args.gib)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"({args.starts} runs each; Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
