"""The remote run: spec -> validate -> resolve -> plan (-> dry run) -> provision -> stage ->
create -> follow. Each stage is a module of this package; this one only runs them in order."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import List

from ..errors import EXIT_OK
from ..kinds import home
from .plan import JobPlan, make_plan
from .spec import JobSpec, build_job_spec
from .validate import validate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..backends.base import Backend
    from ..flags.config import ScriptConfig
    from ..kinds import JobKind


def run_remote(
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> int:
    spec = build_job_spec(config, args, argv, parser)
    validate(spec)
    from .provision import provision
    from .resolve import resolve
    from .warm import warm_digests

    warming = warm_digests(spec)
    resolution = resolve(spec)
    warming.join()
    plan = make_plan(resolution.spec, resolution.resolved)
    if spec.dry_run:
        json.dump(plan.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    role_created = provision(resolution, plan)
    return submit(
        resolution.backend, resolution.spec, plan, resolution.resolved.region, role_created
    )


def create_job(
    backend: Backend, kind: JobKind, request: dict, *, attempts: int = 8, sleep=time.sleep
) -> dict:
    """Create the job; a role IAM has just created can take seconds before SageMaker may assume
    it, so that one error is retried with backoff (attempts=1: no retry)."""
    from botocore.exceptions import ClientError

    from ..errors import aws_error_message

    for attempt in range(attempts):
        try:
            return backend.create_job(kind, request)
        except ClientError as exc:
            if "assume" not in aws_error_message(exc).lower() or attempt == attempts - 1:
                raise
            sleep(min(2**attempt, 15))
    raise AssertionError("unreachable")


def submit(
    backend: Backend, spec: JobSpec, plan: JobPlan, region: str, role_created: bool = False
) -> int:
    from ..follow.report import summary_lines
    from ..follow.watch import run_watch
    from ..s3.digest import save_digest_cache
    from ..s3.staging import stage

    staged = stage(backend.s3, plan.uploads, owners=plan.expected_owner, hold=True)
    save_digest_cache()
    kind = spec.kind
    name = plan.request[kind.field("Name")]
    try:
        staged.before_commit()
        response = create_job(backend, kind, plan.request, attempts=8 if role_created else 1)
    except BaseException:
        staged.abandon()
        raise
    staged.job_created(kind.name, name)
    for line in summary_lines(
        plan.request,
        arn=response[kind.field("Arn")],
        region=region,
        backend=backend.name,
        job_dir=backend.job_dir(kind, name),
    ):
        print(line, file=sys.stderr)
    return run_watch(
        backend,
        name,
        kind,
        wait=spec.wait,
        output_json=spec.output_json,
        download=spec.download,
        outputs_local=download_folders(spec),
        owners=plan.expected_owner,
    )


def download_folders(spec: JobSpec) -> dict:
    """Output name -> the local folder --sagemaker-download fills (the kind's pipeline module
    says which), for those that have one."""
    folders = home(__package__, spec.kind).download_folders(spec)
    return {name: local for name, (_dest, local) in folders.items() if local}
