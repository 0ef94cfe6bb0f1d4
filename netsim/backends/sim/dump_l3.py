"""IPv4 dumps of the model in the exact shape of iproute2's JSON output.

``addr_records`` is ``ip -j addr show``, ``route_records`` is ``ip -j route
show [table T|all]``, ``rule_records`` is ``ip -j rule show``, and
``route_get_record`` is one ``ip -j route get`` answer.  IPv6 is not modelled
yet: no ``inet6`` entries, no IPv6 routes.
"""

from __future__ import annotations

from typing import Any, Final

from netsim.addr import ip4_str
from netsim.kernel import Link, Netns
from netsim.kernel.ipv4.consts import (
    PROTO_NAMES,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_MAIN,
    RTN_BROADCAST,
    RTN_LOCAL,
    RTN_UNICAST,
    RTPROT_BOOT,
    SCOPE_NAMES,
    TYPE_NAMES,
    table_name,
)
from netsim.kernel.ipv4.devinet import InDevice
from netsim.kernel.ipv4.fib import NextHop, Route
from netsim.kernel.ipv4.route import OutputRoute
from netsim.kernel.ipv4.route_input import InputRoute
from netsim.kernel.ipv4.rules import ACTION_NAMES, FR_ACT_TO_TBL

from .dump import link_record

__all__ = [
    "addr_records",
    "neigh_records",
    "proxy_records",
    "route_get_record",
    "route_records",
    "rule_records",
]

INFINITY_LIFE_TIME: Final = 4294967295

Record = dict[str, Any]


def _addr_info(dev: Link) -> list[Record]:
    in_dev: InDevice | None = dev.ip_ptr
    out: list[Record] = []
    for ifa in in_dev.ifa_list if in_dev is not None else []:
        rec: Record = {"family": "inet", "local": ip4_str(ifa.local), "prefixlen": ifa.prefixlen}
        if ifa.address != ifa.local:
            rec["address"] = ip4_str(ifa.address)
        if ifa.rt_priority:
            rec["metric"] = ifa.rt_priority
        if ifa.broadcast:
            rec["broadcast"] = ip4_str(ifa.broadcast)
        rec["scope"] = SCOPE_NAMES.get(ifa.scope, str(ifa.scope))
        if ifa.secondary:
            rec["secondary"] = True
        if ifa.noprefixroute:
            rec["noprefixroute"] = True
        rec["label"] = ifa.label
        rec["valid_life_time"] = INFINITY_LIFE_TIME
        rec["preferred_life_time"] = INFINITY_LIFE_TIME
        out.append(rec)
    return out


def addr_records(ns: Netns, ifname: str | None = None) -> list[Record]:
    """``ip -j addr show [dev IFNAME]``: each link (without ``linkmode``) with its
    addresses.  One device is an ``RTM_GETLINK`` of it first (``ipaddr_link_get()``),
    which handles its pending link-watch event (``linkwatch_sync_dev()``)."""
    devs = [ns.dev(ifname)] if ifname is not None else list(ns)
    if ifname is not None:
        devs[0].kernel.linkwatch.sync_dev(devs[0])
    out = []
    for dev in devs:
        rec = link_record(dev)
        rec.pop("linkmode", None)
        rec.pop("ifalias", None)  # print_linkinfo() shows the alias for ip link only
        rec["addr_info"] = _addr_info(dev)
        out.append(rec)
    return out


def _nh_flags(route: Route, nh: NextHop) -> list[str]:
    flags = []
    if nh.dead:
        flags.append("dead")
    if nh.onlink:
        flags.append("onlink")
    if nh.dead or (nh.dev is not None and nh.dev.up and nh.linkdown):
        flags.append("linkdown")
    return flags


def route_record(route: Route, *, show_table: bool = True) -> Record:
    """One ``ip -j route show`` record (``show_table`` False: ``show table T``)."""
    rec: Record = {}
    if route.type != RTN_UNICAST:
        rec["type"] = TYPE_NAMES.get(route.type, str(route.type))
    rec["dst"] = "default" if route.dst.prefixlen == 0 else _dst(route)
    single = route.nh if len(route.nexthops) == 1 else None
    if single is not None:
        if single.gw:
            rec["gateway"] = ip4_str(single.gw)
        if single.dev is not None:
            rec["dev"] = single.dev.ifname
    if route.table != RT_TABLE_MAIN and show_table:
        rec["table"] = table_name(route.table)
    if route.protocol != RTPROT_BOOT:
        rec["protocol"] = PROTO_NAMES.get(route.protocol, str(route.protocol))
    if route.scope != RT_SCOPE_UNIVERSE:
        rec["scope"] = SCOPE_NAMES.get(route.scope, str(route.scope))
    if route.prefsrc:
        rec["prefsrc"] = ip4_str(route.prefsrc)
    if route.priority:
        rec["metric"] = route.priority
    rec["flags"] = _nh_flags(route, single) if single is not None else []
    if len(route.nexthops) > 1:
        rec["nexthops"] = [
            {
                **({"gateway": ip4_str(nh.gw)} if nh.gw else {}),
                **({"dev": nh.dev.ifname} if nh.dev is not None else {}),
                "weight": nh.weight,
                "flags": _nh_flags(route, nh),
            }
            for nh in route.nexthops
        ]
    return rec


def _dst(route: Route) -> str:
    if route.dst.prefixlen == 32:
        return ip4_str(route.dst.network)
    return str(route.dst)


def route_records(ns: Netns, table: int | str = RT_TABLE_MAIN) -> list[Record]:
    """``ip -j route show [table T]``; ``table="all"`` for every table."""
    if table == "all":
        return [route_record(r) for r in ns.ipv4.all_routes()]
    t = ns.ipv4.tables.get(int(table))
    return [route_record(r, show_table=False) for r in (t if t is not None else [])]


def rule_records(ns: Netns) -> list[Record]:
    """``ip -j rule show``."""
    out: list[Record] = []
    for r in ns.ipv4.rules:
        rec: Record = {"priority": r.priority}
        if r.invert:
            rec["not"] = None
        if r.src is not None and r.src.prefixlen:
            rec["src"] = ip4_str(r.src.network)
            if r.src.prefixlen != 32:
                rec["srclen"] = r.src.prefixlen
        else:
            rec["src"] = "all"
        if r.dst is not None and r.dst.prefixlen:
            rec["dst"] = ip4_str(r.dst.network)
            if r.dst.prefixlen != 32:
                rec["dstlen"] = r.dst.prefixlen
        if r.fwmask:
            rec["fwmark"] = f"{r.fwmark:#x}"
            if r.fwmask != 0xFFFFFFFF:
                rec["fwmask"] = f"{r.fwmask:#x}"
        if r.iif is not None:
            rec["iif"] = r.iif
        if r.oif is not None:
            rec["oif"] = r.oif
        if r.action == FR_ACT_TO_TBL:
            rec["table"] = table_name(r.table)
        elif r.action in ACTION_NAMES:
            rec["action"] = ACTION_NAMES[r.action]
        out.append(rec)
    return out


_CACHE_FLAGS: Final = {RTN_LOCAL: ("local",), RTN_BROADCAST: ("local", "brd")}


def _route_head(rtype: int, table: int, daddr: int, src: int, gateway: int, dev: str) -> Record:
    """``rt_fill_info()``'s first fields: the type unless unicast, the destination,
    the source asked for, the gateway, the device, the table unless main."""
    rec: Record = {}
    if rtype != RTN_UNICAST:
        rec["type"] = TYPE_NAMES.get(rtype, str(rtype))
    rec["dst"] = ip4_str(daddr)
    if src:
        rec["from"] = ip4_str(src)
    if gateway:
        rec["gateway"] = ip4_str(gateway)
    rec["dev"] = dev
    if table != RT_TABLE_MAIN:
        rec["table"] = table_name(table)
    return rec


def route_get_record(out: OutputRoute) -> Record:
    """One ``ip -j route get`` answer."""
    route = out.route
    src = out.saddr if out.from_given else 0
    rec = _route_head(route.type, route.table, out.daddr, src, out.gateway, out.dev.ifname)
    if not out.from_given and out.saddr:
        rec["prefsrc"] = ip4_str(out.saddr)
    rec["flags"] = []
    if out.mark:
        rec["mark"] = out.mark
    rec["uid"] = 0
    rec["cache"] = list(_CACHE_FLAGS.get(route.type, ()))
    ns = out.dev.netns
    learned = ns.inet.pmtu.get(out.daddr) if ns is not None else None
    if learned is not None and route.type == RTN_UNICAST and ns is not None:
        mtu, expires = learned  # a path-MTU exception (fib_nh_exception) for this address
        if ns.now < expires:
            rec["expires"] = int(expires - ns.now)
            rec["metrics"] = [{"mtu": mtu}]
    return rec


def route_input_record(r: InputRoute) -> Record:
    """One ``ip -j route get DST from SRC iif DEV`` answer (``rt_fill_info()`` of
    an input route: no ``prefsrc``/``uid``, the ``iif``)."""
    table = r.route.table if r.route is not None else RT_TABLE_MAIN
    rec = _route_head(r.type, table, r.daddr, r.saddr, r.gateway, r.dev.ifname)
    rec["flags"] = []
    if r.mark:
        rec["mark"] = r.mark
    rec["cache"] = list(_CACHE_FLAGS.get(r.type, ()))
    rec["iif"] = r.iif.ifname
    return rec


def neigh_records(
    ns: Netns, *, show_all: bool = False, nud: int | None = None, stats: bool = False
) -> list[Record]:
    """``ip -j [-s] neigh show [nud all]`` (``nud``: iproute2's state mask, 0x100
    for NUD_NONE; by default all but NOARP and NONE entries): sorted by device and
    address, as the kernel's hash order is not one to reproduce.  ``lladdr`` only
    for a valid state (``neigh_fill_info``); with ``stats`` the cache info in
    seconds and the probe count (``ref`` while a timer holds the entry)."""
    from netsim.kernel.ipv4.neigh import NUD_NAMES, NUD_NOARP, NUD_NONE, NUD_VALID

    if nud is None:
        nud = ~0 if show_all else 0xFF & ~NUD_NOARP
    now = ns.now
    out: list[Record] = []
    for n in sorted(ns.inet.neigh, key=lambda n: (n.dev.ifindex, n.ip)):
        if not (nud & n.nud_state if n.nud_state else nud & 0x100):
            continue
        rec: Record = {"dst": ip4_str(n.ip), "dev": n.dev.ifname}
        if n.lladdr is not None and n.nud_state & NUD_VALID:
            rec["lladdr"] = str(n.lladdr)
        if n.router:
            rec["router"] = None
        if stats:
            if n.timer is not None:
                rec["refcnt"] = 1
            rec["used"] = int(now - n.used + 1e-6)
            rec["confirmed"] = int(now - n.confirmed + 1e-6)
            rec["updated"] = int(now - n.updated + 1e-6)
            rec["probes"] = n.probes
        if n.nud_state != NUD_NONE:
            rec["state"] = [NUD_NAMES.get(n.nud_state, hex(n.nud_state))]
        out.append(rec)
    return out


def proxy_records(ns: Netns) -> list[Record]:
    """``ip -j neigh show proxy``: the ``pneigh`` entries, in the order added."""
    out: list[Record] = []
    for (dev, ip), router in ns.inet.neigh.proxies.items():
        rec: Record = {"dst": ip4_str(ip)}
        if dev is not None:
            rec["dev"] = dev.ifname
        if router:
            rec["router"] = None
        rec["proxy"] = None
        out.append(rec)
    return out
