"""How submits and prunes of one store know about each other (docs/staging.md, "Leases").

A submit writes a lease (`leases/<id>.json`) before it looks at what the store holds, names in
it every version it relies on, and renews it while it works. A prune writes a marker
(`prunes/<id>.json`) before it lists anything, renews it while it works, and marks it done at the
end. Each then reads the other's objects:

- a submit passes the *gate* only when no live prune marker exists (it waits, then fails
  loudly); a prune that starts later finds the submit's lease and keeps what it names;
- before it commits (writes a record, creates the job) a submit checks that its lease never
  lapsed: a process paused for longer than the lease lasts may have been taken for dead by a
  prune, so then any prune that ran meanwhile makes it fail loudly.

Times are S3's: a lease's age is the `Date` of a listing minus its `LastModified`, a holder's own
continuity the `Date`s of its successive renewals. No local clock is compared with another.
On the same host a holder's process is also checked directly (pid and start time): a killed
submit or prune is seen as gone at once instead of once its lease has expired.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional

from ..errors import TransferError
from .ops import s3_time
from .store import PRUNES, Store
from .uri import shown

LEASE_ENV = "AWS_SAGEMAKER_REMOTE_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 600
DONE_KEEP = timedelta(days=1)  # a finished prune's marker stays this long (lapse checks read it)
SKEW = timedelta(seconds=2)  # S3 times have 1 s resolution


def lease_seconds() -> float:
    """How long a lease or marker lives without being renewed (renewed every tenth of it)."""
    try:
        return max(float(os.environ.get(LEASE_ENV, DEFAULT_LEASE_SECONDS)), 1.0)
    except ValueError:
        return float(DEFAULT_LEASE_SECONDS)


def host_id() -> str:
    """This machine, as a lease names it (the boot id tells apart containers sharing a name)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot = handle.read().strip()
    except OSError:
        boot = ""
    return f"{socket.gethostname()}/{boot}"


def _process_started() -> Optional[int]:
    from ..procs import start_time

    return start_time(os.getpid())


@dataclass
class Holder:
    """A lease or marker as others read it."""

    key: str
    modified: datetime
    content: Dict[str, Any] = field(default_factory=dict)

    @property
    def since(self) -> Optional[datetime]:
        return s3_time(str(self.content.get("since", "")))

    def alive(self, now: datetime) -> bool:
        """Renewed recently enough, not done, and (on this host) its process still running."""
        if self.content.get("state") == "done":
            return False
        if now - self.modified >= timedelta(seconds=lease_seconds()):
            return False
        if self.content.get("host") == host_id() and isinstance(self.content.get("pid"), int):
            from ..procs import same_process

            return same_process(self.content["pid"], self.content.get("started"))
        return True

    def describe(self) -> str:
        who = f"pid {self.content.get('pid')} on {self.content.get('hostname', '?')}"
        since = self.since
        when = since.strftime("%Y-%m-%d %H:%M:%S UTC") if since else "?"
        return f"{who}, since {when}"


def read_holders(s3: Any, store: Store, folder: str) -> tuple:
    """(every lease or marker under `folder`, S3's time now) - one listing, one GET each."""
    holders: List[Holder] = []
    now = None
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(**store.kw, Prefix=f"{store.base}{folder}"):
        now = now or s3_time(page["ResponseMetadata"]["HTTPHeaders"].get("date", ""))
        for item in page.get("Contents", ()):
            holders.append(Holder(item["Key"], item["LastModified"]))
    for holder in holders:
        try:
            body = s3.get_object(**store.kw, Key=holder.key)["Body"].read()
            holder.content = json.loads(body.decode("utf-8"))
        except Exception:  # noqa: BLE001 - gone meanwhile, or not ours: an empty holder
            holder.content = {}
    return holders, now or datetime.now(timezone.utc)


class Heartbeat:
    """An object of ours in the store, renewed from a thread while we work. `continuous()`
    says whether every renewal came in time (in S3's clock) since the first one."""

    def __init__(self, s3: Any, store: Store, key: str, content: Dict[str, Any]):
        self.s3 = s3
        self.store = store
        self.key = key
        self.content = dict(content)
        self.content.update(
            id=key.rsplit("/", 1)[-1].rsplit(".", 1)[0],
            host=host_id(),
            hostname=socket.gethostname(),
            pid=os.getpid(),
            started=_process_started(),
        )
        self.first: Optional[datetime] = None
        self.last: Optional[datetime] = None
        self.lapsed_at: Optional[datetime] = None  # when it may have been taken for dead
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def start(self) -> Heartbeat:
        self.put()
        self.content["since"] = self.first.isoformat()
        self.put()
        self.thread = threading.Thread(target=self._renew_loop, daemon=True)
        self.thread.start()
        return self

    def put(self) -> None:
        body = json.dumps(self.content, sort_keys=True).encode()
        response = self.s3.put_object(**self.store.kw, Key=self.key, Body=body)
        now = s3_time(response["ResponseMetadata"]["HTTPHeaders"].get("date", ""))
        now = now or datetime.now(timezone.utc)
        with self.lock:
            life = lease_seconds()
            limit = timedelta(seconds=life) - min(SKEW, timedelta(seconds=life / 4))
            if self.last is not None and now - self.last >= limit and self.lapsed_at is None:
                self.lapsed_at = self.last + limit
            self.first = self.first or now
            self.last = now

    def update(self, **content: Any) -> None:
        with self.lock:
            self.content.update(content)
        self.put()

    def _renew_loop(self) -> None:
        while not self.stopped.wait(lease_seconds() / 10):
            try:
                self.put()
            except Exception:  # noqa: BLE001 - a missed renewal shows as a lapse later
                continue

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def delete(self) -> None:
        self.stop()
        with contextlib.suppress(Exception):  # it expires anyway
            self.s3.delete_object(**self.store.kw, Key=self.key)


class Lease:
    """A submit's lease on a store: what it relies on, kept alive while it stages."""

    def __init__(self, s3: Any, store: Store, versions: List[str], say: Callable[[str], None]):
        self.store = store
        self.s3 = s3
        self.say = say
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        self.beat = Heartbeat(s3, store, store.lease_key(name), {"versions": sorted(versions)})

    @property
    def since(self) -> datetime:
        return self.beat.first  # type: ignore[return-value]

    def start(self) -> Lease:
        self.beat.start()
        try:
            self.gate()
        except BaseException:
            self.beat.delete()
            raise
        return self

    def rely_on(self, versions: List[str]) -> None:
        """Add versions this submit reads from (earlier versions of its pieces), then pass the
        gate again: a prune that started before this update did not see them."""
        known = set(self.beat.content["versions"])
        if set(versions) <= known:
            return
        self.beat.update(versions=sorted(known | set(versions)))
        self.gate()

    def gate(self) -> None:
        """Wait while a prune of this store runs (up to a lease's life), then fail loudly."""
        deadline = time.monotonic() + lease_seconds()
        told = False
        while True:
            running = [h for h in self.prunes() if h.content.get("state") != "done"]
            if not running:
                return
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{self.store.root_uri}: a prune is running ({running[0].describe()}); "
                    "nothing was created; run again once it has finished"
                )
            if not told:
                self.say(
                    f"waiting for the prune of {shown(self.store.root_uri)} "
                    f"({running[0].describe()}) to finish"
                )
                told = True
            time.sleep(min(2.0, lease_seconds() / 10))

    def prunes(self, include_done: bool = False) -> List[Holder]:
        holders, now = read_holders(self.s3, self.store, PRUNES)
        if include_done:
            return holders
        return [h for h in holders if h.alive(now)]

    def check_continuity(self) -> None:
        """Before a commit: renew, and fail loudly if the lease lapsed while a prune ran."""
        self.beat.put()
        lapsed = self.beat.lapsed_at
        if lapsed is None:
            return
        now = self.beat.last
        if now - lapsed >= DONE_KEEP:
            raise StoreBusy(
                f"{self.store.root_uri}: this submit was paused for longer than a "
                "day; nothing was created; run again"
            )
        life = timedelta(seconds=lease_seconds())
        for holder in self.prunes(include_done=True):
            # a prune that never finished deleted nothing once its marker had expired
            ended = s3_time(str(holder.content.get("ended", ""))) or holder.modified + life
            started = holder.since
            if started is not None and started <= now and ended >= lapsed:
                raise StoreBusy(
                    f"{self.store.root_uri}: this submit was paused for longer than its lease "
                    f"lasts while a prune ran ({holder.describe()}); nothing was created; "
                    "run again"
                )

    def attach_job(self, kind: str, name: str) -> None:
        """The job now names what it reads: the lease only points at it from now on."""
        self.beat.stop()
        with contextlib.suppress(Exception):  # the lease expires; the job protects its inputs
            self.beat.update(job={"kind": kind, "name": name})

    def release(self) -> None:
        """No job was created: nothing needs this lease any more."""
        self.beat.delete()


class PruneMarker:
    """A prune's marker: written before it lists anything, renewed, marked done at the end."""

    def __init__(self, s3: Any, store: Store):
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        self.beat = Heartbeat(s3, store, store.prune_key(name), {"state": "running"})
        self.store = store
        self.s3 = s3

    def start(self) -> PruneMarker:
        self.beat.start()
        holders, now = read_holders(self.s3, self.store, PRUNES)
        others = [h for h in holders if h.key != self.beat.key and h.alive(now)]
        if others:
            self.beat.delete()
            raise StoreBusy(
                f"{self.store.root_uri}: another prune is running ({others[0].describe()}); "
                "nothing was removed"
            )
        return self

    def still_ours(self) -> None:
        """Before each deletion: renew; a prune paused past its marker's life stops here
        (submits took it for dead and went on)."""
        self.beat.put()
        if self.beat.lapsed_at is not None:
            raise StoreBusy(
                f"{self.store.root_uri}: this prune was paused for longer than its marker "
                "lasts; it stopped without removing more (run it again)"
            )

    def finish(self) -> None:
        """Done: `ended` is S3's time after the last deletion (a renewal made after it)."""
        self.beat.stop()
        self.beat.put()
        self.beat.update(state="done", ended=self.beat.last.isoformat())


class StoreBusy(TransferError):
    """A prune and a submit (or two prunes) met; the one that found out stopped loudly."""
