"""The parts of an emulated job's environment (issue 17 point 2-4, issue 23 point 7): the cache
of shared environments (locks, generations, fingerprints, leases), an instance's environment
over a shared one, finding the image's Python, what the environment holds, the GPU facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import probe_wheel

from aws_sagemaker_remote.backends.local.handoff import Emulation
from aws_sagemaker_remote.backends.local.runner.environments.builder import find_uv
from aws_sagemaker_remote.backends.local.runner.environments.cache import (
    EnvironmentCache,
    cache_key,
    fingerprint,
)
from aws_sagemaker_remote.backends.local.runner.environments.contents import job_contents
from aws_sagemaker_remote.backends.local.runner.environments.overlay import make_overlay
from aws_sagemaker_remote.backends.local.runner.environments.pythons import (
    find_python,
    this_python,
)
from aws_sagemaker_remote.backends.local.runner.gpus import gpu_facts
from aws_sagemaker_remote.backends.local.runner.instance import Instance

# ---------------------------------------------------------------------- the cache


def filler(text: str, built: list):
    def build(target: Path) -> bool:
        (target / "lib").mkdir(parents=True)
        (target / "lib" / "module.py").write_text(text)
        built.append(target.name)
        return True

    return build


def test_a_second_lookup_builds_nothing(tmp_path):
    cache, built = EnvironmentCache(tmp_path, print), []
    first, lease, was_built = cache.acquire("a" * 32, filler("x = 1\n", built))
    lease.release()
    second, lease, again = cache.acquire("a" * 32, filler("x = 1\n", built))
    lease.release()
    assert was_built
    assert not again
    assert first == second
    assert len(built) == 1


def test_a_changed_environment_is_rebuilt_and_the_old_one_goes_once_unused(tmp_path):
    cache, built, lines = EnvironmentCache(tmp_path, print), [], []
    cache.log = lines.append
    first, held, _ = cache.acquire("b" * 32, filler("x = 1\n", built))
    with open(first / "lib" / "module.py", "a") as stream:  # a job writes into it
        stream.write("LEAK = True\n")
    second, lease, rebuilt = cache.acquire("b" * 32, filler("x = 1\n", built))
    assert rebuilt
    assert second != first
    assert (second / "lib" / "module.py").read_text() == "x = 1\n"
    assert "changed after it was built" in lines[0]
    assert first.exists()  # a job still holds it
    held.release()
    cache.collect()
    assert not first.exists()
    assert second.exists()  # the current one stays
    lease.release()


def test_bytecode_written_while_importing_is_not_a_change(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    before = fingerprint(tmp_path)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"...")
    assert fingerprint(tmp_path) == before
    (tmp_path / "pkg" / "new.py").write_text("")
    assert fingerprint(tmp_path) != before


def test_a_killed_build_leaves_nothing_used_and_is_cleaned_by_the_next(tmp_path):
    cache = EnvironmentCache(tmp_path, print)
    key = "c" * 32
    leftover = tmp_path / f".build-{key}-deadbeef"
    (leftover / "lib").mkdir(parents=True)  # what a kill -9 during a build leaves

    def failing(target: Path) -> bool:
        target.mkdir()
        raise RuntimeError("uv failed")

    with pytest.raises(RuntimeError):
        cache.acquire(key, failing)
    assert not leftover.exists()
    assert not list(tmp_path.glob(".build-*"))
    assert not (tmp_path / f"{key}.json").exists()
    found, lease, built = cache.acquire(key, filler("ok\n", []))
    assert built
    assert found.is_dir()
    lease.release()


KILLED_BUILDER = """
import sys, time
from pathlib import Path
from aws_sagemaker_remote.backends.local.runner.environments.cache import EnvironmentCache

def build(target):
    (target / "lib").mkdir(parents=True)
    (target / "lib" / "half.py").write_text("")
    Path(sys.argv[2]).write_text("building")
    time.sleep(120)
    return True

EnvironmentCache(Path(sys.argv[1]), print).acquire("f" * 32, build)
"""


def test_a_build_killed_by_sigkill_leaves_nothing_a_later_job_uses(tmp_path):
    """A real kill -9 in the middle of a build: the lock goes with the process, the next job
    builds its own environment and never sees the half one, which it removes."""
    import signal

    started = tmp_path / "started"
    builder = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILDER, str(tmp_path / "venvs"), str(started)]
    )
    deadline = time.monotonic() + 60
    while not started.exists() and builder.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), "the builder never started"
    os.kill(builder.pid, signal.SIGKILL)
    builder.wait()
    assert list((tmp_path / "venvs").glob(".build-*"))  # what the kill left
    found, lease, built = EnvironmentCache(tmp_path / "venvs", print).acquire(
        "f" * 32, filler("whole\n", [])
    )
    assert built
    assert (found / "lib" / "module.py").read_text() == "whole\n"
    assert not (found / "lib" / "half.py").exists()
    assert not list((tmp_path / "venvs").glob(".build-*"))
    lease.release()


def test_an_unrecorded_build_serves_its_own_job_only(tmp_path):
    cache, built = EnvironmentCache(tmp_path, print), []

    def requirements_failed(target: Path) -> bool:
        filler("x\n", built)(target)
        return False

    first, lease, _ = cache.acquire("d" * 32, requirements_failed)
    second, lease2, again = cache.acquire("d" * 32, filler("x\n", built))
    assert again  # the next job tries again
    assert first != second
    lease.release()
    lease2.release()


def test_concurrent_lookups_build_once(tmp_path):
    built, results = [], []

    def slow(target: Path) -> bool:
        time.sleep(0.3)
        return filler("x\n", built)(target)

    def job():
        found, lease, _ = EnvironmentCache(tmp_path, print).acquire("e" * 32, slow)
        results.append(found)
        lease.release()

    threads = [threading.Thread(target=job) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len(set(results)) == 1


def test_keys_name_every_input():
    base = {"python": ["/usr/bin/python3.12", "3.12.1"], "packages": ["numpy==2.1.0"],
            "constraints": [], "requirements": "", "builder": "uv"}  # fmt: skip
    keys = {cache_key(base)}
    for field, value in (("python", ["/x", "3.12.2"]), ("packages", []), ("builder", "pip"),
                         ("requirements", "ab"), ("constraints", ["numpy==2.1.0"])):  # fmt: skip
        keys.add(cache_key({**base, field: value}))
    assert len(keys) == 6


# ---------------------------------------------------------------------- an instance's own


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory):
    """A real shared environment with pip (uv's seed, from its cache)."""
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed")
    target = tmp_path_factory.mktemp("shared") / "env"
    subprocess.run([uv, "venv", "--quiet", "--seed", "--relocatable", "--python", sys.executable,
                    str(target)], check=True)  # fmt: skip
    site = next(target.glob("lib/python*/site-packages"))
    (site / "shared_module.py").write_text("VALUE = 'shared'\n")
    return target


def run(python: Path, code: str, **kwargs) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env,
                            **kwargs)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_instance_environment_sees_the_shared_one_and_keeps_its_writes(shared_env, tmp_path):
    before = fingerprint(shared_env)
    python = make_overlay(shared_env, tmp_path / "algo-1")
    assert run(python, "import sys; print(sys.prefix)") == str(tmp_path / "algo-1")
    assert run(python, "import shared_module; print(shared_module.VALUE)") == "shared"
    caller = [p for p in sys.path if p.endswith("site-packages")]
    job_path = run(python, "import sys; print('\\n'.join(sys.path))").splitlines()
    assert not set(caller) & set(job_path)
    # pip (the instance's `pip` command, as a configuration step runs it) installs into the
    # instance's environment; removing what the shared one holds is refused
    wheel_dir = tmp_path / "wheels"
    wheel_dir.mkdir()
    wheel = probe_wheel(wheel_dir, value="instance")
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(["pip", "install", "--quiet", "--no-index", str(wheel)], check=True, env=env)
    subprocess.run(["pip", "uninstall", "--yes", "pip"], env=env, capture_output=True)
    assert run(python, "import asr_emulator_probe_pkg as p; print(p.VALUE)") == "instance"
    assert fingerprint(shared_env) == before  # the shared environment is as it was
    fresh = make_overlay(shared_env, tmp_path / "algo-1")  # a new instance: a clean one
    assert (
        "ModuleNotFoundError"
        in subprocess.run(
            [str(fresh), "-c", "import asr_emulator_probe_pkg"], capture_output=True, text=True
        ).stderr
    )


# ---------------------------------------------------------------------- the image's Python


def test_this_python_when_the_image_has_the_same_version(tmp_path):
    found = find_python(sys.version_info[:2], tmp_path, None, print)
    assert found == this_python()


def test_a_pyenv_python_is_found_and_remembered(tmp_path, monkeypatch):
    root = tmp_path / "pyenv"
    version = ".".join(map(str, sys.version_info[:2]))
    folder = root / "versions" / f"{version}.99" / "bin"
    folder.mkdir(parents=True)
    (folder / f"python{version}").symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "version_info", (3, 1, 0))  # "this Python" is another version
    wanted = tuple(int(p) for p in version.split("."))
    found = find_python(wanted, tmp_path, None, print)
    assert found is not None
    assert found.source == "pyenv"
    assert found.minor == wanted
    remembered = tmp_path / "pythons.json"
    assert json.loads(remembered.read_text())[version]["source"] == "pyenv"
    (folder / f"python{version}").unlink()
    assert find_python(wanted, tmp_path, None, print) == found  # remembered: not looked for
    data = json.loads(remembered.read_text())
    data[version]["path"] = str(tmp_path / "gone")  # an interpreter removed since
    remembered.write_text(json.dumps(data))
    assert find_python(wanted, tmp_path, None, print) is None  # looked for again: none left


def test_no_python_and_no_download_is_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    assert find_python((3, 2), tmp_path, find_uv(), print) is None


# ---------------------------------------------------------------------- contents


REQUIREMENTS = "/opt/ml/processing/code/requirements"
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.9-0-cpu-py3"


def test_the_environment_holds_the_image_s_packages_the_code_imports_pinned(tmp_path):
    instance = Instance(1, 1, tmp_path)
    code = instance.path("/opt/ml/processing/code/script")
    code.mkdir(parents=True)
    (code / "job.py").write_text("import numpy\nimport json\nfrom sklearn import svm\n")
    requirements = instance.path(REQUIREMENTS)
    requirements.mkdir(parents=True)
    (requirements / "requirements.txt").write_text("pandas\ntabulate\n")
    environment = {
        "AWS_SAGEMAKER_REMOTE_SCRIPT": "/opt/ml/processing/code/script/job.py",
        "AWS_SAGEMAKER_REMOTE_REQUIREMENTS": f"{REQUIREMENTS}/requirements.txt",
    }
    contents = job_contents(SKLEARN, environment, [], instance, Emulation())
    assert contents.python == (3, 12)
    assert contents.packages == ("numpy==2.5.1", "pandas==2.2.3", "scikit-learn==1.9.0")
    assert "gunicorn==26.0.0" in contents.constraints  # the rest of the image: constraints
    assert contents.requirements == requirements / "requirements.txt"
    unknown = job_contents("1.dkr.ecr.us-east-1.amazonaws.com/mine:1", environment, [],
                           instance, Emulation())  # fmt: skip
    assert unknown.packages == ()
    assert not unknown.image.known


# ---------------------------------------------------------------------- GPUs


def test_gpu_facts(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    none_here = gpu_facts("ml.g5.12xlarge", machine=0)
    assert none_here.instance == 4
    assert none_here.warning == (
        "warning: ml.g5.12xlarge has 4 GPUs and this machine has none: the job runs on what is "
        "here (the CPU), with the CPU build of the image's packages"
    )
    assert gpu_facts("ml.g5.12xlarge", machine=8).variables == {"CUDA_VISIBLE_DEVICES": "0,1,2,3"}
    assert gpu_facts("ml.m5.xlarge", machine=2).variables == {"CUDA_VISIBLE_DEVICES": ""}
    assert gpu_facts("ml.m5.xlarge", machine=0).warning is None
    assert gpu_facts("ml.p3.2xlarge", machine=1).warning is None
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert gpu_facts("ml.m5.xlarge", machine=2).variables == {}  # the caller's choice
