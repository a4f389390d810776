"""Command-line flags shared by every job kind: names, value types, the flag builder, and the
user's own argv tokens. Standard library only."""


def flag_of(name: str) -> str:
    """The one conversion of a name to its flag: `train_data` -> `--train-data`."""
    return "--" + name.replace("_", "-")
