"""Put the files of a ManifestFile channel under their real names, before anything else runs
(standard library only, Python 3.7+).

The staging store keeps each distinct content once, as `objects/<sha256>`, and a version's
record (`records/<group>/<piece>-<digest>.json`) says which file is which content. A channel
of `S3DataType: ManifestFile` lists the record and the version's objects under the store's root,
so SageMaker downloads into the channel's folder `records/.../<version>.json` and
`objects/<sha256>` (each key at its path below the manifest's prefix). Here each file is renamed
to its real path; a content that several files share is renamed for the first and copied for
the others (a copy, not a link: writing through one name must not change another). The folder
then holds exactly the files the user's input had, as an S3Prefix channel would.
"""

import json
import os
import shutil
from typing import Dict, List, Set

from aws_sagemaker_remote.container.settings import PathMap, SetupError, log

OBJECTS = "objects"
RECORDS = "records"
RECORD_VERSION = 2


def place_all(folders: List[str], path_map: PathMap) -> None:
    for folder in folders:
        count = place(path_map.path(folder), path_map.shown(folder))
        if count:
            log("placed {} file{} in {}".format(count, "" if count == 1 else "s", folder))


def place(folder: str, shown: str) -> int:
    """Place the files of one channel folder; 0 when it was placed already (a restart)."""
    records = _records(folder)
    if not records and not os.path.isdir(os.path.join(folder, OBJECTS)):
        return 0
    if len(records) != 1:
        raise SetupError(f"{shown}: expected one record under {RECORDS}/, found {len(records)}")
    rows = _rows(records[0], shown)
    taken = {rel.split("/", 1)[0] for rel, _size, _sha in rows}
    objects = _move_aside(folder, OBJECTS, taken)
    made = _move_aside(folder, RECORDS, taken)
    placed: Dict[str, str] = {}
    for rel, size, sha in rows:
        target = os.path.join(folder, *rel.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if sha in placed:
            shutil.copyfile(placed[sha], target)
        else:
            source = os.path.join(objects, sha)
            if not os.path.isfile(source):
                raise SetupError(f"{shown}: {rel} is missing from the channel (content {sha})")
            os.replace(source, target)
            placed[sha] = target
        if os.path.getsize(target) != size:
            raise SetupError(
                f"{shown}: {rel} has {os.path.getsize(target)} bytes, its record says {size}"
            )
    shutil.rmtree(objects, ignore_errors=True)
    shutil.rmtree(made, ignore_errors=True)
    return len(rows)


def _records(folder: str) -> List[str]:
    found = []
    for current, _dirs, files in os.walk(os.path.join(folder, RECORDS)):
        found += [os.path.join(current, name) for name in files if name.endswith(".json")]
    return found


def _rows(path: str, shown: str) -> list:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            doc = json.load(handle)
        if doc.get("version") != RECORD_VERSION:
            raise ValueError("record version {!r}".format(doc.get("version")))
        rows = [(str(rel), int(size), str(sha)) for rel, size, _crc, sha, _when in doc["files"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SetupError(f"{shown}: its record cannot be read ({error})") from None
    for rel, _size, _sha in rows:
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            raise SetupError(f"{shown}: refusing to place {rel!r} (not a relative path)")
    return rows


def _move_aside(folder: str, name: str, taken: Set[str]) -> str:
    """Rename `folder/name` to a name no placed file starts with (a user's input may have its
    own `objects/` folder); returns where it is now."""
    source = os.path.join(folder, name)
    if name not in taken:
        return source
    index = 0
    while f"{name}.{index}" in taken or os.path.exists(os.path.join(folder, f"{name}.{index}")):
        index += 1
    target = os.path.join(folder, f"{name}.{index}")
    os.replace(source, target)
    return target
