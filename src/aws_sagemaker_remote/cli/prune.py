"""`aws-sagemaker-remote processing prune` (cli/main.py: PRUNE_COMMAND): remove staged content
that no recent job of any kind uses, the emulator's finished jobs, and stale multipart uploads;
or set an S3 lifecycle rule that does it."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, List, Set, Tuple

from ..contract import DEFAULT_PREFIX, PLACEHOLDER_ACCOUNT, TERMINAL_STATES
from ..errors import EXIT_OK, UsageError
from ..kinds import KINDS, JobKind

AGE = re.compile(r"^([0-9]+)([mhdw]?)$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}


def add_prune_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    sub = command("prune", cmd_prune, "remove staged content and finished jobs no recent job uses")
    sub.add_argument(
        "--older-than",
        default="7d",
        type=parse_age,
        metavar="AGE",
        help="keep what jobs of this period use and what is this recent: 30m, 12h, 7d, 2w (7d)",
    )
    sub.add_argument("--dry-run", action="store_true", help="list what would go; remove nothing")
    sub.add_argument(
        "--bucket",
        help="staging bucket (default: the configured bucket, else sagemaker-REGION-ACCOUNT)",
    )
    sub.add_argument(
        "--prefix", help=f"staging prefix (default: the configured prefix, else {DEFAULT_PREFIX})"
    )
    sub.add_argument(
        "--lifecycle",
        metavar="DAYS|off",
        help="instead: an S3 lifecycle rule expiring staged content after DAYS days (off: none)",
    )


def parse_age(value: str) -> timedelta:
    match = AGE.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"expected an age like 30m, 12h, 7d or 2w, got {value!r}")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def cmd_prune(ctx: Any, args: argparse.Namespace) -> int:
    from ..s3.prune import apply_prune, plan_prune

    backend = ctx.backend
    bucket = args.bucket or ctx.configured["bucket"] or _default_bucket(backend)
    prefix = args.prefix or ctx.configured["prefix"]
    if args.lifecycle is not None:
        return _lifecycle(ctx, backend.s3, bucket, prefix, args.lifecycle)
    cutoff = _now() - args.older_than
    keep, old_jobs = _jobs(backend, cutoff, prefix)
    plan = plan_prune(backend.s3, bucket, prefix, keep, cutoff)
    verb = "would remove" if args.dry_run else "removing"
    for key in plan.manifests + plan.objects:
        ctx.say(f"{verb} s3://{bucket}/{key}")
    for key, _ in plan.uploads:
        ctx.say(f"{verb} unfinished upload s3://{bucket}/{key}")
    for name, folder in old_jobs:
        ctx.say(f"{verb} emulator job {name} ({folder})")
    if not args.dry_run:
        apply_prune(backend.s3, plan)
        _remove_jobs(old_jobs)
    ctx.say(_summary(plan, old_jobs, args.dry_run))
    return EXIT_OK


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _summary(plan: Any, old_jobs: List, dry_run: bool) -> str:
    from ..s3.progress import format_size

    pieces = len(plan.manifests)
    done = "would free" if dry_run else "freed"
    return (
        f"{done} {format_size(plan.bytes)}: {len(plan.objects)} object(s) of {pieces} staged "
        f"piece(s), {len(plan.uploads)} unfinished upload(s), {len(old_jobs)} emulator job(s); "
        f"kept {plan.kept_pieces} piece(s) in use or recent"
    )


def _default_bucket(backend: Any) -> str:
    from ..aws.bucket import default_bucket_name

    if backend.name == "local":
        return default_bucket_name(backend.region, PLACEHOLDER_ACCOUNT)
    from ..aws.session import account_id

    return default_bucket_name(backend.region, account_id(backend.session))


def _jobs(backend: Any, cutoff: datetime, base: str) -> Tuple[Set[str], List[Tuple[str, Any]]]:
    """(piece prefixes read by jobs created since `cutoff`, emulator jobs that ended before it)."""
    from ..s3.prune import piece_prefix
    from ..s3.uri import parse

    keep: Set[str] = set()
    old: List[Tuple[str, Any]] = []
    for kind in KINDS.values():
        for summary in _all_jobs(backend, kind):
            name = kind.job_name(summary)
            if summary["CreationTime"] >= cutoff:
                described = backend.describe_job(kind, name)
                for uri in channel_uris(kind, described):
                    keep.add(piece_prefix(parse(uri).as_prefix().key, base))
            elif _ended_before(kind, summary, cutoff) and backend.job_dir(kind, name):
                old.append((name, backend.job_dir(kind, name)))
    return keep, old


def channel_uris(kind: JobKind, description: dict) -> List[str]:
    """The S3 URIs a job reads: its input channels."""
    return [c.uri for c in kind.channels(description) if c.uri.startswith("s3://")]


def _all_jobs(backend: Any, kind: JobKind) -> List[dict]:
    jobs, kwargs = [], {"MaxResults": 100}
    while True:
        page = backend.list_jobs(kind, **kwargs)
        jobs.extend(page.get(kind.field("Summaries"), []))
        token = page.get("NextToken")
        if not token:
            return jobs
        kwargs["NextToken"] = token


def _ended_before(kind: JobKind, summary: dict, cutoff: datetime) -> bool:
    ended = kind.end_time(summary)
    return kind.status(summary) in TERMINAL_STATES and ended is not None and ended < cutoff


def _remove_jobs(jobs: List[Tuple[str, Any]]) -> None:
    import shutil

    for _, folder in jobs:
        shutil.rmtree(folder, ignore_errors=True)


def _lifecycle(ctx: Any, s3: Any, bucket: str, prefix: str, value: str) -> int:
    from ..s3.lifecycle import remove_rule, set_rule

    if value.strip().lower() == "off":
        remove_rule(s3, bucket, prefix)
        ctx.say(f"removed the lifecycle rule of s3://{bucket}/{prefix.strip('/')}/")
        return EXIT_OK
    if not value.isdigit() or int(value) < 2:
        raise UsageError(f"--lifecycle: {value!r}: expected a number of days (2 or more) or off")
    set_rule(s3, bucket, prefix, int(value))
    ctx.say(
        f"s3://{bucket}/{prefix.strip('/')}/: staged content now expires {value} days after it "
        "was last staged; unfinished uploads after 1 day"
    )
    return EXIT_OK
