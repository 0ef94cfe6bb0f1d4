"""Replace what is random, or only the kernel's bookkeeping, by stable names,
so that two snapshots of one scenario (one per backend) compare field by field.

This module is the one place that decides what is noise.  Each rule, and why:

=====================  ==================================================================
What                   Why, and what replaces it
=====================  ==================================================================
``ifindex``,           Allocation order, not state: the model and the kernel may number
``link_index``,        devices differently (and the kernel numbers per namespace).  A
``link_netnsid``       lower/peer device is named instead: ``link`` (its ifname) and, when
                       it lives elsewhere, ``link_netns`` (its namespace's name, from
                       ``ip netns list-id``, or by matching a veth pair's ifindexes when
                       a Host snapshot has no nsids).
nsids                  Which number a namespace gives its peers is bookkeeping; the
                       names above say which peer.  The table is emptied.
random MACs            Unicast MACs the script did not write (``pinned``) are drawn at
                       random (``eth_random_addr()``; the model's from its seed).  Each
                       distinct one becomes ``mac1``, ``mac2``... in order of first
                       appearance walking every namespace's links (by ifname), then the
                       other tables (records sorted with MACs blanked); bridge ids
                       (``8000.2:0:0:0:0:a0``) keep their priority.  Multicast,
                       all-zeros and broadcast MACs are not random and stay.
random veth names      ``veth`` + 8 hex digits (the CNI plugins' ``RandomVethName``)
                       become ``veth~1``, ``veth~2``... ordered by the peer's namespace
                       and name.  ``veth%d`` names are allocated alike on both sides and
                       stay.
``*_timer``, ``used``,  They count in real time on the kernel, in simulated time in the
``updated``,           model; the bridge's timers and FDB/neighbour ages are dropped.
``expires``
multicast FDB entries  The kernel lists ``33:33:...``/``01:00:5e:...`` ``self permanent``
                       entries of each device's multicast list; the model keeps none.
IPv6                   The model has no IPv6 yet: the kernel side runs with it disabled
                       in every namespace; what IPv6 makes by itself if it is on --
                       link-local ``fe80::`` addresses and their routes, ``fe80::/64``
                       and ``ff00::/8`` routes -- is dropped.
link fields of         ``ip addr`` repeats each link's fields, which ``links`` already
``addrs``              holds; only ``ifname`` and ``addr_info`` are kept.
record order           Dump order is hash/insertion order; records are sorted by their
                       key (:mod:`netsim.observe.keys`).
=====================  ==================================================================

Not normalised (compared as they are): neighbour states (``STALE``,
``REACHABLE``..., the model follows the kernel's timers), operstate, qdisc,
queue counts (the model is told the machine's ``possible_cpus``).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Final

from netsim.observe.keys import record_key
from netsim.observe.snapshot import TABLES, NsSnapshot, Record, Snapshot

__all__ = ["DROPPED_FIELDS", "normalise"]

#: Fields dropped wherever they appear (see the table above).
DROPPED_FIELDS: Final = frozenset({"ifindex", "link_index", "link_netnsid", "used", "updated",
                                   "expires"})  # fmt: skip
_MAC: Final = re.compile(r"^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}$")
_BRIDGE_ID: Final = re.compile(r"^([0-9a-f]{1,4})\.([0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5})$")
_RANDOM_VETH: Final = re.compile(r"^veth[0-9a-f]{8}$")
_KEEP_MACS: Final = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})
INIT_NET: Final = "init_net"


def normalise(snap: Snapshot, *, pinned: frozenset[str] = frozenset()) -> Snapshot:
    """``snap`` with the noise in the module docstring replaced; ``pinned``
    are MACs written in the scenario, which stay."""
    tables = {ns: {t: [copy.deepcopy(r) for r in s.table(t)] for t in TABLES[:-1]}
              for ns, s in snap.namespaces.items()}  # fmt: skip
    _name_peers(snap, tables)
    for ts in tables.values():
        ts["fdb"] = [r for r in ts["fdb"] if not _multicast_self(r)]
        ts["addrs"] = [_addr(r) for r in ts["addrs"]]
        ts["routes"] = [r for r in ts["routes"] if not _auto_route6(r)]
        for t in ts:
            ts[t] = [_drop(r) for r in ts[t]]
    sysctls = {ns: dict(s.sysctls) for ns, s in snap.namespaces.items()}
    renames = _veth_renames(tables)
    macs = _mac_names(tables, {m.lower() for m in pinned}, renames)
    out: dict[str, NsSnapshot] = {}
    for ns in _ordered(tables):
        done = {t: tuple(_sorted(t, [_rename(r, renames, macs) for r in rs]))
              for t, rs in tables[ns].items()}  # fmt: skip
        ctls = {_rename_key(k, renames): v for k, v in sysctls[ns].items()}
        out[ns] = NsSnapshot(links=done["links"], addrs=done["addrs"], routes=done["routes"],
                             rules=done["rules"], neigh=done["neigh"], fdb=done["fdb"],
                             brlinks=done["brlinks"],
                             sysctls=dict(sorted(ctls.items())))  # fmt: skip
    return Snapshot(out)


def _ordered(tables: dict[str, Any]) -> list[str]:
    return sorted(tables, key=lambda ns: (ns != INIT_NET, ns))


def _sorted(table: str, records: list[Record]) -> list[Record]:
    if table == "addrs":
        return sorted(records, key=lambda r: str(r.get("ifname", "")))
    if table == "rules":  # same-priority rules keep their (significant) order
        return sorted(records, key=lambda r: int(r.get("priority", 0)))
    return sorted(records, key=lambda r: record_key(table, r))


# --- ifindexes -----------------------------------------------------------------------------


def _name_peers(snap: Snapshot, tables: dict[str, dict[str, list[Record]]]) -> None:
    """Give each record with a ``link_index`` its lower/peer's ``link`` (and
    ``link_netns``)."""
    names = {ns: {r.get("ifindex"): r.get("ifname") for r in s.links}
             for ns, s in snap.namespaces.items()}  # fmt: skip
    for ns, ts in tables.items():
        nsids = snap.namespaces[ns].nsids
        for t in ("links", "addrs", "brlinks"):
            for r in ts[t]:
                if "link_index" not in r:
                    continue
                peer_ns = ns
                if "link_netnsid" in r:
                    peer_ns = nsids.get(r["link_netnsid"]) or _veth_peer_ns(snap, ns, r) or ""
                    r["link_netns"] = peer_ns or f"nsid {r['link_netnsid']}"
                peer = names.get(peer_ns, {}).get(r["link_index"])
                if peer is not None:
                    r.setdefault("link", peer)


def _veth_peer_ns(snap: Snapshot, ns: str, r: Record) -> str | None:
    """The one other namespace holding a device at ``r``'s ``link_index``
    whose own ``link_index`` is ``r``'s ifindex (a veth pair), if unique."""
    hits = {other for other, s in snap.namespaces.items() if other != ns
            for p in s.links if p.get("ifindex") == r["link_index"]
            and p.get("link_index") == r.get("ifindex") and "link_netnsid" in p}  # fmt: skip
    return hits.pop() if len(hits) == 1 else None


def _drop(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v) for k, v in value.items()
                if k not in DROPPED_FIELDS and not k.endswith("_timer")}  # fmt: skip
    if isinstance(value, list):
        return [_drop(v) for v in value]
    return value


def _multicast_self(r: Record) -> bool:
    mac = str(r.get("mac", ""))
    return mac.startswith(("33:33:", "01:00:5e:")) and "self" in r.get("flags", ())


def _link_local6(info: Record) -> bool:
    return info.get("family") == "inet6" and str(info.get("local", "")).startswith("fe80:")


def _auto_route6(r: Record) -> bool:
    """A route IPv6 makes by itself on each device: ``fe80::/64``, the local
    ``fe80::...`` address, ``ff00::/8`` multicast."""
    dst = str(r.get("dst", ""))
    return dst in ("fe80::/64", "ff00::/8") or (dst.startswith("fe80:") and "/" not in dst)


def _addr(r: Record) -> Record:
    infos = [i for i in r.get("addr_info", ()) if not _link_local6(i)]
    return {"ifname": r.get("ifname"), "addr_info": infos}


# --- names -----------------------------------------------------------------------------------


def _veth_renames(tables: dict[str, dict[str, list[Record]]]) -> dict[str, str]:
    found: list[tuple[str, str, str, str]] = []
    for ns, ts in tables.items():
        for r in ts["links"]:
            name = str(r.get("ifname", ""))
            if _RANDOM_VETH.match(name):
                found.append((str(r.get("link_netns", ns)), str(r.get("link", "")), ns, name))
    return {name: f"veth~{i}" for i, (*_, name) in enumerate(sorted(found), 1)}


def _canonical_mac(text: str) -> str:
    return ":".join(part.zfill(2) for part in text.split(":"))


def _random_mac(text: str, pinned: set[str]) -> str | None:
    """``text`` as a canonical MAC if it is one that was drawn at random."""
    if not _MAC.match(text):
        return None
    mac = _canonical_mac(text)
    if mac in pinned or mac in _KEEP_MACS or int(mac[:2], 16) & 1:
        return None
    return mac


def _macs_in(value: Any, pinned: set[str]) -> list[str]:
    if isinstance(value, dict):
        return [m for k in sorted(value) for m in _macs_in(value[k], pinned)]
    if isinstance(value, list):
        return [m for v in value for m in _macs_in(v, pinned)]
    if isinstance(value, str):
        if b := _BRIDGE_ID.match(value):
            value = b.group(2)
        mac = _random_mac(value, pinned)
        return [mac] if mac is not None else []
    return []


def _mac_names(tables: dict[str, dict[str, list[Record]]], pinned: set[str],
               renames: dict[str, str]) -> dict[str, str]:  # fmt: skip
    """Random MAC -> ``macN``, numbered in the order records show them, records
    sorted with their MACs blanked and random veth names already renamed."""
    order: list[str] = []
    walk = [(ns, "links") for ns in _ordered(tables)]
    walk += [(ns, t) for ns in _ordered(tables) for t in TABLES[1:-1]]
    for ns, t in walk:
        for r in sorted(tables[ns][t], key=lambda r: _blanked(_rename(r, renames, {}))):
            order += _macs_in(r, pinned)
    names: dict[str, str] = {}
    for mac in order:
        names.setdefault(mac, f"mac{len(names) + 1}")
    return names


def _blanked(r: Record) -> str:
    """``r`` as sortable text with every MAC blanked (its random part must not
    decide the order)."""
    text = json.dumps(r, sort_keys=True)
    return re.sub(r'"[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}"', '"MAC"', text)


def _rename(value: Any, renames: dict[str, str], macs: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, renames, macs) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, renames, macs) for v in value]
    if not isinstance(value, str):
        return value
    if value in renames:
        return renames[value]
    if b := _BRIDGE_ID.match(value):
        mac = _canonical_mac(b.group(2))
        return f"{b.group(1)}.{macs[mac]}" if mac in macs else value
    if _MAC.match(value):
        return macs.get(_canonical_mac(value), value)
    return value


def _rename_key(key: str, renames: dict[str, str]) -> str:
    parts = key.split(".")
    if len(parts) > 3 and parts[3] in renames:
        parts[3] = renames[parts[3]]
    return ".".join(parts)
