"""``sagemaker_processing_main``: parse the flags, then run here or as a processing job."""

from __future__ import annotations

import os
import sys

from ..entry.dispatch import handle
from .args import ProcessingArgumentParser, sagemaker_processing_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, List, Optional

    from .config import ProcessingConfig

    Main = Callable[[argparse.Namespace], Any]


def sagemaker_processing_main(
    main: Main, script: Optional[str] = None, description: Optional[str] = None, **processing_args
) -> Any:
    """Build the parser, parse ``sys.argv``, then call ``main(args)`` here or submit the job.

    Locally, returns what ``main`` returns. Remotely, exits with the job's exit code when it is
    not 0 (1 failed or stopped, 2 bad input, 130 interrupted).
    """
    script = script or _defining_file(main)
    parser = ProcessingArgumentParser(description=description)
    config = sagemaker_processing_args(parser=parser, script=script, **processing_args)
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    return handle(main, config, args, argv, parser)


def sagemaker_processing_handle(
    args: argparse.Namespace,
    config: ProcessingConfig,
    main: Main,
    argv: Optional[List[str]] = None,
) -> Any:
    """For a parser of your own set up with ``sagemaker_processing_args``: run ``main`` here or
    submit the job, as ``sagemaker_processing_main`` does after parsing."""
    return handle(main, config, args, sys.argv[1:] if argv is None else argv, config.parser)


def _defining_file(main: Main) -> str:
    """The file that defines ``main``, else the program being run (e.g. ``main=print``)."""
    code = getattr(main, "__code__", None)
    if code is not None and os.path.exists(code.co_filename):
        return code.co_filename
    return getattr(sys.modules["__main__"], "__file__", None) or sys.argv[0]
