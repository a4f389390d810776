"""`python -m aws_sagemaker_remote.backends.local.runner JOB_DIR`: run one emulated job."""

import sys

from .job import main

sys.exit(main())
