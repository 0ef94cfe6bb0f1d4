"""bash's network redirections: ``> /dev/udp/HOST/PORT`` (``lib/sh/netopen.c``:
``netopen()`` → ``getaddrinfo()``, ``socket(AF_INET, SOCK_DGRAM)``,
``connect()``), in the namespace the shell runs in.

``connect()`` picks the source address by the route (``ip_route_connect()``)
and an ephemeral port; what the command writes goes out as one datagram when
it ends (bash sends one per ``write()``: ``echo`` makes one), and the socket
is closed at once, as bash closes it after the command, so an ICMP error
coming back finds no socket.  Numeric IPv4 hosts and ports only (no DNS, no
``/etc/services``); ``/dev/tcp`` and IPv6 hosts are not modelled.
"""

from __future__ import annotations

import errno
import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TextIO

from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RTN_BROADCAST
from netsim.kernel.ipv4.route import ip_route_output
from netsim.shell.runtime import RedirError

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["NET_DIRS", "UdpSink", "is_net_path", "open_udp"]

NET_DIRS: Final = ("/dev/udp/", "/dev/tcp/")


def is_net_path(path: str) -> bool:
    """``/dev/udp/HOST/PORT`` or ``/dev/tcp/HOST/PORT`` (bash's ``netopen`` paths)."""
    if not path.startswith(NET_DIRS):
        return False
    return len(path.split("/")) == 5


def _ipv4(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return None
    return sum(int(p) << s for p, s in zip(parts, (24, 16, 8, 0), strict=True))


@dataclass
class UdpSink:
    """A connected UDP socket's send side: what the command wrote, sent at :meth:`flush`."""

    sh: Shell
    dst: int
    port: int
    src: int
    buf: io.StringIO

    def flush(self) -> None:
        data = self.buf.getvalue().encode()
        if not data:
            return
        sockets = self.sh.world.netns(self.sh.netns).inet.sockets
        sock = sockets.udp_socket(self.src, 0)
        try:
            sock.sendto(data, self.dst, self.port)
        except KernelError:
            pass  # a send error bash would report on the write; the route was checked already
        finally:
            sock.close()


def open_udp(sh: Shell, path: str, err: TextIO) -> UdpSink:
    """``netopen(path)``: resolve, route and "connect"; errors as bash prints them
    (``$0: connect: Network is unreachable``, then the redirection's own line)."""
    _, _, kind, host, service = path.split("/")
    if kind == "tcp":
        raise RedirError(f"{path}: netsim: /dev/tcp is not modelled yet")
    dst = _ipv4(host)
    if dst is None:
        why = "not modelled yet (IPv6)" if ":" in host else "Temporary failure in name resolution"
        err.write(f"{sh.argv0}: line {sh.line}: {host}: {why}\n")
        raise RedirError(f"{path}: {os.strerror(errno.EINVAL)}")
    if not service.isdigit():
        err.write(
            f"{sh.argv0}: line {sh.line}: {service}: Servname not supported for ai_socktype\n"
        )
        raise RedirError(f"{path}: {os.strerror(errno.EINVAL)}")
    ns = sh.world.netns(sh.netns)
    try:
        rt = ip_route_output(ns, dst)
        if rt.route.type == RTN_BROADCAST:  # no SO_BROADCAST on bash's socket
            raise KernelError(errno.EACCES)
    except KernelError as e:
        err.write(f"{sh.argv0}: connect: {os.strerror(e.errno)}\n")
        raise RedirError(f"{path}: {os.strerror(e.errno)}") from None
    return UdpSink(sh, dst, int(service) & 0xFFFF, rt.saddr, io.StringIO())
