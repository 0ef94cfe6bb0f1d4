"""Observe a :class:`~netsim.host.Host` through its ``Dump``, ``SysctlGet`` and
``Iptables`` operations (either backend; only the Host protocol is used).  The
Host protocol has no files, so a Host snapshot lists none."""

from __future__ import annotations

from typing import Any, Final

from netsim.errors import NetsimError
from netsim.host.ops import Dump, Iptables, SysctlGet
from netsim.host.protocol import Host
from netsim.observe.snapshot import (
    CONF_SYSCTLS,
    GLOBAL_SYSCTLS,
    IPTABLES_TABLES,
    NEIGH_SYSCTLS,
    NsSnapshot,
    Record,
    Snapshot,
    iptables_records,
)

__all__ = ["snapshot"]

#: ``Dump.what`` -> NsSnapshot field.
_DUMPS: Final = (
    ("link", "links"),
    ("addr", "addrs"),
    ("route", "routes"),
    ("rule", "rules"),
    ("neigh", "neigh"),
    ("fdb", "fdb"),
    ("brlink", "brlinks"),
)


def snapshot(host: Host) -> Snapshot:
    """One snapshot of every namespace ``host`` has.

    The Host protocol has no ``ip netns list-id`` dump, so ``nsids`` stay
    empty; :func:`~netsim.observe.normalise.normalise` then names a veth's
    peer namespace by matching the pair's ifindexes instead.
    """
    return Snapshot({ns: _namespace(host, ns) for ns in host.namespaces()})


def _namespace(host: Host, ns: str) -> NsSnapshot:
    values: dict[str, Any] = {}
    for what, name in _DUMPS:
        result = host.apply(Dump(netns=ns, what=what))
        values[name] = tuple(result) if isinstance(result, list) else ()
    values["iptables"] = tuple(_iptables(host, ns))
    values["sysctls"] = _sysctls(host, ns, values["links"])
    return NsSnapshot(**values)


def _iptables(host: Host, ns: str) -> list[Record]:
    out: list[Record] = []
    for table in IPTABLES_TABLES:
        text = host.apply(Iptables(netns=ns, args=("-t", table, "-S")))
        out += iptables_records(table, str(text or ""))
    return out


def _sysctls(host: Host, ns: str, links: tuple[Record, ...]) -> dict[str, str]:
    devs = [str(r["ifname"]).replace(".", "/") for r in links]
    keys = [*GLOBAL_SYSCTLS]
    keys += [f"net.ipv4.conf.{d}.{k}" for d in ("all", "default", *devs) for k in CONF_SYSCTLS]
    keys += [f"net.ipv4.neigh.{d}.{k}" for d in devs for k in NEIGH_SYSCTLS]
    out: dict[str, str] = {}
    for key in keys:
        try:
            value = host.apply(SysctlGet(netns=ns, key=key))
        except NetsimError:
            continue  # not there on this backend (e.g. a device without IPv4 config)
        if isinstance(value, str):
            out[key] = value.strip()
    return out
