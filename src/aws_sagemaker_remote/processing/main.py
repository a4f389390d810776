"""``sagemaker_processing_main``: parse the flags, then run here or as a processing job."""

import sys

from ..entry import handle, parse_and_handle
from .args import ProcessingArgumentParser, sagemaker_processing_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, List, Optional

    from .args import ProcessingConfig

    Main = Callable[[argparse.Namespace], Any]


def sagemaker_processing_main(
    main: "Main",
    script: "Optional[str]" = None,
    description: "Optional[str]" = None,
    **processing_args,
) -> "Any":
    """Build the parser, parse ``sys.argv``, then call ``main(args)`` here or submit the job.

    With ``--sagemaker-run no`` (the default) ``main`` runs in this process; with
    ``--sagemaker-run yes`` the script is submitted as a processing job (``--sagemaker-backend
    local``: to the emulator) and the same ``main`` runs in the job with the same arguments,
    its input, output and module flags pointing at the container's folders.

    :param main: your function; it is called with the parsed :class:`argparse.Namespace`.
    :param script: the script that runs in the job; default: the file that defines ``main``.
    :param description: the description ``--help`` shows.
    :param processing_args: the keywords of
        :func:`~aws_sagemaker_remote.processing.args.sagemaker_processing_args` (``inputs``,
        ``outputs``, ``dependencies``, ``requirements``, ``run``, ``instance``, ...): each sets
        the default of the flag of the same name.
    :returns: locally, what ``main`` returns. Remotely, 0 once the job completed (or was
        created, with ``--sagemaker-wait no``); any other outcome exits the process with its
        code: 1 failed or stopped, 2 bad input (before anything is uploaded or created), 130
        interrupted.
    """
    return parse_and_handle(
        main,
        script,
        description,
        ProcessingArgumentParser,
        sagemaker_processing_args,
        processing_args,
    )


def sagemaker_processing_handle(
    args: "argparse.Namespace",
    config: "ProcessingConfig",
    main: "Main",
    argv: "Optional[List[str]]" = None,
) -> "Any":
    """Run ``main`` here or submit the job, as ``sagemaker_processing_main`` does after parsing,
    for a parser of your own that ``sagemaker_processing_args`` set up.

    .. code-block:: python

        parser = argparse.ArgumentParser()
        config = sagemaker_processing_args(parser, script=__file__, inputs={"data": "data/"})
        args = parser.parse_args()
        sagemaker_processing_handle(args, config, main)

    :param args: the parsed arguments.
    :param config: what ``sagemaker_processing_args`` returned for that parser.
    :param main: your function, called with ``args`` (here or in the job).
    :param argv: the command-line tokens ``args`` came from (default: ``sys.argv[1:]``); the job
        gets your own tokens exactly as typed.
    :returns: as :func:`sagemaker_processing_main`.
    """
    return handle(main, config, args, sys.argv[1:] if argv is None else argv, config.parser)
