"""Fixtures of the unit tests."""

from pathlib import Path

import pytest
from bootstrap_support import RECORDING_SCRIPT


@pytest.fixture
def ml(tmp_path: Path) -> Path:
    root = tmp_path / "opt-ml"
    (root / "processing" / "code" / "script").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "processing" / "code" / "script" / "script.py").write_text(RECORDING_SCRIPT)
    return root
