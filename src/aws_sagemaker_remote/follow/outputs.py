"""A job's outputs: their S3 URIs, downloading them, and its description as JSON."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

from ..errors import TransferError
from ..kinds import kind_of


def download_outputs(
    backend: Any,
    description: dict,
    outputs_local: Dict[str, str],
    *,
    out: IO[str] = sys.stdout,
    owners: Optional[Dict[str, str]] = None,
) -> Dict[str, List[Path]]:
    """Download each output named in `outputs_local` from its S3Uri to its local path
    (`owners`: bucket -> the account that must own it)."""
    from ..s3.uri import parse

    done: Dict[str, List[Path]] = {}
    kind = kind_of(description)
    for output in kind.outputs(description):
        name, uri, local = output.name, output.uri, outputs_local.get(output.name)
        if not local or not uri:
            continue
        try:
            owner = owners.get(parse(uri).bucket) if owners else None
            label = f"output {name}"
            files = _download(backend.s3, uri, Path(local), owner, label, output.archive)
        except FileNotFoundError:  # SageMaker uploads nothing for an empty output folder
            _say(out, f"Output {name}: the job wrote nothing to {uri}")
            continue
        done[name] = files
        unpacked = " unpacked" if output.archive else ""
        _say(out, f"Downloaded output {name}: {uri} ->{unpacked} {local} ({len(files)} files)")
    return done


def _download(
    s3: Any, uri: str, local: Path, owner: Optional[str], label: str, archive: bool
) -> List[Path]:
    """The objects below `uri` (or the archive at `uri`, unpacked) into `local`, which then
    holds exactly them (follow/place.py: fetched into a work folder under short names, moved
    into place without following links; anything else there refuses the download first)."""
    from ..s3.transfer import listing
    from ..s3.uri import parse
    from . import place

    dest = Path(os.path.realpath(local))  # a link the user named as the folder is theirs
    found = listing(s3, uri, owner)
    still = f"the {label} is still in S3 at {uri}"
    if not archive:
        place.refuse_strays(dest, [rel for _, rel, _ in found], [], still)
    work = place.work_folder(dest)
    try:
        flat = [(key, str(index), size) for index, (key, _, size) in enumerate(found)]
        _fetch(s3, parse(uri).bucket, flat, work, owner, label)
        if archive:
            from .archives import unpack

            unpacked = unpack(work / "0", work / "x", label)
            rels = [rel for rel in unpacked if not rel.endswith("/")]
            folders = [rel[:-1] for rel in unpacked if rel.endswith("/")]
            moves = [(f"x/{rel}", rel) for rel in rels]
        else:
            rels, folders = [rel for _, rel, _ in found], []
            moves = [(str(index), rel) for index, rel in enumerate(rels)]
        place.refuse_strays(dest, rels, folders, still)
        place.place(work, moves, folders, dest)
    except Exception as error:
        if not _disk_full(error):
            raise
        raise TransferError(
            f"{label}: the disk is full writing to {dest} ({error}); nothing of it was kept, "
            f"{still}"
        ) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [dest.joinpath(*rel.split("/")) for rel in rels]


def _disk_full(error: BaseException) -> bool:
    """ENOSPC (or EDQUOT, a quota) from our writes, s3transfer's or the CRT's."""
    for _ in range(8):  # the error, what it was raised from, and so on
        if error is None:
            return False
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "NO_SPACE" in str(getattr(error, "name", "")) + str(error).upper().replace(" ", "_"):
            return True
        error = error.__cause__ or error.__context__
    return False


def _fetch(s3: Any, bucket: str, flat: list, work: Path, owner: Optional[str], label: str) -> None:
    """Download (key, name in `work`, size) items, drawing progress on a terminal as
    staging's uploads are."""
    from ..s3.progress import TransferProgress
    from ..s3.transfer import download_listing

    total = sum(size for _, _, size in flat)
    progress = TransferProgress(total, len(flat), sys.stderr, label=f"downloading {label}")
    try:
        download_listing(s3, bucket, flat, work, owner, progress)
    finally:
        progress.finish()


def output_dirs(target: Path, outputs: Dict[str, str]) -> Dict[str, str]:
    """`target/<OutputName>` for each output. An OutputName is any string to SageMaker (the
    ProcessingOutput shape has no pattern), so each is checked to be one plain folder name."""
    from ..errors import UsageError

    folded: Dict[str, str] = {}
    for name in outputs:
        problem = file_name_problem(name)
        if problem:
            raise UsageError(f"OutputName {name!r} of the job: {problem}; refusing to download")
        other = folded.setdefault(name.casefold(), name)
        if other != name:  # one folder on a case-insensitive file system (macOS, Windows)
            raise UsageError(
                f"OutputNames {other!r} and {name!r} of the job would share one folder under "
                f"{target}; refusing to download"
            )
    return {name: str(target / name) for name in outputs}


def file_name_problem(name: str) -> Optional[str]:
    """What keeps `name` from being one plain folder name on any system (None: nothing)."""
    if name in ("", ".", ".."):
        return "must be a plain folder name, not empty, '.' or '..'"
    if "/" in name or "\\" in name:
        return "must be a plain folder name, without / or \\"
    if re.match(r"[A-Za-z]:", name):
        return "must be a plain folder name, not a drive (C:)"
    if "\0" in name:
        return "must not contain NUL"
    return None


def output_uris(description: dict) -> Dict[str, str]:
    """Output name -> S3 URI of what the job leaves (its kind's `results` view)."""
    return kind_of(description).results(description)


def description_json(description: dict) -> str:
    """The description as JSON: datetimes as ISO strings, without ResponseMetadata."""
    clean = {key: value for key, value in description.items() if key != "ResponseMetadata"}
    return json.dumps(clean, indent=2, default=json_default)


def write_description(description: dict, path: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(description_json(description) + "\n", encoding="utf-8")


def json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _say(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()
