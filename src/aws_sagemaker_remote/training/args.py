"""The flag builder of training jobs, ``sagemaker_training_args``, its flag groups and its
configuration, where the seed package and the documentation name them: they are defined with the
face in ``main.py``."""

from .main import (
    DIR_HELP,
    GROUPS,
    SEED_KEYWORDS,
    SPOT_GROUP,
    TRAINING_DIRS,
    TrainingConfig,
    sagemaker_training_args,
    sagemaker_training_parser_for_docs,
    training_dirs_adder,
)

__all__ = [
    "DIR_HELP",
    "GROUPS",
    "SEED_KEYWORDS",
    "SPOT_GROUP",
    "TRAINING_DIRS",
    "TrainingConfig",
    "sagemaker_training_args",
    "sagemaker_training_parser_for_docs",
    "training_dirs_adder",
]
