"""Plain read-only records: what the views of a job kind return (`JobKind.channels`, `app`,
`outputs`, `checkpoint`) and a kind's defaults and mounts. Defined when first asked for
(`kinds.__getattr__`): a local run reads no request."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Tuple


class Record:
    """Plain read-only data, its fields in `__slots__` (a named tuple costs ten times as much
    to define, and the local path defines these)."""

    __slots__: "Tuple[str, ...]" = ()

    def __init__(self, *values: "Any") -> None:
        if len(values) != len(self.__slots__):
            raise TypeError(f"{type(self).__name__} takes {len(self.__slots__)} values")
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: "Any") -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()  # type: ignore

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Defaults(Record):
    """The flag defaults a kind's face starts from."""

    __slots__ = ("role", "instance", "base_job_name")


class Mounts(Record):
    """Where inputs, outputs and modules land when the user may choose (processing's)."""

    __slots__ = ("input", "output", "module")


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
