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
from ..s3.uploads import Upload
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

    def input_path(self, item: InputSpec) -> str:
        """What the input's flag points at in the container: its folder, or the file in it
        (a kind may read a Pipe channel from a path named after its folder: pipe_is_folder)."""
        root = self.kind.channel_root or self.spec.input_mount
        folder = posixpath.join(root, item.name)
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

    def piece_uri(self, piece: Piece) -> str:
        return f"{self.base}code/{piece.key}-{piece.digest}/"

    def bundle_digest(self) -> str:
        """Each piece's digest covers its paths and bytes, so theirs together cover the bundle."""
        return piece_digest([(p.key, p.digest.encode()) for p in self.pieces])

    def uploads(self) -> List[Upload]:
        if not self.shared:
            return [Upload(p.source, self.piece_uri(p), p.files, name=p.key) for p in self.pieces]
        files = [(f"{_shared_rel(p.key)}/{rel}", f) for p in self.pieces for rel, f in p.files]
        uri = f"{self.base}code/bundle-{self.bundle_digest()}/"
        return [Upload(Path(self.spec.script).parent, uri, files, name="code")]

    def code_channels(self) -> List[Tuple[str, str, str]]:
        """(channel name, S3 URI, container folder) of each code channel."""
        if self.shared:
            uri = f"{self.base}code/bundle-{self.bundle_digest()}/"
            return [(SHARED_CODE_CHANNEL, uri, self.kind.code_root)]
        return [(channel_name(p.key), self.piece_uri(p), self.folder(p.key)) for p in self.pieces]


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
