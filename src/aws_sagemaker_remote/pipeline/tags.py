"""The tags every job carries: ours, the git state of the user's script, the user's own."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Union

from ..contract import MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS, tag_char_ok, tag_text_ok
from ..errors import UsageError

SOURCE = "aws-sagemaker-remote"
GIT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class GitState:
    commit: str
    dirty: bool


def git_state(path: Union[str, os.PathLike]) -> Optional[GitState]:
    """The commit and dirtiness of the repository holding `path` (a file or a directory)."""
    directory = Path(path)
    if not directory.is_dir():
        directory = directory.parent
    commit = _git(directory, "rev-parse", "HEAD")
    if not commit:
        return None
    status = _git(directory, "status", "--porcelain")
    # An unreadable status counts as dirty: the commit alone may not describe the code.
    return GitState(commit=commit.strip(), dirty=status is None or bool(status.strip()))


def _git(directory: Path, *args: str) -> Optional[str]:
    """Output of a git command, or None when git is missing, fails or takes too long."""
    # No optional locks: `git status` must not take index.lock from under the user's own git.
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def sanitize_tag_value(value: str) -> str:
    """Replace what tag values may not hold with "_" and cut to the allowed length."""
    return "".join(ch if tag_char_ok(ch) else "_" for ch in value)[:MAX_TAG_VALUE]


def check_user_key(key: str) -> None:
    """A tag key the user may set (AWS's rules, and not one this library sets)."""
    problem = ""
    if not 1 <= len(key) <= MAX_TAG_KEY:
        problem = f"keys must be 1-{MAX_TAG_KEY} characters long"
    elif not tag_text_ok(key):
        problem = "keys may only hold letters, digits, spaces and _.:/=+-@"
    elif key.lower().startswith("aws:"):
        problem = "the prefix aws: is reserved by AWS"
    elif key == "Source":
        problem = f"the key Source is reserved (it is always {SOURCE})"
    if problem:
        raise UsageError(f"--sagemaker-tags: tag key {key!r} is not allowed: {problem}")


def job_tags(
    base_job_name: str,
    git_state: Optional[GitState],
    user_tags: Optional[Mapping[str, str]] = None,
) -> List[Dict[str, str]]:
    """The request's Tags: ours first, then the user's (which may replace all but Source)."""
    tags = {"Source": SOURCE, "BaseJobName": base_job_name}
    if git_state is not None:
        tags["GitCommit"] = git_state.commit
        tags["GitDirty"] = "true" if git_state.dirty else "false"
    for key, value in (user_tags or {}).items():
        check_user_key(key)
        tags[key] = str(value)
    if len(tags) > MAX_TAGS:
        raise UsageError(
            f"--sagemaker-tags: {len(tags)} tags in all, SageMaker allows at most {MAX_TAGS} "
            f"({len(tags) - len(user_tags or {})} are added by aws-sagemaker-remote)"
        )
    return [{"Key": key, "Value": sanitize_tag_value(value)} for key, value in tags.items()]
