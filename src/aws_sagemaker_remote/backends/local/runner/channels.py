"""Input channels from S3 into each instance, output channels from each instance to S3."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from ....kinds import Channel, Output
from ....s3 import transfer as s3io
from ....s3.manifest import read_channel_manifest
from ....s3.progress import files_text, format_size
from ....s3.uri import parse as parse_s3_uri
from ....s3.walk import walk
from .instance import Instance

Log = Optional[Callable[[Instance, str], None]]


def shard(items: List[s3io.Listed], instance: Instance) -> List[s3io.Listed]:
    """ShardedByS3Key: sorted keys, instance i gets every key whose index % N == i - 1."""
    ordered = sorted(items)
    return [p for n, p in enumerate(ordered) if n % instance.count == instance.index - 1]


def download_inputs(
    s3_client, channels: List[Channel], instances: List[Instance], log: Log = None, noun="input"
) -> None:
    """Download every input channel into every instance; raise with the channel's name.
    `log(instance, line)` tells what each instance is waiting for (big inputs take a while)."""
    for channel in channels:
        try:
            bucket, listed = channel_listing(s3_client, channel)
            for instance in instances:
                mine = listed
                if channel.distribution == "ShardedByS3Key":
                    mine = shard(listed, instance)
                if log is not None:
                    total = sum(entry[2] for entry in mine)
                    size = f", {format_size(total)}" if total else ""  # a manifest lists no sizes
                    log(
                        instance,
                        f"downloading {noun} {channel.name}: {files_text(len(mine))}{size}",
                    )
                target = instance.path(channel.local_path)
                check_targets(instance, target, mine)
                s3io.download_listing(s3_client, bucket, mine, target)
                if channel.mode == "FastFile":  # "mounted as read-only"
                    set_writable(target, False)
        except Exception as error:
            raise ChannelError(
                f"ClientError: Failed to download data for {noun} {channel.name!r} "
                f"from {channel.uri}: {error}"
            ) from error


def channel_listing(s3_client, channel: Channel) -> Tuple[str, List[s3io.Listed]]:
    """(bucket, (key, path in the channel's folder, size) of each object) a channel delivers.

    S3Prefix: every object below the prefix. ManifestFile: the manifest's prefix followed by
    each listed key, as SageMaker reads it ("SageMaker appends the suffix elements to the prefix
    to get a full set of S3Uri", API reference S3DataSource and ProcessingS3Input), each at its
    path below the prefix; a manifest that is not of that shape fails the job, as it does on
    SageMaker."""
    if channel.data_type != "ManifestFile":
        return parse_s3_uri(channel.uri).bucket, s3io.listing(s3_client, channel.uri)
    location = parse_s3_uri(channel.uri)
    body = s3_client.get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
    try:
        prefix, suffixes = read_channel_manifest(body)
        root = parse_s3_uri(prefix)
    except ValueError as error:
        raise ValueError(f"the manifest {channel.uri} is not valid: {error}") from None
    listed = [(root.key + suffix, s3io.safe_relpath(suffix, prefix), 0) for suffix in suffixes]
    return root.bucket, [(key, rel, size) for key, rel, size in listed if rel is not None]


def drop_inputs(channels: List[Channel], instances: List[Instance]) -> None:
    """After the job: remove each instance's copy of its inputs, as AWS's instances go away
    with theirs (outputs, logs and the request stay for describe, logs and download)."""
    for channel in channels:
        for instance in instances:
            remove_tree(instance.path(channel.local_path))


def set_writable(folder: Path, writable: bool) -> None:
    """Add or take away the write permission of a folder, everything below it included."""
    for current, dirs, files in os.walk(folder):
        for name in [*dirs, *files, ""]:
            path = os.path.join(current, name) if name else current
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chmod(path, mode | 0o200 if writable else mode & ~0o222)


def remove_tree(folder: Path) -> None:
    """Remove a folder even when parts of it were made read-only (FastFile channels)."""
    if folder.exists():
        set_writable(folder, True)
        shutil.rmtree(folder, ignore_errors=True)


def upload_outputs(s3_client, outputs: List[Output], instances: List[Instance]) -> None:
    """Each output's LocalPath tree of each instance to the output's S3Uri."""
    for output in outputs:
        for instance in instances:
            local = instance.path(output.local_path)
            try:
                check_links(instance, local)
                if any(local.rglob("*")):
                    s3io.upload_tree(s3_client, local, output.uri)
            except Exception as error:
                raise ChannelError(
                    f"ClientError: Failed to upload output {output.name!r} to {output.uri}: {error}"
                ) from error


@dataclass(frozen=True)
class SyncTarget:
    """A folder of each instance kept in step with an S3 prefix while the job runs."""

    name: str
    local_path: str  # a container path
    uri: str


@dataclass
class ContinuousUploader:
    """Continuous outputs and checkpoints: upload files that are new or changed since the
    previous sync (nothing is deleted in S3)."""

    s3_client: Any
    targets: List[SyncTarget]
    instances: List[Instance]
    seen: Dict[Tuple[str, Path], Tuple[int, int]] = field(default_factory=dict)

    def sync(self) -> None:
        items, stamps = [], {}
        for sync_target in self.targets:
            target = parse_s3_uri(sync_target.uri)
            for instance in self.instances:
                local = instance.path(sync_target.local_path)
                check_links(instance, local)
                for rel, file, stamp in self._changed(sync_target.name, local):
                    items.append((file, target.bucket, target.join(rel).key))
                    stamps[(sync_target.name, file)] = stamp
        if items:
            s3io.upload_files(self.s3_client, items)
        self.seen.update(stamps)  # only once uploaded: a failed sync is retried next time

    def _changed(self, name: str, local: Path) -> List[Tuple[str, Path, Tuple[int, int]]]:
        if not local.is_dir():
            return []
        changed = []
        for rel, found in walk(local, skip_junk=False, strict=False):
            file = found.path
            stamp = (found.size, found.mtime_ns)
            if self.seen.get((name, file)) != stamp:
                changed.append((rel, file, stamp))
        return changed


def check_targets(instance: Instance, folder: Path, items: List[s3io.Listed]) -> None:
    """Every file a download would write must land inside the instance, links resolved."""
    for _, rel, _ in items:
        target = folder.joinpath(*rel.split("/"))
        if not instance.contains(target):
            raise UnsafePathError(f"{rel!r} would be written outside the instance ({target})")


def check_links(instance: Instance, folder: Path) -> None:
    out = instance.links_out(folder) if folder.is_dir() else []
    if out:
        raise UnsafePathError(
            f"{out[0]!r} is a symbolic link to {os.path.realpath(folder / out[0])}, outside the "
            "instance; outputs are uploaded only from inside it"
        )


class UnsafePathError(Exception):
    """A path of a channel that leaves the instance's folder."""


class ChannelError(Exception):
    """A download or upload failed; the message is the job's FailureReason."""
