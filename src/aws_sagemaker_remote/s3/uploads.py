"""What to stage: plain data made by the plan and sent by `staging`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .digest import FileList


@dataclass
class Upload:
    """One piece to stage: `files` ((relative path, local file or bytes) pairs, exactly as they
    are shipped) go below the prefix `s3_uri` (ending with "/"); `source` (or `name`, for content
    the plan generated) labels it."""

    source: Optional[Path]
    s3_uri: str
    files: FileList
    name: str = ""

    def label(self) -> str:
        return str(self.source) if self.source is not None else f"(generated) {self.name}"

    def to_json(self) -> dict:
        from .manifest import manifest_uri

        return {
            "source": self.label(),
            "s3_uri": self.s3_uri,
            "files": len(self.files),
            "manifest": manifest_uri(self.s3_uri),
        }
