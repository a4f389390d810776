"""Parse the flags of a job kind, then call `main` here or submit the job, behind the one error
boundary."""

from __future__ import annotations

import os
import sys

from ..configuration import SHOW_ENV
from ..errors import debug_enabled, guarded

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, List, Optional

    from ..flags.config import ScriptConfig

    Main = Callable[[argparse.Namespace], Any]


def parse_and_handle(
    main: Main,
    script: Optional[str],
    description: Optional[str],
    parser_class: Callable[..., argparse.ArgumentParser],
    add_flags: Callable[..., ScriptConfig],
    kind_args: dict,
) -> Any:
    """What every kind's `sagemaker_*_main` does: build the parser with the kind's `add_flags`
    (its `sagemaker_*_args`), parse ``sys.argv``, then :func:`handle`."""
    parser = parser_class(description=description)
    config = add_flags(parser=parser, script=script or defining_file(main), **kind_args)
    config.script_is_default = script is None
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    return handle(main, config, args, argv, parser)


def defining_file(main: Main) -> str:
    """The file that defines ``main``, else the program being run (e.g. ``main=print``)."""
    code = getattr(main, "__code__", None)
    if code is not None and os.path.exists(code.co_filename):
        return code.co_filename
    return getattr(sys.modules["__main__"], "__file__", None) or sys.argv[0]


def handle(
    main: Main,
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> Any:
    """Locally, return what ``main`` returns (its own errors propagate as in any script).
    Remotely, exit with the job's exit code when it is not 0. Under `aws-sagemaker-remote
    config show SCRIPT`, write the settings for it and exit instead."""
    if os.environ.get(SHOW_ENV):
        from ..configuration.show import write_and_exit

        write_and_exit(os.environ[SHOW_ENV], config, args, argv, parser)
    debug = debug_enabled(args.sagemaker_debug)
    if not args.sagemaker_run:
        from .local_run import run_local

        return run_local(main, config, args, prog=parser.prog, debug=debug)

    def remote() -> int:
        from ..pipeline.submit import run_remote

        return run_remote(config, args, argv, parser)

    code = guarded(remote, prog=parser.prog, debug=debug, sigterm=True)
    if code:
        sys.exit(code)
    return code
