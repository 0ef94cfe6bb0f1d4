"""Network namespace paths as plugins see them: ``ns.GetNS`` / ``ns.WithNetNSPath``
of containernetworking/plugins v1.1.1 (``pkg/ns/ns_linux.go``).

A runtime passes ``CNI_NETNS`` as a path; ``ip netns add NAME`` makes
``/run/netns/NAME`` (``/var/run`` is a link to ``/run``), so both spellings
name the Host namespace ``NAME``.  Any other path (``/proc/PID/ns/net``) is
not modelled: it reads as missing, or, where the node's filesystem has a file
there, as a file that is no namespace (``unknown FS magic``)."""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.driver import Context, PluginGen
from netsim.cni.errors import CniError
from netsim.errors import NetsimError
from netsim.host.ops import Dump

__all__ = ["NETNS_DIRS", "NSPathNotExist", "get_ns", "netns_name", "open_netns"]

#: Where ``ip netns`` keeps its bind mounts.
NETNS_DIRS: Final = ("/var/run/netns/", "/run/netns/")
#: ``TMPFS_MAGIC``: what ``statfs`` finds on a plain file under ``/run``.
TMPFS_MAGIC: Final = 0x1021994
#: Directories on ``/run``'s tmpfs that a ``CNI_NETNS`` may name by mistake
#: (``/var/run/netns/`` with an empty name): they exist, and are no namespace.
TMPFS_DIRS: Final = frozenset({"/run", "/var/run", "/run/netns", "/var/run/netns"})


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


def open_netns(ctx: Context, path: str) -> PluginGen[tuple[str, list[dict[str, Any]]]]:
    """``ns.GetNS(path)``: the namespace's name and its links (``ip -j -d link``).

    :raises NSPathNotExist: ``failed to Statfs "P": no such file or directory``.
    :raises CniError: ``unknown FS magic on "P": 1021994`` for a file that is no
        namespace."""
    name = netns_name(path)
    if name is not None:
        try:
            links = yield Dump(netns=name, what="link")
        except NetsimError:
            pass
        else:
            return name, list(links or [])
    if ctx.exists(path) or path.rstrip("/") in TMPFS_DIRS:
        raise CniError(f'unknown FS magic on "{path}": {TMPFS_MAGIC:x}')
    raise NSPathNotExist(f'failed to Statfs "{path}": no such file or directory')


def get_ns(ctx: Context, path: str) -> PluginGen[str]:
    """``ns.GetNS(path)``: the namespace's name (see :func:`open_netns`)."""
    name, _ = yield from open_netns(ctx, path)
    return name
