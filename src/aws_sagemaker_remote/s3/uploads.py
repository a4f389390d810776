"""What to stage: plain data made by the plan and sent by `staging`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .digest import FileList
from .uri import parse


@dataclass
class Upload:
    """One piece to stage.

    `source` is a file or directory whose files go below the prefix `s3_uri` (ending with "/").
    A generated file has `body` (its bytes) and `s3_uri` is its full key; `name` labels it.
    `files` overrides the walk of `source` with explicit (relative path, Path or bytes) pairs.
    `lf`: None converts `.sh` files to LF endings, True converts every file, False none.
    """

    source: Optional[Path]
    s3_uri: str
    body: Optional[bytes] = None
    files: Optional[FileList] = None
    lf: Optional[bool] = None
    name: str = ""

    def label(self) -> str:
        if self.source is not None:
            return str(self.source)
        return f"(generated) {self.name or parse(self.s3_uri).basename}"

    def to_json(self) -> dict:
        return {"source": self.label(), "s3_uri": self.s3_uri}
