"""The contract between a job's request and the bootstrap, owned here: every environment
variable the plan writes (pipeline/parts.py, the kinds' pipeline modules) and the bootstrap,
the emulator and `rerun NAME -- ARGS` read, and every key of the job file.

Standard library only and Python 3.7 syntax: the bootstrap imports it inside the job's image.
docs/architecture.md ("Request -> container") gives each one's meaning.
"""

PREFIX = "AWS_SAGEMAKER_REMOTE_"

# What the plan puts in the request's Environment (all but SCRIPT and PYTHON optional).
SCRIPT = PREFIX + "SCRIPT"  # container path of the user's script
PYTHON = PREFIX + "PYTHON"  # the interpreter command (shlex-split)
PYTHONPATH = PREFIX + "PYTHONPATH"  # ":"-joined folders put before PYTHONPATH
REQUIREMENTS = PREFIX + "REQUIREMENTS"  # container path of the requirements file
CONFIGURATION_SCRIPT = PREFIX + "CONFIGURATION_SCRIPT"  # container path of the bash file
CONFIGURATION_COMMAND = PREFIX + "CONFIGURATION_COMMAND"  # the bash command
JOB_FILE = PREFIX + "JOB_FILE"  # container path of the job file
USER_ARGC = PREFIX + "USER_ARGC"  # how many leading argv items are the user's own
PLACE = PREFIX + "PLACE"  # ":"-joined folders of ManifestFile channels, placed first
PLAN_VARIABLES = (
    SCRIPT,
    PYTHON,
    PYTHONPATH,
    REQUIREMENTS,
    CONFIGURATION_SCRIPT,
    CONFIGURATION_COMMAND,
    JOB_FILE,
    USER_ARGC,
    PLACE,
)
# What a kind's pipeline module may add: the job's kind (its name), and for a training job whose
# script's options travel as HyperParameters, the script's flags they may set (present: the argv
# starts with them): a JSON object {key: arity}, the key a long option without its "--", the
# arity "0" (no value), "1" (one value) or "?" (an optional value); container/hyperparameters.py.
KIND = PREFIX + "KIND"
HYPERPARAMETER_FLAGS = PREFIX + "HYPERPARAMETER_FLAGS"
KIND_VARIABLES = (KIND, HYPERPARAMETER_FLAGS)
# What earlier versions wrote instead ("hyperparameters", with "--flag" keys); a rerun drops it.
EARLIER_ARGV_SOURCE = PREFIX + "ARGV_SOURCE"
# Emulator only: FROM=TO, the prefix of every container path the bootstrap reads.
PATH_MAP = PREFIX + "PATH_MAP"

# The job file: what does not fit the request's limits. Each key present overrides what the
# request says (ContainerArguments, PYTHONPATH, CONFIGURATION_COMMAND).
JOB_FILE_NAME = "job.json"
JOB_ARGV = "argv"
JOB_PYTHONPATH = "pythonpath"
JOB_CONFIGURATION_COMMAND = "configuration_command"
JOB_PLACE = "place"
