"""A kind's life in the runner: the one interface (`Life`) between the job every kind runs the
same way (job.py: instances, channel downloads, interpreter, workers, supervision, spot
restarts) and what a kind does of its own (runner/<kind>: its instance files, its uploads, its
statuses, its end), with the outcome and the stop it reports on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Protocol, Tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .instance import Instance
    from .job import Supervisor


@dataclass
class Outcome:
    status: str
    failure_reason: Optional[str] = None
    exit_message: Optional[str] = None
    secondary: Optional[str] = None  # the last SecondaryStatus, when not `status`


@dataclass(frozen=True)
class Stop:
    """Why the supervisor ended the instances: `code` is the job's last secondary status."""

    code: str  # Stopped | MaxRuntimeExceeded | MaxWaitTimeExceeded
    text: str


class Life(Protocol):
    """What the runner asks of a kind, in the order it asks. runner/<kind> makes one with its
    `life(job)`."""

    noun: str  # what the kind calls an input channel, in reasons

    def needs_s3(self) -> bool:
        """Whether the job talks to S3 at all (its channels, outputs or archives)."""

    def started(self) -> None:
        """The job's start, in its status."""

    def prepare(self, instance: Instance) -> None:
        """The instance's container tree and config files, before anything is downloaded."""

    def downloading(self) -> None:
        """The channels are being downloaded (an attempt of the run begins)."""

    def running(self) -> None:
        """The instances run the container."""

    def restore(self) -> None:
        """What goes into the instances once the channels are in (checkpoints)."""

    def environment(self) -> Dict[str, str]:
        """Variables the platform sets in the container beyond the request's Environment."""

    def grace(self) -> float:
        """Seconds between SIGTERM and SIGKILL when the job is stopped."""

    def deadlines(self) -> List[Tuple[float, Stop]]:
        """(monotonic time, stop) of each limit of the run that is starting."""

    def interruption(self) -> bool:
        """Whether the instances are being taken back now (spot), consumed when read."""

    def interrupted(self) -> None:
        """The instances were taken back: sync what they saved, start again."""

    def stopping(self) -> None:
        """A stop or a limit is ending the instances."""

    def sync(self) -> None:
        """What the kind keeps in step while the instances run (each second)."""

    def failed_early(self, reason: str) -> Outcome:
        """The outcome of a job that failed before its instances ran."""

    def outcome(self, stop: Optional[Stop], supervisor: Optional[Supervisor]) -> Outcome:
        """The outcome once the instances ended: the kind's uploads, its reasons."""

    def finish(self, outcome: Outcome) -> None:
        """The final status."""


def runner_log(message: str) -> None:
    print(message, flush=True)
