"""`aws-sagemaker-remote config show [SCRIPT]` (issue 20): every setting's value and where it
came from, as text and as JSON; and the job commands' defaults from the same places."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = """\
print("imported")  # a script's own output must not spoil the JSON
from aws_sagemaker_remote import sagemaker_{kind}_main

def main(args):
    print("main ran")

if __name__ == "__main__":
    sagemaker_{kind}_main(main, {keywords})
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    for name in list(os.environ):
        if name.startswith("AWS_SAGEMAKER_REMOTE_") or name == "AWS_PROFILE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    root = tmp_path / "project"
    (root / "jobs").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.aws-sagemaker-remote]
            region = "eu-west-1"
            bucket = "team-bucket"
            tags = { team = "ml" }

            [tool.aws-sagemaker-remote.training]
            instance = "ml.g5.xlarge"
            """
        )
    )
    (tmp_path / "home" / "config.toml").write_text('role = "my-role"\nregion = "us-west-2"\n')
    monkeypatch.chdir(root)
    return root


def script(project: Path, kind: str = "processing", keywords: str = "") -> Path:
    path = project / "jobs" / f"{kind}_job.py"
    path.write_text(SCRIPT.format(kind=kind, keywords=keywords))
    return path


def cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", "config", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def by_key(report: dict) -> dict:
    return {row["key"]: row for row in report["settings"]}


def sources(row: dict) -> list:
    return [(s["source"], s["where"]) for s in row["sources"]]


def test_each_source_of_a_script_s_settings(project, monkeypatch):
    path = script(project, keywords='instance="ml.c5.xlarge", volume_size=30, tags={"app": "x"}')
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_PREFIX", "from-env")
    result = cli("show", "--json", str(path), "--sagemaker-volume-size", "99", "--sagemaker-tags",
                 "run=1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stderr
    assert "main ran" not in result.stdout + result.stderr
    [report] = json.loads(result.stdout)
    assert report["kind"] == "processing"
    assert report["script"] == str(path)
    assert report["project_file"] == str(project / "pyproject.toml")
    assert report["user_file"] == str(project.parent / "home" / "config.toml")
    rows = by_key(report)
    user, pyproject = str(project.parent / "home" / "config.toml"), str(project / "pyproject.toml")
    expected = {
        "volume-size": (99, [("flag", "--sagemaker-volume-size")]),
        "prefix": ("from-env", [("environment", "AWS_SAGEMAKER_REMOTE_PREFIX")]),
        "instance": ("ml.c5.xlarge", [("argument", "instance")]),
        "region": ("eu-west-1", [("project file", pyproject)]),
        "bucket": ("team-bucket", [("project file", pyproject)]),
        "role": ("my-role", [("user file", user)]),
        "runtime-seconds": (86400, [("default", "")]),
        "script": (str(path), [("default", "")]),
    }
    for key, (value, origin) in expected.items():
        assert (rows[key]["value"], sources(rows[key])) == (value, origin), key
    assert rows["tags"]["value"] == {"team": "ml", "app": "x", "run": "1"}
    assert [s for s, _ in sources(rows["tags"])] == ["flag", "argument", "project file"]


def test_the_kind_of_the_script_decides_its_table(project):
    result = cli("show", "--json", str(script(project, "training")))
    assert result.returncode == 0, result.stderr
    rows = by_key(json.loads(result.stdout)[0])
    assert rows["instance"]["value"] == "ml.g5.xlarge"
    assert rows["spot"]["value"] is False


def test_the_text_report(project):
    result = cli("show", str(script(project)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"processing settings of {project / 'jobs' / 'processing_job.py'}"
    assert lines[1] == f"project file: {project / 'pyproject.toml'}"
    assert lines[2] == f"user file:    {project.parent / 'home' / 'config.toml'}"
    assert lines[3].startswith("precedence:   flag > environment > argument > project file")
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines[5:]}
    pyproject, user = project / "pyproject.toml", project.parent / "home" / "config.toml"
    assert rows["region"] == ["eu-west-1", f"project file {pyproject}"]
    assert rows["role"] == ["my-role", f"user file {user}"]
    assert rows["tags"] == ["team=ml", f"project file {pyproject}"]
    assert rows["image"] == ["(none)", "default"]
    assert rows["script"] == [str(project / "jobs" / "processing_job.py"), "default"]


def test_without_a_script_each_kind_of_this_folder(project, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_INSTANSE", "typo")
    result = cli("show")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "processing settings (no script; this folder)" in text
    assert "training settings (no script; this folder)" in text
    assert (
        "warning: AWS_SAGEMAKER_REMOTE_INSTANSE is not a setting; did you mean "
        "AWS_SAGEMAKER_REMOTE_INSTANCE?"
    ) in text
    result = cli("show", "--json", "--kind", "training")
    [report] = json.loads(result.stdout)
    assert (report["kind"], report["script"]) == ("training", None)
    assert by_key(report)["instance"]["value"] == "ml.g5.xlarge"


def test_a_script_with_a_parser_of_its_own(project):
    path = project / "jobs" / "own.py"
    path.write_text(
        textwrap.dedent(
            """
            import argparse
            from aws_sagemaker_remote.training.args import sagemaker_training_args
            from aws_sagemaker_remote.training.main import sagemaker_training_handle

            def main(args):
                print("main ran")

            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=1)
            config = sagemaker_training_args(parser, __file__, spot=True)
            sagemaker_training_handle(parser.parse_args(), config, main)
            """
        )
    )
    result = cli("show", "--json", str(path), "--epochs", "3")
    assert result.returncode == 0, result.stderr
    rows = by_key(json.loads(result.stdout)[0])
    assert (rows["spot"]["value"], sources(rows["spot"])) == (True, [("argument", "spot")])
    assert rows["instance"]["value"] == "ml.g5.xlarge"


def test_a_wrong_setting_is_the_script_s_one_line(project):
    (project / "pyproject.toml").write_text("[tool.aws-sagemaker-remote]\nbuckett = 'b'\n")
    result = cli("show", str(script(project)))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"processing_job.py: error: {project / 'pyproject.toml'}: [tool.aws-sagemaker-remote] "
        "buckett: not a setting; did you mean bucket?"
    )
    result = cli("show")
    assert result.returncode == 2
    assert "buckett: not a setting; did you mean bucket?" in result.stderr


def test_a_script_that_never_parses_its_flags(project):
    path = project / "jobs" / "plain.py"
    path.write_text("print('hello')\n")
    result = cli("show", str(path))
    assert result.returncode == 2
    assert "ended without parsing its flags" in result.stderr
    result = cli("show", str(project / "missing.py"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    result = cli("show", "--kind", "training", str(path))
    assert result.returncode == 2


# ---------------------------------------------------------------- the job commands


def jobs_cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def test_the_job_commands_take_backend_and_region_from_the_configuration(project, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # AWS would not answer
    monkeypatch.setenv("AWS_CONFIG_FILE", str(project / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(project / "none"))
    with open(project / "pyproject.toml", "a") as handle:
        handle.write('\n[tool.aws-sagemaker-remote.processing]\nbackend = "local"\n')
    result = jobs_cli("processing", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "docker")
    result = jobs_cli("processing", "list")
    assert result.returncode == 2
    assert "AWS_SAGEMAKER_REMOTE_BACKEND: expected one of aws, local, got 'docker'" in result.stderr
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "aws")  # over the file: AWS's jobs
    result = jobs_cli("processing", "list")
    assert result.returncode == 2
    assert "no usable AWS credentials" in result.stderr
    result = jobs_cli("processing", "--backend", "local", "list", "--json")
    assert result.returncode == 0, result.stderr
