"""Framework images by name: ``FRAMEWORK[:VERSION]`` to an ECR image URI, offline, by the rules
of the official SDK's ``image_uris.retrieve`` (sagemaker-python-sdk ``src/sagemaker/image_uris.py``;
sagemaker-core 2.27.0 ``sagemaker/core/image_uris.py`` has the same functions):

- scope: training, for both job kinds (the SDK's FrameworkProcessor asks for its image with
  ``image_scope="training"``);
- version (``_validate_version_and_set_if_needed``, ``_version_for_config``): an alias such as
  ``2.5`` stands for its full version ``2.5.1``, and the tag keeps the form asked for
  (``tag_prefix`` defaults to the version given); no version: the newest;
- processor (``_processor``): the kind of image the instance type runs (``instances.py``: GPU
  counts from the SDK's instance table, its family rule for types the table lacks); a version
  with one processor, or none, needs no choice;
- Python (``_validate_py_version_and_set_if_needed``): the SDK wants one named when a version
  has several; here the closest at or above this machine's Python among the version's
  ``py_versions``, else the newest;
- tag (``_format_tag``): tag prefix, processor, py version and container version joined by "-",
  empty parts left out (``processor_in_tag: false`` leaves the processor out);
- registry (``_registry_from_region``): the version's account in the region, on the region's ECR
  host (botocore's endpoint data, as ``retrieve`` asks botocore);
- huggingface (``retrieve`` with ``base_framework_version``): named ``TRANSFORMERS[-BASE]``, BASE
  being ``pytorchX.Y[.Z]`` or ``tensorflowX.Y[.Z]`` as the SDK's ``base_framework_version``
  (without one: the version's newest PyTorch base, else its newest TensorFlow base); the tag is
  ``<base version as named>-transformers<full version>``, and a GPU image whose entry has no
  container version takes ``cu110-ubuntu18.04`` (``get_training_image_uri``);
- refused as the SDK refuses: P2 instances for PyTorch >= 1.13 and TensorFlow >= 2.12
  (``_validate_instance_deprecation``), an instance type whose image kind the version does not
  publish (``_validate_arg(processor, ...)``), a version or region not in the table.

Not reproduced: the SDK's p4d and smdistributed container-version suffixes for PyTorch 1.6 and
TensorFlow 1.15/2.3 (``_get_image_tag``), Graviton and Neuron image lines (other scopes and
tables). A full image URI is never resolved: it is used as given.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from typing import Optional, Tuple

from ..errors import UsageError
from .instances import CPU, GPU, NEURON, accelerator, describe, family
from .table import (
    FRAMEWORKS,
    HUGGINGFACE,
    Framework,
    Variant,
    Version,
    newest_first,
    python_of,
    table,
    version_key,
)

FLAG = "--sagemaker-image"
HF_GPU_CONTAINER_VERSION = "cu110-ubuntu18.04"
BASE_FRAMEWORKS = ("pytorch", "tensorflow")
# _validate_instance_deprecation: the first versions no longer built for P2 instances.
P2_LAST = {"pytorch": "1.13", "tensorflow": "2.12"}


def is_reference(value: str) -> bool:
    """A value without "/" names a framework; with one it is an image URI."""
    return "/" not in value


@dataclass(frozen=True)
class ImageChoice:
    """A framework image chosen for an instance type; ``uri(region)`` places it."""

    framework: str
    version: str  # the full version
    tag_version: str  # the version as the tag carries it (as asked for, or the full one)
    base: Optional[str]  # huggingface: the base framework as the tag carries it
    base_entry: Optional[str]  # huggingface: the table's entry for it ("pytorch2.5.1")
    variant: Variant
    py_version: Optional[str]
    processor: Optional[str]
    reference: str  # the value the user gave

    @property
    def tag(self) -> str:
        prefix = self.variant.tag_prefix or self.tag_version
        if self.base is not None:
            prefix = f"{self.base[len(_base_framework(self.base)) :]}-transformers{self.version}"
        container = self.variant.container_version.get(self.processor or "")
        if self.framework == HUGGINGFACE and self.processor == GPU and not container:
            container = HF_GPU_CONTAINER_VERSION
        processor = self.processor if self.variant.processor_in_tag else None
        return "-".join(p for p in (prefix, processor, self.py_version, container) if p)

    def uri(self, region: str, flag: str = FLAG) -> str:
        account = self.variant.registries.get(region)
        if account is None:
            where = ", ".join(sorted(self.variant.registries))
            raise UsageError(
                f"{flag}: {self.reference!r}: {self.framework} {self.version} is not published "
                f"in {region}; it is in {where}"
            )
        host = table().ecr_hosts[region]
        return f"{account}.dkr.{host}/{self.variant.repository}:{self.tag}"

    @property
    def python(self) -> Optional[Tuple[int, ...]]:
        return python_of(self.py_version) if self.py_version else None


def choose(
    reference: str,
    instance: Optional[str],
    local: Optional[Tuple[int, int]] = None,
    flag: str = FLAG,
) -> ImageChoice:
    """The image ``FRAMEWORK[:VERSION]`` names for ``instance``; UsageError (naming ``flag``)
    for an unknown framework or version and for an instance type the version has no image
    for. The region is checked by ``ImageChoice.uri``. Without an instance type (a listing),
    the version's CPU image where it has one."""
    name, _, asked = reference.partition(":")
    framework = framework_named(name, reference, flag)
    local = local or sys.version_info[:2]
    base = base_entry = None
    if framework.name == HUGGINGFACE:
        asked, base = _split_base(asked)
    version = _version(framework, asked, reference, flag)
    entry = framework.versions[version]
    if framework.name == HUGGINGFACE:
        base, base_entry = _base(entry, base, reference, flag)
        variant = entry.bases[base_entry]
    else:
        variant = entry.variant
    processor = _processor(framework, variant, version, instance, reference, flag)
    return ImageChoice(
        framework=framework.name,
        version=version,
        tag_version=asked or version,
        base=base,
        base_entry=base_entry,
        variant=variant,
        py_version=_py_version(variant.py_versions, local),
        processor=processor,
        reference=reference,
    )


def framework_named(name: str, reference: str, flag: str = FLAG) -> Framework:
    """The table's framework of that name (in any case); UsageError naming the known ones."""
    name = name.strip().lower()
    frameworks = table().frameworks
    if name in frameworks:
        return frameworks[name]
    close = difflib.get_close_matches(name, FRAMEWORKS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise UsageError(
        f"{flag}: {reference!r}: not a framework name{hint}; expected FRAMEWORK[:VERSION] with "
        f"FRAMEWORK one of {', '.join(FRAMEWORKS)}, or an image URI REGISTRY/REPOSITORY[:TAG]"
    )


def _version(framework: Framework, asked: str, reference: str, flag: str) -> str:
    if not asked:
        return newest_first(framework.versions)[0]
    version = framework.aliases.get(asked, asked)
    if version in framework.versions:
        return version
    raise UsageError(
        f"{flag}: {reference!r}: no {framework.name} version {asked}; versions: "
        f"{_listed(framework)}"
    )


def _listed(framework: Framework) -> str:
    """Newest first, each with its aliases: ``2.5.1 (2.5), 2.4.0 (2.4), ...``."""
    shown = []
    for version in newest_first(framework.versions):
        aliases = framework.aliases_of(version)
        shown.append(f"{version} ({', '.join(aliases)})" if aliases else version)
    return ", ".join(shown)


def _split_base(asked: str) -> Tuple[str, Optional[str]]:
    """``4.49-pytorch2.5`` -> ("4.49", "pytorch2.5"); ``4.49`` -> ("4.49", None)."""
    version, dash, base = asked.partition("-")
    return version, (base.lower() if dash else None)


def _base_framework(base: str) -> str:
    return next((name for name in BASE_FRAMEWORKS if base.startswith(name)), "")


def _base(entry: Version, named: Optional[str], reference: str, flag: str) -> Tuple[str, str]:
    """(the base as the tag carries it, its entry in the table)."""
    if named is None:
        for framework in BASE_FRAMEWORKS:
            bases = [b for b in entry.bases if b.startswith(framework)]
            if bases:
                chosen = max(bases, key=lambda b: version_key(b[len(framework) :]))
                return chosen, chosen
    full = entry.base_aliases.get(named, named)
    if full in entry.bases and _base_framework(named):
        return named, full
    known = sorted({*entry.bases, *entry.base_aliases})
    raise UsageError(
        f"{flag}: {reference!r}: huggingface {entry.name} has no base {named}; its bases: "
        f"{', '.join(known)} (name one as huggingface:{entry.name}-{known[0]})"
    )


def _processor(
    framework: Framework,
    variant: Variant,
    version: str,
    instance: Optional[str],
    reference: str,
    flag: str,
) -> Optional[str]:
    available = framework.processors or variant.processors
    if not instance:
        return None if not available else (CPU if CPU in available else available[0])
    kind = accelerator(instance)
    if kind == NEURON:
        raise UsageError(
            f"{flag}: {reference!r}: {describe(instance)} runs AWS Neuron images, which are not "
            "chosen by name; pass the image URI"
        )
    _check_p2(framework.name, version, instance, reference, flag)
    if not available:
        return None
    if family(instance) in available:
        return family(instance)
    if kind in available:
        return kind
    if kind == GPU:
        raise UsageError(
            f"{flag}: {reference!r}: {framework.name} {version} images are CPU-only and "
            f"{describe(instance)} is a GPU instance; choose a CPU instance type (e.g. "
            "ml.m5.xlarge) or an image with GPU builds (pytorch, tensorflow, huggingface, "
            "xgboost)"
        )
    raise UsageError(
        f"{flag}: {reference!r}: {framework.name} {version} is published for GPUs only and "
        f"{describe(instance)} has none; choose a GPU instance type (e.g. ml.g5.xlarge)"
    )


def _check_p2(name: str, version: str, instance: str, reference: str, flag: str) -> None:
    last = P2_LAST.get(name)
    if last and family(instance) == "p2" and version_key(version) >= version_key(last):
        raise UsageError(
            f"{flag}: {reference!r}: {name} {last} and later do not run on P2 instances "
            f"({instance}); choose another GPU instance type (e.g. ml.g5.xlarge)"
        )


def _py_version(py_versions: Tuple[str, ...], local: Tuple[int, int]) -> Optional[str]:
    if not py_versions:
        return None
    at_least = [p for p in py_versions if python_of(p) >= local]
    if at_least:
        return min(at_least, key=python_of)
    return max(py_versions, key=python_of)


def python_warning(local: Tuple[int, int], image: Tuple[int, ...], label: str) -> Optional[str]:
    """One line when this machine's Python is newer than the image's, else None."""
    if len(image) < 2 or tuple(local) <= tuple(image):
        return None
    mine, theirs = ".".join(map(str, local)), ".".join(map(str, image))
    return (
        f"warning: local Python {mine} is newer than Python {theirs} of {label}; "
        f"code or packages that need {mine} fail there (pass --sagemaker-image to choose "
        "another)"
    )
