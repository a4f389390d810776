"""The profile generator's reading of build files (scripts/buildfiles.py), on a small git repo
made here: what each kind of install adds, which stages count, build arguments, locks."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from helpers import git

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from buildfiles import (  # noqa: E402
    Context,
    Repo,
    build,
    conda_spec,
    locked_packages,
    requirement_of,
    split_commands,
)

DOCKERFILE = textwrap.dedent(
    r"""
    ARG PYTHON_VERSION=3.11.9
    ARG TORCH=2.5.1
    FROM ubuntu:22.04 AS builder
    RUN pip install --no-cache-dir build-only-tool
    FROM ubuntu:22.04 AS venv
    ARG PYTHON_VERSION
    RUN apt-get update && apt-get install -y python3.12 python3.12-dev
    COPY docker/pyproject.toml docker/uv.lock /tmp/build/
    WORKDIR /tmp/build
    RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --extra extra
    FROM ubuntu:22.04 AS common
    ARG PYTHON_VERSION
    ARG TORCH
    ENV PIP=pip3
    COPY --from=builder /usr/local/bin/tool /usr/local/bin/tool
    RUN /opt/conda/bin/mamba install -y -c conda-forge \
        python=$PYTHON_VERSION \
        # a comment inside the instruction, as Docker allows
        "numpy<2" \
        pytorch=${TORCH} \
        libcurl \
     && ${PIP} install -U "idna>=3.7" jinja2>=3.1.6 boto3 \
        https://example.com/wheels/torchvision-0.20.1%2Bcpu-cp311-cp311-linux_x86_64.whl \
        --index-url https://download.pytorch.org/whl/cpu \
     && pip uninstall -y boto3
    COPY requirements.txt more.txt /
    RUN python -m pip install -r /requirements.txt && pip install dist/*.whl \
        git+https://github.com/example/tool.git@v1
    FROM common AS final
    RUN pip install "transformers==${TORCH}"
    COPY --from=venv /opt/venv /opt/venv
    FROM common AS other
    RUN pip install never-in-final
    """
)
REQUIREMENTS = "scipy>=1.9  # pinned below\n-r more.txt\nPyYAML==6.0.1 ; python_version >= '3'\n"
LOCK = textwrap.dedent(
    """
    version = 1
    requires-python = "==3.12.*"

    [[package]]
    name = "app"
    version = "1.0"
    source = { virtual = "." }
    dependencies = [
        { name = "requests" },
        { name = "pywin32", marker = "sys_platform == 'win32'" },
        { name = "dask", extra = ["dataframe"] },
    ]
    [package.optional-dependencies]
    extra = [{ name = "rich" }]

    [[package]]
    name = "requests"
    version = "2.33.0"
    source = { registry = "https://pypi.org/simple" }
    dependencies = [{ name = "urllib3" }]

    [[package]]
    name = "urllib3"
    version = "2.7.0"
    source = { registry = "https://pypi.org/simple" }

    [[package]]
    name = "pywin32"
    version = "311"
    source = { registry = "https://pypi.org/simple" }

    [[package]]
    name = "dask"
    version = "2026.1.1"
    source = { registry = "https://pypi.org/simple" }
    [package.optional-dependencies]
    dataframe = [{ name = "pandas" }]

    [[package]]
    name = "pandas"
    version = "2.2.3"
    source = { registry = "https://pypi.org/simple" }

    [[package]]
    name = "rich"
    version = "14.0.0"
    source = { registry = "https://pypi.org/simple" }
    """
)


@pytest.fixture
def repo(tmp_path) -> Repo:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "docker" / "uv.lock").write_text(LOCK)
    (tmp_path / "docker" / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    (tmp_path / "more.txt").write_text("certifi\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "build files")
    return Repo("example/images", str(tmp_path), "HEAD")


def test_what_the_final_stage_installs(repo):
    installed = build(Context(repo, "", {}), "docker/Dockerfile", "final")
    assert installed.packages == {
        # conda: renamed to the PyPI name, python and libraries left out
        "numpy": "<2",
        "torch": "==2.5.1",
        # pip: specifiers, a wheel URL's name and version, boto3 uninstalled again
        "idna": ">=3.7",
        "jinja2": "",  # jinja2>=3.1.6 unquoted is a shell redirection: pip got "jinja2"
        "torchvision": "==0.20.1+cpu",
        # a requirements file the build copied in, and the one it names
        "scipy": ">=1.9",
        "certifi": "",
        "pyyaml": "==6.0.1",
        # a stage's own install with a build argument of the stage it derives from
        "transformers": "==2.5.1",
        # the venv copied from another stage: its uv.lock, markers and extras applied
        "requests": "==2.33.0",
        "urllib3": "==2.7.0",
        "dask": "==2026.1.1",
        "pandas": "==2.2.3",
        "rich": "==14.0.0",
    }
    assert installed.python == "3.11.9"
    assert installed.unnamed == ["dist/*.whl", "git+https://github.com/example/tool.git@v1"]
    assert installed.paths == [
        "docker/Dockerfile",
        "requirements.txt",
        "more.txt",
        "docker/uv.lock",
    ]


def test_build_arguments_override_the_dockerfiles_defaults(repo):
    installed = build(Context(repo, "", {}), "docker/Dockerfile", "final", None, {"TORCH": "2.6.0"})
    assert installed.packages["torch"] == "==2.6.0"
    assert installed.packages["transformers"] == "==2.6.0"


def test_a_stage_not_on_the_targets_path_does_not_count(repo):
    final = build(Context(repo, "", {}), "docker/Dockerfile", "final")
    other = build(Context(repo, "", {}), "docker/Dockerfile", "other")
    assert "never-in-final" not in final.packages
    assert "build-only-tool" not in final.packages  # a COPY of a tool, not of an environment
    assert "never-in-final" in other.packages
    assert "requests" not in other.packages


def test_a_chain_starts_from_the_previous_dockerfile(repo):
    first = build(Context(repo, "", {}), "docker/Dockerfile", "venv")
    assert first.python == "3.12"
    assert set(first.packages) == {"requests", "urllib3", "dask", "pandas", "rich"}


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("a && b || c; d | e", [["a"], ["b"], ["c"], ["d"], ["e"]]),
        (
            "pip install x>=1 '>y'",  # the quoted word stays (a shell would pass it to pip)
            [["pip", "install", "x", ">y"]],
        ),
        ("pip install 'x>=1' 2>&1", [["pip", "install", "x>=1"]]),
    ],
)
def test_shell_commands(text, commands):
    assert split_commands(text)[: len(commands)] == commands


@pytest.mark.parametrize(
    ("spec", "found"),
    [
        ("numpy==2.1.0", ("numpy", "==2.1.0")),
        ("dask[dataframe]==2026.1.1", ("dask", "==2026.1.1")),
        (
            "https://x/y/tensorflow_cpu-2.19.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            ("tensorflow_cpu", "==2.19.0"),
        ),
        (
            "/tmp/sagemaker_sklearn_container-2.0-py3-none-any.whl",
            ("sagemaker_sklearn_container", "==2.0"),
        ),
        ("/tmp/*.whl", None),
        ("git+https://github.com/a/b.git@v1", None),
        ("./local/folder", None),
    ],
)
def test_requirements_and_wheels(spec, found):
    assert requirement_of(spec) == found


@pytest.mark.parametrize(
    ("spec", "found"),
    [
        ("python=3.10", None),
        ("pyarrow=17.0.0", ("pyarrow", "==17.0.0")),
        ("numpy<2", ("numpy", "<2")),
        ("conda-forge::pytorch=2.5.1=py3.11_cpu", ("torch", "==2.5.1")),
        ("mkl-include", None),
        ("libgrpc", None),
    ],
)
def test_conda_specs(spec, found):
    assert conda_spec(spec) == found


def test_a_lock_for_another_python_follows_its_markers():
    import tomllib

    lock = tomllib.loads(
        LOCK.replace(
            '{ name = "pywin32", marker = "sys_platform == \'win32\'" }',
            '{ name = "pywin32", marker = "python_version < \'3.12\'" }',
        )
    )
    assert "pywin32" in locked_packages(lock, [], "3.11")
    assert "pywin32" not in locked_packages(lock, [], "3.12")
    assert "rich" not in locked_packages(lock, [], "3.12")
