"""What the caller's side of the emulator hands the detached runner: the module it starts and
the variables it reads besides the job folder (the caller's profile)."""

RUNNER_MODULE = "aws_sagemaker_remote.backends.local.runner"  # python -m RUNNER_MODULE JOB_DIR
RUNNER_PROFILE_VAR = "AWS_SAGEMAKER_REMOTE_RUNNER_PROFILE"  # the caller's --sagemaker-profile
