"""Sysctl key names as ``sysctl`` reads them, and the error it prints."""

from __future__ import annotations

import re
from typing import Final

from netsim.errors import NetsimError

__all__ = ["SysctlError", "split_key"]

_PROC: Final = "/proc/sys/"


class SysctlError(NetsimError):
    """A read or write ``sysctl`` refuses; ``message`` is the line it prints.

    ``errno`` is what the kernel returned (``EACCES`` for a read-only file,
    for which procps still prints "Invalid argument").
    """

    def __init__(self, message: str, *, key: str, errno: int):
        self.message = message
        self.key = key
        self.errno = errno
        super().__init__(message)


def split_key(key: str) -> tuple[str, ...]:
    """``net.ipv4.conf.eth0/100.rp_filter``, ``net/ipv4/...`` or ``/proc/sys/net/...`` -> parts.

    As ``sysctl`` reads a name: when the first separator is ``.``, dots
    separate and ``/`` stands for a dot inside a part (``eth0/100`` is device
    ``eth0.100``); when it is ``/``, slashes separate.
    """
    if key.startswith(_PROC):
        parts = key[len(_PROC) :].split("/")
    else:
        first = re.search(r"[./]", key)
        if first is not None and first.group() == "/":
            parts = key.split("/")
        else:
            parts = [p.replace("/", ".") for p in key.split(".")]
    return tuple(p for p in parts if p)


def _dotted(parts: tuple[str, ...]) -> str:
    joined = ".".join(parts)
    if joined.count(".") == len(parts) - 1:
        return joined
    return ".".join(p.replace(".", "/") for p in parts)
