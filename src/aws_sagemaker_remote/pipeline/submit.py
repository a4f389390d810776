"""The remote run: spec -> validate -> import check -> resolve -> plan (-> dry run) -> provision
-> stage -> create -> follow. Each stage is a module of this package; this one only runs them
in order."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, List, Optional

from ..errors import EXIT_OK
from ..kinds import home
from .plan import JobPlan, make_plan
from .spec import JobSpec, build_job_spec
from .validate import validate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..backends.base import Backend
    from ..flags.builder import ScriptConfig
    from ..kinds import JobKind


def run_remote(
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> int:
    from .warm import warm_digests

    _freeze_at_exit()
    spec = build_job_spec(config, args, argv, parser)
    warming = warm_digests(spec)  # reads files only: validation still comes before any request
    validate(spec)
    from .importcheck import check_imports
    from .provision import provision
    from .resolve import resolve
    from .resume import resume_command

    check_imports(spec)
    resolution = resolve(spec)
    warming.join()
    plan = make_plan(resolution.spec, resolution.resolved)
    if spec.dry_run:
        json.dump(plan.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    iam_change = provision(resolution, plan)
    resume = resume_command(parser, argv, resolution.resolved.job_name)
    return submit(
        resolution.backend, resolution.spec, plan, resolution.resolved.region, iam_change, resume
    )


def _freeze_at_exit() -> None:
    """At exit, the heap a submit built (boto3's models, a digest per file) is frozen, so that
    the interpreter's last collections skip it: 0.15 s of a 20,000-file submit's 10 s went
    to them (benchmarks/staging.py). Memory goes back to the system at exit anyway, and Python
    does not promise to finalize objects still alive then. Registered once per process."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def create_job(
    backend: Backend,
    kind: JobKind,
    request: dict,
    iam_change: Optional[str] = None,
    **pace: Any,
) -> dict:
    """Create the job. Right after an IAM change (`iam_change` says which) SageMaker may not see
    it yet: its answers saying so are retried for about a minute (aws/propagation.py; `pace`:
    its `sleep` and `clock`)."""
    from ..aws.propagation import retry_while_propagating

    return retry_while_propagating(lambda: backend.create_job(kind, request), iam_change, **pace)


def submit(
    backend: Backend,
    spec: JobSpec,
    plan: JobPlan,
    region: str,
    iam_change: Optional[str] = None,
    resume: Optional[str] = None,
) -> int:
    """Stage, create, follow; `resume`: the command that resumes the job from its checkpoints
    (resume.py)."""
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
        response = create_job(backend, kind, plan.request, iam_change)
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
        resume=resume,
    )


def download_folders(spec: JobSpec) -> dict:
    """Output name -> the local folder --sagemaker-download fills (the kind's pipeline module
    says which), for those that have one."""
    folders = home(__package__, spec.kind).download_folders(spec)
    return {name: local for name, (_dest, local) in folders.items() if local}
