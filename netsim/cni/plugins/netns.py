"""Network namespace paths as plugins see them: ``ns.GetNS`` / ``ns.WithNetNSPath``
of containernetworking/plugins v1.1.1 (``pkg/ns/ns_linux.go``).

A runtime passes ``CNI_NETNS`` as a path; ``ip netns add NAME`` makes
``/run/netns/NAME`` (``/var/run`` is a link to ``/run``), so both spellings
name the Host namespace ``NAME``.  Any other path (``/proc/PID/ns/net``) is
not modelled and reads as missing."""

from __future__ import annotations

import errno
from typing import Any, Final

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.errors import KernelError
from netsim.host.ops import Dump

__all__ = ["NETNS_DIRS", "NSPathNotExist", "netns_name", "open_netns"]

#: Where ``ip netns`` keeps its bind mounts.
NETNS_DIRS: Final = ("/var/run/netns/", "/run/netns/")


class NSPathNotExist(CniError):
    """``ns.NSPathNotExistErr``: ``failed to Statfs "P": no such file or
    directory``.  ``WithNetNSPath`` returns it as is (loopback); bridge and ptp
    prefix ``failed to open netns "P": ``; DEL treats it as success."""


def netns_name(path: str) -> str | None:
    """The namespace a ``CNI_NETNS`` path names, or None for a path outside ``/run/netns``."""
    for prefix in NETNS_DIRS:
        name = path.removeprefix(prefix)
        if name != path and name and "/" not in name:
            return name
    return None


def _missing(path: str) -> NSPathNotExist:
    return NSPathNotExist(f'failed to Statfs "{path}": no such file or directory')


def open_netns(path: str) -> PluginGen[tuple[str, list[dict[str, Any]]]]:
    """``ns.GetNS(path)``: the namespace's name and its links (``ip -j link``).

    :raises NSPathNotExist: ``failed to Statfs "P": no such file or directory``."""
    name = netns_name(path)
    if name is None:
        raise _missing(path)
    try:
        links = yield Dump(netns=name, what="link")
    except KernelError as e:
        if e.errno == errno.ENOENT:
            raise _missing(path) from None
        raise
    return name, list(links or [])
