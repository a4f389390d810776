"""After parsing: call `main` here or submit the job, behind the one error boundary."""

from __future__ import annotations

import sys

from ..errors import debug_enabled, guarded

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, List

    from ..flags.config import ScriptConfig

    Main = Callable[[argparse.Namespace], Any]


def handle(
    main: Main,
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> Any:
    """Locally, return what ``main`` returns (its own errors propagate as in any script).
    Remotely, exit with the job's exit code when it is not 0."""
    debug = debug_enabled(args.sagemaker_debug)
    if not args.sagemaker_run:
        from .local_run import run_local

        return run_local(main, config, args, prog=parser.prog, debug=debug)

    def remote() -> int:
        from ..pipeline.submit import run_remote

        return run_remote(config, args, argv, parser)

    code = guarded(remote, prog=parser.prog, debug=debug)
    if code:
        sys.exit(code)
    return code
