"""`aws-sagemaker-remote images [FRAMEWORK[:VERSION]]`: the framework images a job can name
with ``--sagemaker-image``, from the offline table; for a framework its versions with their
Python versions, processors and the URI for a region and instance type; for one version its
image profile (Python, packages, the build files they come from)."""

from __future__ import annotations

import argparse
import json
import os
from typing import List, Optional

from ..errors import UsageError
from ..flags.builder import OneLineErrorParser
from ..images.table import FRAMEWORKS
from .text import table as columns

PROG = "aws-sagemaker-remote images"
DEFAULT_REGION = "us-east-1"
NAMING = {
    "huggingface": "huggingface[:TRANSFORMERS[-pytorchX.Y|-tensorflowX.Y]]",
}


def build_parser() -> argparse.ArgumentParser:
    """The parser of `aws-sagemaker-remote images` (also rendered in the docs)."""
    parser = OneLineErrorParser(
        prog=PROG,
        description="The framework images --sagemaker-image can name (pytorch, tensorflow, "
        "huggingface, xgboost, sklearn), resolved offline from the official SDK's image table.",
    )
    parser.add_argument(
        "image",
        nargs="?",
        metavar="FRAMEWORK[:VERSION]",
        help="a framework: its versions; a framework and version: that image and its profile",
    )
    parser.add_argument(
        "--region",
        help="region of the URIs (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)",
    )
    parser.add_argument(
        "--instance",
        metavar="TYPE",
        help="instance type the image is for (GPU or CPU builds); default: CPU builds",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def images_main(argv: List[str]) -> int:
    args = build_parser().parse_args(argv)
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    region = region or DEFAULT_REGION
    if args.instance and not args.instance.startswith("ml."):
        raise UsageError(f"--instance: {args.instance!r}: expected an ml.* instance type")
    if not args.image:
        rows = _frameworks()
    elif ":" in args.image:
        rows = [_one(args.image, region, args.instance)]
    else:
        rows = _versions(args.image, region, args.instance)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print("\n".join(_text(args.image, rows, region, args.instance)))
    return 0


def _frameworks() -> List[dict]:
    from ..images.table import newest_first, table

    rows = []
    for name in FRAMEWORKS:
        framework = table().frameworks[name]
        newest = framework.versions[newest_first(framework.versions)[0]]
        variants = [newest.variant] if newest.variant else list(newest.bases.values())
        py_versions = sorted({p for v in variants for p in v.py_versions})
        rows.append(
            {
                "framework": name,
                "versions": len(framework.versions),
                "newest": newest.name,
                "python": _python(name, newest.name, None, py_versions),
                "processors": list(framework.processors or variants[0].processors or ()),
                "name": NAMING.get(name, f"{name}[:VERSION]"),
            }
        )
    return rows


def _versions(name: str, region: str, instance: Optional[str]) -> List[dict]:
    from ..images.resolve import framework_named
    from ..images.table import newest_first

    framework = framework_named(name, name, flag="images")
    rows = []
    for version in newest_first(framework.versions):
        entry = framework.versions[version]
        variants = {None: entry.variant} if entry.variant else dict(sorted(entry.bases.items()))
        for base, variant in variants.items():
            reference = f"{framework.name}:{version}" + (f"-{base}" if base else "")
            row = {
                "image": reference,
                "aliases": framework.aliases_of(version),
                "python": _python(framework.name, version, base, variant.py_versions),
                "processors": list(framework.processors or variant.processors or ()),
            }
            rows.append({**row, **_uri(reference, region, instance)})
    return rows


def _python(framework: str, version: str, base: Optional[str], py_versions) -> List[str]:
    """The tags' Python versions; where they say only py3 (or nothing), the profile's."""
    from ..images.profiles import find_profile

    shown = list(py_versions)
    if all(len(p) <= 3 for p in shown):
        profile = find_profile(framework, version, base)
        if profile is not None:
            shown.append(f"Python {profile.python_full}")
    return shown


def _uri(reference: str, region: str, instance: Optional[str]) -> dict:
    """The URI, or why there is none for this region and instance type."""
    from ..images.instances import describe
    from ..images.resolve import choose

    try:
        choice = choose(reference, instance)
    except UsageError:
        return {"uri": None, "why_not": f"none for {describe(instance or '')}"}
    if region not in choice.variant.registries:
        return {"uri": None, "why_not": f"not published in {region}"}
    return {"uri": choice.uri(region)}


def _one(reference: str, region: str, instance: Optional[str]) -> dict:
    from ..images.profiles import find_profile
    from ..images.resolve import choose

    choice = choose(reference, instance, flag="images")
    result = {
        "image": reference,
        "framework": choice.framework,
        "version": choice.version,
        "uri": choice.uri(region, "images"),
        "python": _python(
            choice.framework, choice.version, choice.base_entry, [choice.py_version or ""]
        ),
        "processor": choice.processor,
    }
    profile = find_profile(choice.framework, choice.version, choice.base_entry)
    if profile is not None:
        result["profile"] = {
            "build": profile.processor,
            "python": profile.python_full,
            "packages": profile.packages,
            "unnamed": list(profile.unnamed),
            "sources": [
                {"repository": s.repository, "commit": s.commit, "paths": list(s.paths)}
                for s in profile.sources
            ],
        }
    return result


# ----------------------------------------------------------------------------- text


def _text(image: Optional[str], rows: List[dict], region: str, instance: Optional[str]) -> list:
    from ..images.table import table

    source = f"(the image table of {table().source.split(' ')[0]})"
    if not image:
        header = ["FRAMEWORK", "VERSIONS", "NEWEST", "PYTHON", "PROCESSORS", "NAME IT"]
        body = [
            [r["framework"], str(r["versions"]), r["newest"], ", ".join(r["python"])]
            + [", ".join(r["processors"]) or "any", r["name"]]
            for r in rows
        ]
        hint = f"Versions of one: {PROG} FRAMEWORK [--region R] [--instance TYPE]. {source}"
        return [*columns([header, *body]), "", hint]
    where = f"{region}, " + (instance or "CPU builds where published; --instance TYPE")
    if ":" in image:
        return _detail(rows[0], where)
    header = ["IMAGE", "ALIASES", "PYTHON", "PROCESSORS", f"URI ({where})"]
    body = [
        [r["image"], ", ".join(r["aliases"]) or "-", ", ".join(r["python"]) or "-"]
        + [", ".join(r["processors"]) or "any", r["uri"] or f"({r['why_not']})"]
        for r in rows
    ]
    return [*columns([header, *body]), "", source]


def _detail(row: dict, where: str) -> list:
    lines = [
        f"Image:      {row['framework']} {row['version']} ({row['image']})",
        f"URI:        {row['uri']}  ({where})",
        f"Python:     {', '.join(p for p in row['python'] if p) or '-'}",
    ]
    profile = row.get("profile")
    if profile is None:
        return [*lines, "Profile:    none (its build files have not been read)"]
    lines.append(
        f"Profile:    the {profile['build']} build, Python {profile['python']}, "
        f"{len(profile['packages'])} distributions its build files install:"
    )
    lines += [f"  {name}{spec}" for name, spec in profile["packages"].items()]
    if profile["unnamed"]:
        lines.append(f"  and what these install: {', '.join(profile['unnamed'])}")
    for source in profile["sources"]:
        lines.append(f"Source:     {source['repository']}@{source['commit'][:12]}")
        lines += [f"  {path}" for path in source["paths"]]
    return lines
