"""The import pre-flight's parts (issue 17 point 5): reading imports with ast, the standard
library of an image's Python, requirement files, import names to distributions, the lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aws_sagemaker_remote.images.distnames import DependencyClosure, candidates
from aws_sagemaker_remote.images.importcheck import (
    Requirements,
    finding_line,
    missing_imports,
    unknown_image_line,
    with_neighbours,
)
from aws_sagemaker_remote.images.imports import imports_of, python_files
from aws_sagemaker_remote.images.packages import ImagePackages, job_image_packages
from aws_sagemaker_remote.images.requirements import RequirementNames, requirement_names
from aws_sagemaker_remote.images.stdlib import stdlib_names

CODE = """
import os, json
import numpy as np
from sklearn.linear_model import LogisticRegression
from . import sibling
from .pkg import thing

try:
    import xmltodict
except ImportError:
    xmltodict = None

try:
    import ujson as fast_json
except (ModuleNotFoundError, ValueError):
    fast_json = None

if TYPE_CHECKING:
    import pandas

def main(args):
    import yaml
    from google.protobuf import message
    importlib.import_module("tabulate")
    __import__("cv2")

class Model:
    def fit(self):
        from PIL import Image
"""


def scan(tmp_path: Path, source: str = CODE, name: str = "job.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return imports_of(python_files(path, name))


def test_imports_at_any_depth_optional_ones_and_what_never_runs(tmp_path):
    found = {item.module: item for item in scan(tmp_path).imports}
    assert set(found) == {
        "os", "json", "numpy", "sklearn.linear_model.LogisticRegression", "xmltodict", "ujson",
        "yaml", "google.protobuf.message", "tabulate", "cv2", "PIL.Image",
    }  # fmt: skip
    assert found["xmltodict"].optional
    assert found["ujson"].optional
    assert not found["yaml"].optional
    assert found["numpy"].line == 3
    assert found["numpy"].file == "job.py"


def test_a_file_that_does_not_parse_is_named(tmp_path):
    found = scan(tmp_path, "print 'python 2'\n", "old.py")
    assert found.imports == []
    assert found.unreadable == ["old.py"]


def test_folders_are_read_file_by_file_without_caches(tmp_path):
    package = tmp_path / "mylib"
    (package / "sub").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "__init__.py").write_text("import requests\n")
    (package / "sub" / "deep.py").write_text("import boto3\n")
    (package / "__pycache__" / "x.py").write_text("import never\n")
    found = imports_of(python_files(package, "mylib"))
    assert {(i.file, i.module) for i in found.imports} == {
        ("mylib/__init__.py", "requests"),
        ("mylib/sub/deep.py", "boto3"),
    }


@pytest.mark.parametrize(
    ("python", "name", "included"),
    [
        ((3, 11), "distutils", True),
        ((3, 12), "distutils", False),
        ((3, 10), "tomllib", False),
        ((3, 11), "tomllib", True),
        ((3, 12), "cgi", True),
        ((3, 13), "cgi", False),
        ((3, 9), "parser", True),
        ((3, 10), "parser", False),
        ((3, 9), "zoneinfo", True),
        ((3, 12), "os", True),
        ((3, 12), "__future__", True),
        ((3, 12), "numpy", False),
    ],
)
def test_the_standard_library_of_the_image_s_python(python, name, included):
    assert (name in stdlib_names(python)) is included


def test_requirement_files_as_pip_reads_them(tmp_path):
    (tmp_path / "base.txt").write_text("six==1.16\n")
    (tmp_path / "requirements.txt").write_text(
        textwrap.dedent(
            """\
            # comment
            numpy>=1.26 ; python_version >= "3.9"  # trailing comment
            PyYAML[extra]==6.0 \\
                --hash=sha256:abc
            -r base.txt
            --requirement=missing.txt
            -e git+https://example.com/x/y.git@v1#egg=Foo_Bar
            pkg @ https://example.com/pkg-1.0.tar.gz
            /wheels/probe_pkg-0.1-py3-none-any.whl
            ./local-folder
            --index-url https://example.com/simple
            -c constraints.txt
            """
        )
    )
    found = requirement_names(tmp_path / "requirements.txt")
    assert found.names == {"numpy", "pyyaml", "six", "foo-bar", "pkg", "probe-pkg"}
    assert found.unnamed == ["--requirement=missing.txt", "./local-folder"]


def test_an_include_loop_ends(tmp_path):
    (tmp_path / "a.txt").write_text("-r b.txt\nalpha\n")
    (tmp_path / "b.txt").write_text("-r a.txt\nbeta\n")
    assert requirement_names(tmp_path / "a.txt").names == {"alpha", "beta"}


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("sklearn.linear_model", "scikit-learn"),
        ("yaml", "pyyaml"),
        ("cv2", "opencv-python-headless"),
        ("PIL.Image", "pillow"),
        ("google.protobuf.message", "protobuf"),
        ("google.cloud.storage", "google-cloud-storage"),
        ("zope.interface", "zope-interface"),
        ("typing_extensions", "typing-extensions"),
        ("botocore", "botocore"),
    ],
)
def test_import_names_to_distributions(module, distribution):
    assert distribution in candidates(module)


def test_this_machine_s_metadata_names_what_the_table_does_not():
    # the test extra installs moto, whose import name is its distribution's; packaging's
    # metadata maps the top-level name to its distribution the same way for any package
    assert "moto" in candidates("moto.core")
    closure = DependencyClosure(["moto"])
    assert "boto3" in closure  # moto requires boto3
    assert "not-a-distribution" not in closure


IMAGE = ImagePackages(
    "sagemaker-scikit-learn:1.9-0-cpu-py3",
    (3, 12),
    {"numpy": "numpy==2.5.1", "scikit-learn": "scikit-learn==1.9.0", "pyyaml": "pyyaml==6.0.3",
     "protobuf": "protobuf==3.20.2", "pillow": "pillow==12.3.0"},
)  # fmt: skip


def requirements(tmp_path, text=None):
    if text is None:
        return Requirements(None, RequirementNames())
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return Requirements(str(path), requirement_names(path))


def test_what_neither_the_image_nor_the_requirements_provide(tmp_path):
    reqs = requirements(tmp_path, "tabulate\n")
    missing = missing_imports(scan(tmp_path), IMAGE, reqs)
    assert [(m.name, m.optional) for m in missing] == [
        ("xmltodict", True),
        ("ujson", True),
        ("cv2", False),
    ]
    line = finding_line(missing[2], IMAGE, reqs)
    assert line == (
        "job.py imports cv2, which is neither in the image sagemaker-scikit-learn:1.9-0-cpu-py3 "
        "nor in requirements.txt"
    )
    assert "(optional: inside try/except ImportError)" in finding_line(missing[0], IMAGE, reqs)


def test_without_requirements_the_line_says_so(tmp_path):
    missing = missing_imports(scan(tmp_path, "import tabulate\n"), IMAGE, requirements(tmp_path))
    assert finding_line(missing[0], IMAGE, requirements(tmp_path)) == (
        "job.py imports tabulate, which is not in the image "
        "sagemaker-scikit-learn:1.9-0-cpu-py3, and no requirements file is given "
        "(--sagemaker-requirements)"
    )


def test_shipped_modules_this_library_and_the_standard_library_are_left_out(tmp_path):
    source = "import mylib.sub\nimport aws_sagemaker_remote\nimport asyncio\nimport distutils\n"
    found = missing_imports(scan(tmp_path, source), IMAGE, requirements(tmp_path), {"mylib"})
    assert [m.name for m in found] == ["distutils"]  # gone from Python 3.12's standard library


def test_a_local_module_beside_the_script_is_named(tmp_path):
    (tmp_path / "helpers.py").write_text("")
    script = tmp_path / "job.py"
    missing = missing_imports(scan(tmp_path, "import helpers\n"), IMAGE, requirements(tmp_path))
    line = finding_line(with_neighbours(missing, str(script))[0], IMAGE, requirements(tmp_path))
    assert line.endswith(
        "; helpers.py beside the script is not shipped with the job (pass it as a module: "
        "dependencies=)"
    )


def test_several_files_importing_one_module_make_one_line(tmp_path):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text("import tabulate\n")
    code = imports_of(python_files(tmp_path, "code"))
    missing = missing_imports(code, IMAGE, requirements(tmp_path))
    assert len(missing) == 1
    assert "code/a.py imports tabulate (so do 2 other files)" in finding_line(
        missing[0], IMAGE, requirements(tmp_path)
    )


def test_an_image_with_unknown_packages_is_one_line(tmp_path):
    unknown = ImagePackages("mine:1", None, None)
    missing = missing_imports(scan(tmp_path, "import numpy\nimport tabulate\n"), unknown,
                              requirements(tmp_path, "tabulate\n"))  # fmt: skip
    assert unknown_image_line(missing, unknown, requirements(tmp_path, "tabulate\n")) == (
        "the image mine:1 has no profile, so the Python packages it ships are unknown: the code "
        "imports numpy, which requirements.txt does not name; declare them with "
        "--sagemaker-image-packages FILE (pip freeze inside the image gives one)"
    )


def test_the_packages_of_a_job_s_image_without_a_region(tmp_path):
    default = job_image_packages(None, "ml.m5.xlarge")
    assert default.label.startswith("sagemaker-scikit-learn:")
    assert "scikit-learn" in default.names()
    named = job_image_packages("pytorch:2.5", "ml.g5.xlarge")  # a GPU image: its CPU profile
    assert named.label == "pytorch-training:2.5-gpu-py311"
    assert named.python == (3, 11)
    assert "torch" in named.names()
    own = job_image_packages("123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1", "ml.m5.large")
    assert not own.known
    declared = tmp_path / "image-packages.txt"
    declared.write_text("numpy==1.26.4\ntabulate==0.9.0\n")
    mine = job_image_packages(own_uri := "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1",
                              "ml.m5.large", str(declared))  # fmt: skip
    assert own_uri.endswith(mine.label)
    assert mine.names() == {"numpy", "tabulate"}
    assert mine.packages["numpy"] == "numpy==1.26.4"
