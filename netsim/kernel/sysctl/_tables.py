"""Lookup tables built once from the generated defaults: handlers, stored defaults, layout."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from netsim.kernel.sysctl import _defaults as D
from netsim.kernel.sysctl._procfs import Kind, Spec, format_value, parse_values, store_value

FAMILIES: Final = ("ipv4", "ipv6")
IPV4_MIN_MTU: Final = 68
IPV6_MIN_MTU: Final = 1280
#: ``SKB_TRUESIZE(ETH_FRAME_LEN)`` on the test kernel: ``unres_qlen=1`` reads back 2090 bytes.
SKB_TRUESIZE_FRAME: Final = 2090
#: neigh file -> the ``neigh_parms`` field it shows (several files show one field).
NEIGH_FIELD: Final = {
    "base_reachable_time_ms": "base_reachable_time",
    "retrans_time_ms": "retrans_time",
    "interval_probe_time_ms": "interval_probe_time",
    "unres_qlen": "unres_qlen_bytes",
}
#: IPv4 conf keys written through ``ipv4_doint_and_flush``: no "written" mark, and
#: so never copied from ``conf.default`` (the probe shows it).
FLUSHING4: Final = frozenset(
    {
        "disable_xfrm",
        "disable_policy",
        "promote_secondaries",
        "route_localnet",
        "drop_unicast_in_l2_multicast",
    }
)
#: IPv6 ``conf.all`` keys copied to ``conf.default`` and every device on each write.
ALL6_TO_EVERY: Final = frozenset(
    {"forwarding", "disable_ipv6", "ignore_routes_with_linkdown", "addr_gen_mode"}
)
#: ``net.ipv4.route.flush``: write-only; any write flushes the routing cache.
WRITE_ONLY: Final = frozenset({"net.ipv4.route.flush"})
#: Scalar keys split into their parts, and the directories holding them.
SCALAR_PARTS: Final = tuple(tuple(key.split(".")) for key in D.SCALARS)
SCALAR_DIRS: Final = frozenset(p[:n] for p in SCALAR_PARTS for n in range(1, len(p)))


@functools.cache
def spec(key: str) -> Spec:
    """Handler of a generic key outside the per-device trees."""
    kind, lo, hi = D.SPECS[key]
    return Spec(Kind(kind), lo, hi)


@functools.cache
def tree_spec(fam: str, sub: str, dev: str, name: str) -> Spec:
    """Handler of ``net.FAM.SUB.DEV.NAME``: the ``all``/``default`` entry, else the ``*`` one."""
    entry = None
    if dev in ("all", "default"):
        entry = D.SPECS.get(f"net.{fam}.{sub}.{dev}.{name}")
    if entry is None:
        entry = D.SPECS[f"net.{fam}.{sub}.*.{name}"]
    kind, lo, hi = entry
    return Spec(Kind(kind), lo, hi)


@functools.cache
def conf6_spec(dev: str, name: str) -> Spec:
    """IPv6 conf files are not all plain ints: ``mldv*`` are ms, ``router_*`` seconds."""
    if dev not in ("all", "default") and name in ("mtu", "addr_gen_mode"):
        return Spec(Kind.INT)  # bounds depend on the device, see Sysctls._write_conf6
    return tree_spec("ipv6", "conf", dev, name)


def parse1(spec: Spec, text: str) -> int:
    """The C value a one-number write of ``text`` stores (raises ``Invalid``)."""
    values, _ = parse_values(text, 1)
    return store_value(spec, *values[0])


def _stored6(dev: str, values: Mapping[str, int]) -> dict[str, int]:
    """Captured texts (as ints) -> the C values the kernel holds (jiffies for times)."""
    out = {}
    for name, v in values.items():
        s = conf6_spec(dev, name)
        out[name] = v if s.kind is Kind.RO else parse1(s, str(v))
    return out


CONF4_ALL: Final = dict(D.IPV4_CONF_ALL)
CONF4_DEFAULT: Final = dict(D.IPV4_CONF_DEFAULT)
CONF4_LOOPBACK: Final = dict(D.IPV4_CONF_LOOPBACK)
CONF4_DEVICE: Final = dict(D.IPV4_CONF_DEVICE)
CONF6_ALL: Final = _stored6("all", D.IPV6_CONF_ALL)
CONF6_DEFAULT: Final = _stored6("default", D.IPV6_CONF_DEFAULT)
CONF6_LOOPBACK: Final = _stored6("lo", D.IPV6_CONF_LOOPBACK)
CONF6_DEVICE: Final = _stored6("lo", D.IPV6_CONF_DEVICE)


def _neigh_template(fam: str, texts: Mapping[str, str]) -> dict[str, int]:
    """``neigh_parms`` fields of a new device, parsed from the captured file texts."""
    return {
        NEIGH_FIELD.get(name, name): parse1(tree_spec(fam, "neigh", "*", name), text)
        for name, text in texts.items()
        if name != "unres_qlen"  # unres_qlen_bytes holds it
    }


NEIGH_TEMPLATE: Final = {
    "ipv4": _neigh_template("ipv4", D.IPV4_NEIGH),
    "ipv6": _neigh_template("ipv6", D.IPV6_NEIGH),
}
NEIGH_NAMES: Final = {"ipv4": tuple(D.IPV4_NEIGH), "ipv6": tuple(D.IPV6_NEIGH)}


def neigh_text(fam: str, name: str, neigh: Mapping[str, int]) -> str:
    """What reading ``net.FAM.neigh.DEV.NAME`` gives."""
    value = neigh[NEIGH_FIELD.get(name, name)]
    if name == "unres_qlen":
        return str(value // SKB_TRUESIZE_FRAME)
    return format_value(tree_spec(fam, "neigh", "*", name), value)


@dataclass(slots=True)
class Device:
    """One registered device's trees (``None``: the family is off for its MTU)."""

    loopback: bool
    mtu: int
    conf4: dict[str, int] | None = None
    #: IPv4 conf keys written on this device (``ipv4_devconf.state``)
    written4: set[str] = field(default_factory=set)
    conf6: dict[str, int] | None = None
    neigh4: dict[str, int] | None = None
    neigh6: dict[str, int] | None = None

    def neigh(self, fam: str) -> dict[str, int] | None:
        return self.neigh4 if fam == "ipv4" else self.neigh6

    def conf(self, fam: str) -> dict[str, int] | None:
        return self.conf4 if fam == "ipv4" else self.conf6
