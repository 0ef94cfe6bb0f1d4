"""Routes users add, and output route resolution (``fib_semantics.c``, ``route.c``).

* A gateway must be reachable through a route of narrower scope than the new
  route's (a connected or ``dev`` route, or a local address), looked up once,
  without recursion: otherwise ``Nexthop has invalid gateway``; ``onlink``
  skips the check (``fib_check_nh_v4_gw``).
* A ``dev`` route needs its device up (``Device for nexthop is not up``); a
  ``src`` must be a local address (``Invalid prefsrc address``).
* The source of an output route is the route's ``src``, else the first
  primary address of the next hop's device in the gateway's subnet (or any
  primary of suitable scope), else one from another device
  (``inet_select_addr``).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netsim.addr import Prefix
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import (
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_TABLE_MAIN,
    RTN_BROADCAST,
    RTN_LOCAL,
    RTN_UNICAST,
    RTN_UNSPEC,
)
from netsim.kernel.ipv4.devinet import InDevice
from netsim.kernel.ipv4.fib import TYPE_ERRORS, FibLookupError, NextHop, Route
from netsim.kernel.ipv4.multipath import fib_select_path

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["OutputRoute", "inet_select_addr", "ip_route_output", "route_add", "route_del"]


@dataclass(frozen=True, slots=True)
class NexthopSpec:
    """What a user gives for one next hop: ``via GW dev DEV onlink weight W``."""

    gw: int = 0
    dev: Link | None = None
    onlink: bool = False
    weight: int = 1


def _is_local(ns: Netns, addr: int) -> bool:
    """``inet_addr_type() == RTN_LOCAL``."""
    return ns.ipv4.local_type(addr) == RTN_LOCAL


def _check_nh(ns: Netns, spec: NexthopSpec, table: int, scope: int) -> NextHop:
    """``fib_check_nh()``: validate one next hop and resolve its scope."""
    dev = spec.dev
    if not spec.gw:
        if dev is None:
            raise KernelError(errno.EINVAL, "Nexthop device required for onlink")
        if not dev.up:
            raise KernelError(errno.ENETDOWN, "Device for nexthop is not up")
        return NextHop(0, dev, spec.onlink, spec.weight, RT_SCOPE_HOST)
    if spec.onlink:
        if scope >= RT_SCOPE_LINK:
            raise KernelError(errno.EINVAL, "Nexthop has invalid scope")
        if dev is None:
            raise KernelError(errno.ENODEV, "Nexthop device required for onlink")
        if not dev.up:
            raise KernelError(errno.ENETDOWN, "Nexthop device is not up")
        if _addr_type_dev(ns, dev, spec.gw) != RTN_UNICAST:
            raise KernelError(errno.EINVAL, "Nexthop has invalid gateway")
        return NextHop(spec.gw, dev, True, spec.weight, RT_SCOPE_LINK)
    lookup_scope = max(scope + 1, RT_SCOPE_LINK)
    res: Route | None = None
    tbl = ns.ipv4.tables.get(table) if table != RT_TABLE_MAIN else None
    if tbl is not None:
        try:
            res = tbl.lookup(spec.gw, scope=lookup_scope, oif=dev)
        except FibLookupError:
            res = None
    if res is None:
        try:
            res = ns.ipv4.lookup(spec.gw, oif=dev, scope=lookup_scope, iif=ns.dev("lo"))
        except FibLookupError as e:  # fib_check_nh_v4_gw() passes fib_lookup()'s errno on
            raise KernelError(e.errno, "Nexthop has invalid gateway") from None
    if res.type not in (RTN_UNICAST, RTN_LOCAL):
        raise KernelError(errno.EINVAL, "Nexthop has invalid gateway")
    nh_dev = res.nh.dev if res.nh is not None else None
    if nh_dev is None:
        raise KernelError(errno.EINVAL, "No egress device for nexthop gateway")
    if not nh_dev.up:
        raise KernelError(errno.ENETDOWN)
    return NextHop(spec.gw, nh_dev, False, spec.weight, res.scope)


def _addr_type_dev(ns: Netns, dev: Link, addr: int) -> int:
    """``inet_addr_type_dev_table()``: how the local table classes ``addr``."""
    return ns.ipv4.local_type(addr) or RTN_UNICAST


def route_add(
    ns: Netns,
    dst: Prefix,
    *,
    table: int,
    rtype: int,
    protocol: int,
    scope: int,
    nexthops: Sequence[NexthopSpec] = (),
    priority: int = 0,
    prefsrc: int = 0,
    excl: bool = True,
    replace: bool = False,
    append: bool = False,
    create: bool = True,
) -> Route:
    """``fib_create_info()`` + ``fib_table_insert()`` for ``ip route add|replace|append``.

    The table exists from the start, even if the route is then refused
    (``inet_rtm_newroute`` calls ``fib_new_table`` first).
    """
    t = ns.ipv4.table(table, create=True)
    assert t is not None
    hops: list[NextHop] = []
    if rtype in TYPE_ERRORS:  # blackhole, unreachable, prohibit, throw: no next hop,
        if nexthops:  # and no prefsrc check either (fib_create_info's "goto link_it")
            raise KernelError(
                errno.EINVAL,
                "Gateway, device and multipath can not be specified for this route type",
            )
    else:
        if not nexthops:
            raise KernelError(errno.EINVAL, "Nexthop device required")
        if scope == RT_SCOPE_HOST:  # local routes: the device, as given
            hops = [NextHop(0, nexthops[0].dev, False, 1, RT_SCOPE_NOWHERE)]
        else:
            hops = [_check_nh(ns, s, table, scope) for s in nexthops]
        local_self = rtype == RTN_LOCAL and prefsrc == dst.network
        if prefsrc and not _is_local(ns, prefsrc) and not local_self:
            raise KernelError(errno.EINVAL, "Invalid prefsrc address")
    route = Route(dst, rtype, table, protocol, scope, priority, prefsrc, 0, hops)
    t.insert(route, excl=excl, replace=replace, append=append, create=create)
    return route


def route_del(
    ns: Netns,
    dst: Prefix,
    *,
    table: int,
    rtype: int = RTN_UNSPEC,
    protocol: int = 0,
    scope: int = RT_SCOPE_NOWHERE,
    priority: int | None = None,
    prefsrc: int = 0,
    gw: int = 0,
    dev: Link | None = None,
    nexthops: Sequence[NexthopSpec] = (),
) -> None:
    """``fib_table_delete()``: the first route matching every attribute given;
    ``nexthops`` (``ip route del P nexthop ...``) must match the route's hops
    one by one (``fib_nh_match()``: device and gateway where given)."""
    t = ns.ipv4.tables.get(table)
    if t is None:
        raise KernelError(errno.ESRCH, "FIB table does not exist")
    for r in t.aliases(dst):
        if priority is not None and r.priority != priority:
            continue
        if rtype and r.type != rtype:
            continue
        if scope not in (RT_SCOPE_NOWHERE, r.scope):
            continue
        if protocol and r.protocol != protocol:
            continue
        if prefsrc and r.prefsrc != prefsrc:
            continue
        nh = r.nh
        if gw and (nh is None or nh.gw != gw):
            continue
        if dev is not None and (nh is None or nh.dev is not dev):
            continue
        if nexthops and not (gw or dev) and not _nh_match(r, nexthops):
            continue
        t.remove(r)
        return
    raise KernelError(errno.ESRCH)


def _nh_match(route: Route, specs: Sequence[NexthopSpec]) -> bool:
    """``fib_nh_match()``'s multipath loop: one spec per hop of the route, in order."""
    if len(specs) < len(route.nexthops):
        return False
    for nh, spec in zip(route.nexthops, specs, strict=False):
        if spec.dev is not None and spec.dev is not nh.dev:
            return False
        if spec.gw and spec.gw != nh.gw:
            return False
    return True


# --- output routes ------------------------------------------------------------------------------


def inet_select_addr(ns: Netns, dev: Link | None, dst: int, scope: int) -> int:
    """``inet_select_addr()``: a primary address of ``dev`` for ``dst`` at ``scope``."""
    addr = 0
    in_dev: InDevice | None = dev.ip_ptr if dev is not None else None
    if in_dev is not None:
        for ifa in in_dev.ifa_list:
            if ifa.secondary or min(ifa.scope, RT_SCOPE_HOST) > scope:
                continue
            if not dst or ifa.in_subnet(dst):
                return ifa.local
            if not addr:
                addr = ifa.local
    if addr:
        return addr
    for other in ns:  # lo first, as in dev_base order
        other_in: InDevice | None = other.ip_ptr
        if other_in is None:
            continue
        for ifa in other_in.ifa_list:
            if ifa.secondary or ifa.scope in (RT_SCOPE_LINK, RT_SCOPE_HOST):
                continue
            if ifa.scope <= scope:
                return ifa.local
    return 0


@dataclass(frozen=True, slots=True)
class OutputRoute:
    """What ``ip_route_output_key()`` resolved: the route, the device, the source."""

    route: Route
    daddr: int
    saddr: int
    dev: Link
    gateway: int
    from_given: bool
    mark: int = 0


def ip_route_output(
    ns: Netns, daddr: int, *, saddr: int = 0, oif: Link | None = None, mark: int = 0
) -> OutputRoute:
    """``ip_route_output_key_hash_rcu()`` for unicast destinations.

    Raises :class:`KernelError` with the kernel's errno (``ENETUNREACH`` when
    nothing routes, the route type's errno for blackhole & co).
    """
    if saddr and not _is_local(ns, saddr):
        raise KernelError(errno.ENETUNREACH)
    if oif is not None and (not oif.up or oif.ip_ptr is None):
        raise KernelError(errno.ENETUNREACH)
    lo = ns.dev("lo")
    found = ns.ipv4.resolve(daddr, saddr, lo, oif, mark)
    if isinstance(found, int):
        if oif is None or found not in (errno.ENETUNREACH, errno.EAGAIN):
            raise KernelError(found)
        # "Apparently, routing tables are wrong.  Assume, that the destination is on link."
        src = saddr or inet_select_addr(ns, oif, 0, RT_SCOPE_LINK)
        onlink = Route(Prefix(daddr, 32), RTN_UNICAST, RT_TABLE_MAIN, 0, RT_SCOPE_LINK,
                       nexthops=[NextHop(0, oif)])  # fmt: skip
        return OutputRoute(onlink, daddr, src, oif, 0, bool(saddr), mark)
    route = found if oif is not None else fib_select_path(ns, found, saddr, daddr)
    nh = route.nh
    if route.type == RTN_LOCAL:
        src = saddr or route.prefsrc or daddr
        return OutputRoute(route, daddr, src, lo, 0, bool(saddr), mark)
    if nh is None or nh.dev is None:
        raise KernelError(errno.ENETUNREACH)
    # rt_set_nexthop(): a gateway only counts when it is on the link
    gateway = nh.gw if nh.scope == RT_SCOPE_LINK else 0
    if daddr == 0xFFFFFFFF:  # the limited broadcast goes out as a broadcast
        route = Route(route.dst, RTN_BROADCAST, route.table, route.protocol, route.scope,
                      route.priority, route.prefsrc, route.tos, route.nexthops)  # fmt: skip
        gateway = 0
    from_given = bool(saddr)
    if not saddr:
        if route.prefsrc:
            saddr = route.prefsrc
        elif route.type == RTN_BROADCAST:
            saddr = inet_select_addr(ns, nh.dev, 0, RT_SCOPE_LINK)
        else:
            saddr = inet_select_addr(ns, nh.dev, nh.gw, route.scope)
    return OutputRoute(route, daddr, saddr, nh.dev, gateway, from_given, mark)
