"""What ``sagemaker_processing_args`` returns: the items behind the flags it added."""

from ..flags.config import ScriptConfig
from ..kinds.processing import PROCESSING


class ProcessingConfig(ScriptConfig):
    """The script, inputs, outputs, modules and extra environment of a processing job."""

    kind = PROCESSING
