"""What only a training job's JobSpec has (`JobSpec.extras`), read off the parsed flags once:
its folders, checkpoints, spot settings, metrics and the user's options."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Set, Tuple

from ...args import is_job_reference
from ...errors import UsageError
from ...flags.argv import given_dests, option_pairs, script_flags
from ...kinds.training import MAX_RUNTIME_SECONDS
from ..jobref import resolve_checkpoints
from ..values import local_path, location

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from ...flags.builder import ScriptConfig
    from ..spec import JobSpec

SPOT_FLAGS = {"sagemaker_spot", "sagemaker_max_wait", "sagemaker_checkpoints"}
CHECKPOINT_FLAG = "--sagemaker-checkpoint-s3"


@dataclass
class TrainingSpec:
    """`options`: the user's own argv as `(--flag, value)` pairs when it is nothing else
    (flags/argv.option_pairs), else None. `given`: the dests of the spot and checkpoint flags
    that were on the command line (a default from the code is no contradiction; a value typed
    is). `checkpoint_s3`: None for the default place (resolve.with_locations sets it).
    `max_wait`: MaxWaitTimeInSeconds, the flag's or, for a spot job, its default. `flags`: the
    script's own long options that take one value or none (flags/argv.script_flags)."""

    model_dir: str = ""
    output_dir: str = ""
    checkpoint_dir: str = ""
    checkpoints: bool = False
    checkpoint_s3: Optional[str] = None
    spot: bool = False
    max_wait: Optional[int] = None
    given: Set[str] = field(default_factory=set)
    metrics: Dict[str, str] = field(default_factory=dict)
    options: Optional[List[Tuple[str, Optional[str]]]] = None
    flags: Dict[str, str] = field(default_factory=dict)

    @property
    def checkpointing(self) -> bool:
        """Spot jobs and a chosen S3 place turn checkpoints on."""
        return self.checkpoints or self.spot or self.checkpoint_s3 is not None


def extras(
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
    own_argv: List[str],
) -> TrainingSpec:
    spot = args.sagemaker_spot
    max_wait = args.sagemaker_max_wait
    if spot and not max_wait:
        max_wait = default_max_wait(int(args.sagemaker_runtime_seconds))
    return TrainingSpec(
        model_dir=local_path(args.model_dir or ""),
        output_dir=local_path(args.output_dir or ""),
        checkpoint_dir=local_path(args.checkpoint_dir or ""),
        checkpoints=args.sagemaker_checkpoints,
        checkpoint_s3=location(args.sagemaker_checkpoint_s3),
        spot=spot,
        max_wait=max_wait,
        given=given_dests(parser, argv) & SPOT_FLAGS,
        metrics=dict(config.metrics),
        options=option_pairs(parser, own_argv),
        flags=script_flags(parser, config.own_actions),
    )


def default_max_wait(runtime: int) -> int:
    """MaxWaitTimeInSeconds of a spot job when none is given: twice the runtime (at most 28
    days, at least the runtime)."""
    return max(runtime, min(2 * runtime, MAX_RUNTIME_SECONDS))


def download_folders(spec: JobSpec) -> Dict[str, Tuple[str, str]]:
    """Output name -> (its flag's dest, the local folder --sagemaker-download fills): the
    `model` and `output` archives, unpacked into --model-dir and --output-dir."""
    training: TrainingSpec = spec.extras
    return {
        "model": ("model_dir", training.model_dir),
        "output": ("output_dir", training.output_dir),
    }


def chosen_places(spec: JobSpec) -> List[Tuple[str, str]]:
    """(flag, S3 URI) of where the user chose that the job writes: the checkpoint place."""
    training: TrainingSpec = spec.extras
    if training.checkpoint_s3 is None:
        return []
    return [(CHECKPOINT_FLAG, training.checkpoint_s3)]


def with_references(spec: JobSpec, backend: Any) -> JobSpec:
    """`--sagemaker-checkpoint-s3 job:NAME/checkpoints`: that job's checkpoint place, so that
    this job resumes from its checkpoints."""
    training: TrainingSpec = spec.extras
    if not is_job_reference(training.checkpoint_s3):
        return spec
    if backend is None:
        raise UsageError(
            f"{CHECKPOINT_FLAG}: a job: reference needs the backend to look the job up; drop "
            "the dry-run shortcut"
        )
    uri = resolve_checkpoints(backend, CHECKPOINT_FLAG, training.checkpoint_s3)
    return replace(spec, extras=replace(training, checkpoint_s3=uri))


def with_locations(spec: JobSpec, base: str, job_name: str) -> JobSpec:
    """The default checkpoint place, `<staging base><job>/checkpoints/`, when checkpoints are
    on and the user chose none."""
    training: TrainingSpec = spec.extras
    if not training.checkpointing or training.checkpoint_s3 is not None:
        return spec
    place = f"{base}{job_name}/checkpoints/"
    return replace(spec, extras=replace(training, checkpoint_s3=place))
