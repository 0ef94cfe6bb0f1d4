"""``ip route show`` / ``ip route get`` text, rendered from the records
``ip -j [-d] [-s] route ...`` prints.

Mirrors ``print_route()`` and its helpers in iproute2 6.1 ``ip/iproute.c``.
Fields are printed in the C order, each only when its JSON key is present,
with the C spacing: a line ends in a blank (``... src 10.1.0.1 \\n``) except
after ``pref X`` (IPv6 routes).

Not rendered: lightweight-tunnel ``encap`` and ``nh_info`` (``ip -d`` with a
nexthop object).  ``mtu lock``-style metric locks are not in iproute2's JSON;
a netsim record may list the locked metrics (by their text names, e.g.
``"mtu"``, ``"congctl"``) under ``"lock"`` in its ``metrics`` object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netsim.iproute.render_fields import Record, fmt_hex, fmt_num

__all__ = ["ip_route_get", "ip_route_show"]


# (text name, JSON key) of the RTAX_* metrics, in RTAX order (mx_names[])
_METRICS = (
    ("mtu", "mtu"),
    ("window", "window"),
    ("rtt", "rtt"),
    ("rttvar", "rttvar"),
    ("ssthresh", "ssthresh"),
    ("cwnd", "cwnd"),
    ("advmss", "advmss"),
    ("reordering", "reordering"),
    ("hoplimit", "hoplimit"),
    ("initcwnd", "initcwnd"),
    ("features", "features"),
    ("rto_min", "rto_min"),
    ("initrwnd", "initrwnd"),
    ("quickack", "quickack"),
    ("congctl", "congestion"),
    ("fastopen_no_cookie", "fastopen_no_cookie"),
)
_TIME_METRICS = frozenset({"rtt", "rttvar", "rto_min"})


def _time(value: Any) -> str:
    """RTT-like metrics: JSON carries milliseconds, the text ``%ums`` or
    ``%gs``."""
    ms = int(value)
    return f"{ms / 1e3:g}s" if ms >= 1000 else f"{ms}ms"


def _metric_value(name: str, key: str, metrics: Record) -> str:
    if name == "features":
        out = "ecn " if "ecn" in metrics else ""
        if "features" in metrics:
            out += f"{fmt_hex(metrics['features'])} "
        return out
    if key not in metrics:  # locked but never set: printed as 0
        return "0 "
    if name in _TIME_METRICS:
        return f"{_time(metrics[key])} "
    if name == "congctl":
        return f"{metrics[key]} "
    return f"{fmt_num(metrics[key])} "


def _metrics(metrics: Record) -> str:
    """``print_rta_metrics()``: ``name [lock ]value `` per metric."""
    locked = set(metrics.get("lock", ()))
    out: list[str] = []
    for name, key in _METRICS:
        present = key in metrics or (name == "features" and "ecn" in metrics)
        if not present and name not in locked:
            continue
        out.append(f"{name} ")
        if name in locked:
            out.append("lock ")
        out.append(_metric_value(name, key, metrics))
    return "".join(out)


def _flow(flow: Record) -> str:
    """``print_rta_flow()``: ``realm TO `` or ``realms FROM/TO ``."""
    if "from" in flow:
        return f"realms {flow['from']}/{flow.get('to', 0)} "
    return f"realm {flow.get('to', 0)} "


def _via(via: Record) -> str:
    return f"via {via.get('family', '')} {via.get('host', '')} "


def _flags(flags: Iterable[Any]) -> str:
    """``print_rt_flags()``: ``dead onlink linkdown ...``, each with a blank."""
    return "".join(f"{flag} " for flag in flags)


def _cache(cache: Iterable[Any]) -> str:
    """``print_cache_flags()``: ``\\n    cache `` then ``<local,brd> ``."""
    names = [str(name) for name in cache]
    return "\n    cache " + (f"<{','.join(names)}> " if names else "")


def _cacheinfo(rec: Record, stats: bool) -> str:
    """``print_rta_cacheinfo()``."""
    out: list[str] = []
    if "expires" in rec:
        out.append(f"expires {fmt_num(rec['expires'])}sec ")
    if "error" in rec:
        out.append(f"error {fmt_num(rec['error'])} ")
    if stats:
        for key in ("users", "used"):
            if key in rec:
                out.append(f"{key} {fmt_num(rec[key])} ")
        if "age" in rec:
            out.append(f"age {fmt_num(rec['age'])}sec ")
    if "ipid" in rec:  # JSON "%#llx", text "0x%04llx"
        out.append(f"ipid 0x{int(str(rec['ipid']), 0):04x} ")
    if "ts" in rec:  # sic: no blank between ts and tsage
        out.append(f"ts 0x{int(str(rec['ts']), 0):x}")
    if "tsage" in rec:
        out.append(f"tsage {fmt_num(rec['tsage'])}sec ")
    return "".join(out)


def _nexthops(nexthops: Iterable[Record], mcast_cache: bool) -> str:
    """``print_rta_multipath()``: ``\\n\\tnexthop via GW dev DEV weight W ``
    per hop, or the ``Oifs: dev(ttl>N) ...`` of a cached multicast route."""
    out: list[str] = []
    for i, nh in enumerate(nexthops):
        if mcast_cache:
            out.append("Oifs: " if i == 0 else " ")
        else:
            out.append("\n\tnexthop ")
        if "to" in nh:
            out.append(f"as to {nh['to']} ")
        if "gateway" in nh:
            out.append(f"via {nh['gateway']} ")
        if "via" in nh:
            out.append(_via(nh["via"]))
        if "flow" in nh:
            out.append(_flow(nh["flow"]))
        if mcast_cache:
            out.append(str(nh.get("dev", "")))
            if "ttl" in nh:
                out.append(f"(ttl>{fmt_num(nh['ttl'])})")
            out.append(" ")
        else:
            out.append(f"dev {nh.get('dev', '')} ")
            if "weight" in nh:
                out.append(f"weight {fmt_num(nh['weight'])} ")
        out.append(_flags(nh.get("flags", ())))
    return "".join(out)


def _route_head(rec: Record, details: bool) -> str:
    """Everything up to ``dev X``: type, destination, source, gateway."""
    out: list[str] = []
    add = out.append
    if rec.get("deleted"):
        add("Deleted ")
    if "type" in rec and (details or rec["type"] != "unicast"):
        add(f"{rec['type']} ")
    if "dst" in rec:
        add(f"{rec['dst']} ")
    if "from" in rec:
        add(f"from {rec['from']} ")
    elif "src" in rec:  # a source length without a source address
        add(f"from {rec['src']} ")
    if "nhid" in rec:
        add(f"nhid {fmt_num(rec['nhid'])} ")
    if "to" in rec:
        add(f"as to {rec['to']} ")
    if "tos" in rec:
        add(f"tos {rec['tos']} ")
    if "gateway" in rec:
        add(f"via {rec['gateway']} ")
    if "via" in rec:
        add(_via(rec["via"]))
    if "dev" in rec:
        add(f"dev {rec['dev']} ")
    return "".join(out)


def _route_tail(rec: Record, details: bool) -> str:
    """From ``table`` to ``uid``."""
    out: list[str] = []
    add = out.append
    if "table" in rec and (details or rec["table"] != "main"):
        add(f"table {rec['table']} ")
    if "protocol" in rec and (details or rec["protocol"] != "boot"):
        add(f"proto {rec['protocol']} ")
    if "scope" in rec and (details or rec["scope"] != "global"):
        add(f"scope {rec['scope']} ")
    if "prefsrc" in rec:
        add(f"src {rec['prefsrc']} ")
    if "metric" in rec:
        add(f"metric {fmt_num(rec['metric'])} ")
    add(_flags(rec.get("flags", ())))
    if rec.get("mark"):
        mark = int(rec["mark"])
        add(f"mark {mark:#x} " if mark >= 16 else f"mark {mark} ")
    if "flow" in rec:
        add(_flow(rec["flow"]))
    if "uid" in rec:
        add(f"uid {fmt_num(rec['uid'])} ")
    return "".join(out)


def _one_route(rec: Record, details: bool, stats: bool) -> str:
    out = [_route_head(rec, details), _route_tail(rec, details)]
    add = out.append
    if "cache" in rec:
        add(_cache(rec["cache"]))
    add(_cacheinfo(rec, stats))
    for metrics in rec.get("metrics", ()):
        add(_metrics(metrics))
    if "iif" in rec:
        add(f"iif {rec['iif']} ")
    if "pref" in rec:  # sic: no blank after the preference
        pref = rec["pref"]
        add(f"pref {pref}" if isinstance(pref, str) else fmt_num(pref))
    if "ttl-propogate" in rec:
        add(f"ttl-propogate {'enabled' if rec['ttl-propogate'] else 'disabled'}")
    if "nexthops" in rec:
        mcast_cache = "cache" in rec and rec.get("type") == "multicast"
        add(_nexthops(rec["nexthops"], mcast_cache))
    add("\n")
    return "".join(out)


def ip_route_show(records: Iterable[Record], *, details: bool = False, stats: bool = False) -> str:
    """What ``ip [-4|-6] route show [table T]`` prints (``details``: with
    ``-d``, ``stats``: with ``-s``) for the routes that ``ip -j`` prints as
    ``records`` for the same command.

    Without ``details`` the values ``ip`` only prints with ``-d`` (type
    ``unicast``, table ``main``, proto ``boot``, scope ``global``) are left
    out, so ``ip -j -d`` records render as plain ``ip route`` too.
    """
    return "".join(_one_route(rec, details, stats) for rec in records)


def ip_route_get(records: Iterable[Record], *, details: bool = False, stats: bool = False) -> str:
    """What ``ip route get ...`` prints for the records ``ip -j route get ...``
    prints: the route line, for IPv4 followed by ``\\n    cache [<flags>] ``
    (the ``cache`` key), e.g. ``10.1.0.2 dev eth0 src 10.1.0.1 uid 0 \\n
    cache \\n``."""
    return ip_route_show(records, details=details, stats=stats)
