"""The processing flags, group by group, as --help lists them (the rows shared with other job
kinds are in flags/groups.py); the default is the keyword of the same name of
`sagemaker_processing_args`."""

from __future__ import annotations

from ..flags import flag_of
from ..flags import groups as g
from ..flags.builder import FlagAdder
from ..kinds.processing import OUTPUT_MODES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config import ProcessingConfig

GROUPS = (
    g.run_group(
        g.Row(
            "run", g.YES_NO, None, "run as a SageMaker processing job instead of calling main here"
        ),
        g.Row("download", g.YES_NO, None, "after success, download each output to its local path"),
    ),
    g.account_group(g.ROLE),
    g.job_group(
        g.IMAGE,
        g.INSTANCE,
        g.RUNTIME,
    ),
    g.container_group(
        g.Row("input_mount", g.TEXT, "DIR", "folder of the inputs"),
        g.Row("output_mount", g.TEXT, "DIR", "folder of the outputs"),
        g.Row("module_mount", g.TEXT, "DIR", "folder of the modules"),
    ),
    g.NETWORK_GROUP,
)


def add_outputs(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.outputs:
        return
    group = parser.add_argument_group("Outputs", "Folders the script writes.")
    for name, arg in config.outputs.items():
        flag = flag_of(name)
        what = f"the local folder main writes as args.{name}"
        add.flag(group, name, arg.local or "", what, prefix="", metavar="DIR")
        what = f"where a job uploads {flag}: an s3:// URI, or default (a place named after the job)"
        add.flag(group, f"{name}_s3", arg.remote, what, prefix="", metavar="URI")
        what = f"when a job uploads {flag}: at its end, or continuously while it runs"
        add.choice(group, f"{name}_mode", arg.mode or "EndOfJob", OUTPUT_MODES, what)
