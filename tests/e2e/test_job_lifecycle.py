"""A job's whole life through the emulator: failure, stop, Ctrl-C, sharding, requirements."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

from e2e_support import ctrl_c_after, run_cli, run_script, tree_bytes

HEADER = "from aws_sagemaker_remote import sagemaker_processing_main\n"


def write_script(folder: Path, body: str, call: str) -> Path:
    path = folder / "job.py"
    path.write_text(HEADER + textwrap.dedent(body) + f"\nsagemaker_processing_main({call})\n")
    return path


def wait_until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_failing_script_exits_1_with_the_exception_once(emulator_env, tmp_path):
    script = write_script(
        tmp_path,
        """
        def main(args):
            for i in range(30):
                print(f"progress line {i}")
            raise ValueError("the data is bad")
        """,
        "main=main",
    )
    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "fails-1")
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "Job fails-1 Failed." in text
    assert "script exited with code 1" in text
    assert text.count("Traceback (most recent call last)") == 1  # streamed once, not repeated
    assert text.count("progress line 29") == 1
    assert "FailureReason: AlgorithmError: See job logs for more information" in text
    assert "ExitMessage: ValueError: the data is bad" in text
    described = json.loads(run_cli("processing", "describe", "fails-1", "--json").stdout)
    assert described["ProcessingJobStatus"] == "Failed"
    assert described["FailureReason"] == "AlgorithmError: See job logs for more information"
    assert described["ExitMessage"] == "ValueError: the data is bad"


SLEEPER = """
import os, signal, sys, time

def main(args):
    def on_term(signum, frame):
        with open(args.marker, "w") as f:
            f.write("SIGTERM")
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)
    time.sleep(120)
"""


def test_stopped_job_ends_stopped_and_script_saw_sigterm(emulator_env, tmp_path):
    marker = tmp_path / "sigterm.txt"
    script = write_script(
        tmp_path, SLEEPER, "main=main, additional_arguments=[{'dest': '--marker'}]"
    )
    started = run_script(
        script,
        "--sagemaker-run", "yes",
        "--sagemaker-wait", "no",
        "--sagemaker-job-name", "stop-me",
        "--marker", marker,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    assert "processing logs stop-me" in started.stdout + started.stderr
    wait_until(lambda: "ready" in run_cli("processing", "logs", "stop-me").stdout, what="ready")
    assert run_cli("processing", "stop", "stop-me").returncode == 0
    waited = run_cli("processing", "wait", "stop-me")
    assert waited.returncode == 1
    assert marker.read_text() == "SIGTERM"
    described = json.loads(run_cli("processing", "describe", "stop-me", "--json").stdout)
    assert described["ProcessingJobStatus"] == "Stopped"


def test_ctrl_c_stops_the_job_and_exits_130(emulator_env, tmp_path):
    marker = tmp_path / "sigterm.txt"
    script = write_script(
        tmp_path, SLEEPER, "main=main, additional_arguments=[{'dest': '--marker'}]"
    )
    code, printed = ctrl_c_after(script, "ready", "--sagemaker-run", "yes",
                                 "--sagemaker-job-name", "ctrl-c", "--marker", marker)  # fmt: skip
    assert code == 130, printed
    assert marker.read_text() == "SIGTERM"
    described = json.loads(run_cli("processing", "describe", "ctrl-c", "--json").stdout)
    assert described["ProcessingJobStatus"] == "Stopped"


def test_three_workers_process_each_sharded_object_once(emulator_env, tmp_path, s3_client, bucket):
    for i in range(10):
        s3_client.put_object(Bucket=bucket, Key=f"shards/part-{i:02d}.txt", Body=f"{i}".encode())
    script = write_script(
        tmp_path,
        """
        import json, os

        def main(args):
            names = sorted(os.listdir(args.data))
            host = os.environ["SM_CURRENT_HOST"]
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, host + ".json"), "w") as f:
                json.dump({"names": names, "hosts": json.loads(os.environ["SM_HOSTS"]),
                           "index": int(os.environ["SM_HOST_INDEX"])}, f)
        """,
        "main=main, inputs={'data': 'data'}, outputs={'out': 'out'}",
    )
    result = run_script(
        script,
        "--sagemaker-run", "yes",
        "--sagemaker-instance-count", "3",
        "--data", f"s3://{bucket}/shards/",
        "--data-distribution", "ShardedByS3Key",
        "--sagemaker-download", "yes",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    reports = {k: json.loads(v) for k, v in tree_bytes(tmp_path / "out").items()}
    assert sorted(reports) == ["algo-1.json", "algo-2.json", "algo-3.json"]
    seen = [name for report in reports.values() for name in report["names"]]
    assert sorted(seen) == [f"part-{i:02d}.txt" for i in range(10)]
    assert all(report["names"] for report in reports.values())
    assert {r["index"] for r in reports.values()} == {0, 1, 2}
    assert all(r["hosts"] == ["algo-1", "algo-2", "algo-3"] for r in reports.values())
    assert "[algo-2] " in result.stdout


def _wheel(folder: Path, name: str) -> Path:
    """A pure-Python wheel written by hand, so pip installs it offline with no build step."""
    wheel = folder / f"{name}-0.1-py3-none-any.whl"
    info = f"{name}-0.1.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{name}/__init__.py", "GREETING = 'installed in the job'\n")
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
        archive.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(f"{info}/RECORD", "")
    return wheel


def test_requirements_reach_the_job_not_the_caller(emulator_env, tmp_path):
    name = "asr_e2e_probe_pkg"
    wheel = _wheel(tmp_path, name)
    (tmp_path / "requirements.txt").write_text(f"--no-index\n{wheel}\n")
    script = write_script(
        tmp_path,
        f"""
        import os

        def main(args):
            import {name}
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, "greeting.txt"), "w") as f:
                f.write({name}.GREETING)
        """,
        "main=main, outputs={'out': 'out'}, requirements='requirements.txt'",
    )
    result = run_script(
        script,
        "--sagemaker-run", "yes",
        "--sagemaker-requirements", tmp_path / "requirements.txt",
        "--sagemaker-download", "yes",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "greeting.txt").read_text() == "installed in the job"
    assert importlib.util.find_spec(name) is None
    check = subprocess.run(
        [sys.executable, "-c", f"import importlib.util as u; print(u.find_spec('{name}'))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "None"


def test_download_rerun_and_job_reference_through_the_cli(emulator_env, tmp_path):
    script = write_script(
        tmp_path,
        """
        import os

        def main(args):
            os.makedirs(args.out, exist_ok=True)
            text = "first" if not args.data else open(os.path.join(args.data, "v.txt")).read()
            with open(os.path.join(args.out, "v.txt"), "w") as f:
                f.write(text + "+")
        """,
        "main=main, inputs={'data': OPTIONAL}, outputs={'out': 'out'}",
    )
    script.write_text("from aws_sagemaker_remote.args import OPTIONAL\n" + script.read_text())
    first = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "chain-1")
    assert first.returncode == 0, first.stderr

    fetched = run_cli("processing", "download", "chain-1", "--output", str(tmp_path / "dl"))
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "dl" / "out" / "v.txt").read_text() == "first+"

    second = run_script(
        script, "--sagemaker-run", "yes", "--sagemaker-job-name", "chain-2",
        "--data", "job:chain-1/out", "--sagemaker-download", "yes", "--out", tmp_path / "o2",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "o2" / "v.txt").read_text() == "first++"

    again = run_cli("processing", "rerun", "chain-2")
    assert again.returncode == 0, again.stderr
    listed = json.loads(run_cli("processing", "list", "--json").stdout)
    names = [job["ProcessingJobName"] for job in listed]
    assert "chain-1" in names
    assert "chain-2" in names
    assert len(names) == 3


def test_the_output_of_a_job_that_did_not_complete_is_refused_unless_asked_for(
    emulator_env, tmp_path
):
    """Invariant (e): the issue's case, a job that fails after writing part of its output.
    `job:NAME/OUTPUT` of it is one line naming its status, exit 2, nothing created; with @any
    the next job reads what is there."""
    script = write_script(
        tmp_path,
        """
        import os, time

        def main(args):
            os.makedirs(args.out, exist_ok=True)
            if not args.data:
                with open(os.path.join(args.out, "part-1.txt"), "w") as f:
                    f.write("only the first part")
                time.sleep(2.5)  # a Continuous output: uploaded while the job runs
                raise RuntimeError("failed half way")
            with open(os.path.join(args.out, "seen.txt"), "w") as f:
                f.write(",".join(sorted(os.listdir(args.data))))
        """,
        "main=main, inputs={'data': OPTIONAL}, outputs={'out': 'out'}",
    )
    script.write_text("from aws_sagemaker_remote.args import OPTIONAL\n" + script.read_text())
    failed = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "half-1",
                        "--out-mode", "Continuous")  # fmt: skip
    assert failed.returncode == 1
    refused = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "half-2",
                         "--data", "job:half-1/out")  # fmt: skip
    assert refused.returncode == 2
    line = refused.stderr.strip().splitlines()[-1]
    assert "--data" in line
    assert "job half-1 is Failed" in line
    assert "job:half-1/out@any" in line
    assert "half-2" not in run_cli("processing", "list").stdout
    here = run_script(script, "--data", "job:half-1/out", "--out", tmp_path / "here")
    assert here.returncode == 2  # a local run resolves job: references the same way
    assert "job half-1 is Failed" in here.stderr
    anyway = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "half-3",
                        "--data", "job:half-1/out@any", "--sagemaker-download", "yes",
                        "--out", tmp_path / "o3")  # fmt: skip
    assert anyway.returncode == 0, anyway.stderr
    assert (tmp_path / "o3" / "seen.txt").read_text() == "part-1.txt"


def test_pip_in_a_configuration_command_stays_in_the_job(emulator_env, tmp_path):
    name = "asr_e2e_config_pkg"
    wheel = _wheel(tmp_path, name)
    script = write_script(
        tmp_path,
        f"""
        import os

        def main(args):
            import {name}
            os.makedirs(args.out, exist_ok=True)
            open(os.path.join(args.out, "ok.txt"), "w").write({name}.GREETING)
        """,
        "main=main, outputs={'out': 'out'}",
    )
    result = run_script(
        script,
        "--sagemaker-run", "yes",
        "--sagemaker-configuration-command", f"pip install --no-index {wheel}",
        "--sagemaker-download", "yes",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "ok.txt").read_text() == "installed in the job"
    check = subprocess.run(
        [sys.executable, "-c", f"import importlib.util as u; print(u.find_spec('{name}'))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "None"
