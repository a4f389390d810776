"""`aws-sagemaker-remote config show [SCRIPT [ARGS...]]`: every setting's value and where it
came from (docs/configuration.md).

With SCRIPT, the script itself is run up to its flag parsing (as its `--help` would be), so that
its own keywords and ARGS count; without one, each kind's settings as a script in this folder
would have them without keywords of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

from ..configuration import SHOW_ENV
from ..configuration.layers import DEFAULT
from ..errors import UsageError
from ..flags.builder import OneLineErrorParser, default_text
from ..kinds import KINDS, home

PROG = "aws-sagemaker-remote config"
PRECEDENCE = "flag > environment > argument > project file > user file > default"


def build_parser() -> argparse.ArgumentParser:
    """The parser of `aws-sagemaker-remote config` (also rendered in the docs)."""
    parser = OneLineErrorParser(
        prog=PROG,
        description="The settings' defaults from the project file, the user file and the "
        f"environment ({PRECEDENCE}).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    show = commands.add_parser(
        "show",
        prog=f"{PROG} show",
        help="print every setting's value and where it comes from",
        description="Print every setting's value and where it comes from. With SCRIPT, the "
        "script runs up to its flag parsing (as for --help), so its keywords and ARGS count; "
        "options of this command go before SCRIPT.",
    )
    show.add_argument("--json", action="store_true", help="a JSON array of reports")
    show.add_argument(
        "--kind", choices=tuple(KINDS), help="without SCRIPT: only this kind (default: each)"
    )
    show.add_argument("script", nargs="?", metavar="SCRIPT", help="the script (default: none)")
    show.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="its arguments")
    return parser


def config_main(argv: List[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.script is not None:
        if args.kind:
            raise UsageError("--kind: the script's kind is its own; give one or the other")
        reports = [script_report(args.script, args.args)]
    else:
        reports = [folder_report(KINDS[name]) for name in (args.kind,) if name] or [
            folder_report(kind) for kind in KINDS.values()
        ]
    if args.json:
        print(json.dumps(reports, indent=2, default=str))
    else:
        print("\n\n".join("\n".join(report_lines(report)) for report in reports))
    return 0


def folder_report(kind: Any) -> Dict[str, Any]:
    """The settings of `kind` for a script in the current folder that passes no keywords."""
    from ..configuration.show import report

    parser = OneLineErrorParser(prog=f"{PROG} show")
    face = home(__package__.rsplit(".", 1)[0], kind)  # the kind's face: its public package
    config = face.add_flags(parser, os.path.join(os.getcwd(), "SCRIPT"))
    found = report(config)
    found["script"] = None
    return found


def script_report(script: str, script_args: List[str]) -> Dict[str, Any]:
    """The script's own report: it runs with SHOW_ENV naming a file, its output on stderr."""
    if not os.path.isfile(script):
        raise UsageError(f"SCRIPT: {script!r}: no such file")
    handle, path = tempfile.mkstemp(prefix="config-show-", suffix=".json")
    os.close(handle)
    try:
        env = {**os.environ, SHOW_ENV: path}
        command = [sys.executable, script, *script_args]
        code = subprocess.run(command, env=env, stdout=sys.stderr.fileno(), check=False).returncode
        if code:
            sys.exit(code)  # the script said why (a wrong file, flag or value: one line)
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    finally:
        os.unlink(path)
    if not text:
        raise UsageError(
            f"SCRIPT: {script} ended without parsing its flags with sagemaker_*_main (or "
            'sagemaker_*_args and its handle); is the call under `if __name__ == "__main__"`?'
        )
    return json.loads(text)


def report_lines(report: Dict[str, Any]) -> List[str]:
    what = f" of {report['script']}" if report["script"] else " (no script; this folder)"
    user = report["user_file"] + ("" if report["user_file_exists"] else " (none)")
    lines = [
        f"{report['kind']} settings{what}",
        f"project file: {report['project_file'] or '(none)'}",
        f"user file:    {user}",
        f"precedence:   {PRECEDENCE}",
    ]
    if report["in_job"]:
        lines.append("inside a job (IS_SAGEMAKER): no file or variable is read")
    for found in report["unknown_variables"]:
        variable, close = found["variable"], found["did_you_mean"]
        lines.append(f"warning: {variable} is not a setting; did you mean {close}?")
    rows = [(s["key"], _shown(s["value"]), _source(s["sources"])) for s in report["settings"]]
    width = max(len(key) for key, _, _ in rows)
    value_width = min(40, max(len(value) for _, value, _ in rows))
    lines.append("")
    lines += [f"{k:<{width}}  {v:<{value_width}}  {s}" for k, v, s in rows]
    return lines


def _shown(value: Any) -> str:
    shown = default_text(value)
    return "(none)" if shown is None else shown


def _source(sources: List[Dict[str, str]]) -> str:
    """`flag --sagemaker-X`, `environment VAR`, `argument KEYWORD`, `project file PATH`, ...
    (several for the settings that add up), or `default`."""
    return " + ".join(
        f"{s['source']} {s['where']}" if s["where"] else s["source"]
        for s in sources
        if s["source"] != DEFAULT or len(sources) == 1
    )
