"""The dockerless emulator of SageMaker jobs, split by the process each part runs in: the
caller's side (`caller/`: `LocalBackend`, request checks, the logs client) and the detached
runner's (`runner/`), over what both read and write in a job's folder (`store.py`,
`logfile.py`, `handoff.py`)."""

from .caller.backend import LocalBackend

__all__ = ["LocalBackend"]
