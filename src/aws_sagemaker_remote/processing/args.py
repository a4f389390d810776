"""The flag builder of processing jobs, ``sagemaker_processing_args``, its flag groups and its
configuration, where the seed package and the documentation name them: they are defined with the
face in ``main.py``."""

from .main import (
    GROUPS,
    ProcessingArgumentParser,
    ProcessingConfig,
    add_outputs,
    sagemaker_processing_args,
    sagemaker_processing_parser_for_docs,
)

__all__ = [
    "GROUPS",
    "ProcessingArgumentParser",
    "ProcessingConfig",
    "add_outputs",
    "sagemaker_processing_args",
    "sagemaker_processing_parser_for_docs",
]
