"""``sagemaker_training_main``: parse the flags, then run here or as a training job."""

import sys

from ..entry import handle, parse_and_handle
from ..flags.builder import OneLineErrorParser
from .args import sagemaker_training_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, List, Optional

    from .args import TrainingConfig

    Main = Callable[[argparse.Namespace], Any]


def sagemaker_training_main(
    main: "Main",
    script: "Optional[str]" = None,
    description: "Optional[str]" = None,
    **training_args,
) -> "Any":
    """Build the parser, parse ``sys.argv``, then call ``main(args)`` here or submit the job.

    With ``--sagemaker-run no`` (the default) ``main`` runs in this process with the local
    folders (``--model-dir``, ``--output-dir``, ``--checkpoint-dir``, each input); with
    ``--sagemaker-run yes`` the script is submitted as a SageMaker training job
    (``--sagemaker-backend local``: to the emulator) and the same ``main`` runs there with the
    same arguments, its folder flags pointing at the job's.

    .. code-block:: python

        from aws_sagemaker_remote import sagemaker_training_main

        def main(args):
            ...  # read args.train, write the model to args.model_dir
            print(f"accuracy={accuracy}")

        if __name__ == "__main__":
            sagemaker_training_main(
                main=main,
                inputs={"train": "data/train"},
                metrics={"accuracy": "accuracy=([0-9.]+)"},
                additional_arguments=[{"dest": "--epochs", "default": 10}],
            )

    :param main: your function; it is called with the parsed :class:`argparse.Namespace`.
    :param script: the script that runs in the job; default: the file that defines ``main``.
    :param description: the description ``--help`` shows.
    :param training_args: the keywords of
        :func:`~aws_sagemaker_remote.training.args.sagemaker_training_args` (``inputs``,
        ``metrics``, ``spot``, ``instance``, ...): each sets the default of its flag.
    :returns: locally, what ``main`` returns. Remotely, 0 once the job completed (or was
        created, with ``--sagemaker-wait no``); any other outcome exits the process with its
        code: 1 failed or stopped, 2 bad input (before anything is uploaded or created), 130
        interrupted.
    """
    return parse_and_handle(
        main, script, description, OneLineErrorParser, sagemaker_training_args, training_args
    )


def sagemaker_training_handle(
    args: "argparse.Namespace",
    config: "TrainingConfig",
    main: "Main",
    argv: "Optional[List[str]]" = None,
) -> "Any":
    """Run ``main`` here or submit the job, as ``sagemaker_training_main`` does after parsing,
    for a parser of your own that ``sagemaker_training_args`` set up.

    :param args: the parsed arguments.
    :param config: what ``sagemaker_training_args`` returned for that parser.
    :param main: your function, called with ``args`` (here or in the job).
    :param argv: the command-line tokens ``args`` came from (default: ``sys.argv[1:]``).
    :returns: as :func:`sagemaker_training_main`.
    """
    return handle(main, config, args, sys.argv[1:] if argv is None else argv, config.parser)
