"""Host operations that only read: a sysctl, a dump, one link, a route lookup
(re-exported by :mod:`netsim.host.ops`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from netsim.host.base import INIT_NET

__all__ = ["DUMPS", "Dump", "LinkGet", "RouteGet", "SysctlGet"]

#: What :class:`Dump` can list, each in the shape of iproute2's JSON output.
DUMPS: Final = ("link", "addr", "route", "rule", "neigh", "fdb", "brlink", "qdisc", "filter")


@dataclass(frozen=True, slots=True, kw_only=True)
class SysctlGet:
    """``sysctl -n KEY``: the result is the value as a string."""

    netns: str = INIT_NET
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Dump:
    """``ip -j link|addr|route table all|rule|neigh``, ``bridge -j fdb|link``,
    ``tc -j -s -d -r qdisc show`` (``qdisc``), and for ``filter`` ``tc -j filter
    show dev DEV parent ffff:`` of every device with an ingress qdisc, each
    record led by ``"dev": DEV``: the result is the list of records the tools
    print.  ``dev`` narrows an ``addr`` dump to one device (``ip -j addr show dev
    X``; netlink's ``AddrList(link)``): no record when there is no such device.
    One link is :class:`LinkGet`."""

    netns: str = INIT_NET
    what: str
    dev: str | None = None

    def __post_init__(self) -> None:
        if self.what not in DUMPS:
            raise ValueError(f"Dump.what must be one of {', '.join(DUMPS)}, not {self.what!r}")
        if self.dev is not None and self.what != "addr":
            raise ValueError("Dump.dev narrows only an addr dump (one link is LinkGet)")


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkGet:
    """``ip -j -d link show dev IFNAME``: a list of the one device's record, by
    ``RTM_GETLINK`` (netlink's ``LinkByName``), or :class:`~netsim.errors.NoSuchDevice`.  Unlike a
    dump, the kernel first runs the link watcher's pending event for that device
    (``rtnl_getlink()`` -> ``linkwatch_sync_dev()``), so its operstate is current."""

    netns: str = INIT_NET
    ifname: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteGet:
    """``ip -j route get DST`` (``RTM_GETROUTE``, netlink's ``RouteGet``): the result
    is the list of records it prints (one); no route is the kernel's error
    (``ENETUNREACH``)."""

    netns: str = INIT_NET
    dst: str
