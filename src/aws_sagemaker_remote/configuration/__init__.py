"""Defaults of the --sagemaker-* settings from outside the script: the project file
(`[tool.aws-sagemaker-remote]` in the nearest pyproject.toml that has it), the user file
(`$XDG_CONFIG_HOME/aws-sagemaker-remote/config.toml`) and `AWS_SAGEMAKER_REMOTE_<KEY>`
variables. Precedence: flag > environment > the script's argument > project file > user file >
built-in default (`layers.py`; docs/configuration.md).

Standard library only, and nothing but `os` and `re` on the local path when no file holds a
table of ours: a file is parsed (tomllib) only when it may hold one (`files.py`).
"""

# Handoff of `aws-sagemaker-remote config show SCRIPT`: the file the script writes its settings
# to instead of running (show.py; read by entry/dispatch.py on every run, so kept here).
SHOW_ENV = "AWS_SAGEMAKER_REMOTE_SHOW_CONFIGURATION"
