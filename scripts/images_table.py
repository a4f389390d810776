"""Regenerate the framework image table and the instance GPU table (``make images-table``).

    python scripts/images_table.py [--wheel PATH]

Both come from the official SDK's own data, sagemaker-core's ``image_uri_config/*.json``, at the
pinned version below: the wheel is fetched with ``pip download --no-deps`` into a temporary folder
(or read from ``--wheel``), and only what resolution needs is written, as compact JSON package
data:

- ``src/aws_sagemaker_remote/images/data/frameworks.json``: for pytorch, tensorflow, huggingface,
  xgboost and sklearn, the training scope (the scope the SDK's estimators and its
  FrameworkProcessor use for both job kinds): version aliases, and per version its repository,
  Python versions, processors, container version, tag prefix and the registry account per region;
  the ECR host name per region, from botocore's endpoint data (what the SDK's ``retrieve`` asks
  botocore for).
- ``src/aws_sagemaker_remote/images/data/instances.json``: GPUs per instance type, the SDK's
  ``instance_gpu_info.json`` plus the GPU instance types it does not list (``SUPPLEMENT`` below,
  each with its source).

Left out, and why: other scopes (inference, eia, graviton); the built-in XGBoost algorithm
(version "1", repository "xgboost": not a framework image that runs a script); tensorflow 1.13.1
(the one version whose registries differ per Python, py2/py3).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "sagemaker-core"
VERSION = "2.27.0"
CONFIG_DIR = "sagemaker/core/image_uri_config"
FRAMEWORKS = ("pytorch", "tensorflow", "huggingface", "xgboost", "sklearn")
SCOPE = "training"
SKIPPED_VERSIONS = {"xgboost": {"1"}, "tensorflow": {"1.13.1"}}
VERSION_FIELDS = ("repository", "py_versions", "processors", "container_version", "tag_prefix")
OPTIONAL_FLAGS = ("processor_in_tag",)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "aws_sagemaker_remote" / "images" / "data"

# GPU instance types SageMaker accepts (botocore's TrainingInstanceType/ProcessingInstanceType)
# that the SDK's instance_gpu_info.json leaves out (it lists "ml.g5n.xlarge" where ml.g5.xlarge is
# meant). GPUs per type: AWS Batch User Guide, "Run GPU jobs"
# (https://docs.aws.amazon.com/batch/latest/userguide/gpu-jobs.html: g5, g6) and the EC2
# "Accelerated computing instance specifications"
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html: g6e, p5, p5e, p5en, p6).
# Types whose count no such page gives (ml.g7.*, ml.g7e.*) are left out: their processor follows
# the SDK's family rule and their GPU count is unknown.
SUPPLEMENT = {
    "ml.g5.xlarge": 1,
    **{f"ml.g6.{size}": 1 for size in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "ml.g6.12xlarge": 4,
    "ml.g6.24xlarge": 4,
    "ml.g6.48xlarge": 8,
    **{f"ml.g6e.{size}": 1 for size in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")},
    "ml.g6e.12xlarge": 4,
    "ml.g6e.24xlarge": 4,
    "ml.g6e.48xlarge": 8,
    "ml.p5.4xlarge": 1,
    "ml.p5e.48xlarge": 8,
    "ml.p5en.48xlarge": 8,
    "ml.p6-b200.48xlarge": 8,
    "ml.p6-b300.48xlarge": 8,
    "ml.p6e-gb200.36xlarge": 4,
}


def fetch_wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(folder)]
        + [f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    return next(folder.glob("sagemaker_core-*.whl"))


def read_configs(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        names = [*FRAMEWORKS, "instance_gpu_info"]
        return {name: json.loads(archive.read(f"{CONFIG_DIR}/{name}.json")) for name in names}


class Registries:
    """Each distinct region -> account map once; versions name it by its index."""

    def __init__(self) -> None:
        self.maps: list[dict] = []

    def index(self, registries: dict) -> int:
        ordered = dict(sorted(registries.items()))
        if ordered not in self.maps:
            self.maps.append(ordered)
        return self.maps.index(ordered)


def version_entry(config: dict, registries: Registries) -> dict:
    entry = {key: config[key] for key in VERSION_FIELDS if key in config}
    entry.update({key: config[key] for key in OPTIONAL_FLAGS if key in config})
    entry["registry"] = registries.index(config["registries"])
    return entry


def framework_entry(name: str, scope: dict, registries: Registries) -> dict:
    skipped = SKIPPED_VERSIONS.get(name, set())
    versions = {}
    for version, config in scope["versions"].items():
        if version in skipped:
            continue
        if name == "huggingface":
            bases = {k: v for k, v in config.items() if k != "version_aliases"}
            versions[version] = {
                "base_aliases": config.get("version_aliases", {}),
                "bases": {base: version_entry(c, registries) for base, c in bases.items()},
            }
        else:
            versions[version] = version_entry(config, registries)
    aliases = {a: v for a, v in scope.get("version_aliases", {}).items() if v in versions}
    entry = {"aliases": aliases, "versions": versions}
    if "processors" in scope:
        entry["processors"] = scope["processors"]
    return entry


def ecr_hosts(regions: set) -> dict:
    """The ECR host name of each region as botocore's endpoint data gives it, which is what the
    SDK's ``retrieve`` asks for (``construct_endpoint("ecr", region)``)."""
    import botocore.loaders
    import botocore.regions

    resolver = botocore.regions.EndpointResolver(
        botocore.loaders.create_loader().load_data("endpoints")
    )
    hosts = {}
    for region in sorted(regions):
        endpoint = resolver.construct_endpoint("ecr", region)
        hosts[region] = endpoint["hostname"] if endpoint else f"ecr.{region}.amazonaws.com"
    return hosts


def frameworks_table(configs: dict) -> dict:
    registries = Registries()
    frameworks = {
        name: framework_entry(name, configs[name][SCOPE], registries) for name in FRAMEWORKS
    }
    regions = {region for mapping in registries.maps for region in mapping}
    return {
        "source": f"{PACKAGE}=={VERSION} {CONFIG_DIR}/*.json, {SCOPE} scope",
        "generated_by": "scripts/images_table.py",
        "ecr_hosts": ecr_hosts(regions),
        "registries": registries.maps,
        "frameworks": frameworks,
    }


def instances_table(configs: dict) -> dict:
    by_region = configs["instance_gpu_info"]
    tables = {json.dumps(table, sort_keys=True) for table in by_region.values()}
    if len(tables) != 1:
        raise SystemExit("instance_gpu_info.json differs between regions: store it per region")
    sdk = {name: info["Count"] for name, info in next(iter(by_region.values())).items()}
    overlap = {name for name in SUPPLEMENT if name in sdk and sdk[name] != SUPPLEMENT[name]}
    if overlap:
        raise SystemExit(f"the supplement contradicts the SDK's table: {sorted(overlap)}")
    return {
        "source": f"{PACKAGE}=={VERSION} {CONFIG_DIR}/instance_gpu_info.json (Count; the same "
        "in every region) and, for GPU types it leaves out, AWS's instance pages (see "
        "scripts/images_table.py)",
        "generated_by": "scripts/images_table.py",
        "gpus": dict(sorted({**sdk, **SUPPLEMENT}.items())),
    }


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a {PACKAGE} {VERSION} wheel already here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        configs = read_configs(wheel)
    write(DATA / "frameworks.json", frameworks_table(configs))
    write(DATA / "instances.json", instances_table(configs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
