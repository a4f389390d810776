"""`aws-sagemaker-remote processing prune` (cli/main.py: PRUNE_COMMAND): remove from the staging
store what no job of any kind kept and no submit in flight may read (s3/prune.py), the emulator's
finished jobs, and unfinished uploads; or set an S3 lifecycle rule instead."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, List, Optional, Set, Tuple

from ..contract import DEFAULT_PREFIX, PLACEHOLDER_ACCOUNT, TERMINAL_STATES
from ..errors import EXIT_JOB_FAILED, EXIT_OK, UsageError
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
        help="keep what jobs that ended within AGE use and what was staged within it: 30m, 12h, "
        "7d, 2w; 0d keeps only what running jobs and submits in progress hold (7d)",
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
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected an age like 0d, 30m, 12h, 7d or 2w, got {value!r}"
        )
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def cmd_prune(ctx: Any, args: argparse.Namespace) -> int:
    """Mark and sweep under a prune marker (s3/prune.py); the marker is marked done whatever
    happens, so that submits which waited go on and lapse checks see this prune."""
    from ..s3.lease import PruneMarker
    from ..s3.prune import apply_prune, plan_prune

    backend = ctx.backend
    bucket = args.bucket or ctx.configured["bucket"]
    prefix = args.prefix or ctx.configured["prefix"]
    bucket, owner = (bucket, "") if bucket else _default_bucket(backend)
    if args.lifecycle is not None:
        return _lifecycle(ctx, backend.s3, bucket, prefix, args.lifecycle)
    store = _store(bucket, prefix, owner)
    cutoff = _now() - args.older_than
    marker = None if args.dry_run else PruneMarker(backend.s3, store).start()
    try:
        roots, old_jobs = _jobs(backend, cutoff, store)
        retained = lambda job: _lease_job(backend, store, job, cutoff)  # noqa: E731
        plan = plan_prune(backend.s3, store, roots, cutoff, retained)
        verb = "would remove" if args.dry_run else "removing"
        for line in plan.lines(verb):
            ctx.say(line)
        for name, folder in old_jobs:
            ctx.say(f"{verb} emulator job {name} ({folder})")
        problems: List[str] = []
        if marker is not None:
            problems = apply_prune(backend.s3, plan, marker)
            _remove_jobs(old_jobs)
    finally:
        if marker is not None:
            marker.finish()
    for problem in problems:
        ctx.say(f"could not remove {problem}")
    ctx.say(_summary(plan, old_jobs, args.dry_run))
    return EXIT_OK if not problems else EXIT_JOB_FAILED


def _store(bucket: str, prefix: str, owner: str) -> Any:
    from ..s3.store import Store

    base = prefix.strip("/")
    return Store(bucket, f"{base}/" if base else "", owner)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _summary(plan: Any, old_jobs: List, dry_run: bool) -> str:
    from ..s3.progress import format_size

    done = "would free" if dry_run else "freed"
    return (
        f"{done} {format_size(plan.bytes)}: {len(plan.versions)} staged version(s), "
        f"{len(plan.objects)} stored content(s), {len(plan.uploads)} unfinished upload(s), "
        f"{len(old_jobs)} emulator job(s); kept {plan.kept_versions} version(s) in use or recent"
    )


def _default_bucket(backend: Any) -> Tuple[str, str]:
    """(the default bucket, the account that must own it: "" for the emulator's)."""
    from ..aws.bucket import default_bucket_name

    if backend.name == "local":
        return default_bucket_name(backend.region, PLACEHOLDER_ACCOUNT), ""
    from ..aws.session import account_id

    account = account_id(backend.session)
    return default_bucket_name(backend.region, account), account


def _jobs(backend: Any, cutoff: datetime, store: Any) -> Tuple[Set[str], List[Tuple[str, Any]]]:
    """(versions read by the jobs kept: not ended, or ended since `cutoff`; emulator jobs that
    ended before it)."""
    keep: Set[str] = set()
    old: List[Tuple[str, Any]] = []
    for kind in KINDS.values():
        for summary in _all_jobs(backend, kind):
            name = kind.job_name(summary)
            if _retained(kind, summary, cutoff):
                keep |= versions_read(kind, backend.describe_job(kind, name), store)
            elif _ended_before(kind, summary, cutoff) and backend.job_dir(kind, name):
                old.append((name, backend.job_dir(kind, name)))
    return keep, old


def _lease_job(backend: Any, store: Any, job: dict, cutoff: datetime) -> Optional[Set[str]]:
    """The versions the job a lease names reads while it is kept; None when there is no such
    job (yet): the lease then protects what it names for as long as it lives."""
    from ..aws.errors import is_not_found

    kind = KINDS.get(str(job.get("kind")))
    if kind is None:
        return None
    try:
        described = backend.describe_job(kind, str(job.get("name")))
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return versions_read(kind, described, store) if _retained(kind, described, cutoff) else set()


def _retained(kind: JobKind, summary: dict, cutoff: datetime) -> bool:
    if kind.status(summary) not in TERMINAL_STATES:
        return True  # running, stopping, or a spot job about to restart: it reads its inputs
    ended = kind.end_time(summary) or summary.get("CreationTime")
    return ended is None or ended >= cutoff


def versions_read(kind: JobKind, description: dict, store: Any) -> Set[str]:
    """The store's versions a job's channels name (its channel manifests and prefixes)."""
    from ..s3.uri import parse

    found = set()
    for uri in channel_uris(kind, description):
        location = parse(uri)
        version = store.version_of(location.key) if location.bucket == store.bucket else None
        if version:
            found.add(version)
    return found


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
