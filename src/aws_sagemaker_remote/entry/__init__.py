"""What a job kind's `main` does once its flags are parsed: call `main` here, or hand the job to
the pipeline behind the one error boundary.

A local run checks the output folders, makes the modules importable as they are in a job and
calls ``main``; only ``s3://`` and ``job:`` values need S3 (`local_s3.py`, imported only then).
Only the S3 steps around ``main`` go through the error boundary: ``main``'s own exceptions
propagate as in any script. One module, as every local run imports it (start-up budget).
"""

import argparse
import os
import sys

from ..args import is_job_reference, local_output_problem, s3_uri_slip, shared_output_folder
from ..configuration import SHOW_ENV
from ..contract import S3_SCHEME
from ..errors import UsageError, debug_enabled, guarded
from ..flags import flag_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, List, Optional

    from ..flags.builder import ScriptConfig

    Main = Callable[[argparse.Namespace], Any]


def parse_and_handle(
    main: "Main",
    script: "Optional[str]",
    description: "Optional[str]",
    parser_class: "Callable[..., argparse.ArgumentParser]",
    add_flags: "Callable[..., ScriptConfig]",
    kind_args: dict,
) -> "Any":
    """What every kind's `sagemaker_*_main` does: build the parser with the kind's `add_flags`
    (its `sagemaker_*_args`), parse ``sys.argv``, then :func:`handle`. A command line that
    names no --sagemaker-* flag is parsed first by a parser without them (`_parse_local`)."""
    argv = sys.argv[1:]
    built = _parse_local(argv, description, parser_class, add_flags, script, main, kind_args)
    if built is None:
        parser = parser_class(description=description)
        config = _built(parser, add_flags, script, main, kind_args)
        built = parser, config, parser.parse_args(argv)
    parser, config, args = built
    return handle(main, config, args, argv, parser)


def _built(parser, add_flags, script, main, kind_args: dict) -> "ScriptConfig":
    config = add_flags(parser=parser, script=script or defining_file(main), **kind_args)
    config.script_is_default = script is None
    return config


def _parse_local(argv: "List[str]", description, parser_class, add_flags, script, main, kind_args):
    """(parser, config, args) of a local run parsed without adding the --sagemaker-* flags
    (half of a local run's own cost), their values their defaults; None when the whole parser
    must parse: a token may be one of them or asks for help, `config show` asks, a default
    says run, or the command line is wrong (the whole parser's error names every flag)."""
    from ..flags.builder import NeedsWholeParser
    from ..flags.groups import names_no_own_flag

    if os.environ.get(SHOW_ENV) or not names_no_own_flag(argv):
        return None
    parser = parser_class(description=description)
    parser.defer_own_flags = True
    config = _built(parser, add_flags, script, main, kind_args)
    if config.deferred is None:  # nothing was left out (a callback of the user's)
        parser.defer_own_flags = False
        return parser, config, parser.parse_args(argv)
    values = config.deferred()
    if values is None or values["sagemaker_run"]:
        return None
    try:
        args = parser.parse_args(argv, argparse.Namespace(**values))
    except NeedsWholeParser:
        return None
    parser.defer_own_flags = False
    return parser, config, args


def defining_file(main: "Main") -> str:
    """The file that defines ``main``, else the program being run (e.g. ``main=print``)."""
    code = getattr(main, "__code__", None)
    if code is not None and os.path.exists(code.co_filename):
        return code.co_filename
    return getattr(sys.modules["__main__"], "__file__", None) or sys.argv[0]


def handle(
    main: "Main",
    config: "ScriptConfig",
    args: "argparse.Namespace",
    argv: "List[str]",
    parser: "argparse.ArgumentParser",
) -> "Any":
    """Locally, return what ``main`` returns (its own errors propagate as in any script).
    Remotely, exit with the job's exit code when it is not 0. Under `aws-sagemaker-remote
    config show SCRIPT`, write the settings for it and exit instead."""
    if os.environ.get(SHOW_ENV):
        from ..configuration.show import write_and_exit

        write_and_exit(os.environ[SHOW_ENV], config, args, argv, parser)
    debug = debug_enabled(args.sagemaker_debug)
    if not args.sagemaker_run:
        return run_local(main, config, args, prog=parser.prog, debug=debug)

    def remote() -> int:
        from ..pipeline.submit import run_remote

        return run_remote(config, args, argv, parser)

    code = guarded(remote, prog=parser.prog, debug=debug, sigterm=True)
    if code:
        sys.exit(code)
    return code


def run_local(
    main: "Callable[[argparse.Namespace], Any]",
    config: "ScriptConfig",
    args,
    *,
    prog: str = "",
    debug: bool = False,
) -> "Any":
    """Run ``main`` with S3 inputs downloaded first and S3 outputs uploaded after it returns."""
    guarded(lambda: _prepare_local_dirs(config, args), prog=prog or sys.argv[0], debug=debug)
    _add_module_paths(config, args)
    remote_inputs = [n for n in config.inputs if _is_remote(getattr(args, n, None))]
    remote_outputs = [n for n in config.outputs if _is_s3(getattr(args, n, None))]
    if not remote_inputs and not remote_outputs:
        return main(args)
    from .local_s3 import S3Run

    return S3Run(args, prog or sys.argv[0], debug).run(main, remote_inputs, remote_outputs)


def _check_local_outputs(config: "ScriptConfig", args) -> None:
    """A value meant as an S3 URI but malformed; an output folder that is a file, an input, or
    inside one (the next remote run would stage it as input), or that holds an input, or
    another output's: refused before ``main`` writes anything."""
    for name in (*config.inputs, *config.outputs):
        slip = s3_uri_slip(getattr(args, name, None))
        if slip:
            raise UsageError(f"{flag_of(name)}: {getattr(args, name)!r}: {slip}")
    values = [getattr(args, name, None) for name in config.inputs]
    inputs = [v for v in values if isinstance(v, str) and v and not _is_remote(v)]
    for name in config.local_dirs:
        if _is_s3(getattr(args, name, None)):
            raise UsageError(f"{flag_of(name)}: {getattr(args, name)!r}: expected a local folder")
    folders = []
    for name in (*config.outputs, *config.local_dirs):
        value = getattr(args, name, None)
        if isinstance(value, str) and value and not _is_s3(value):
            problem = local_output_problem(value, inputs)
            if problem:
                raise UsageError(f"{flag_of(name)}: {value!r}: {problem}")
            folders.append((flag_of(name), value))
    shared = shared_output_folder(folders)
    if shared:
        name, problem = shared
        raise UsageError(f"{name}: {dict(folders)[name]!r}: {problem}")


def _prepare_local_dirs(config: "ScriptConfig", args) -> None:
    """Check the output folders; create the kind's own (as the container's /opt/ml/model and
    /opt/ml/output/data exist before the script runs)."""
    _check_local_outputs(config, args)
    for name in config.local_dirs:
        value = getattr(args, name, None)
        try:
            if value:
                os.makedirs(value, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{flag_of(name)}: {value!r}: cannot create it ({exc})") from None


def _add_module_paths(config: "ScriptConfig", args) -> None:
    """Make modules importable here as they are in the container (appended: the user's own
    environment wins)."""
    for name in config.dependencies:
        path = os.path.abspath(getattr(args, name, "") or "")
        parent = os.path.dirname(path)
        if os.path.exists(path) and parent not in sys.path:
            sys.path.append(parent)


def _is_s3(value) -> bool:
    return isinstance(value, str) and value.startswith(S3_SCHEME)


def _is_remote(value) -> bool:
    return _is_s3(value) or is_job_reference(value)
