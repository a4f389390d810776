"""Run a Python script locally or, unchanged, as an AWS SageMaker Processing or Training job."""

__version__ = "1.0.0"


def __getattr__(name):
    if name == "sagemaker_processing_main":
        from .processing.main import sagemaker_processing_main

        return sagemaker_processing_main
    if name == "sagemaker_training_main":
        from .training.main import sagemaker_training_main

        return sagemaker_training_main
    if name in ("PathArgument", "OPTIONAL"):
        from . import args

        return getattr(args, name)
    raise AttributeError(name)


__all__ = [
    "sagemaker_processing_main",
    "sagemaker_training_main",
    "PathArgument",
    "OPTIONAL",
    "__version__",
]
