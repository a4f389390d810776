"""The --sagemaker-* flags every job kind shares, as rows of a table (name, kind, metavar, help,
other names), and the adders that turn a kind's table and its items into flags. The default of
each flag is the keyword of the same name of the kind's `sagemaker_*_args`."""

import argparse
import functools
import os
from operator import itemgetter

from .. import contract as c
from ..configuration import Places
from ..errors import UsageError
from . import choice_of, comma_list, flag_of, key_value_list, parse_yes_no, positive_int
from .builder import FlagAdder, add_user_arguments

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence

    from ..configuration.keys import Key
    from .builder import ScriptConfig

YES_NO, TEXT, NUMBER, PAIRS, IDS = "yes/no", "text", "number", "pairs", "ids"
# The value type of each kind of row: the flag's, and a configuration value's (None: text; a
# tuple of choices as a row's kind: one of them, any case).
VALUE_TYPES = {
    YES_NO: parse_yes_no,
    TEXT: None,
    NUMBER: positive_int,
    PAIRS: key_value_list,
    IDS: comma_list,
}


class Row(tuple):
    """One flag: `--sagemaker-NAME` (and `aliases`, other accepted spellings). A tuple as its
    kind lists the values a choice flag takes. A named tuple of its own making: defining one
    with `collections.namedtuple` costs every local run a tenth of a millisecond."""

    __slots__ = ()
    _fields = ("name", "kind", "metavar", "help", "aliases")
    name = property(itemgetter(0))
    kind = property(itemgetter(1))
    metavar = property(itemgetter(2))
    help = property(itemgetter(3))
    aliases = property(itemgetter(4))

    def __new__(cls, name: str, kind: "Any", metavar: "Any", help: str, aliases: tuple = ()):
        return tuple.__new__(cls, (name, kind, metavar, help, aliases))

    def _replace(self, **changes: "Any") -> "Row":
        return Row(**{**dict(zip(self._fields, self)), **changes})

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self)) + ")"


RUN_HELP = "Where the script runs and what happens around it. Yes/no flags take yes/true/1 or "
RUN_HELP += "no/false/0; alone, they mean yes."


WAIT = Row("wait", YES_NO, None, "follow the job's logs until it ends; no returns once created")
BACKEND_ROW = Row(
    "backend", c.BACKENDS, None, "where the job runs; local is the dockerless emulator"
)
EMULATOR_ENVIRONMENT = Row(
    "emulator_environment",
    c.EMULATOR_ENVIRONMENTS,
    None,
    "what an emulated job's Python is: image, an isolated environment of the image's Python and "
    "packages plus the requirements (as on AWS); caller, this Python environment, with "
    "everything installed here importable (unfaithful: a job that passes may fail on AWS)",
)
DRY_RUN = Row("dry_run", YES_NO, None, "print the request and upload plan as JSON; do nothing")
OUTPUT_JSON = Row("output_json", TEXT, "PATH", "write the job's final description as JSON here")
DEBUG = Row("debug", YES_NO, None, "show tracebacks instead of one-line errors")

PROFILE = Row("profile", TEXT, "NAME", "AWS profile")
REGION = Row("region", TEXT, "REGION", "AWS region (default: the profile's region)")
ROLE = Row("role", TEXT, "ROLE", "IAM role name or ARN the job runs as; a missing name is created")
BUCKET = Row(
    "bucket",
    TEXT,
    "BUCKET",
    "S3 bucket for code and inputs (default: sagemaker-REGION-ACCOUNT, created when missing)",
)
PREFIX = Row("prefix", TEXT, "PREFIX", "S3 key prefix for code and inputs")

BASE_JOB_NAME = Row("base_job_name", TEXT, "NAME", "job names are this plus a timestamp")
JOB_NAME = Row("job_name", TEXT, "NAME", "an exact job name instead of base name + timestamp")
IMAGE = Row(
    "image",
    TEXT,
    "IMAGE",
    "an image URI, or FRAMEWORK[:VERSION] (pytorch, tensorflow, huggingface, xgboost, "
    "sklearn: AWS's image for the instance type, see `aws-sagemaker-remote images`); "
    "default: AWS's scikit-learn image for this Python's version (CPU instances only)",
)
IMAGE_PACKAGES = Row(
    "image_packages",
    TEXT,
    "FILE",
    "the Python packages the image ships, as a requirements file (pip freeze inside the image "
    "gives one), for an image of your own; the import check and the emulator use it instead of "
    "the image's profile",
)
INSTANCE = Row("instance", TEXT, "TYPE", "instance type")
INSTANCE_COUNT = Row("instance_count", NUMBER, "N", "number of instances")
VOLUME_SIZE = Row("volume_size", NUMBER, "GB", "storage volume of each instance, in GB")
RUNTIME = Row("runtime_seconds", NUMBER, "SECONDS", "stop the job after this many seconds")
ENV = Row("env", PAIRS, "KEY=VALUE,...", "container environment variables")
TAGS = Row("tags", PAIRS, "KEY=VALUE,...", "job tags")

SCRIPT = Row("script", TEXT, "PATH", "the script that runs")
PYTHON = Row("python", TEXT, "COMMAND", "the interpreter command that runs it")
REQUIREMENTS = Row("requirements", TEXT, "PATH", "requirements file, installed with pip install -r")
IMPORT_CHECK = Row(
    "import_check",
    c.IMPORT_CHECKS,
    None,
    "before anything is uploaded, read the code's imports: warn about (or, error, refuse) each "
    "module neither the image nor the requirements provide; off skips the check",
)
CONFIGURATION_SCRIPT = Row(
    "configuration_script", TEXT, "PATH", "bash file sourced before the script"
)
CONFIGURATION_COMMAND = Row(
    "configuration_command",
    TEXT,
    "COMMAND",
    "bash command run after the configuration script, in the same shell",
)

NETWORK_GROUP = (
    "SageMaker network and encryption",
    None,
    (
        Row("output_kms_key", TEXT, "KEY", "KMS key that encrypts the outputs in S3"),
        Row("volume_kms_key", TEXT, "KEY", "KMS key that encrypts the instances' volumes"),
        Row(
            "s3_kms_keys",
            IDS,
            "KEYS",
            "KMS keys of the job's S3 data besides its buckets' default keys (found by "
            "itself), comma-separated: the role may use them",
        ),
        Row("subnets", IDS, "IDS", "VPC subnet ids, comma-separated"),
        Row("security_groups", IDS, "IDS", "VPC security group ids, comma-separated"),
        Row("network_isolation", YES_NO, None, "give the container no network"),
        Row("inter_container_encryption", YES_NO, None, "encrypt traffic between instances"),
    ),
)


def run_group(run: "Row", download: "Row") -> tuple:
    """The first group: where the script runs and what happens around it."""
    return (
        "SageMaker run",
        RUN_HELP,
        (run, WAIT, BACKEND_ROW, EMULATOR_ENVIRONMENT, DRY_RUN, download, OUTPUT_JSON, DEBUG),
    )


def account_group(role: "Row") -> tuple:
    return ("SageMaker account and staging", None, (PROFILE, REGION, role, BUCKET, PREFIX))


def job_group(image: "Row", instance: "Row", runtime: "Row") -> tuple:
    rows = (BASE_JOB_NAME, JOB_NAME, image, IMAGE_PACKAGES, instance, INSTANCE_COUNT, VOLUME_SIZE)
    rows += (runtime,)
    return ("SageMaker job", None, (*rows, ENV, TAGS))


def container_group(*more: "Row") -> tuple:
    rows = (SCRIPT, PYTHON, REQUIREMENTS, IMPORT_CHECK, CONFIGURATION_SCRIPT, CONFIGURATION_COMMAND)
    return ("SageMaker container", None, (*rows, *more))


def setting_keys(groups: "Iterable") -> "List[Key]":
    """The configuration key of each row of `groups`: its name and its other spellings."""
    from ..configuration.keys import Key, flag_key, key_of

    return [
        Key(
            row.name,
            (key_of(row.name), *(flag_key(alias) for alias in row.aliases)),
            choice_of(row.kind) if isinstance(row.kind, tuple) else VALUE_TYPES[row.kind],
            local_path=row.metavar in ("PATH", "FILE"),
        )
        for _title, _description, rows in groups
        for row in rows
    ]


def flag_defaults(
    values: "Dict",
    config: "ScriptConfig",
    given: "FrozenSet[str]",
    groups: "Iterable",
    read: bool = True,
) -> "Dict":
    """Each row's default, as the configuration decides it (configuration/layers.py: the
    environment, the script's keywords in `values` (those in `given`), the project and user
    files, the built-in default). The settings with their origins are worked out for `config`
    when first asked for: with nothing configured (the usual local run) only the values are."""
    folder = os.path.dirname(os.path.abspath(config.script))
    places = Places(config.kind_name, folder, read=read)
    arguments = {**values, "env": config.env, "tags": config.tags}
    builtin = {
        **values,
        "script": config.script,
        "env": {},
        "tags": {},
        "profile": os.environ.get("AWS_PROFILE") or "default",
        "base_job_name": script_base_name(config),
        "backend": "aws",
    }
    config.places = places
    config.settings_from(lambda: _settings(places, groups, arguments, set(given), builtin))
    if places.empty:
        return {
            row.name: arguments[row.name]
            if row.name in given and arguments[row.name] is not None
            else builtin[row.name]
            for _title, _description, rows in groups
            for row in rows
        }
    settings = config.settings
    config.env, config.tags = settings["env"].value, settings["tags"].value
    return {name: setting.value for name, setting in settings.items()}


def _settings(places: "Places", groups: "Iterable", arguments: "Dict", given: set, builtin: "Dict"):
    from ..configuration.layers import resolve

    keys = setting_keys(groups)
    return keys, resolve(places, keys, arguments, given, builtin)


COMMAND_DEFAULTS = {"backend": "aws", "profile": None, "region": None, "bucket": None,
                    "prefix": c.DEFAULT_PREFIX}  # fmt: skip


def command_defaults(kind_name: str, groups: "Iterable", folder: str) -> "Dict[str, Any]":
    """Backend, profile, region, bucket and prefix for a command about jobs of a kind
    (`aws-sagemaker-remote KIND ...`, which runs no script; `groups`: the kind's flags): the
    environment, the project file of `folder`, the user file, else aws, the session's profile
    and region, the default bucket and prefix. Every setting is checked as a script would."""
    _keys, settings = _settings(Places(kind_name, folder), groups, {}, set(), {})
    return {
        name: default if settings[name].value is None else settings[name].value
        for name, default in COMMAND_DEFAULTS.items()
    }


def script_base_name(config: "ScriptConfig") -> str:
    """The default base job name: the script's file name without `.py`, made a valid start of
    a job name (the kind's default name when nothing of it is left)."""
    stem = os.path.basename(config.script or "")
    if stem.endswith(".py"):
        stem = stem[:-3]
    return c.sanitize_base(stem, "") or config.kind.defaults.base_job_name


def add_all_flags(
    parser: "argparse.ArgumentParser",
    config: "ScriptConfig",
    groups: "Iterable",
    values: "Dict",
    given: "FrozenSet[str]",
    item_adders: "Iterable",
    read: bool = True,
) -> None:
    """A kind's --sagemaker-* groups, then its item groups: each of `item_adders` is called
    with (adder, parser, config). The flags added are recorded as the library's own. A wrong
    configuration file or variable ends the program as a usage error does (one line, exit 2);
    `read=False` reads neither (the documentation's parsers)."""
    config.parser = parser
    try:
        defaults = flag_defaults(values, config, given, groups, read)
    except UsageError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    add = FlagAdder(config.own_actions)
    if getattr(parser, "defer_own_flags", False) and values["argparse_callback"] is None:
        config.deferred = functools.partial(deferred_values, groups, defaults)
    else:
        add_sagemaker_flags(add, parser, groups, defaults)
    for adder in item_adders:
        adder(add, parser, config)
    add_user_arguments(parser, values["additional_arguments"], values["argparse_callback"])


OWN_PREFIX = "--sagemaker-"


def deferred_values(groups: "Iterable", defaults: "Dict") -> "Optional[Dict[str, Any]]":
    """dest -> value of each --sagemaker-* flag of `groups` a parser left out (the usual local
    run: see entry.parse_and_handle), in the parser's order: its default, text going through the
    flag's type as argparse does. None when a conversion fails: the whole parser reports it, as
    it would."""
    found = {}
    for _title, _description, rows in groups:
        for row in rows:
            try:
                default, convert = _default_and_type(row, defaults[row.name])
                if convert is not None and isinstance(default, str):
                    default = convert(default)
            except (argparse.ArgumentTypeError, TypeError, ValueError):
                return None
            found["sagemaker_" + row.name] = default
    return found


def names_no_own_flag(argv: "Iterable[str]") -> bool:
    """Whether no token of `argv` may be a --sagemaker-* flag, or an abbreviation of one (as
    argparse takes `--sagemaker-ru` for `--sagemaker-run`), or ask for help: then a parser
    without those flags parses `argv` as the whole parser would."""
    for token in argv:
        if token == "--":
            return True  # what follows is positional for every parser
        if not token.startswith("-") or token == "-":
            continue
        if not token.startswith("--"):
            if "h" in token:  # -h, or a cluster of short flags holding it
                return False
            continue
        option = token.partition("=")[0]
        if option.startswith(OWN_PREFIX) or OWN_PREFIX.startswith(option):
            return False
        if "--help".startswith(option):
            return False
    return True


def add_sagemaker_flags(
    add: "FlagAdder", parser: "argparse.ArgumentParser", groups: "Iterable", values: "Dict"
) -> None:
    """Every --sagemaker-* flag of `groups` ((title, description, rows) each); `values` maps
    each row's name to its default."""
    for title, description, rows in groups:
        group = parser.add_argument_group(title, description)
        for row in rows:
            _add(add, group, row, values[row.name])


def _default_and_type(row: "Row", value: "Any") -> tuple:
    """The default and the type a row's flag is added with (`_add`)."""
    kind = row.kind
    if kind == YES_NO:
        return parse_yes_no(value), parse_yes_no
    if isinstance(kind, tuple):
        return value, choice_of(kind)
    if kind == PAIRS:
        return {}, key_value_list
    if kind == IDS:
        return list(value or []), comma_list
    return value, VALUE_TYPES[kind]


def _add(add: "FlagAdder", group, row: "Row", value: "Any"):
    name, kind, metavar, help_text, aliases = row
    if kind == YES_NO:
        return add.yes_no(group, name, value, help_text, aliases=aliases)
    if isinstance(kind, tuple):
        return add.choice(group, name, value, kind, help_text, prefix="sagemaker_")
    default, kind_type = _default_and_type(row, value)
    if kind == PAIRS:
        help_text = _merged(help_text, value)
    return add.flag(
        group, name, default, help_text, type=kind_type, metavar=metavar, aliases=aliases
    )


def _merged(what: str, from_code: "Dict[str, str]") -> str:
    """--sagemaker-env/--sagemaker-tags add to what the script and the configuration set: show
    that, not a default."""
    text = f"{what}, comma-separated (a backslash before a comma keeps it in the value)"
    if not from_code:
        return text
    shown = ",".join(f"{k}={v}" for k, v in from_code.items()).replace("%", "%%")
    return f"{text}; added to the script's and the configuration's: {shown}"


def add_inputs(add: "FlagAdder", parser, config: "ScriptConfig", *, modes: "Sequence[str]") -> None:
    if not config.inputs:
        return
    group = parser.add_argument_group("Inputs", "What the script reads.")
    for name, arg in config.inputs.items():
        flag = flag_of(name)
        what = (
            f"what main reads as args.{name}: a local path, an s3:// URI, or an earlier job's "
            "output as job:NAME/OUTPUT"
        )
        add.flag(group, name, arg.local or "", what, prefix="", metavar="PATH")
        mode, dist = arg.mode or "File", arg.distribution or "FullyReplicated"
        add.choice(group, f"{name}_mode", mode, modes, f"how a job reads {flag}")
        what = f"with several instances: each reads all of {flag}, or a share of its objects"
        add.choice(group, f"{name}_distribution", dist, c.DISTRIBUTIONS, what)


def add_modules(add: "FlagAdder", parser, config: "ScriptConfig") -> None:
    if not config.dependencies:
        return
    group = parser.add_argument_group("Modules", "Local code shipped with a job, on PYTHONPATH.")
    for name, path in config.dependencies.items():
        what = "a package folder or a .py file that main imports (a job gets it on PYTHONPATH)"
        add.flag(group, name, path, what, prefix="", metavar="PATH")
