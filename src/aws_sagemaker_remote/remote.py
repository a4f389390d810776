"""Remote mode (SPEC §5): validate, resolve, plan, stage, create, watch."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import List

from .errors import EXIT_OK
from .jobspec import JobSpec, build_job_spec
from .plan import JobPlan, make_plan
from .processing.config import ProcessingConfig
from .validate import validate


def run_remote(
    config: ProcessingConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> int:
    spec = build_job_spec(config, args, argv, parser)
    validate(spec)
    from .resolve import resolve

    resolution = resolve(spec)
    plan = make_plan(resolution.spec, resolution.resolved)
    if spec.dry_run:
        json.dump(plan.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    role_created = resolution.provision()
    return submit(
        resolution.backend, resolution.spec, plan, resolution.resolved.region, role_created
    )


def create_job(backend, request: dict, *, attempts: int = 8, sleep=time.sleep) -> dict:
    """Create the job; a role IAM has just created can take seconds before SageMaker may assume
    it, so that one error is retried with backoff (attempts=1: no retry)."""
    from botocore.exceptions import ClientError

    for attempt in range(attempts):
        try:
            return backend.create_processing_job(**request)
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if "assume" not in message.lower() or attempt == attempts - 1:
                raise
            sleep(min(2**attempt, 15))
    raise AssertionError("unreachable")


def submit(backend, spec: JobSpec, plan: JobPlan, region: str, role_created: bool = False) -> int:
    from .report import summary_lines
    from .staging import stage
    from .watch import run_watch

    stage(backend.s3, plan.uploads)
    response = create_job(backend, plan.request, attempts=8 if role_created else 1)
    name = plan.request["ProcessingJobName"]
    job_dir = backend.job_dir(name) if hasattr(backend, "job_dir") else None
    for line in summary_lines(
        plan.request,
        arn=response["ProcessingJobArn"],
        region=region,
        backend=backend.name,
        job_dir=job_dir,
    ):
        print(line, file=sys.stderr)
    return run_watch(
        backend,
        plan.request["ProcessingJobName"],
        wait=spec.wait,
        output_json=spec.output_json,
        download=spec.download,
        outputs_local={o.name: o.local for o in spec.outputs if o.local},
    )
