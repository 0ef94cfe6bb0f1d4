"""What identifies a record in each table: how :func:`~netsim.observe.diff.diff`
pairs records and the order a normalised snapshot lists them in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from netsim.observe.snapshot import Record

__all__ = ["KEYS", "keyed", "record_key"]


def _route(r: Record) -> str:
    key = f"{r.get('table', 'main')} {r.get('type', 'unicast')} {r.get('dst', '?')}"
    if "tos" in r:
        key += f" tos {r['tos']}"
    if r.get("metric"):
        key += f" metric {r['metric']}"
    return key


def _fdb(r: Record) -> str:
    key = f"{r.get('mac', '?')} dev {r.get('ifname', '?')}"
    if "vlan" in r:
        key += f" vlan {r['vlan']}"
    if "dst" in r:
        key += f" dst {r['dst']}"
    if "self" in r.get("flags", ()):
        key += " self"
    if "master" in r:
        key += f" master {r['master']}"
    return key


def _addr(r: Record) -> str:
    return f"{r.get('local', '?')}/{r.get('prefixlen', '?')} dev {r.get('ifname', '?')}"


#: Table -> the key of one of its records (addrs: one per address, see
#: :func:`netsim.observe.diff.records`).
KEYS: Final[dict[str, Callable[[Record], str]]] = {
    "links": lambda r: str(r.get("ifname", "?")),
    "addrs": _addr,
    "routes": _route,
    "rules": lambda r: str(r.get("priority", 0)),
    "neigh": lambda r: f"{r.get('dst', '?')} dev {r.get('dev', '?')}",
    "fdb": _fdb,
    "brlinks": lambda r: str(r.get("ifname", "?")),
    "iptables": lambda r: (
        f"{r['table']} {r['chain']} {r.get('rule', '-P' if 'policy' in r else '-N')}"
    ),
    "files": lambda r: str(r["path"]),
    "sysctls": lambda r: str(r["key"]),
}


def record_key(table: str, record: Record) -> str:
    """The key of ``record`` in ``table``."""
    return KEYS[table](record)


def keyed(table: str, records: Iterable[Record]) -> dict[str, Record]:
    """``records`` by key; the second and later records with one key get
    ``#2``, ``#3``... in dump order."""
    out: dict[str, Record] = {}
    for r in records:
        key = base = record_key(table, r)
        n = 1
        while key in out:
            n += 1
            key = f"{base} #{n}"
        out[key] = r
    return out
