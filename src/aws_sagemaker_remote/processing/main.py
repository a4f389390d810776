"""The face of processing jobs: ``sagemaker_processing_main`` (parse the flags, then run here or
as a processing job), its flag builder ``sagemaker_processing_args`` with every flag of the
processing page, group by group as --help lists them (the rows shared with other job kinds are
in flags/groups.py), and the configuration behind them. One module, as every local run imports
all of it (start-up budget); ``args.py`` names the builder where the seed package had it."""

import argparse
import functools
import sys

from .. import contract as c
from ..entry import handle, parse_and_handle
from ..flags import flag_of
from ..flags import groups as g
from ..flags.builder import FlagAdder, OneLineErrorParser, ScriptConfig, keyword_builder
from ..flags.groups import add_all_flags, add_inputs, add_modules
from ..kinds import processing as kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional

    Main = Callable[[argparse.Namespace], Any]

ProcessingArgumentParser = OneLineErrorParser


class ProcessingConfig(ScriptConfig):
    """What ``sagemaker_processing_args`` returns: the script, inputs, outputs, modules and extra
    environment of a processing job, the items behind the flags it added."""

    kind_name = kind.NAME


GROUPS = (
    g.run_group(
        g.Row(
            "run", g.YES_NO, None, "run as a SageMaker processing job instead of calling main here"
        ),
        g.Row("download", g.YES_NO, None, "after success, download each output to its local path"),
    ),
    g.account_group(g.ROLE),
    g.job_group(
        g.IMAGE,
        g.INSTANCE,
        g.RUNTIME,
    ),
    g.container_group(
        g.Row("input_mount", g.TEXT, "DIR", "folder of the inputs"),
        g.Row("output_mount", g.TEXT, "DIR", "folder of the outputs"),
        g.Row("module_mount", g.TEXT, "DIR", "folder of the modules"),
    ),
    g.NETWORK_GROUP,
)


def add_outputs(add: "FlagAdder", parser, config: "ProcessingConfig") -> None:
    if not config.outputs:
        return
    group = parser.add_argument_group("Outputs", "Folders the script writes.")
    for name, arg in config.outputs.items():
        flag = flag_of(name)
        what = f"the local folder main writes as args.{name}"
        add.flag(group, name, arg.local or "", what, prefix="", metavar="DIR")
        what = f"where a job uploads {flag}: an s3:// URI, or default (a place named after the job)"
        add.flag(group, f"{name}_s3", arg.remote, what, prefix="", metavar="URI")
        what = f"when a job uploads {flag}: at its end, or continuously while it runs"
        add.choice(group, f"{name}_mode", arg.mode or "EndOfJob", kind.OUTPUT_MODES, what)


def _add_flags(
    values: "Dict[str, Any]", given: "FrozenSet[str]", read: bool = True
) -> "ProcessingConfig":
    """`read=False`: the built-in defaults and the keywords only (the documentation's)."""
    config = ProcessingConfig(
        script=values["script"],
        inputs=values["inputs"],
        outputs=values["outputs"],
        dependencies={**(values["modules"] or {}), **(values["dependencies"] or {})},
        env=values["env"],
        tags=values["tags"],
    )
    add_inputs_of_kind = functools.partial(add_inputs, modes=kind.INPUT_MODES)
    adders = (add_inputs_of_kind, add_outputs, add_modules)
    add_all_flags(values["parser"], config, GROUPS, values, given, adders, read=read)
    return config


@keyword_builder(_add_flags)
def sagemaker_processing_args(
    parser: "argparse.ArgumentParser",
    script: str,
    run: bool = False,
    wait: bool = True,
    profile: "Optional[str]" = None,
    role: str = kind.DEFAULT_ROLE,
    image: "Optional[str]" = None,
    instance: str = kind.DEFAULT_INSTANCE,
    volume_size: int = c.DEFAULT_VOLUME_GB,
    runtime_seconds: int = c.DEFAULT_RUNTIME_SECONDS,
    base_job_name: "Optional[str]" = None,
    job_name: str = "",
    python: str = c.DEFAULT_PYTHON,
    requirements: "Optional[str]" = None,
    configuration_script: "Optional[str]" = None,
    configuration_command: "Optional[str]" = None,
    inputs: "Optional[Dict[str, Any]]" = None,
    outputs: "Optional[Dict[str, Any]]" = None,
    dependencies: "Optional[Dict[str, Any]]" = None,
    modules: "Optional[Dict[str, Any]]" = None,
    input_mount: str = kind.INPUT_MOUNT,
    output_mount: str = kind.OUTPUT_MOUNT,
    module_mount: str = kind.MODULE_MOUNT,
    env: "Optional[Dict[str, str]]" = None,
    output_json: "Optional[str]" = None,
    additional_arguments: "Optional[Iterable[Any]]" = None,
    argparse_callback: "Optional[Callable[[argparse.ArgumentParser], Any]]" = None,
    region: "Optional[str]" = None,
    bucket: "Optional[str]" = None,
    prefix: str = c.DEFAULT_PREFIX,
    instance_count: int = 1,
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
) -> "ProcessingConfig":
    """Add every processing flag to ``parser`` and return the configuration behind them.

    Each keyword sets the default of the flag of the same name (``run`` sets the default of
    ``--sagemaker-run``, ``inputs={"data": ...}`` adds ``--data``); the command line and the
    ``AWS_SAGEMAKER_REMOTE_*`` variables override it, and it overrides the configuration files
    (docs/configuration.md).

    :param parser: the parser to add the flags to (yours, or the one ``sagemaker_processing_main``
        builds); the flags come in groups after your own.
    :param script: the script that runs in the container (``--sagemaker-script``).
    :param run: ``True`` submits a processing job instead of calling ``main`` here
        (``--sagemaker-run``).
    :param wait: ``True`` follows the job's logs until it ends; ``False`` returns once it is
        created (``--sagemaker-wait``).
    :param profile: AWS profile of the session; default ``$AWS_PROFILE``, else ``default``.
    :param role: IAM role name or ARN the job runs as; a missing role *name* is created.
    :param image: an image URI, or ``FRAMEWORK[:VERSION]`` (``pytorch:2.5``, ``tensorflow``,
        ``huggingface:4.49-pytorch2.5``, ``xgboost``, ``sklearn``): AWS's image for the
        instance type and region; default: AWS's scikit-learn image of the region.
    :param instance: instance type, e.g. ``ml.m5.xlarge``.
    :param volume_size: size of each instance's storage volume in GB.
    :param runtime_seconds: the job is stopped after this many seconds.
    :param base_job_name: job names are this plus a timestamp; default: the script's file name
        without ``.py``, made a valid job name (``train.py``: ``train-<timestamp>``).
    :param job_name: an exact job name instead (empty: from ``base_job_name``).
    :param python: the interpreter command that runs the script in the container.
    :param requirements: a requirements file installed with ``pip install -r`` before the script.
    :param configuration_script: a bash file ``source``-d before the script.
    :param configuration_command: a bash command run after the configuration script, in the same
        shell (its exports reach the script).
    :param inputs: ``{name: value}``; each adds ``--name`` (a local path, an ``s3://`` URI, a
        ``job:JOB/OUTPUT`` reference, a :class:`~aws_sagemaker_remote.args.PathArgument` or
        :data:`~aws_sagemaker_remote.args.OPTIONAL`), ``--name-mode`` and
        ``--name-distribution``.
    :param outputs: ``{name: local}`` or ``{name: (local, remote)}`` with ``remote`` ``"default"``
        or an ``s3://`` URI; each adds ``--name``, ``--name-s3`` and ``--name-mode``.
    :param dependencies: ``{name: path or imported module}``: local code shipped with the job
        and put on ``PYTHONPATH``; each adds ``--name``.
    :param modules: the seed package's name for ``dependencies`` (both may be given).
    :param input_mount: container folder under which inputs appear.
    :param output_mount: container folder under which outputs are written.
    :param module_mount: container folder under which modules appear.
    :param env: ``{name: value}`` environment variables of the container; ``--sagemaker-env``
        adds to them.
    :param output_json: write the job's final description (DescribeProcessingJob) to this file.
    :param additional_arguments: your own flags, each a dict of ``add_argument`` keywords whose
        ``dest`` is the flag (``{"dest": "--filter-width", "default": 32}``) or an
        ``(args, kwargs)`` pair. Without ``type``, the type follows the default: int, float, or
        yes/no for a bool.
    :param argparse_callback: called with the parser to add your own flags.
    :param region: AWS region; default: the session's.
    :param bucket: S3 bucket for staging; default ``sagemaker-REGION-ACCOUNT`` (created if
        missing).
    :param prefix: S3 key prefix for staging.
    :param instance_count: number of instances.
    :param tags: ``{key: value}`` tags of the job; ``--sagemaker-tags`` adds to them.
    :param output_kms_key: KMS key that encrypts the outputs in S3.
    :param volume_kms_key: KMS key that encrypts the instances' volumes.
    :param s3_kms_keys: KMS keys the job's S3 objects are encrypted with, besides the default
        keys of its buckets (read with GetBucketEncryption): the role created for the job may
        use them, a role you name is checked for them.
    :param subnets: VPC subnet ids (with ``security_groups``).
    :param security_groups: VPC security group ids (with ``subnets``).
    :param network_isolation: ``True`` gives the container no network.
    :param inter_container_encryption: ``True`` encrypts traffic between instances.
    :param backend: ``"aws"`` or ``"local"`` (the dockerless emulator); default
        ``$AWS_SAGEMAKER_REMOTE_BACKEND``, else ``aws``.
    :param dry_run: ``True`` prints the request and the upload plan as JSON and does nothing.
    :param download: ``True`` downloads each output to its local path after success.
    :param debug: ``True`` shows tracebacks instead of one-line errors.
    :param emulator_environment: ``"image"`` (an emulated job runs in an isolated environment
        of the image's Python and packages plus the requirements) or ``"caller"`` (in this
        Python environment: unfaithful, for a job that must see what is installed here).
    :param image_packages: a requirements-style file of the Python packages the image ships
        (``pip freeze`` inside it), for an image of your own; the import check and the
        emulator use it instead of the image's profile.
    :param import_check: ``"warn"`` (a line per imported module that neither the image nor the
        requirements provide), ``"error"`` (refuse the job then) or ``"off"``.
    :returns: the configuration (script, inputs, outputs, modules, env, tags) that
        :func:`~aws_sagemaker_remote.processing.main.sagemaker_processing_handle` takes.
    """
    return dict(locals())  # each keyword by name: keyword_builder hands them to _add_flags


def sagemaker_processing_parser_for_docs() -> "argparse.ArgumentParser":
    """The parser the documentation renders with sphinx-argparse: every processing flag, for
    one input ``input``, one output ``output`` and one module ``my_module``.

    :returns: a parser whose ``prog`` is ``aws-sagemaker-remote-processing``.
    """
    parser = OneLineErrorParser(prog="aws-sagemaker-remote-processing")
    keywords = {
        "inputs": {"input": "/path/to/input"},
        "outputs": {"output": ("/path/to/output", "default")},
        "dependencies": {"my_module": "/path/to/my_module"},
    }
    values = sagemaker_processing_args.__wrapped__(parser, "script.py", **keywords)
    _add_flags(values, frozenset(keywords), read=False)
    return parser


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
