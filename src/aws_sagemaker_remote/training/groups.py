"""The training flags, group by group, as --help lists them (the rows shared with processing are
in flags/groups.py); the default is the keyword of the same name of `sagemaker_training_args`.
The seed package's training flags (--sagemaker-training-instance, ...) are accepted as aliases."""

from __future__ import annotations

from ..flags import groups as g
from ..flags.builder import FlagAdder
from ..kinds import training as kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict

    from .config import TrainingConfig

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


def training_dirs_adder(values: Dict) -> Callable[[FlagAdder, Any, TrainingConfig], None]:
    """The adder of --model-dir, --output-dir and --checkpoint-dir, defaults from `values`."""

    def add_training_dirs(add: FlagAdder, parser, config: TrainingConfig) -> None:
        group = parser.add_argument_group(
            "Model, output and checkpoints", "Folders the script writes; created before it runs."
        )
        for name in config.local_dirs:
            add.flag(group, name, values[name], DIR_HELP[name], prefix="", metavar="DIR")

    return add_training_dirs
