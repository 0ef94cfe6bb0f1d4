"""``ip rule show`` text, rendered from the records ``ip -j [-d] rule show``
prints.

Mirrors ``print_rule()`` in iproute2 6.1 ``ip/iprule.c``: ``PRIO:\\t`` then the
selectors and the action, each field starting with a blank, and no blank at
the end of the line.
"""

from __future__ import annotations

from collections.abc import Iterable

from netsim.iproute.render_fields import Record, fmt_hex, fmt_num

__all__ = ["ip_rule_show"]


def _rule_prefix(rec: Record, key: str, lenkey: str) -> str:
    out = str(rec[key])
    if lenkey in rec:
        out += f"/{fmt_num(rec[lenkey])}"
    return out


def _rule_range(rec: Record, name: str) -> str:
    if name in rec:
        return f" {name} {fmt_num(rec[name])}"
    if f"{name}_start" in rec:
        start, end = rec[f"{name}_start"], rec.get(f"{name}_end", 0)
        return f" {name} {fmt_num(start)}-{fmt_num(end)}"
    return ""


def _rule_match(rec: Record) -> str:
    """The selectors: ``from``, ``to``, ``tos`` ... ``tun_id``."""
    out: list[str] = []
    add = out.append
    if "src" in rec:
        add(f"from {_rule_prefix(rec, 'src', 'srclen')}")
    if "dst" in rec:
        add(f" to {_rule_prefix(rec, 'dst', 'dstlen')}")
    if "tos" in rec:
        add(f" tos {rec['tos']}")
    if "fwmark" in rec:
        add(f" fwmark {fmt_hex(rec['fwmark'])}")
        if "fwmask" in rec:
            add(f"/{fmt_hex(rec['fwmask'])}")
    for key in ("iif", "oif"):
        if key in rec:
            add(f" {key} {rec[key]}")
            if f"{key}_detached" in rec:
                add(" [detached]")
    if "l3mdev" in rec:
        add(" lookup [l3mdev-table]")
    if "uid_start" in rec:
        add(f" uidrange {fmt_num(rec['uid_start'])}-{fmt_num(rec.get('uid_end', 0))}")
    if "ipproto" in rec:
        add(f" ipproto {rec['ipproto']}")
    add(_rule_range(rec, "sport"))
    add(_rule_range(rec, "dport"))
    if "tun_id" in rec:
        add(f" tun_id {fmt_num(rec['tun_id'])}")
    return "".join(out)


def _rule_action(rec: Record, details: bool) -> str:
    """``lookup T``, ``realms``, the action and ``proto``."""
    out: list[str] = []
    add = out.append
    if "table" in rec:
        add(f" lookup {rec['table']}")
        if "suppress_prefixlen" in rec:
            add(f" suppress_prefixlength {fmt_num(rec['suppress_prefixlen'])}")
        if "suppress_ifgroup" in rec:
            add(f" suppress_ifgroup {rec['suppress_ifgroup']}")
    if "flow_from" in rec:
        add(f" realms {rec['flow_from']}/")
    elif "flow_to" in rec:
        add(" realms ")
    if "flow_to" in rec:
        add(str(rec["flow_to"]))
    if "nat_gateway" in rec:
        add(f" map-to {rec['nat_gateway']}")
    elif "masquerade" in rec:
        add(" masquerade")
    elif "goto" in rec:
        add(f" goto {rec['goto']}")
        if "unresolved" in rec:
            add(" [unresolved]")
    elif "nop" in rec:
        add(" nop")
    elif "action" in rec:
        add(f" {rec['action']}")
    if "protocol" in rec and (details or rec["protocol"] not in ("kernel", "unspec")):
        add(f" proto {rec['protocol']}")
    return "".join(out)


def _one_rule(rec: Record, details: bool) -> str:
    head = "Deleted " if rec.get("deleted") else ""
    head += f"{fmt_num(rec.get('priority', 0))}:\t"
    if "not" in rec:
        head += "not "
    return f"{head}{_rule_match(rec)}{_rule_action(rec, details)}\n"


def ip_rule_show(records: Iterable[Record], *, details: bool = False) -> str:
    """What ``ip [-6] rule show`` (``details``: ``ip -d rule show``) prints for
    the rules ``ip -j [-d] rule show`` describes as ``records``, e.g.
    ``0:\\tfrom all lookup local\\n``."""
    return "".join(_one_rule(rec, details) for rec in records)
