"""`processing download NAME` draws its progress on a terminal as staging does (files, bytes,
rate, time left) and nothing elsewhere (issue 21, point 10); through a process whose stderr is
a pseudo-terminal, as a user's is."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import textwrap

from e2e_support import run_cli, run_script

SCRIPT = """
import os
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    os.makedirs(args.out, exist_ok=True)
    for i in range(3):
        with open(os.path.join(args.out, f"part-{i}.bin"), "wb") as f:
            f.write(os.urandom(2 * 1024 * 1024))

sagemaker_processing_main(main=main, outputs={"out": "out"})
"""


def on_a_terminal(*argv: str) -> tuple:
    """(exit code, stdout, what was drawn on the terminal that is its stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv],
        stdout=subprocess.PIPE, stderr=follower, text=True, env=dict(os.environ),
    )  # fmt: skip
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's last writer is gone
            break
        if not chunk:
            break
        drawn += chunk
    out = process.stdout.read()
    code = process.wait(timeout=120)
    os.close(leader)
    return code, out, drawn.decode()


def test_a_download_draws_its_progress_on_a_terminal_only(emulator_env, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(SCRIPT))
    done = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "three-parts")
    assert done.returncode == 0, done.stderr
    code, out, drawn = on_a_terminal("processing", "download", "three-parts",
                                     "--output", str(tmp_path / "here"))  # fmt: skip
    assert code == 0, drawn
    assert "downloading output out 0/3 files, 0.0 KiB / 6.0 MiB" in drawn
    assert "Downloaded output out:" in out
    assert len(list((tmp_path / "here" / "out").iterdir())) == 3
    piped = run_cli("processing", "download", "three-parts", "--output", str(tmp_path / "again"))
    assert piped.returncode == 0
    assert piped.stderr == ""  # not a terminal: no progress drawn
