"""Where each code piece of a job goes: in the container, in S3, and in which input channel.

Each piece (script, requirements, configuration script, this library's own source, each module,
the job file) is its own channel, so the console shows the S3 path of each; past the kind's
channel limit they share one channel at the code root. Pure: it reads the files (to name them by
content). In a processing job a channel lands where its LocalPath says; in a training job every
channel lands at /opt/ml/input/data/<ChannelName>, so a piece's folder is its channel's.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from .. import contract as c
from ..contract import CODE_ROOT, SHARED_CODE_CHANNEL
from ..errors import UsageError
from ..flags import flag_of
from ..s3.digest import FileList, piece_digest, piece_files
from ..s3.uploads import MANIFEST, PREFIX, Upload
from .resolve import Resolved
from .spec import InputSpec, JobSpec

# Parts of this library that only ever run on the user's machine (the emulator, the embedded S3
# server): not shipped, so every job downloads less.
MACHINE_ONLY = ("backends/", "s3server/")


@dataclass
class Piece:
    """One code piece: what it holds and where it lands in the container and in S3."""

    key: str
    source: Optional[Path]
    files: FileList
    digest: str = ""

    def __post_init__(self):
        self.digest = self.digest or piece_digest(self.files)


def code_pieces(spec: JobSpec, support_dir: Path) -> List[Piece]:
    pieces = [Piece("script", Path(spec.script), piece_files(spec.script))]
    if spec.requirements:
        pieces.append(
            Piece("requirements", Path(spec.requirements), piece_files(spec.requirements))
        )
    if spec.configuration_script:
        source = Path(spec.configuration_script)
        pieces.append(Piece("configuration", source, piece_files(source, lf=True)))
    support = [
        (f"aws_sagemaker_remote/{rel}", f)
        for rel, f in piece_files(support_dir, lf=False)
        if not rel.startswith(MACHINE_ONLY)
    ]
    pieces.append(Piece("support", support_dir, support))
    for module in spec.modules:
        path = Path(module.path)
        files = non_empty(flag_of(module.name), path, piece_files(path, lf=False))
        if path.is_dir():
            files = [(f"{path.name}/{rel}", f) for rel, f in files]
        pieces.append(Piece(f"module-{module.name}", path, files))
    return pieces


def non_empty(flag: str, path: Path, files: FileList) -> FileList:
    if not files:
        raise UsageError(f"{flag}: {str(path)!r}: contains no files to ship")
    return files


class Layout:
    """Where each code piece and input goes: each piece its own channel, or one shared channel
    past the kind's channel limit."""

    def __init__(self, spec: JobSpec, resolved: Resolved, pieces: List[Piece], shared: bool):
        self.spec = spec
        self.resolved = resolved
        self.base = s3_join(resolved.bucket, spec.prefix)
        self.pieces = list(pieces)
        self.shared = shared
        self.training = spec.training is not None
        self.code_root = (
            f"{c.TRAINING_DATA_ROOT}/{SHARED_CODE_CHANNEL}" if self.training else CODE_ROOT
        )

    def add_job_file(self, body: bytes) -> None:
        self.pieces.append(Piece("job", None, [("job.json", body)]))

    def channel_count(self) -> int:
        return 1 if self.shared else len(self.pieces)

    def folder(self, key: str) -> str:
        """Container folder of a piece."""
        if self.shared:
            return f"{self.code_root}/{_shared_rel(key)}"
        if self.training:
            return f"{c.TRAINING_DATA_ROOT}/{_channel_name(key)}"
        if key.startswith("module-"):
            return posixpath.join(self.spec.module_mount, key[len("module-") :])
        return f"{CODE_ROOT}/{key}"

    def input_folder(self, item: InputSpec) -> str:
        root = c.TRAINING_DATA_ROOT if self.training else self.spec.input_mount
        return posixpath.join(root, item.name)

    def input_path(self, item: InputSpec) -> str:
        """What the input's flag points at in the container: its folder, or the file in it
        (a Pipe channel of a training job is read from `<folder>_<epoch>`: its folder)."""
        folder = self.input_folder(item)
        if _input_is_file(item, self.resolved) and not (self.training and item.mode == "Pipe"):
            return f"{folder}/{_basename(item.value)}"
        return folder

    def output_folders(self) -> List[Tuple[str, str]]:
        """(flag name, container folder) of each folder the script writes."""
        if self.training:
            return [
                ("model_dir", c.MODEL_DIR),
                ("output_dir", c.OUTPUT_DATA_DIR),
                ("checkpoint_dir", c.CHECKPOINT_DIR),
            ]
        return [(o.name, posixpath.join(self.spec.output_mount, o.name)) for o in self.spec.outputs]

    def file_path(self, key: str) -> str:
        piece = self.piece(key)
        top = piece.files[0][0].split("/", 1)[0]
        return f"{self.folder(key)}/{top}"

    def piece(self, key: str) -> Piece:
        return next(p for p in self.pieces if p.key == key)

    def bundle_digest(self) -> str:
        """Each piece's digest covers its paths and bytes, so theirs together cover the bundle."""
        return piece_digest([(p.key, p.digest.encode()) for p in self.pieces])

    def uploads(self) -> List[Upload]:
        """A module with its own channel is a ManifestFile channel (its files placed by the
        bootstrap); the bootstrap's own pieces, and the shared code channel, keep a prefix."""
        if not self.shared:
            return [
                Upload(p.source, self.base, f"code/{p.key}-{p.digest}", p.files, p.key,
                       MANIFEST if p.key.startswith("module-") else PREFIX)
                for p in self.pieces
            ]  # fmt: skip
        files = [(f"{_shared_rel(p.key)}/{rel}", f) for p in self.pieces for rel, f in p.files]
        version = f"code/bundle-{self.bundle_digest()}"
        return [Upload(Path(self.spec.script).parent, self.base, version, files, "code")]

    def code_channels(self) -> List[Tuple[str, str, str, str]]:
        """(channel name, S3 URI, container folder, S3DataType) of each code channel."""
        uploads = self.uploads()
        if self.shared:
            return [(SHARED_CODE_CHANNEL, uploads[0].channel_uri, self.code_root, "S3Prefix")]
        return [
            (_channel_name(p.key), u.channel_uri, self.folder(p.key), data_type(u))
            for p, u in zip(self.pieces, uploads)
        ]

    def placed_modules(self) -> List[str]:
        """Container folders of the modules the bootstrap places (ManifestFile channels)."""
        if self.shared:
            return []
        return [self.folder(p.key) for p in self.pieces if p.key.startswith("module-")]


def data_type(upload: Upload) -> str:
    return "ManifestFile" if upload.layout == MANIFEST else "S3Prefix"


def input_layout(mode: str, distribution: str) -> str:
    """How a local input reaches its channel. ManifestFile wherever SageMaker downloads the
    channel into a folder of every instance before the script starts, so that the bootstrap can
    put each file under its real name: File mode, FullyReplicated (SageMaker Developer Guide,
    model-access-training-data: File mode takes "an Amazon S3 prefix, manifest file, or
    augmented manifest file"). A prefix (the version copied under the files' names) where it
    cannot: Pipe streams the objects' bytes with no names to place, FastFile mounts the channel
    read-only, and ShardedByS3Key would hand the record to one instance only."""
    if mode == "File" and distribution == "FullyReplicated":
        return MANIFEST
    return PREFIX


def _channel_name(key: str) -> str:
    return key if key.startswith("module-") else f"code-{key}"


def _shared_rel(key: str) -> str:
    """Where a piece sits under the shared code channel."""
    return f"modules/{key[len('module-') :]}" if key.startswith("module-") else key


def _input_is_file(item: InputSpec, resolved: Resolved) -> bool:
    if item.value.startswith("s3://"):
        return resolved.s3_objects.get(item.value, False)
    return os.path.isfile(item.value)


def _basename(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1] if "://" in value else Path(value).name


def channel(
    name: str, uri: str, local: str, data="S3Prefix", mode="File", dist="FullyReplicated"
) -> dict:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local,
            "S3DataType": data,
            "S3InputMode": mode,
            "S3DataDistributionType": dist,
            "S3CompressionType": "None",
        },
    }


def s3_join(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix.strip('/') + '/' if prefix.strip('/') else ''}"
