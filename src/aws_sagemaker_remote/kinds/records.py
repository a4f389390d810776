"""The records the views of a job kind return (`JobKind.channels`, `app`, `outputs`,
`checkpoint`): defined when first asked for (`kinds.__getattr__`), as a local run reads no
request."""

from . import Record


class Channel(Record):
    """An input channel: S3 data the job finds at `local_path` in the container; `data_type`
    S3Prefix (every object below `uri`) or ManifestFile (the keys the object `uri` lists)."""

    __slots__ = ("name", "uri", "local_path", "mode", "distribution", "data_type")


class Output(Record):
    """What the job leaves in S3: an output folder's prefix, or an archive the platform packs
    (`archive`)."""

    __slots__ = ("name", "uri", "local_path", "mode", "archive")


class App(Record):
    """What runs: the image, ContainerEntrypoint, ContainerArguments (None: absent), the metric
    definitions ([{"Name": ..., "Regex": ...}])."""

    __slots__ = ("image", "entrypoint", "arguments", "metrics")


class Checkpoint(Record):
    """CheckpointConfig: the S3 prefix and the container folder kept in step with it."""

    __slots__ = ("uri", "local_path")
