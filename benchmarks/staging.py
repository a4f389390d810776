"""Staging throughput against a local SeaweedFS: stage() versus sequential boto3 upload_file.

    .venv/bin/python benchmarks/staging.py [--small-count 2000] [--small-kib 8] [--big-mib 256]
                                           [--concurrency N] [--chunk-mib N] [--repeat N]

Starts its own SeaweedFS (aws_sagemaker_remote.s3server when present, else `weed` directly),
uploads many small files and one big file with (a) staging.stage() through s3transfer's classic
manager, (b) stage() through its CRT manager (when awscrt is installed) and (c) one boto3
`upload_file` call per file, one after another; then re-stages the unchanged content (everything
is skipped); downloads both pieces with download_prefix() through either manager; and runs
`s5cmd cp` when s5cmd happens to be installed. Prints seconds and ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from aws_sagemaker_remote.s3 import digest
from aws_sagemaker_remote.s3 import transfer as s3io
from aws_sagemaker_remote.s3.digest import path_digest
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.uploads import Upload

BUCKET = "bench"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-count", type=int, default=2000)
    parser.add_argument("--small-kib", type=int, default=8)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=s3io.MAX_CONCURRENCY)
    parser.add_argument("--chunk-mib", type=int, default=s3io.MULTIPART_CHUNKSIZE // s3io.MIB)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; best kept")
    return parser.parse_args(argv)


def start_server(data_dir: Path):
    """(info with endpoint/access_key/secret_key, stop callable)."""
    try:
        from aws_sagemaker_remote.s3server import S3Server
    except ImportError:
        return _start_weed(data_dir)
    server = S3Server(data_dir)
    info = server.start()
    return info, lambda: server.stop(5)


def _start_weed(data_dir: Path):
    import json
    import socket
    from types import SimpleNamespace

    def free_port() -> int:
        while True:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            if port < 55536 - 10000:
                return port

    key, secret = "bench", "bench-secret"
    ident = {
        "identities": [
            {
                "name": "bench",
                "credentials": [{"accessKey": key, "secretKey": secret}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }
    (data_dir / "identities.json").write_text(json.dumps(ident))
    s3, master, volume, filer = (free_port() for _ in range(4))
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    cmd = [
        weed,
        "server",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.config={data_dir / 'identities.json'}",
        f"-master.port={master}",
        f"-volume.port={volume}",
        f"-filer.port={filer}",
        "-master.volumeSizeLimitMB=1024",
        "-volume.max=100",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    log = open(data_dir / "weed.log", "wb")  # noqa: SIM115 - open while the server runs
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    info = SimpleNamespace(endpoint=f"http://127.0.0.1:{s3}", access_key=key, secret_key=secret)
    client = make_client(info)
    for _ in range(120):
        try:
            client.list_buckets()
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)

    def stop() -> None:
        proc.kill()
        proc.wait()
        log.close()

    return info, stop


def make_client(info, pooled: bool = True):
    import boto3

    config = s3io.client_config() if pooled else None
    return boto3.session.Session().client(
        "s3",
        endpoint_url=info.endpoint,
        aws_access_key_id=info.access_key,
        aws_secret_access_key=info.secret_key,
        region_name="us-east-1",
        config=config,
    )


def make_data(root: Path, count: int, kib: int, big_mib: int) -> tuple[Path, Path]:
    small = root / "small"
    for i in range(count):
        folder = small / f"d{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05d}.bin").write_bytes(os.urandom(kib * 1024))
    big = root / "big" / "big.bin"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as handle:
        for _ in range(big_mib):
            handle.write(os.urandom(1024 * 1024))
    return small, big


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best(repeat: int, make_fn) -> float:
    """Fastest of `repeat` runs; make_fn(run) returns the callable of that run (fresh prefix)."""
    return min(timed(make_fn(run)) for run in range(repeat))


def baseline(client, source: Path, prefix: str) -> None:
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for file in files:
        rel = file.name if source.is_file() else file.relative_to(source).as_posix()
        client.upload_file(str(file), BUCKET, f"{prefix}{rel}")


def s5cmd_upload(info, source: Path, prefix: str) -> None:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=info.access_key,
        AWS_SECRET_ACCESS_KEY=info.secret_key,
        AWS_REGION="us-east-1",
    )
    pattern = str(source / "*") if source.is_dir() else str(source)
    subprocess.run(
        ["s5cmd", "--endpoint-url", info.endpoint, "cp", pattern, f"s3://{BUCKET}/{prefix}"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run(args: argparse.Namespace) -> None:
    s3io.MAX_CONCURRENCY = args.concurrency
    s3io.MULTIPART_CHUNKSIZE = s3io.MULTIPART_THRESHOLD = args.chunk_mib * s3io.MIB
    with tempfile.TemporaryDirectory(prefix="bench-staging-") as tmp:
        root = Path(tmp)
        (root / "s3").mkdir()
        info, stop = start_server(root / "s3")
        try:
            measure(args, info, root)
        finally:
            stop()


def measure(args, info, root: Path) -> None:
    client = make_client(info)
    plain = make_client(info, pooled=False)
    client.create_bucket(Bucket=BUCKET)
    small, big = make_data(root, args.small_count, args.small_kib, args.big_mib)
    sink = open(os.devnull, "w")  # noqa: SIM115 - for the whole benchmark
    print(
        f"data: {args.small_count} x {args.small_kib} KiB, 1 x {args.big_mib} MiB; "
        f"concurrency {args.concurrency}, part size {args.chunk_mib} MiB"
    )
    digests = {src: path_digest(src) for src in (small, big)}

    def uploads(sources, prefix):
        return [Upload(s, f"s3://{BUCKET}/{prefix}/{s.name}-{digests[s]}/") for s in sources]

    modes = ["classic", "crt"] if s3io.crt_available() else ["classic"]
    if len(modes) == 1:
        print("awscrt: not installed, CRT column skipped")
    for name, sources in (("small", [small]), ("big", [big]), ("both", [small, big])):
        staged = {
            mode: best(args.repeat, partial(stage_run, client, mode, uploads, sources, name, sink))
            for mode in modes
        }
        base = best(
            args.repeat,
            lambda n, s=sources, t=name: (
                lambda: [baseline(plain, src, f"base-{t}-{n}/{src.name}/") for src in s]
            ),
        )
        print_row(name, staged, base)
        if shutil.which("s5cmd"):
            s5 = best(
                args.repeat,
                lambda n, s=sources, t=name: (
                    lambda: [s5cmd_upload(info, src, f"s5-{t}-{n}/{src.name}/") for src in s]
                ),
            )
            print(f"{'':5s}  s5cmd   {s5:6.2f} s")
    if not shutil.which("s5cmd"):
        print("s5cmd: not installed, skipped")
    measure_downloads(args, client, modes, [small, big], uploads, root)

    reports = []
    again = timed(
        lambda: reports.append(
            stage(client, uploads([small, big], f"st-{modes[-1]}-both-0"), out=sink)
        )
    )
    print(
        f"re-stage unchanged   {again:6.2f} s   (uploaded {reports[0].files_uploaded} files, "
        f"skipped {reports[0].files_skipped})"
    )
    measure_digests(small, big, root)


def with_mode(mode: str, fn):
    """Run fn with AWS_SAGEMAKER_REMOTE_TRANSFER=mode."""
    saved = os.environ.get(s3io.TRANSFER_ENV)
    os.environ[s3io.TRANSFER_ENV] = mode
    try:
        return fn()
    finally:
        if saved is None:
            del os.environ[s3io.TRANSFER_ENV]
        else:
            os.environ[s3io.TRANSFER_ENV] = saved


def print_row(name: str, staged: dict, base: float) -> None:
    cells = "   ".join(f"stage() {mode:7s} {secs:6.2f} s" for mode, secs in staged.items())
    ratios = f"upload_file/classic {base / staged['classic']:5.2f}x"
    if "crt" in staged:
        ratios += f"   classic/crt {staged['classic'] / staged['crt']:5.2f}x"
        ratios += f"   upload_file/crt {base / staged['crt']:5.2f}x"
    print(f"{name:5s}  {cells}   sequential upload_file {base:6.2f} s")
    print(f"{'':5s}  {ratios}")


def measure_downloads(args, client, modes, sources, uploads, root: Path) -> None:
    """download_prefix() of each piece staged above, through each manager."""
    for source in sources:
        uri = uploads([source], f"st-classic-{'small' if source.is_dir() else 'big'}-0")[0].s3_uri
        secs = {}
        for mode in modes:
            dest = root / f"dl-{mode}-{source.name}"
            secs[mode] = best(args.repeat, partial(download_run, client, mode, uri, dest))
        cells = "   ".join(f"{mode:7s} {value:6.2f} s" for mode, value in secs.items())
        ratio = f"   classic/crt {secs['classic'] / secs['crt']:5.2f}x" if "crt" in secs else ""
        print(f"download {source.name:7s}  {cells}{ratio}")


def stage_run(client, mode: str, uploads, sources, name: str, sink, run: int):
    return lambda: with_mode(
        mode, lambda: stage(client, uploads(sources, f"st-{mode}-{name}-{run}"), out=sink)
    )


def download_run(client, mode: str, uri: str, dest: Path, run: int):
    target = dest / str(run)
    return lambda: with_mode(mode, lambda: s3io.download_prefix(client, uri, target))


def measure_digests(small: Path, big: Path, root: Path) -> None:
    """Digest time without the per-file cache, then with it warm (as in a second run)."""
    os.environ["AWS_SAGEMAKER_REMOTE_HOME"] = str(root / "home")
    digest.RACY_SECONDS = -1.0  # the data was written seconds ago; cache it anyway
    digest._DigestCache._instances.clear()
    cold = timed(lambda: (path_digest(small), path_digest(big)))
    digest._DigestCache._instances.clear()  # re-read the cache file, as a new process would
    warm = timed(lambda: (path_digest(small), path_digest(big)))
    print(f"digest of both pieces   no cache {cold:6.2f} s   cache warm {warm:6.2f} s")


if __name__ == "__main__":
    run(parse_args())
