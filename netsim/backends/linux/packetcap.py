"""Packet capture in the sandbox's namespaces, as ``tcpdump -i any`` sees them:
one ``AF_PACKET`` socket (``ETH_P_ALL``) per network namespace, with kernel
timestamps in nanoseconds (``SO_TIMESTAMPNS``).

tcpdump itself cannot run here: started as root it drops to its own user,
which a user namespace with only root mapped refuses.  A packet socket made
in a namespace keeps capturing there, so the agent makes each one on a short
thread that enters the namespace (``setns(CLONE_NEWNET)`` acts on the calling
thread only) and goes on serving in its own.  Frames wait in the sockets'
receive buffers until :meth:`Capture.stop` reads them.
"""

from __future__ import annotations

import base64
import ctypes
import errno
import os
import socket
import struct
import threading
from typing import Any, Final

__all__ = ["PACKET_OUTGOING", "Capture"]

ETH_P_ALL: Final = 0x0003
CLONE_NEWNET: Final = 0x40000000
SO_TIMESTAMPNS: Final = 35  # == SCM_TIMESTAMPNS
#: ``sll_pkttype`` of a frame the namespace sent (the others arrived).
PACKET_OUTGOING: Final = 4
_RCVBUF: Final = 4 << 20
_TIMESPEC: Final = struct.Struct("@qq")


def _socket_in(netns: str) -> socket.socket:
    """A packet socket made inside ``/run/netns/NETNS``."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns {netns}: {os.strerror(err)}")
            finally:
                os.close(fd)
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
            s.setblocking(False)
            box["sock"] = s
        except OSError as e:
            box["error"] = e

    t = threading.Thread(target=work, name=f"capture-{netns}")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    sock: socket.socket = box["sock"]
    return sock


class Capture:
    """The agent's captures: at most one set of namespaces at a time."""

    def __init__(self) -> None:
        self.socks: dict[str, socket.socket] = {}

    def start(self, namespaces: list[str]) -> None:
        """Capture every frame of every device in ``namespaces`` from now on."""
        self.close()
        for ns in namespaces:
            self.socks[ns] = _socket_in(ns)

    def stop(self) -> list[list[Any]]:
        """What was captured since :meth:`start`: ``[netns, ifname, pkttype,
        ns since the epoch, base64 frame]`` per frame, in each namespace's
        order, the namespaces in the order given."""
        out: list[list[Any]] = []
        for ns, sock in self.socks.items():
            while True:
                try:
                    data, anc, _flags, addr = sock.recvmsg(65535, socket.CMSG_SPACE(16))
                except BlockingIOError:
                    break
                except OSError as e:  # a device went away mid-read: what it had is lost
                    if e.errno == errno.ENETDOWN:
                        continue
                    raise
                stamp = 0
                for level, kind, raw in anc:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = _TIMESPEC.unpack(raw[: _TIMESPEC.size])
                        stamp = sec * 1_000_000_000 + nsec
                out.append([ns, addr[0], addr[2], stamp, base64.b64encode(data).decode()])
        self.close()
        return out

    def close(self) -> None:
        for sock in self.socks.values():
            sock.close()
        self.socks = {}
