"""``ip link show`` text, rendered from ``ip -j link show`` records.

The layout mirrors ``print_linkinfo()`` in iproute2 6.1 ``ip/ipaddress.c`` and
the per-kind ``print_opt()`` callbacks (``ip/iplink_bridge.c``,
``ip/iplink_bridge_slave.c``, ``ip/iplink_vxlan.c``, ``ip/iplink_macvlan.c``):
every field is printed only when its JSON key is present, in the order and
with the exact spacing (trailing blanks included) of the C code.  Keys that
iproute2 6.1 does not print are ignored, so records from a newer ``ip`` or
from the simulator with extra keys still render like 6.1 does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from netsim.iproute.render_fields import (
    Field,
    Record,
    fmt_hex,
    fmt_num,
    fmt_str,
    format_flags,
    format_name,
    link_head,
    render_fields,
)
from netsim.iproute.render_linkinfo import linkinfo

__all__ = [
    "Record",
    "format_flags",
    "format_name",
    "ip_link_show",
    "ip_link_show_brief",
]


# --------------------------------------------------------------------------
# ip link show


_DETAILS_HEAD: tuple[Field, ...] = (
    ("promiscuity", " promiscuity {} ", fmt_num),
    ("allmulti", " allmulti {} ", fmt_num),
    ("min_mtu", "minmtu {} ", fmt_num),
    ("max_mtu", "maxmtu {} ", fmt_num),
)

_DETAILS_TAIL: tuple[Field, ...] = (
    ("inet6_addr_gen_mode", "addrgenmode {} ", fmt_str),
    ("num_tx_queues", "numtxqueues {} ", fmt_num),
    ("num_rx_queues", "numrxqueues {} ", fmt_num),
    ("gso_max_size", "gso_max_size {} ", fmt_num),
    ("gso_max_segs", "gso_max_segs {} ", fmt_num),
    ("tso_max_size", "tso_max_size {} ", fmt_num),
    ("tso_max_segs", "tso_max_segs {} ", fmt_num),
    ("gro_max_size", "gro_max_size {} ", fmt_num),
    ("phys_port_name", "portname {} ", fmt_str),
    ("phys_port_id", "portid {} ", fmt_str),
    ("phys_switch_id", "switchid {} ", fmt_str),
    ("parentbus", "parentbus {} ", fmt_str),
    ("parentdev", "parentdev {} ", fmt_str),
)


def _operstate(rec: Record) -> str:
    if "operstate" in rec:
        return f"state {rec['operstate']} "
    if "operstate_index" in rec:
        return f"state {fmt_hex(rec['operstate_index'])}"  # sic: no blank
    return ""


def _netnsid(rec: Record, netns_names: Mapping[int, str]) -> str:
    nsid = int(rec["link_netnsid"])
    if nsid < 0:
        return " link-netnsid unknown"
    if nsid in netns_names:
        return f" link-netns {netns_names[nsid]}"
    return f" link-netnsid {nsid}"


def _link_line(rec: Record) -> str:
    out = [f"\n    link/{rec.get('link_type', 'none')} "]
    if "address" in rec:
        out.append(str(rec["address"]))
    if "broadcast" in rec:
        out.append(" peer " if rec.get("link_pointtopoint") else " brd ")
        out.append(str(rec["broadcast"]))
    if "permaddr" in rec:
        out.append(f" permaddr {rec['permaddr']}")
    return "".join(out)


def _one_link(rec: Record, details: bool, netns_names: Mapping[int, str]) -> str:
    out: list[str] = []
    add = out.append
    add(link_head(rec))
    if "qdisc" in rec:
        add(f"qdisc {rec['qdisc']} ")
    if "master" in rec:
        add(f"master {rec['master']} ")
    add(_operstate(rec))
    if "linkmode" in rec:
        add(f"mode {rec['linkmode']} ")
    elif "linkmode_index" in rec:
        add(f"mode {fmt_num(rec['linkmode_index'])} ")
    if "group" in rec:
        add(f"group {rec['group']} ")
    if "txqlen" in rec:
        add(f"qlen {fmt_num(rec['txqlen'])}")  # sic: no trailing blank
    if "event" in rec:
        add(f"event {rec['event']} ")
    add(_link_line(rec))
    if "link_netnsid" in rec:
        add(_netnsid(rec, netns_names))
    if rec.get("proto_down"):
        add(" protodown on ")
    if rec.get("proto_down_reason"):
        add(f"protodown_reason <{','.join(map(str, rec['proto_down_reason']))}>")
    if details:
        add(render_fields(rec, _DETAILS_HEAD))
        if "linkinfo" in rec:
            add(linkinfo(rec["linkinfo"]))
        add(render_fields(rec, _DETAILS_TAIL))
    if "ifalias" in rec:
        add(f"\n    alias {rec['ifalias']}")
    for altname in rec.get("altnames", ()):
        add(f"\n    altname {altname}")
    add("\n")
    return "".join(out)


def ip_link_show(
    records: Iterable[Record],
    *,
    details: bool = False,
    netns_names: Mapping[int, str] | None = None,
) -> str:
    """What ``ip link show`` (``details``: ``ip -d link show``) prints for the
    links that ``ip -j [-d] link show`` describes as ``records``.

    ``netns_names`` maps a peer netns id (``link_netnsid``) to the name ``ip``
    would find for it under /run/netns: with a name the link line ends in
    ``link-netns NAME``, without one in ``link-netnsid N``.
    """
    names = netns_names or {}
    return "".join(_one_link(rec, details, names) for rec in records)


def ip_link_show_brief(records: Iterable[Record]) -> str:
    """What ``ip -br link show`` prints; ``records`` may come from
    ``ip -j link show`` or from ``ip -j -br link show``."""
    out: list[str] = []
    for rec in records:
        line = ["Deleted "] if rec.get("deleted") else []
        line.append(f"{format_name(rec):<16} ")
        if "operstate" in rec:
            line.append(f"{rec['operstate']!s:<14} ")
        elif "operstate_index" in rec:
            line.append(_operstate(rec))
        if "address" in rec:
            line.append(f"{rec['address']} ")
        line.append(format_flags(rec.get("flags", ())))
        line.append("\n")
        out.append("".join(line))
    return "".join(out)
