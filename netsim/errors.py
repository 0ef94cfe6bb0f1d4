"""Errors that carry the kernel's errno and the line iproute2 prints for it.

The kernel answers a bad request with an errno and, often, an extended ack
message (``NL_SET_ERR_MSG``).  iproute2 prints ``Error: <extack>.`` when there
is one and ``RTNETLINK answers: <strerror>`` when there is not; a few errors
are found by iproute2 itself before anything reaches the kernel (``Cannot find
device "x"``).  :class:`KernelError` keeps all three so that every front-end
can show exactly what the real tools show.
"""

from __future__ import annotations

import errno as _errno
import os

__all__ = [
    "CommandFailed",
    "KernelError",
    "NetsimError",
    "NoSuchDevice",
    "NoSuchNetns",
]


class NetsimError(Exception):
    """Base of every error netsim raises on purpose."""


class CommandFailed(NetsimError):
    """A program a Host ran (:class:`~netsim.host.ops.Iptables`) exited non-zero."""

    def __init__(self, argv: tuple[str, ...], status: int, stderr: str):
        self.argv, self.status, self.stderr = argv, status, stderr
        super().__init__(f"{' '.join(argv)}: exit status {status}: {stderr}")


class KernelError(NetsimError):
    """A request the kernel model refused, with its errno and iproute2's words."""

    def __init__(self, errno: int, extack: str | None = None, *, message: str | None = None):
        self.errno = errno
        self.extack = extack
        if message is None:
            if extack is not None:
                message = f"Error: {extack}."
            else:
                message = f"RTNETLINK answers: {os.strerror(errno)}"
        self.message = message
        super().__init__(message)

    @property
    def name(self) -> str:
        """The errno's symbolic name, e.g. ``EEXIST``."""
        return _errno.errorcode.get(self.errno, str(self.errno))


class NoSuchDevice(KernelError):
    """No device of that name in the namespace (``ENODEV``)."""

    def __init__(self, ifname: str):
        self.ifname = ifname
        super().__init__(_errno.ENODEV, message=f'Cannot find device "{ifname}"')


class NoSuchNetns(KernelError):
    """No namespace of that name (what ``ip netns`` prints for it)."""

    def __init__(self, name: str):
        self.netns = name
        super().__init__(
            _errno.ENOENT,
            message=f'Cannot open network namespace "{name}": No such file or directory',
        )
