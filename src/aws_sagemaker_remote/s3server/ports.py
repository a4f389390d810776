"""Free, distinct loopback ports for weed (its gRPC ports are the HTTP ports + 10000)."""

from __future__ import annotations

import os
import secrets
import socket
from typing import Optional

from .settings import GRPC_OFFSET, PORT_HIGH, PORT_LOW, PORT_NAMES


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # as Go's listeners do: a port in TIME_WAIT is usable
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ports_usable(ports: list[int]) -> bool:
    wanted = ports + [p + GRPC_OFFSET for p in ports]
    if len(set(wanted)) != len(wanted) or max(wanted) >= 55536:
        return False
    return all(port_free(p) for p in wanted)


def pick_ports(s3_port: Optional[int] = None) -> dict[str, int]:
    """Free, distinct ports for s3/master/volume/filer whose gRPC ports (+10000) are free too."""
    rng = secrets.SystemRandom()
    for _ in range(500):
        ports = [s3_port or rng.randrange(PORT_LOW, PORT_HIGH)]
        ports += [rng.randrange(PORT_LOW, PORT_HIGH) for _ in PORT_NAMES[1:]]
        if ports_usable(ports):
            return dict(zip(PORT_NAMES, ports))
        if s3_port and not ports_usable([s3_port]):
            raise RuntimeError(
                f"port {s3_port} (or its gRPC port {s3_port + GRPC_OFFSET}) is not free"
            )
    raise RuntimeError("could not find free ports for SeaweedFS")
