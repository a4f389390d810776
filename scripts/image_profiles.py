"""Regenerate the image profiles (``make image-profiles``): for each image the tool chooses by
name, the Python version and the Python distributions the image ships, read from the image's
own build files.

    python scripts/image_profiles.py [--sklearn-repo PATH] [--dlc-repo PATH] [--xgboost-repo PATH]

Each PATH is a git checkout or bare git directory of aws/sagemaker-scikit-learn-container,
aws/deep-learning-containers and aws/sagemaker-xgboost-container (one not given is cloned,
bare and blobless, under ``--clone-into``); the files are read with ``git show`` at the refs of
``IMAGES`` below, and only the derived records are written:
``src/aws_sagemaker_remote/images/data/profiles.json``, each record naming its repository,
commit and the files read.

Needs Python 3.11 or later (tomllib), PyYAML and packaging: the project's .venv has them.

The images: the scikit-learn images of the default-image rule, and the newest few versions of
each framework, CPU builds (huggingface publishes GPU training images only: its records are
those of the GPU builds). Each record is checked against the SDK's image table
(``frameworks.json``): the framework version must be there, and the Python version must be the
one its tag carries.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from buildfiles import Context, Installed, Repo, build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "aws_sagemaker_remote" / "images" / "data"
REPOS = {
    "sklearn": "aws/sagemaker-scikit-learn-container",
    "dlc": "aws/deep-learning-containers",
    "xgboost": "aws/sagemaker-xgboost-container",
}


@dataclass(frozen=True)
class Dockerfile:
    """A Dockerfile built to ``target`` (default: its last stage), its COPY sources relative
    to ``root``."""

    repo: str
    ref: str
    path: str
    target: str = ""
    root: str = ""


@dataclass(frozen=True)
class Buildspec:
    """A DLC buildspec: its image for ``device`` names the Dockerfile, target and context."""

    repo: str
    ref: str
    path: str
    device: str


@dataclass(frozen=True)
class ImageConfig:
    """A DLC image config (``.github/config/image/...``, the newer layout): its ``build:``
    block names the Dockerfile and target, and every other key of it becomes a build argument
    in upper case, with FRAMEWORK_VERSION from its metadata (as the repo's
    ``.github/actions/build-image`` passes them)."""

    repo: str
    ref: str
    path: str


@dataclass(frozen=True)
class Image:
    framework: str
    version: str
    processor: str
    builds: tuple  # Dockerfile/Buildspec chain, each FROM the one before
    base: str = ""  # huggingface: its base framework, as the SDK's table names it
    notes: tuple = field(default_factory=tuple)


def _pytorch(version: str, short: str, device: str = "cpu") -> Image:
    spec = Buildspec("dlc", "master", f"pytorch/training/buildspec-{short}-sm.yml", device)
    return Image("pytorch", version, device, (spec,))


def _tensorflow(version: str, short: str) -> Image:
    spec = Buildspec("dlc", "master", f"tensorflow/training/buildspec-{short}-sm.yml", "cpu")
    return Image("tensorflow", version, "cpu", (spec,))


def _huggingface(
    version: str, base: str, pytorch: Image, buildspec: str, dlc_base: str = ""
) -> Image:
    """A huggingface image: the PyTorch GPU image it starts FROM (itself FROM a DLC base
    image, built from ``base/<dlc_base>``, for the newer ones), then its own Dockerfile."""
    own = Buildspec("dlc", "master", f"huggingface/pytorch/training/{buildspec}", "gpu")
    first = (Buildspec("dlc", "master", f"base/{dlc_base}", "gpu"),) if dlc_base else ()
    return Image("huggingface", version, "gpu", (*first, *pytorch.builds, own), base=base)


def _config(name: str) -> ImageConfig:
    return ImageConfig("dlc", "main", f".github/config/image/{name}")


IMAGES = (
    Image(
        "sklearn",
        "1.2-1",
        "cpu",
        (
            Dockerfile("sklearn", "1.2-1", "docker/1.2-1/base/Dockerfile.cpu"),
            Dockerfile("sklearn", "1.2-1", "docker/1.2-1/final/Dockerfile.cpu"),
        ),
    ),
    Image(
        "sklearn",
        "1.4-2",
        "cpu",
        (
            Dockerfile("sklearn", "v1.4-2", "docker/1.4-2/base/Dockerfile.cpu"),
            Dockerfile("sklearn", "v1.4-2", "docker/1.4-2/final/Dockerfile.cpu"),
        ),
    ),
    Image("sklearn", "1.4-2-py312", "cpu", (_config("sklearn/sagemaker-1.4-2-py312.yml"),)),
    Image("sklearn", "1.9-0", "cpu", (_config("sklearn/sagemaker-1.9-0.yml"),)),
    Image(
        "xgboost",
        "1.7-1",
        "cpu",
        (
            Dockerfile("xgboost", "1.7-1", "docker/1.7-1/base/Dockerfile.cpu"),
            Dockerfile("xgboost", "1.7-1", "docker/1.7-1/final/Dockerfile.cpu"),
        ),
    ),
    Image("xgboost", "3.0-5", "cpu", (_config("xgboost/sagemaker-3.0.yml"),)),
    Image("xgboost", "3.2-0", "cpu", (_config("xgboost/sagemaker.yml"),)),
    _pytorch("2.5.1", "2-5"),
    _pytorch("2.6.0", "2-6"),
    _pytorch("2.7.1", "2-7"),
    _pytorch("2.8.0", "2-8"),
    _pytorch("2.9.0", "2-9"),
    _pytorch("2.10.0", "2-10"),
    _tensorflow("2.16.2", "2-16"),
    _tensorflow("2.18.0", "2-18"),
    _tensorflow("2.19.0", "2-19"),
    Image("tensorflow", "2.21.0", "cpu", (_config("tensorflow/2.21-sagemaker-cpu.yml"),)),
    _huggingface("4.49.0", "pytorch2.5.1", _pytorch("2.5.1", "2-5", "gpu"), "buildspec-2-5-1.yml"),
    _huggingface(
        "4.55.0",
        "pytorch2.7.1",
        _pytorch("2.7.1", "2-7", "gpu"),
        "buildspec-2-7.yml",
        "buildspec-cu128-ubuntu22.yml",
    ),
    _huggingface(
        "4.56.2",
        "pytorch2.8.0",
        _pytorch("2.8.0", "2-8", "gpu"),
        "buildspec-2-8.yml",
        "buildspec-cu129-ubuntu22.yml",
    ),
)


# ----------------------------------------------------------------------------- buildspecs


class _Loader(yaml.SafeLoader):
    """The buildspecs redefine anchors (``&DEVICE_TYPE`` per image), which YAML allows (a
    later anchor of the same name wins) and PyYAML refuses: forget the old one first."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if not isinstance(event, yaml.events.AliasEvent) and event.anchor is not None:
            self.anchors.pop(event.anchor, None)
        return super().compose_node(parent, index)


_Loader.add_constructor(
    "!join", lambda loader, node: "".join(str(x) for x in loader.construct_sequence(node, True))
)


def from_buildspec(spec: Buildspec, repos: dict) -> tuple:
    """(Dockerfile, the context's named files) of the buildspec's image for its device."""
    repo = repos[spec.repo, spec.ref]
    data = yaml.load(repo.read(spec.path), Loader=_Loader)
    images = [
        image
        for image in data["images"].values()
        if image.get("device_type") == spec.device and "docker_file" in image
    ]
    if len(images) != 1:
        raise SystemExit(f"{spec.path}: {len(images)} {spec.device} images, expected one")
    image = images[0]
    root = posixpath.normpath(image.get("root") or posixpath.dirname(spec.path))
    root = "" if root == "." else root
    named = {
        item["target"]: posixpath.normpath(posixpath.join(root, item["source"]))
        for item in (image.get("context") or {}).values()
        if isinstance(item, dict) and "source" in item
    }
    path = posixpath.join(root, image["docker_file"])
    dockerfile = Dockerfile(spec.repo, spec.ref, path, image.get("target", ""), root)
    return dockerfile, named, image.get("tag_python_version", "")


def from_image_config(spec: ImageConfig, repos: dict) -> tuple:
    """(Dockerfile, build arguments) of a DLC image config."""
    config = yaml.safe_load(repos[spec.repo, spec.ref].read(spec.path))
    settings = dict(config["build"])
    dockerfile = Dockerfile(
        spec.repo, spec.ref, settings.pop("dockerfile"), settings.pop("target", "")
    )
    metadata = config.get("metadata", {})
    args = {key.upper(): str(value) for key, value in settings.items()}
    args.update(
        FRAMEWORK=metadata.get("framework", ""),
        FRAMEWORK_VERSION=metadata.get("framework_version", ""),
    )
    return dockerfile, args


# ----------------------------------------------------------------------------- profiles


def profile(image: Image, repos: dict) -> dict:
    installed, read, tag_python = None, [], ""
    for step in image.builds:
        named, args = {}, {}
        if not isinstance(step, Dockerfile):
            read.append((step.repo, repos[step.repo, step.ref].commit, step.path))
        if isinstance(step, Buildspec):
            step, named, tag_python = from_buildspec(step, repos)
        elif isinstance(step, ImageConfig):
            step, args = from_image_config(step, repos)
        repo = repos[step.repo, step.ref]
        context = Context(repo, step.root, named)
        installed = build(context, step.path, step.target, installed, args)
        read += [(step.repo, repo.commit, p) for p in installed.paths]
        installed.paths = []
    check_python(image, installed, tag_python)
    return record(image, installed, read)


def check_python(image: Image, installed: Installed, tag_python: str) -> None:
    if not installed.python:
        raise SystemExit(f"{image.framework} {image.version}: no Python version found")
    short = "py" + "".join(installed.python.split(".")[:2])
    if tag_python and tag_python != short:
        raise SystemExit(
            f"{image.framework} {image.version}: Python {installed.python}, tag {tag_python}"
        )
    expected = sdk_py_versions(image)
    if expected and expected != ["py3"] and short not in expected:
        raise SystemExit(f"{image.framework} {image.version}: {short} not in the SDK's {expected}")


def sdk_py_versions(image: Image) -> list:
    frameworks = json.loads((DATA / "frameworks.json").read_text())["frameworks"]
    versions = frameworks[image.framework]["versions"]
    if image.version not in versions:
        raise SystemExit(f"{image.framework} {image.version} is not in the SDK's table")
    entry = versions[image.version]
    if image.base:
        entry = entry["bases"][image.base]
    return entry.get("py_versions", [])


def record(image: Image, installed: Installed, read: list) -> dict:
    sources: dict = {}
    for repo, commit, path in read:
        files = sources.setdefault((repo, commit), [])
        if path not in files:
            files.append(path)
    result = {
        "framework": image.framework,
        "version": image.version,
        "processor": image.processor,
        "python": installed.python,
        "packages": dict(sorted(installed.packages.items())),
        "sources": [
            {"repository": REPOS[repo], "commit": commit, "paths": paths}
            for (repo, commit), paths in sources.items()
        ],
    }
    if image.base:
        result["base"] = image.base
    if installed.unnamed:
        result["unnamed"] = installed.unnamed
    return result


def clone(name: str, folder: Path) -> str:
    target = folder / name.replace("/", "+")
    if not target.exists():
        url = f"https://github.com/{name}.git"
        command = ["git", "clone", "--quiet", "--bare", "--filter=blob:none", url, str(target)]
        subprocess.run(command, check=True)
    return str(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for key, name in REPOS.items():
        parser.add_argument(f"--{key}-repo", help=f"a git clone of {name}")
    parser.add_argument("--clone-into", type=Path, default=ROOT / "build" / "image-sources")
    args = parser.parse_args()
    paths = {
        key: getattr(args, f"{key}_repo") or clone(REPOS[key], args.clone_into) for key in REPOS
    }
    refs = {(s.repo, s.ref) for image in IMAGES for s in image.builds}
    repos = {(key, ref): Repo(REPOS[key], paths[key], ref) for key, ref in sorted(refs)}
    profiles = [profile(image, repos) for image in IMAGES]
    data = {
        "source": "the images' own build files (Dockerfiles, buildspecs, requirement files, "
        "uv.lock), read by scripts/image_profiles.py; each record names its files and commit",
        "meaning": "packages: distribution (canonical name) -> PEP 440 specifier the build "
        "files install, '' where they leave the version to the resolver; unnamed: installs "
        "the build files do not name (built wheels, git URLs)",
        "profiles": profiles,
    }
    out = DATA / "profiles.json"
    out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size:,} bytes, {len(profiles)} images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
