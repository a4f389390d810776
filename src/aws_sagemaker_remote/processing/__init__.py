"""Processing jobs: ``sagemaker_processing_main`` and the flag builder."""


def __getattr__(name):
    if name == "sagemaker_processing_main":
        from .main import sagemaker_processing_main

        return sagemaker_processing_main
    if name in ("sagemaker_processing_args", "sagemaker_processing_parser_for_docs"):
        from . import main as args

        return getattr(args, name)
    # The kind-neutral names the commands find a face's builder and flag rows by.
    if name == "add_flags":
        from .main import sagemaker_processing_args

        return sagemaker_processing_args
    if name == "GROUPS":
        from .main import GROUPS

        return GROUPS
    raise AttributeError(name)


__all__ = ["sagemaker_processing_main", "sagemaker_processing_args"]
