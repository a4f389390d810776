"""What to stage: plain data made by the plan and sent by `staging`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .digest import FileList
from .store import Store

MANIFEST = "manifest"  # a ManifestFile channel: objects/ + the version's channel manifest
PREFIX = "prefix"  # an S3Prefix channel: the version copied under its files' real names


@dataclass
class Upload:
    """One piece to stage: `files` ((relative path, local file or bytes) pairs, exactly as they
    are shipped) make the version `version` (`inputs/data-<digest16>`) of the store at `root`
    (`s3://BUCKET/PREFIX/`); `layout` says how its channel reads it. `source` (or `name`, for
    content the plan generated) labels it."""

    source: Optional[Path]
    root: str
    version: str
    files: FileList
    name: str = ""
    layout: str = PREFIX

    @property
    def store(self) -> Store:
        return Store.at(self.root)

    @property
    def channel_uri(self) -> str:
        """What the job's channel names: the channel manifest, or the prefix copy."""
        store = self.store
        if self.layout == MANIFEST:
            return store.uri(store.channel_key(self.version))
        return store.uri(store.prefix_key(self.version))

    def label(self) -> str:
        return str(self.source) if self.source is not None else f"(generated) {self.name}"

    def to_json(self) -> dict:
        store = self.store
        return {
            "source": self.label(),
            "s3_uri": self.channel_uri,
            "layout": self.layout,
            "files": len(self.files),
            "record": store.uri(store.record_key(self.version)),
        }
