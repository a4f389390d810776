"""Defaults from the project file, the user file and the environment (issue 20): each layer of
the precedence, the kinds' own keys, values checked by the flags' types, and one-line errors
naming the key and the file."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aws_sagemaker_remote.configuration import may_hold_ours
from aws_sagemaker_remote.flags.builder import OneLineErrorParser
from aws_sagemaker_remote.flags.groups import IDS
from aws_sagemaker_remote.kinds import OWN_SETTINGS
from aws_sagemaker_remote.processing import args as processing_groups
from aws_sagemaker_remote.processing.args import (
    sagemaker_processing_args,
    sagemaker_processing_parser_for_docs,
)
from aws_sagemaker_remote.training import args as training_groups
from aws_sagemaker_remote.training.args import (
    sagemaker_training_args,
    sagemaker_training_parser_for_docs,
)

BUILDERS = {"processing": sagemaker_processing_args, "training": sagemaker_training_args}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder with the script's folder below it; the user file under its own HOME;
    no AWS_SAGEMAKER_REMOTE_* variable of the caller's."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_SAGEMAKER_REMOTE_") or name in ("AWS_PROFILE", "IS_SAGEMAKER"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    root = tmp_path / "project"
    (root / "src" / "jobs").mkdir(parents=True)
    return root


def write_project(project: Path, text: str) -> Path:
    path = project / "pyproject.toml"
    path.write_text('[project]\nname = "mine"\n\n' + textwrap.dedent(text))
    return path


def write_user(project: Path, text: str) -> Path:
    path = project.parent / "home" / "config.toml"
    path.write_text(textwrap.dedent(text))
    return path


def parse(project: Path, argv=(), kind="processing", **keywords):
    return parse_kind(project, argv, kind, **keywords)


def parse_kind(project: Path, argv=(), kind="processing", **keywords):
    parser = OneLineErrorParser(prog="job.py")
    config = BUILDERS[kind](parser, str(project / "src" / "jobs" / "job.py"), **keywords)
    return parser.parse_args(list(argv)), config


def origin(config, name):
    return config.settings[name].origins[0]


# ---------------------------------------------------------------- precedence, layer by layer


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_each_layer_beats_the_ones_below_it(project, monkeypatch, kind):
    parse = functools.partial(parse_kind, kind=kind)
    args, config = parse(project)
    assert args.sagemaker_volume_size == 30
    assert origin(config, "volume_size") == ("default", "")

    user = write_user(project, "volume-size = 40\n")
    args, config = parse(project)
    assert args.sagemaker_volume_size == 40
    assert origin(config, "volume_size") == ("user file", str(user))

    pyproject = write_project(project, "[tool.aws-sagemaker-remote]\nvolume-size = 50\n")
    args, config = parse(project)
    assert args.sagemaker_volume_size == 50
    assert origin(config, "volume_size") == ("project file", str(pyproject))

    args, config = parse(project, volume_size=60)
    assert args.sagemaker_volume_size == 60
    assert origin(config, "volume_size") == ("argument", "volume_size")

    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_VOLUME_SIZE", "70")
    args, config = parse(project, volume_size=60)
    assert args.sagemaker_volume_size == 70
    assert origin(config, "volume_size") == ("environment", "AWS_SAGEMAKER_REMOTE_VOLUME_SIZE")

    args, _ = parse(project, ["--sagemaker-volume-size", "80"], volume_size=60)
    assert args.sagemaker_volume_size == 80


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_sagemaker_flag_is_a_key(project, kind):
    """The keys come from the flags' rows: a flag added later (--sagemaker-s3-kms-keys) is a key
    without a list to update. Only the per-run flags are refused in a file."""
    parser = OneLineErrorParser(prog="job.py")
    config = BUILDERS[kind](parser, str(project / "src" / "jobs" / "job.py"))
    flags = {
        action.dest[len("sagemaker_") :]
        for action in parser._actions
        if any(option.startswith("--sagemaker-") for option in action.option_strings)
    }
    assert flags == set(config.settings)
    assert "s3_kms_keys" in flags


def test_the_documentation_lists_every_key_of_both_kinds():
    from aws_sagemaker_remote.flags.groups import setting_keys

    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    section = text.split("## Keys", 1)[1].split("## Errors", 1)[0]
    listed = set(re.findall(r"`([a-z0-9-]+)`", section))
    for groups in (processing_groups.GROUPS, training_groups.GROUPS):
        for key in setting_keys(groups):
            assert set(key.spellings) <= listed, key.spellings


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_list_key_added_by_a_later_issue_reads_from_a_file(project, kind):
    write_project(project, "[tool.aws-sagemaker-remote]\ns3-kms-keys = ['k1', 'k2']\n")
    args, config = parse(project, kind=kind)
    assert args.sagemaker_s3_kms_keys == ["k1", "k2"]
    assert origin(config, "s3_kms_keys")[0] == "project file"


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_with_nothing_configured_the_quick_defaults_are_the_resolved_ones(project, kind):
    """A local run with nothing to read skips the layering; what it gives must be the same."""
    keywords = {"volume_size": 30, "tags": {"a": "b"}, "profile": None, "image": "img"}
    args, config = parse(project, kind=kind, **keywords)
    assert config.places.empty
    groups = {"processing": processing_groups, "training": training_groups}[kind].GROUPS
    ids = {row.name for _title, _text, rows in groups for row in rows if row.kind == IDS}
    for name, setting in config.settings.items():
        expected = setting.value
        if name in ("env", "tags"):  # the flags add to the script's and the files' pairs
            expected = {}
        elif name in ids:  # a list flag's default is a list, also when nothing is set
            expected = list(setting.value or [])
        assert getattr(args, f"sagemaker_{name}") == expected, name
    assert config.tags == config.settings["tags"].value == {"a": "b"}


def test_a_keyword_given_with_the_built_in_value_still_beats_the_files(project):
    write_project(project, "[tool.aws-sagemaker-remote]\nvolume-size = 50\nwait = false\n")
    args, config = parse(project, volume_size=30, wait=True)
    assert (args.sagemaker_volume_size, args.sagemaker_wait) == (30, True)
    assert origin(config, "wait") == ("argument", "wait")
    args, _ = parse(project)
    assert (args.sagemaker_volume_size, args.sagemaker_wait) == (50, False)


def test_a_keyword_given_positionally_counts_too(project):
    write_project(project, "[tool.aws-sagemaker-remote]\nrun = true\n")
    parser = OneLineErrorParser(prog="job.py")
    sagemaker_processing_args(parser, str(project / "src" / "jobs" / "job.py"), False)
    assert parser.parse_args([]).sagemaker_run is False


def test_the_nearest_pyproject_with_our_table_wins(project):
    write_project(project, "[tool.aws-sagemaker-remote]\nregion = 'eu-west-1'\n")
    (project / "src" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    args, config = parse(project)
    assert args.sagemaker_region == "eu-west-1"
    assert config.places.project.path == str(project / "pyproject.toml")
    inner = project / "src" / "jobs" / "pyproject.toml"
    inner.write_text('[tool."aws-sagemaker-remote"]\nregion = "ap-south-1"\n')
    args, config = parse(project)
    assert args.sagemaker_region == "ap-south-1"
    assert config.places.project.path == str(inner)


@pytest.mark.parametrize(
    "text",
    [
        "[tool.aws-sagemaker-remote]\nbucket = 'b'\n",
        "[ tool . 'aws-sagemaker-remote' ]\nbucket = 'b'\n",
        "[tool]\naws-sagemaker-remote = { bucket = 'b' }\n",
        "tool.aws-sagemaker-remote.bucket = 'b'\n",
        "tool = { aws-sagemaker-remote = { bucket = 'b' } }\n",
        '[project]\ndependencies = ["aws-sagemaker-remote"]\n  [tool . "aws-sagemaker-remote"]\n'
        "bucket = 'b'\n",
        "[tool.black]\nx = 1\n[\ttool ]\n'aws-sagemaker-remote'.bucket = 'b'\n",
    ],
)
def test_every_spelling_of_the_table_is_found(project, text):
    path = project / "pyproject.toml"
    path.write_text(text)
    args, _ = parse(project)
    assert args.sagemaker_bucket == "b"


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "mine"\ndependencies = ["aws-sagemaker-remote>=1"]\n',
        "[tool.ruff]\nline-length = 100  # like aws-sagemaker-remote's\n",
        "[project.scripts]\nx = 'tool.aws_sagemaker_remote'\n",
    ],
)
def test_a_project_that_only_names_the_library_is_not_parsed(text):
    """The pre-test that spares a parse (tomllib's import: 10 ms) on a project without our
    table."""
    assert not may_hold_ours(text.encode())


def test_the_kind_table_and_the_kind_spellings_win_for_their_kind(project):
    write_project(
        project,
        """
        [tool.aws-sagemaker-remote]
        instance = "ml.c5.xlarge"
        training-instance = "ml.m5.xlarge"
        runtime-seconds = 3600
        max-run = 7200
        spot = true

        [tool.aws-sagemaker-remote.processing]
        volume-size = 11

        [tool.aws-sagemaker-remote.training]
        volume-size = 22
        instance-count = 2
        """,
    )
    args, _ = parse(project)
    assert (args.sagemaker_instance, args.sagemaker_runtime_seconds) == ("ml.c5.xlarge", 3600)
    assert (args.sagemaker_volume_size, args.sagemaker_instance_count) == (11, 1)
    args, config = parse(project, kind="training")
    assert (args.sagemaker_instance, args.sagemaker_runtime_seconds) == ("ml.m5.xlarge", 7200)
    assert (args.sagemaker_volume_size, args.sagemaker_instance_count) == (22, 2)
    assert args.sagemaker_spot is True
    assert origin(config, "instance")[0] == "project file"


def test_the_seed_keyword_of_training_is_the_argument_layer(project):
    write_project(project, "[tool.aws-sagemaker-remote]\ntraining-instance = 'ml.m5.xlarge'\n")
    args, config = parse(project, kind="training", training_instance="ml.p3.2xlarge")
    assert args.sagemaker_instance == "ml.p3.2xlarge"
    assert origin(config, "instance")[0] == "argument"


def test_environment_spellings_of_training(project, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_INSTANCE", "ml.c5.large")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_TRAINING_INSTANCE", "ml.g5.xlarge")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_SPOT", "yes")
    args, _ = parse(project)
    assert args.sagemaker_instance == "ml.c5.large"
    args, config = parse(project, kind="training")
    assert (args.sagemaker_instance, args.sagemaker_spot) == ("ml.g5.xlarge", True)
    assert origin(config, "instance") == ("environment", "AWS_SAGEMAKER_REMOTE_TRAINING_INSTANCE")


def test_environment_and_tags_add_up_across_the_layers(project, monkeypatch):
    write_user(project, "tags = { team = 'ml', cost = 'user' }\n")
    write_project(project, "[tool.aws-sagemaker-remote]\ntags = 'cost=project,app=x'\n")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_TAGS", "app=env")
    args, config = parse(project, ["--sagemaker-tags", "run=7"], tags={"cost": "script"})
    assert config.tags == {"team": "ml", "cost": "script", "app": "env"}
    assert args.sagemaker_tags == {"run": "7"}
    sources = [source for source, _ in config.settings["tags"].origins]
    assert sources == ["environment", "argument", "project file", "user file"]


def test_booleans_lists_and_numbers_take_their_toml_types_or_the_flag_text(project):
    write_project(
        project,
        """
        [tool.aws-sagemaker-remote]
        network-isolation = true
        inter-container-encryption = "yes"
        subnets = ["subnet-1", "subnet-2"]
        security-groups = "sg-1, sg-2"
        instance-count = "3"
        backend = "LOCAL"
        env = { EPOCHS = 3, MODE = "fast" }
        """,
    )
    args, config = parse(project)
    assert args.sagemaker_network_isolation is True
    assert args.sagemaker_inter_container_encryption is True
    assert args.sagemaker_subnets == ["subnet-1", "subnet-2"]
    assert args.sagemaker_security_groups == ["sg-1", "sg-2"]
    assert args.sagemaker_instance_count == 3
    assert args.sagemaker_backend == "local"
    assert config.env == {"EPOCHS": "3", "MODE": "fast"}


def test_a_local_path_in_a_file_is_taken_from_the_file_s_folder(project, monkeypatch):
    write_project(
        project,
        """
        [tool.aws-sagemaker-remote]
        requirements = "requirements.txt"
        configuration-script = "/abs/setup.sh"
        """,
    )
    monkeypatch.chdir(project / "src")
    args, _ = parse(project)
    assert args.sagemaker_requirements == str(project / "requirements.txt")
    assert args.sagemaker_configuration_script == "/abs/setup.sh"
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_REQUIREMENTS", "reqs.txt")
    args, _ = parse(project)
    assert args.sagemaker_requirements == "reqs.txt"  # as a flag would take it: from the cwd


def test_the_help_shows_the_configured_defaults(project):
    write_project(project, "[tool.aws-sagemaker-remote]\ninstance = 'ml.c5.9xlarge'\n")
    parser = OneLineErrorParser(prog="job.py")
    sagemaker_processing_args(parser, str(project / "src" / "jobs" / "job.py"))
    assert "(default: ml.c5.9xlarge)" in parser.format_help()


def test_inside_a_job_nothing_is_read(project, monkeypatch):
    write_project(project, "[tool.aws-sagemaker-remote]\ninstance = 'ml.c5.9xlarge'\n")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_REGION", "eu-west-1")
    monkeypatch.setenv("IS_SAGEMAKER", "1")
    args, config = parse(project)
    assert (args.sagemaker_instance, args.sagemaker_region) == ("ml.t3.medium", None)
    assert config.places.in_job


def test_the_documentation_parsers_show_the_built_in_defaults(project, monkeypatch):
    write_user(project, "instance = 'ml.c5.9xlarge'\nbackend = 'local'\n")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_REGION", "eu-west-1")
    for parser in (sagemaker_processing_parser_for_docs(), sagemaker_training_parser_for_docs()):
        text = parser.format_help()
        assert "ml.c5.9xlarge" not in text
        assert "eu-west-1" not in text
        assert parser.parse_args([]).sagemaker_backend == "aws"


def test_unknown_variables_are_left_alone(project, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_INSTANSE", "x")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_JOB_NAME", "fixed")
    args, _ = parse(project)
    assert (args.sagemaker_instance, args.sagemaker_job_name) == ("ml.t3.medium", "")


# ---------------------------------------------------------------- errors: one line, exit 2


def failure(project, capsys, kind="processing") -> str:
    with pytest.raises(SystemExit) as exit_info:
        parse(project, kind=kind)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("job.py: error: ")
    return err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("instanse = 'x'", "[tool.aws-sagemaker-remote] instanse: not a setting; did you mean "
                           "instance?"),
        ("volume_sise = 3", "volume_sise: not a setting; did you mean volume-size?"),
        ("job-name = 'x'", "job-name: not a setting of a file or the environment (a job name is "
                           "unique; set base-job-name)"),
        ("script = 'x.py'", "script: not a setting of a file"),
        ("volume-size = 0", "volume-size: expected a whole number of at least 1, got '0'"),
        ("volume-size = 2.5", "volume-size: expected a whole number of at least 1, got a float"),
        ("wait = 'maybe'", "wait: expected yes/true/1 or no/false/0 (any case), got 'maybe'"),
        ("backend = 'docker'", "backend: expected one of aws, local, got 'docker'"),
        ("role = 12", "role: expected a string, got an integer 12"),
        ("subnets = [1]", "subnets: expected an array of strings"),
        ("env = { A = true }", "env.A: expected a string or a number, got a boolean"),
        ("instance = 'a'\ninstance_count = 1\ninstance-count = 2", "given twice"),
        ("[tool.aws-sagemaker-remote.processing]\nspot = true",
         "[tool.aws-sagemaker-remote] processing.spot: not a setting"),
        ("[tool.aws-sagemaker-remote.training]\ninput-mount = '/x'",
         "training.input-mount: not a setting"),
        ("training = 3", "training: expected a table of training settings"),
    ],
)  # fmt: skip
def test_a_wrong_key_or_value_is_one_line_naming_key_and_file(project, capsys, text, expected):
    if not text.startswith("["):
        text = "[tool.aws-sagemaker-remote]\n" + text
    path = write_project(project, text + "\n")
    err = failure(project, capsys)
    assert f"{path}: " in err
    assert expected in err


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_the_user_file_s_wrong_key_and_value_name_that_file(project, capsys, kind):
    path = write_user(project, "regoin = 'eu-west-1'\n")
    err = failure(project, capsys, kind=kind)
    assert f"{path}: regoin: not a setting; did you mean region?" in err
    write_user(project, "instance-count = 'many'\n")
    assert f"{path}: instance-count: expected a whole number" in failure(project, capsys, kind=kind)


def test_a_key_of_another_kind_is_accepted_and_checked_by_its_kind(project, capsys):
    write_project(project, "[tool.aws-sagemaker-remote]\nspot = 'maybe'\n")
    args, _ = parse(project)  # processing has no spot
    assert not hasattr(args, "sagemaker_spot")
    assert "spot: expected yes/true/1" in failure(project, capsys, kind="training")


def test_a_broken_file_is_one_line(project, capsys):
    path = write_user(project, "role = \n")
    assert f"{path}: not valid TOML" in failure(project, capsys)
    path.write_bytes(b"role = '\xff'\n")
    assert f"{path}: not UTF-8 text" in failure(project, capsys)
    path.write_text("[processing]\ninstanse = 'x'\n")
    assert f"{path}: processing.instanse: not a setting; did you mean instance?" in failure(
        project, capsys
    )
    path.write_text("")
    write_project(project, "[tool]\naws-sagemaker-remote = 3\n")
    assert "tool.aws-sagemaker-remote: expected a table of settings" in failure(project, capsys)


def test_a_wrong_variable_is_one_line_naming_it(project, capsys, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "docker")
    err = failure(project, capsys)
    assert "AWS_SAGEMAKER_REMOTE_BACKEND: expected one of aws, local, got 'docker'" in err


def test_a_script_with_a_wrong_file_exits_2_before_main(project):
    write_project(project, "[tool.aws-sagemaker-remote]\ninstance-cont = 2\n")
    script = project / "src" / "jobs" / "job.py"
    script.write_text(
        "from aws_sagemaker_remote import sagemaker_processing_main\n"
        "def main(args):\n    print('ran')\n"
        "sagemaker_processing_main(main)\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"job.py: error: {project / 'pyproject.toml'}: [tool.aws-sagemaker-remote] "
        "instance-cont: not a setting; did you mean instance-count?\n"
    )


# ---------------------------------------------------------------- the kinds' keys


def face_keys(groups) -> set:
    from aws_sagemaker_remote.flags.groups import setting_keys

    return {s for key in setting_keys(groups) if key.configurable for s in key.spellings}


def test_each_kind_declares_the_settings_only_its_face_has():
    processing = face_keys(processing_groups.GROUPS)
    training = face_keys(training_groups.GROUPS)
    assert processing - training == set(OWN_SETTINGS["processing"])
    assert training - processing == set(OWN_SETTINGS["training"])


# ---------------------------------------------------------------- the parse cache


PROBE = """
import sys
from aws_sagemaker_remote.flags.builder import OneLineErrorParser
from aws_sagemaker_remote.processing.args import sagemaker_processing_args

parser = OneLineErrorParser(prog="probe")
sagemaker_processing_args(parser, sys.argv[1])
print(parser.parse_args([]).sagemaker_instance, "tomllib" in sys.modules)
"""


def probe(project: Path) -> str:
    import os

    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(project / "src" / "jobs" / "job.py")],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_file_is_parsed_once_per_content(project):
    import os

    path = write_project(project, "[tool.aws-sagemaker-remote]\ninstance = 'ml.c5.large'\n")
    assert probe(project) == "ml.c5.large True"  # parsed: tomllib imported
    assert probe(project) == "ml.c5.large False"  # the same bytes: from the cache
    stamp = path.stat()
    path.write_text(path.read_text().replace("c5", "m5"))  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same time stamp
    assert probe(project) == "ml.m5.large True"
    cache = project.parent / "home" / "cache" / "configuration.marshal"
    cache.write_bytes(b"\x00garbage")
    assert probe(project) == "ml.m5.large True"
    assert probe(project) == "ml.m5.large False"


def test_a_project_without_our_table_costs_no_parse_and_no_parser_module(project):
    """Every user's project names the library (its dependencies): the local run reads that
    pyproject.toml and passes it over without importing the parse cache or tomllib."""
    write_project(project, '[project.optional-dependencies]\nml = ["aws-sagemaker-remote"]\n')
    command = PROBE + (
        "print(sorted(m for m in sys.modules if m.startswith('aws_sagemaker_remote.configuration')"
        " or m == 'tomllib'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", command, str(project / "src" / "jobs" / "job.py")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == ("['aws_sagemaker_remote.configuration']")


def test_a_cache_that_cannot_be_written_only_costs_a_parse(project):
    write_project(project, "[tool.aws-sagemaker-remote]\ninstance = 'ml.c5.large'\n")
    (project.parent / "home" / "cache").write_text("a file where the folder would be")
    assert probe(project) == "ml.c5.large True"
    assert probe(project) == "ml.c5.large True"


def test_a_toml_date_is_refused_and_not_cached(project, capsys):
    write_project(project, "[tool.aws-sagemaker-remote]\nrole = 1979-05-27\n")
    assert "role: expected a string, got date 1979-05-27" in failure(project, capsys)
    assert "role: expected a string, got date" in failure(project, capsys)


def test_concurrent_scripts_of_several_projects_each_read_their_own(project, tmp_path):
    import concurrent.futures
    import shutil

    projects = []
    for i in range(3):
        other = tmp_path / f"project-{i}"
        shutil.copytree(project, other)
        write_project(other, f"[tool.aws-sagemaker-remote]\ninstance = 'ml.c5.{i + 1}xlarge'\n")
        projects.append(other)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(probe, projects * 2))
    expected = [f"ml.c5.{i + 1}xlarge" for i in range(3)]
    assert [line.split()[0] for line in seen] == expected * 2
    assert [probe(p).split()[0] for p in projects] == expected
    leftovers = list((project.parent / "home" / "cache").glob("*.tmp"))
    assert leftovers == []
