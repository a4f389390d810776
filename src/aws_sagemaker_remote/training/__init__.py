"""Training jobs: ``sagemaker_training_main`` and the flag builder."""


def __getattr__(name):
    if name in ("sagemaker_training_main", "sagemaker_training_handle"):
        from . import main

        return getattr(main, name)
    if name in ("sagemaker_training_args", "sagemaker_training_parser_for_docs"):
        from . import main as args

        return getattr(args, name)
    # The kind-neutral names the commands find a face's builder and flag rows by.
    if name == "add_flags":
        from .main import sagemaker_training_args

        return sagemaker_training_args
    if name == "GROUPS":
        from .main import GROUPS

        return GROUPS
    raise AttributeError(name)


__all__ = ["sagemaker_training_main", "sagemaker_training_args"]
