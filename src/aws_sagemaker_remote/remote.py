"""Remote mode (SPEC §5): validate, resolve, plan, stage, create, watch."""

from __future__ import annotations

import argparse
import json
import sys
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
    resolution.provision()
    return submit(resolution.backend, resolution.spec, plan, resolution.resolved.region)


def submit(backend, spec: JobSpec, plan: JobPlan, region: str) -> int:
    from .report import summary_lines
    from .staging import stage
    from .watch import run_watch

    stage(backend.s3, plan.uploads)
    response = backend.create_processing_job(**plan.request)
    for line in summary_lines(
        plan.request, arn=response["ProcessingJobArn"], region=region, backend=backend.name
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
