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

from ..container.protocol import JOB_FILE_NAME
from ..contract import SHARED_CODE_CHANNEL
from ..errors import UsageError
from ..flags import flag_of
from ..kinds import JobKind
from ..s3.digest import FileList, piece_digest, piece_files
from ..s3.uploads import MANIFEST, PREFIX, Upload
from .resolve import Resolved, staging_base
from .spec import InputSpec, JobSpec

# Parts of this library that only ever run on the user's machine (the emulator, the embedded S3
# server, the image table and profiles): not shipped, so every job downloads less.
MACHINE_ONLY = ("backends/", "s3server/", "images/")


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
    pieces = []
    for key, source, files in code_sources(spec, support_dir):
        if key.startswith("module-"):
            files = non_empty(flag_of(key[len("module-") :]), source, files)
        pieces.append(Piece(key, source, files))
    return pieces


def code_sources(spec: JobSpec, support_dir: Path) -> List[Tuple[str, Path, FileList]]:
    """(key, source, files) of each code piece, its files walked as they are uploaded: the one
    walk of what ships (the plan's and the digest warm-up's, warm.py)."""
    sources = [("script", Path(spec.script), piece_files(spec.script))]
    if spec.requirements:
        sources.append(("requirements", Path(spec.requirements), piece_files(spec.requirements)))
    if spec.configuration_script:
        source = Path(spec.configuration_script)
        sources.append(("configuration", source, piece_files(source, lf=True)))
    support = [
        (f"aws_sagemaker_remote/{rel}", f)
        for rel, f in piece_files(support_dir, lf=False)
        if not rel.startswith(MACHINE_ONLY)
    ]
    sources.append(("support", support_dir, support))
    for module in spec.modules:
        path = Path(module.path)
        files = piece_files(path, lf=False)
        if path.is_dir():
            files = [(f"{path.name}/{rel}", f) for rel, f in files]
        sources.append((f"module-{module.name}", path, files))
    return sources


def input_files(path: Path) -> FileList:
    """A local input's files, as they are staged: byte for byte, none left out."""
    return piece_files(path, lf=False, skip_junk=False)


def non_empty(flag: str, path: Optional[Path], files: FileList) -> FileList:
    if not files:
        raise UsageError(f"{flag}: {str(path)!r}: contains no files to ship")
    return files


class Layout:
    """Where each code piece and input goes: each piece its own channel, or one shared channel
    past the kind's channel limit."""

    def __init__(self, spec: JobSpec, resolved: Resolved, pieces: List[Piece], shared: bool):
        self.spec = spec
        self.resolved = resolved
        self.base = staging_base(resolved.bucket, spec.prefix)
        self.pieces = list(pieces)
        self.shared = shared
        self.kind = spec.kind

    def add_job_file(self, body: bytes) -> None:
        self.pieces.append(Piece("job", None, [(JOB_FILE_NAME, body)]))

    def channel_count(self) -> int:
        return 1 if self.shared else len(self.pieces)

    def folder(self, key: str) -> str:
        """Container folder of a piece."""
        if self.shared:
            return f"{self.kind.code_root}/{_shared_rel(key)}"
        return piece_folder(self.kind, key, self.spec.module_mount)

    def input_folder(self, item: InputSpec) -> str:
        return posixpath.join(self.kind.channel_root or self.spec.input_mount, item.name)

    def input_path(self, item: InputSpec) -> str:
        """What the input's flag points at in the container: its folder, or the file in it
        (a kind may read a Pipe channel from a path named after its folder: pipe_is_folder)."""
        folder = self.input_folder(item)
        pipe_folder = self.kind.pipe_is_folder and item.mode == "Pipe"
        if _input_is_file(item, self.resolved) and not pipe_folder:
            return f"{folder}/{_basename(item.value)}"
        return folder

    def output_folders(self) -> List[Tuple[str, str]]:
        """(flag name, container folder) of each folder the script writes: the kind's own, then
        each output's under the output mount."""
        outputs = [
            (o.name, posixpath.join(self.spec.output_mount, o.name)) for o in self.spec.outputs
        ]
        return list(self.kind.script_folders) + outputs

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
            return [(SHARED_CODE_CHANNEL, uploads[0].channel_uri, self.kind.code_root, "S3Prefix")]
        return [
            (channel_name(p.key), u.channel_uri, self.folder(p.key), data_type(u))
            for p, u in zip(self.pieces, uploads)
        ]

    def placed_folders(self) -> List[str]:
        """Container folders of the ManifestFile channels (own-channel modules, local File and
        FullyReplicated inputs): the bootstrap puts their files under their real names before
        anything else (protocol.PLACE)."""
        folders = []
        if not self.shared:
            folders = [self.folder(p.key) for p in self.pieces if p.key.startswith("module-")]
        for item in self.spec.inputs:
            local = item.value and "://" not in item.value
            if local and input_layout(item.mode, item.distribution) == MANIFEST:
                folders.append(self.input_folder(item))
        return folders


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


def piece_folder(kind: JobKind, key: str, module_mount: str = "") -> str:
    """The container folder of a code piece in a channel of its own: the kind's folder of
    that channel, or the module mount (modules) or the code root (the other pieces) where the
    request names each channel's place."""
    if kind.channel_root:
        return f"{kind.channel_root}/{channel_name(key)}"
    if key.startswith("module-"):
        return posixpath.join(module_mount, key[len("module-") :])
    return f"{kind.code_root}/{key}"


def channel_name(key: str) -> str:
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
