"""``bridge fdb show`` / ``bridge link show`` text, rendered from the records
``bridge -j`` prints.

Mirrors ``print_fdb()`` in iproute2 6.1 ``bridge/fdb.c`` and
``print_linkinfo()`` / ``print_protinfo()`` in ``bridge/link.c``.
"""

from __future__ import annotations

from collections.abc import Iterable

from netsim.iproute.render_fields import (
    Field,
    Record,
    fmt_num,
    fmt_on_off,
    fmt_str,
    link_head,
    render_fields,
)

__all__ = ["bridge_fdb_show", "bridge_link_show"]


# --------------------------------------------------------------------------
# bridge fdb show

# state_n2a(): what JSON "state" holds -> what the text shows
_FDB_STATES = frozenset({"permanent", "static", "stale", ""})


def _fdb_state(state: object) -> str:
    text = str(state)
    # unknown NUD states: JSON "%#x", text "state=%#x"
    return text if text in _FDB_STATES else f"state={text}"


def _one_fdb(rec: Record, stats: bool) -> str:
    out: list[str] = []
    add = out.append
    if rec.get("deleted"):
        add("Deleted ")
    if "mac" in rec:
        add(f"{rec['mac']} ")
    if "ifname" in rec:
        add(f"dev {rec['ifname']} ")
    if "dst" in rec:
        add(f"dst {rec['dst']} ")
    if "vlan" in rec:
        add(f"vlan {fmt_num(rec['vlan'])} ")
    for key in ("port", "vni", "src_vni"):
        if key in rec:
            add(f"{key} {fmt_num(rec[key])} ")
    if "viaIfIndex" in rec:
        add(f"via ifindex {fmt_num(rec['viaIfIndex'])} ")
    elif "viaIf" in rec:
        add(f"via {rec['viaIf']} ")
    if "nhid" in rec:
        add(f"nhid {fmt_num(rec['nhid'])} ")
    if "linkNetNsId" in rec:
        add(f"link-netnsid {fmt_num(rec['linkNetNsId'])} ")
    if stats and "used" in rec:
        add(f"used {fmt_num(rec['used'])}/{fmt_num(rec.get('updated', 0))} ")
    out.extend(f"{flag} " for flag in rec.get("flags", ()))
    if "master" in rec:
        add(f"master {rec['master']} ")
    add(_fdb_state(rec.get("state", "")))
    add("\n")
    return "".join(out)


def bridge_fdb_show(records: Iterable[Record], *, stats: bool = False) -> str:
    """What ``bridge fdb show`` (``stats``: ``bridge -s fdb show``) prints for
    the entries ``bridge -j [-s] fdb show`` describes as ``records``.

    A learned (NUD_REACHABLE) entry has ``"state": ""`` and its line ends in
    ``master br0 `` -- with the blank before the newline.
    """
    return "".join(_one_fdb(rec, stats) for rec in records)


# --------------------------------------------------------------------------
# bridge link show

# print_protinfo(): the second line, with -d
_PORT_DETAILS: tuple[Field, ...] = (
    ("hairpin", "hairpin {} ", fmt_on_off),
    ("guard", "guard {} ", fmt_on_off),
    ("root_block", "root_block {} ", fmt_on_off),
    ("fastleave", "fastleave {} ", fmt_on_off),
    ("learning", "learning {} ", fmt_on_off),
    ("learning_sync", "learning_sync {} ", fmt_on_off),
    ("flood", "flood {} ", fmt_on_off),
    ("mcast_flood", "mcast_flood {} ", fmt_on_off),
    ("bcast_flood", "bcast_flood {} ", fmt_on_off),
    ("mcast_router", "mcast_router {} ", fmt_num),
    ("mcast_to_unicast", "mcast_to_unicast {} ", fmt_on_off),
    ("neigh_suppress", "neigh_suppress {} ", fmt_on_off),
    ("vlan_tunnel", "vlan_tunnel {} ", fmt_on_off),
    ("backup_port", "backup_port {} ", fmt_str),
    ("isolated", "isolated {} ", fmt_on_off),
    ("locked", "locked {} ", fmt_on_off),
)

# keys only a nested IFLA_PROTINFO produces (an old flat one is just a state)
_NESTED_KEYS = frozenset({"priority", "cost"} | {key for key, _, _ in _PORT_DETAILS})


def _stp_state(state: object) -> str:
    if isinstance(state, str):
        return f"state {state} "
    return f"state ({fmt_num(state)}) "


def _one_brlink(rec: Record, details: bool) -> str:
    out: list[str] = []
    add = out.append
    add(link_head(rec))
    if "master" in rec:
        add(f"master {rec['master']} ")
    if "state" in rec:
        add(_stp_state(rec["state"]))
    for key in ("priority", "cost"):
        if key in rec:
            add(f"{key} {fmt_num(rec[key])} ")
    if details and _NESTED_KEYS.intersection(rec):
        add("\n    ")
        add(render_fields(rec, _PORT_DETAILS))
    if "hwmode" in rec:
        add(f"hwmode {rec['hwmode']} ")
    add("\n")
    return "".join(out)


def bridge_link_show(records: Iterable[Record], *, details: bool = False) -> str:
    """What ``bridge link show`` (``details``: ``bridge -d link show``) prints
    for the ports ``bridge -j [-d] link show`` describes as ``records``."""
    return "".join(_one_brlink(rec, details) for rec in records)
