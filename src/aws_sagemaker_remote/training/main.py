"""The face of training jobs: ``sagemaker_training_main`` (parse the flags, then run here or
as a training job), its flag builder ``sagemaker_training_args`` with every flag of the
training page, group by group as --help lists them (the rows shared with other job kinds are
in flags/groups.py), and the configuration behind them. One module, as every local run imports
all of it (start-up budget); ``args.py`` names the builder where the seed package had it.
The seed package's training flags (--sagemaker-training-instance, ...) are accepted as aliases."""

import argparse
import functools
import sys

from .. import contract as c
from ..entry import handle, parse_and_handle
from ..flags import groups as g
from ..flags.builder import FlagAdder, OneLineErrorParser, ScriptConfig, keyword_builder
from ..flags.groups import add_all_flags, add_inputs, add_modules
from ..kinds import training as kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional

    Main = Callable[[argparse.Namespace], Any]

# The seed package's keywords and the flags whose default each sets.
SEED_KEYWORDS = {
    "training_image": "image",
    "training_instance": "instance",
    "training_role": "role",
    "spot_instances": "spot",
    "max_run": "runtime_seconds",
}

# The folders `main` writes: its flags (--model-dir, ...) and, in a job, where they are.
TRAINING_DIRS = ("model_dir", "output_dir", "checkpoint_dir")


class TrainingConfig(ScriptConfig):
    """What ``sagemaker_training_args`` returns: the script, channels, modules, metrics and
    extra environment of a training job, the items behind the flags it added."""

    kind_name = kind.NAME
    local_dirs = TRAINING_DIRS

    def __init__(
        self,
        script: str,
        inputs: "Optional[Dict[str, Any]]" = None,
        dependencies: "Optional[Dict[str, Any]]" = None,
        env: "Optional[Dict[str, str]]" = None,
        tags: "Optional[Dict[str, str]]" = None,
        metrics: "Optional[Dict[str, str]]" = None,
    ):
        super().__init__(script, inputs=inputs, dependencies=dependencies, env=env, tags=tags)
        self.metrics = {str(k): str(v) for k, v in (metrics or {}).items()}
        for name in (*self.inputs, *self.dependencies):
            if name in TRAINING_DIRS:
                raise ValueError(f"input or module name {name!r} is the flag of a training folder")


SPOT_GROUP = (
    "SageMaker spot and checkpoints",
    "A spot job may be interrupted and restarted; with checkpoints it resumes from the last one: "
    "--checkpoint-dir is restored from S3 when the job (re)starts and saved while it runs.",
    (
        g.Row(
            "spot",
            g.YES_NO,
            None,
            "run on managed spot instances (turns checkpoints on)",
            ("--sagemaker-spot-instances",),
        ),
        g.Row(
            "max_wait",
            g.NUMBER,
            "SECONDS",
            "with spot: stop the job after this many seconds of waiting for capacity and running, "
            "at least --sagemaker-runtime-seconds (default: twice it, at most "
            f"{kind.MAX_RUNTIME_SECONDS})",
        ),
        g.Row("checkpoints", g.YES_NO, None, "sync --checkpoint-dir with S3"),
        g.Row(
            "checkpoint_s3",
            g.TEXT,
            "URI",
            "where checkpoints are kept: an s3:// URI (a later job given the same one resumes from "
            "it; turns checkpoints on), job:NAME/checkpoints (where job NAME kept its: this job "
            "resumes from them), or default (named after the job)",
        ),
    ),
)

GROUPS = (
    g.run_group(
        g.Row(
            "run", g.YES_NO, None, "run as a SageMaker training job instead of calling main here"
        ),
        g.Row(
            "download",
            g.YES_NO,
            None,
            "after the job, download its model and output into --model-dir and --output-dir",
        ),
    ),
    g.account_group(g.ROLE._replace(aliases=("--sagemaker-training-role",))),
    g.job_group(
        g.IMAGE._replace(aliases=("--sagemaker-training-image",)),
        g.INSTANCE._replace(aliases=("--sagemaker-training-instance",)),
        g.RUNTIME._replace(aliases=("--sagemaker-max-run",)),
    ),
    SPOT_GROUP,
    g.container_group(),
    g.NETWORK_GROUP,
)

DIR_HELP = {
    "model_dir": (
        f"folder of the trained model (in a job {kind.MODEL_DIR}, uploaded as model.tar.gz)"
    ),
    "output_dir": (
        f"folder of other results (in a job {kind.OUTPUT_DATA_DIR}, uploaded as output.tar.gz)"
    ),
    "checkpoint_dir": f"folder of checkpoints (in a job {kind.CHECKPOINT_DIR})",
}


def training_dirs_adder(values: "Dict") -> "Callable[[FlagAdder, Any, TrainingConfig], None]":
    """The adder of --model-dir, --output-dir and --checkpoint-dir, defaults from `values`."""

    def add_training_dirs(add: "FlagAdder", parser, config: "TrainingConfig") -> None:
        group = parser.add_argument_group(
            "Model, output and checkpoints", "Folders the script writes; created before it runs."
        )
        for name in config.local_dirs:
            add.flag(group, name, values[name], DIR_HELP[name], prefix="", metavar="DIR")

    return add_training_dirs


def _add_flags(
    values: "Dict[str, Any]", given: "FrozenSet[str]", read: bool = True
) -> "TrainingConfig":
    """`read=False`: the built-in defaults and the keywords only (the documentation's)."""
    for seed, name in SEED_KEYWORDS.items():
        if values[seed] is not None:  # None unless the script passed it
            values[name] = values[seed]
            given = given | {name}
    config = TrainingConfig(
        script=values["script"],
        inputs=values["inputs"],
        dependencies={**(values["modules"] or {}), **(values["dependencies"] or {})},
        env=values["env"],
        tags=values["tags"],
        metrics=values["metrics"],
    )
    channels = functools.partial(add_inputs, modes=kind.INPUT_MODES)
    adders = (channels, training_dirs_adder(values), add_modules)
    add_all_flags(values["parser"], config, GROUPS, values, given, adders, read=read)
    return config


@keyword_builder(_add_flags)
def sagemaker_training_args(
    parser: "argparse.ArgumentParser",
    script: str,
    run: bool = False,
    wait: bool = True,
    profile: "Optional[str]" = None,
    role: str = kind.DEFAULT_ROLE,
    image: "Optional[str]" = None,
    instance: str = kind.DEFAULT_INSTANCE,
    instance_count: int = 1,
    volume_size: int = c.DEFAULT_VOLUME_GB,
    runtime_seconds: int = c.DEFAULT_RUNTIME_SECONDS,
    spot: bool = False,
    max_wait: "Optional[int]" = None,
    checkpoints: bool = False,
    checkpoint_s3: str = "default",
    base_job_name: "Optional[str]" = None,
    job_name: str = "",
    python: str = c.DEFAULT_PYTHON,
    requirements: "Optional[str]" = None,
    configuration_script: "Optional[str]" = None,
    configuration_command: "Optional[str]" = None,
    inputs: "Optional[Dict[str, Any]]" = None,
    dependencies: "Optional[Dict[str, Any]]" = None,
    modules: "Optional[Dict[str, Any]]" = None,
    metrics: "Optional[Dict[str, str]]" = None,
    model_dir: str = "output/model",
    output_dir: str = "output/output",
    checkpoint_dir: str = "output/checkpoint",
    env: "Optional[Dict[str, str]]" = None,
    output_json: "Optional[str]" = None,
    additional_arguments: "Optional[Iterable[Any]]" = None,
    argparse_callback: "Optional[Callable[[argparse.ArgumentParser], Any]]" = None,
    region: "Optional[str]" = None,
    bucket: "Optional[str]" = None,
    prefix: str = c.DEFAULT_PREFIX,
    tags: "Optional[Dict[str, str]]" = None,
    output_kms_key: "Optional[str]" = None,
    volume_kms_key: "Optional[str]" = None,
    s3_kms_keys: "Optional[Iterable[str]]" = None,
    subnets: "Optional[Iterable[str]]" = None,
    security_groups: "Optional[Iterable[str]]" = None,
    network_isolation: bool = False,
    inter_container_encryption: bool = False,
    backend: "Optional[str]" = None,
    dry_run: bool = False,
    download: bool = False,
    debug: bool = False,
    emulator_environment: str = "image",
    image_packages: "Optional[str]" = None,
    import_check: str = "warn",
    training_image: "Optional[str]" = None,
    training_instance: "Optional[str]" = None,
    training_role: "Optional[str]" = None,
    spot_instances: "Optional[bool]" = None,
    max_run: "Optional[int]" = None,
) -> "TrainingConfig":
    """Add every training flag to ``parser`` and return the configuration behind them.

    Each keyword sets the default of the flag of the same name (``spot`` sets the default of
    ``--sagemaker-spot``, ``inputs={"train": ...}`` adds ``--train``); the command line and
    the ``AWS_SAGEMAKER_REMOTE_*`` variables override it, and it overrides the configuration
    files (docs/configuration.md). Locally ``main`` gets the local paths; in a job, each input
    flag points at its channel ``/opt/ml/input/data/NAME``, ``--model-dir`` at ``/opt/ml/model``,
    ``--output-dir`` at ``/opt/ml/output/data`` and ``--checkpoint-dir`` at
    ``/opt/ml/checkpoints``. Your own flags travel as the job's hyperparameters when they are
    ``--flag value`` / ``--flag`` pairs within SageMaker's limits.

    :param parser: the parser to add the flags to; the flags come in groups after your own.
    :param script: the script that runs in the job (``--sagemaker-script``).
    :param run: ``True`` submits a training job instead of calling ``main`` here.
    :param wait: ``True`` follows the job's logs until it ends.
    :param profile: AWS profile of the session; default ``$AWS_PROFILE``, else ``default``.
    :param role: IAM role name or ARN the job runs as; a missing role *name* is created.
    :param image: an image URI, or ``FRAMEWORK[:VERSION]`` (``pytorch:2.5``, ``tensorflow``,
        ``huggingface:4.49-pytorch2.5``, ``xgboost``, ``sklearn``): AWS's image for the
        instance type and region; default: AWS's scikit-learn image for your Python version.
    :param instance: instance type, e.g. ``ml.m5.xlarge`` (one of SageMaker's training types).
    :param instance_count: number of instances.
    :param volume_size: size of each instance's storage volume in GB.
    :param runtime_seconds: the job is stopped after this many seconds (at most 28 days).
    :param spot: ``True`` runs on managed spot instances; checkpoints are then on.
    :param max_wait: with spot, the seconds of waiting for capacity and running after which the
        job is stopped; at least ``runtime_seconds`` (default: twice it, at most 28 days).
    :param checkpoints: ``True`` syncs ``--checkpoint-dir`` with S3: restored when the job
        starts or restarts, saved while it runs.
    :param checkpoint_s3: where checkpoints are kept: ``"default"`` (a prefix named after the
        job) or an ``s3://`` URI (a later job given the same URI resumes from it).
    :param base_job_name: job names are this plus a timestamp; default: the script's file name
        without ``.py``, made a valid job name (``train.py``: ``train-<timestamp>``).
    :param job_name: an exact job name instead (empty: from ``base_job_name``).
    :param python: the interpreter command that runs the script in the container.
    :param requirements: a requirements file installed with ``pip install -r`` before the script.
    :param configuration_script: a bash file ``source``-d before the script.
    :param configuration_command: a bash command run after the configuration script.
    :param inputs: ``{channel: value}``; each adds ``--channel`` (a local path, an ``s3://``
        URI, a ``job:JOB/OUTPUT`` reference, a :class:`~aws_sagemaker_remote.args.PathArgument`
        or :data:`~aws_sagemaker_remote.args.OPTIONAL`), ``--channel-mode`` (File, FastFile or
        Pipe) and ``--channel-distribution``.
    :param dependencies: ``{name: path or imported module}``: local code shipped with the job
        and put on ``PYTHONPATH``; each adds ``--name``.
    :param modules: the seed package's name for ``dependencies`` (both may be given).
    :param metrics: ``{name: regex}``: SageMaker's metric definitions; each regex's first group
        is the value, found in the job's log lines.
    :param model_dir: the local default of ``--model-dir``.
    :param output_dir: the local default of ``--output-dir``.
    :param checkpoint_dir: the local default of ``--checkpoint-dir``.
    :param env: ``{name: value}`` environment variables of the container.
    :param output_json: write the job's final description (DescribeTrainingJob) to this file.
    :param additional_arguments: your own flags, as for processing.
    :param argparse_callback: called with the parser to add your own flags.
    :param region: AWS region; default: the session's.
    :param bucket: S3 bucket for staging and the model; default ``sagemaker-REGION-ACCOUNT``.
    :param prefix: S3 key prefix for staging; the job's model and checkpoints go under it too.
    :param tags: ``{key: value}`` tags of the job.
    :param output_kms_key: KMS key that encrypts the model and output in S3.
    :param volume_kms_key: KMS key that encrypts the instances' volumes.
    :param s3_kms_keys: KMS keys the job's S3 objects are encrypted with, besides the default
        keys of its buckets (read with GetBucketEncryption): the role created for the job may
        use them, a role you name is checked for them.
    :param subnets: VPC subnet ids (with ``security_groups``).
    :param security_groups: VPC security group ids (with ``subnets``).
    :param network_isolation: ``True`` gives the container no network.
    :param inter_container_encryption: ``True`` encrypts traffic between instances.
    :param backend: ``"aws"`` or ``"local"`` (the dockerless emulator).
    :param dry_run: ``True`` prints the request and the upload plan as JSON and does nothing.
    :param download: ``True`` downloads the model and output after the job.
    :param debug: ``True`` shows tracebacks instead of one-line errors.
    :param emulator_environment: ``"image"`` (an emulated job runs in an isolated environment
        of the image's Python and packages plus the requirements) or ``"caller"`` (in this
        Python environment: unfaithful, for a job that must see what is installed here).
    :param image_packages: a requirements-style file of the Python packages the image ships
        (``pip freeze`` inside it), for an image of your own; the import check and the
        emulator use it instead of the image's profile.
    :param import_check: ``"warn"`` (a line per imported module that neither the image nor the
        requirements provide), ``"error"`` (refuse the job then) or ``"off"``.
    :param training_image: the seed package's name for ``image``.
    :param training_instance: the seed package's name for ``instance``.
    :param training_role: the seed package's name for ``role``.
    :param spot_instances: the seed package's name for ``spot``.
    :param max_run: the seed package's name for ``runtime_seconds``.
    :returns: the configuration that
        :func:`~aws_sagemaker_remote.training.main.sagemaker_training_handle` takes.
    """
    return dict(locals())  # each keyword by name: keyword_builder hands them to _add_flags


def sagemaker_training_parser_for_docs() -> "argparse.ArgumentParser":
    """The parser the documentation renders with sphinx-argparse: every training flag, for one
    channel ``train``, one module ``my_module`` and one metric.

    :returns: a parser whose ``prog`` is ``aws-sagemaker-remote-training``.
    """
    parser = OneLineErrorParser(prog="aws-sagemaker-remote-training")
    keywords = {
        "inputs": {"train": "/path/to/train"},
        "dependencies": {"my_module": "/path/to/my_module"},
        "metrics": {"accuracy": "accuracy=([0-9.]+)"},
    }
    values = sagemaker_training_args.__wrapped__(parser, "train.py", **keywords)
    _add_flags(values, frozenset(keywords), read=False)
    return parser


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
