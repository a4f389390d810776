"""`aws-sagemaker-remote KIND ...`: list, describe, logs, wait, stop, download, rerun (and
prune, and interrupt where the kind runs on spot capacity). One command per job kind, the same
verbs."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from ..aws.errors import is_not_found, is_unreachable
from ..backends import get_backend
from ..contract import BACKENDS, JOB_STATES
from ..errors import EXIT_JOB_FAILED, EXIT_OK, Error, UsageError
from ..flags import positive_int
from ..flags.builder import OneLineErrorParser
from ..flags.groups import command_defaults
from ..kinds import JobKind, home, kind_of
from ..pipeline.jobnames import find_job
from .rerun import rerun_request
from .text import describe_lines, list_row, table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..backends.base import Backend

PROG = "aws-sagemaker-remote"
NAME_HELP = "the job: its name, a unique start of it, or latest (the newest job)"


def main(
    argv: Optional[List[str]] = None,
    *,
    out: Optional[IO[str]] = None,
    sleep: Callable[[float], Any] = time.sleep,
    backend: Optional[Backend] = None,
    kind: JobKind,
) -> int:
    """Run one job command on jobs of `kind`; `backend` overrides --backend (tests)."""
    argv, script_args = split_script_args(list(sys.argv[1:] if argv is None else argv))
    args = build_parser(kind).parse_args(argv)
    if script_args is not None and args.command != "rerun":
        raise UsageError(f"-- ARGS: only rerun takes the script's arguments, not {args.command}")
    args.script_args = script_args
    try:
        face = home(__package__.rsplit(".", 1)[0], kind)
        configured = command_defaults(kind.name, face.GROUPS, os.getcwd())
        if backend is None:
            backend = get_backend(
                args.backend or configured["backend"],
                profile=args.profile or configured["profile"],
                region=args.region or configured["region"],
            )
        if getattr(args, "name", None):
            args.name = _job_named(backend, args.name, kind)
        context = _Context(backend, out or sys.stdout, sleep, kind, configured)
        return args.handler(context, args)
    except UsageError as error:
        raise in_cli_terms(error) from None
    except Exception as exc:
        if backend is None or backend.name != "aws" or not is_unreachable(exc):
            raise
        from ..backends import unreachable_error

        raise in_cli_terms(unreachable_error(exc, [kind])) from None


def _job_named(backend: Backend, name: str, kind: JobKind) -> str:
    try:
        return find_job(backend, name, [kind])[1]
    except UsageError as error:
        raise UsageError(f"NAME: {error}") from None


def split_script_args(argv: List[str]) -> Tuple[List[str], Optional[List[str]]]:
    """The command's own tokens, and what follows the first `--` (None without one)."""
    if "--" not in argv:
        return argv, None
    at = argv.index("--")
    return argv[:at], argv[at + 1 :]


# The session and backend code name the script's flags; this command's own are shorter.
JOB_CLI_FLAGS = {
    "--sagemaker-region": "--region",
    "--sagemaker-profile": "--profile",
    "--sagemaker-backend": "--backend",
}


def in_cli_terms(error: Error) -> Error:
    """The error (of the same class) with the script's flag names made this command's."""
    text = str(error)
    for theirs, ours in JOB_CLI_FLAGS.items():
        text = re.sub(rf"(?<![\w-]){re.escape(theirs)}(?![\w-])", ours, text)
    return type(error)(text)


class _Context:
    """What a command works with; `configured`: the configuration's defaults of the options
    (flags/groups.command_defaults)."""

    def __init__(
        self,
        backend: Backend,
        out: IO[str],
        sleep: Callable[[float], Any],
        kind: JobKind,
        configured: Dict[str, Any],
    ) -> None:
        self.backend = backend
        self.out = out
        self.sleep = sleep
        self.kind = kind
        self.configured = configured

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def follower(self, name: str, print_logs: bool = True) -> Any:
        from ..follow.watch import Follower

        return Follower(
            self.backend,
            name,
            self.kind,
            out=self.out,
            sleep=self.sleep,
            print_logs=print_logs,
        )


def build_parser(kind: JobKind, docs: bool = False) -> argparse.ArgumentParser:
    """The parser of `aws-sagemaker-remote KIND` (`prune`, the same under every kind and at the
    top level, works on the staging store all kinds share);
    `docs`: the one the docs render, where --backend, --profile and --region are shown once,
    not again under every command."""
    prog = f"{PROG} {kind.name}"
    parser = OneLineErrorParser(
        prog=prog,
        description=f"Manage SageMaker {kind.name} jobs (on AWS, or the emulator's with "
        "--backend local). A job NAME may be its full name, a unique start of it, or latest.",
    )
    _add_common(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, handler: Callable, help_text: str, **kwargs) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, prog=f"{prog} {name}", help=help_text, description=help_text, **kwargs
        )
        _add_common(sub, argparse.SUPPRESS, shown=not docs)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("list", cmd_list, f"list recent {kind.name} jobs, newest first")
    sub.add_argument("--json", action="store_true", help="print the jobs as JSON")
    sub.add_argument(
        "--max", type=positive_int, default=20, metavar="N", help="at most N jobs (default: 20)"
    )
    sub.add_argument("--status", choices=JOB_STATES, help="only jobs in this state")
    sub.add_argument("--name-contains", metavar="TEXT", help="only jobs whose name contains TEXT")

    sub = command("describe", cmd_describe, "show one job")
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)
    sub.add_argument("--json", action="store_true", help=f"print the Describe{kind.title}Job JSON")

    sub = command("logs", cmd_logs, "print a job's logs")
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)
    sub.add_argument("--follow", "-f", action="store_true", help="keep following until it ends")

    sub = command("wait", cmd_wait, "wait until a job ends; exit 0 Completed, 1 Failed/Stopped")
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)

    sub = command("stop", cmd_stop, "stop a running job")
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)

    sub = command("download", cmd_download, "download each output to DIR/<output name>")
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)
    sub.add_argument(
        "--output", "-o", default=".", metavar="DIR", help="target folder (default: .)"
    )

    sub = command(
        "rerun",
        cmd_rerun,
        "run a job again with the same request under a new name; "
        "rerun NAME -- ARGS... replaces the script's own arguments with ARGS",
        usage="%(prog)s [options] NAME [-- ARGS ...]",
    )
    sub.add_argument("name", metavar="NAME", help=NAME_HELP)
    if kind.checkpoint_dir:
        sub.add_argument(
            "--resume",
            action="store_true",
            help="start from the checkpoints the job left (default: the rerun keeps its own)",
        )
    sub.add_argument("--no-wait", action="store_true", help="return once the job was created")
    sub.add_argument("--output-json", metavar="PATH", help="write the final description here")

    from .prune import add_prune_command

    add_prune_command(command)
    if kind.managed_spot:
        sub = command(
            "interrupt",
            cmd_interrupt,
            "emulator only: take a running spot job's instances back, as EC2 reclaims Spot "
            "capacity; the job restarts on new instances from its last checkpoint",
        )
        sub.add_argument("name", metavar="NAME", help=NAME_HELP)
    return parser


def _add_common(parser: argparse.ArgumentParser, default: Any, shown: bool = True) -> None:
    configured = "default: AWS_SAGEMAKER_REMOTE_{}, else the configuration files, else {}"

    def help_text(text: str) -> str:
        return text if shown else argparse.SUPPRESS

    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=default,
        help=help_text(
            f"aws, or local for the emulator's jobs ({configured.format('BACKEND', 'aws')})"
        ),
    )
    parser.add_argument(
        "--profile",
        default=default,
        metavar="NAME",
        help=help_text(f"AWS profile ({configured.format('PROFILE', 'the default session')})"),
    )
    parser.add_argument(
        "--region",
        default=default,
        metavar="REGION",
        help=help_text(f"AWS region ({configured.format('REGION', 'the profile')})"),
    )


# ---------------------------------------------------------------- commands


def cmd_list(ctx: _Context, args: argparse.Namespace) -> int:
    jobs = list_jobs(
        ctx.backend,
        limit=args.max,
        status=args.status,
        contains=args.name_contains,
        kind=ctx.kind,
    )
    if args.json:
        ctx.say(_dumps(jobs))
        return EXIT_OK
    if not jobs:
        ctx.say(f"No {ctx.kind.name} jobs.")
        return EXIT_OK
    rows = [["NAME", "STATUS", "CREATED", "DURATION"]]
    rows.extend(list_row(job) for job in jobs)
    for line in table(rows):
        ctx.say(line)
    return EXIT_OK


def list_jobs(
    backend: Backend,
    *,
    limit: int = 20,
    status: Optional[str] = None,
    contains: Optional[str] = None,
    kind: JobKind,
) -> List[dict]:
    kwargs: Dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    if status:
        kwargs["StatusEquals"] = status
    if contains:
        kwargs["NameContains"] = contains
    jobs: List[dict] = []
    while len(jobs) < limit:
        kwargs["MaxResults"] = min(100, limit - len(jobs))
        page = backend.list_jobs(kind, **kwargs)
        jobs.extend(page.get(kind.field("Summaries"), []))
        token = page.get("NextToken")
        if not token or token == kwargs.get("NextToken"):
            break
        kwargs["NextToken"] = token
    return jobs[:limit]


def cmd_describe(ctx: _Context, args: argparse.Namespace) -> int:
    description = describe(ctx, args.name)
    if args.json:
        from ..follow.outputs import description_json

        ctx.say(description_json(description))
        return EXIT_OK
    for line in describe_lines(description, ctx.backend):
        ctx.say(line)
    return EXIT_OK


def cmd_logs(ctx: _Context, args: argparse.Namespace) -> int:
    describe(ctx, args.name)
    follower = ctx.follower(args.name)
    if not args.follow:
        follower.describe()
        follower.pump_logs()
        follower.flush()
        return EXIT_OK
    from ..follow.watch import watch_with_interrupts

    return watch_with_interrupts(follower, stop_on_interrupt=False)


def cmd_wait(ctx: _Context, args: argparse.Namespace) -> int:
    from ..follow.watch import watch_with_interrupts

    description = describe(ctx, args.name)
    ctx.say(f"Waiting for job {args.name} ({ctx.kind.status(description)})...")
    return watch_with_interrupts(ctx.follower(args.name, print_logs=False), stop_on_interrupt=False)


def cmd_stop(ctx: _Context, args: argparse.Namespace) -> int:
    _on_job(ctx, args.name, lambda: ctx.backend.stop_job(ctx.kind, args.name))
    ctx.say(f"Stopping job {args.name}.")
    return EXIT_OK


def cmd_interrupt(ctx: _Context, args: argparse.Namespace) -> int:
    if not ctx.backend.interrupts:
        raise UsageError(
            "interrupt: only the emulator's jobs can be interrupted (--backend local); on AWS, "
            "EC2 reclaims Spot capacity by itself"
        )
    description = describe(ctx, args.name)
    if not ctx.kind.spot(description):
        raise UsageError(
            f"interrupt: job {args.name} does not run on spot capacity (it ran without "
            "--sagemaker-spot yes); only a spot job's instances can be taken back"
        )
    status = ctx.kind.status(description)
    if status != "InProgress":
        raise UsageError(
            f"interrupt: job {args.name} is in status {status}; only a running job's instances "
            "can be taken back"
        )
    _on_job(ctx, args.name, lambda: ctx.backend.interrupt_job(ctx.kind, args.name))
    ctx.say(f"Interrupting job {args.name}: its instances restart from the last checkpoint.")
    return EXIT_OK


def cmd_download(ctx: _Context, args: argparse.Namespace) -> int:
    from ..follow.outputs import download_outputs, output_dirs, output_uris
    from ..s3.progress import files_text

    description = describe(ctx, args.name)
    outputs = output_uris(description)
    local = output_dirs(Path(args.output), outputs)  # a hostile OutputName: refused here
    status = ctx.kind.status(description)
    if not outputs:
        ctx.say(f"Job {args.name} has no outputs.")
        return EXIT_OK if status == "Completed" else EXIT_JOB_FAILED
    done = download_outputs(ctx.backend, description, local, out=ctx.out)
    if status == "Completed":
        return EXIT_OK
    got = ", ".join(f"{name} ({files_text(len(files))})" for name, files in done.items())
    what = f"downloaded what it left, which may be incomplete: {got}" if got else "it left nothing"
    print(f"Job {args.name} is {status}, not Completed: {what}", file=sys.stderr)
    return EXIT_JOB_FAILED


def cmd_rerun(ctx: _Context, args: argparse.Namespace) -> int:
    from ..follow.report import summary_lines
    from ..follow.watch import run_watch

    description = describe(ctx, args.name)
    request = rerun_request(
        description,
        _tags(ctx.backend, description),
        script_args=args.script_args,
        s3=ctx.backend.s3 if args.script_args is not None else None,
        resume=getattr(args, "resume", False),
    )
    response = ctx.backend.create_job(ctx.kind, request)
    name = request[ctx.kind.field("Name")]
    ctx.say(f"Rerunning {args.name} as {name}.")
    for line in summary_lines(
        request,
        arn=response.get(ctx.kind.field("Arn"), ""),
        region=ctx.backend.region,
        backend=ctx.backend.name,
        job_dir=ctx.backend.job_dir(ctx.kind, name),
    ):
        ctx.say(line)
    return run_watch(
        ctx.backend,
        name,
        ctx.kind,
        wait=not args.no_wait,
        output_json=args.output_json,
        download=False,
        outputs_local={},
        out=ctx.out,
        sleep=ctx.sleep,
    )


# ---------------------------------------------------------------- helpers


def describe(ctx: _Context, name: str) -> dict:
    return _on_job(ctx, name, lambda: ctx.backend.describe_job(ctx.kind, name))


def _on_job(ctx: _Context, name: str, call: Callable[[], Any]) -> Any:
    """`call()`, an operation on job `name`: "no such job" in our words when AWS says so."""
    try:
        return call()
    except Exception as exc:
        if is_not_found(exc):
            raise _no_such_job(ctx.kind, name) from None
        raise


def _tags(backend: Backend, description: dict) -> List[dict]:
    if "Tags" in description:
        return list(description["Tags"])
    arn = description.get(kind_of(description).field("Arn"))
    return backend.list_tags(ResourceArn=arn) if arn else []


def _dumps(value: Any) -> str:
    from ..follow.outputs import json_default

    return json.dumps(value, indent=2, default=json_default)


def _no_such_job(kind: JobKind, name: str) -> UsageError:
    return UsageError(f"NAME: there is no {kind.name} job named {name!r}")
