"""Host operations: netlink-shaped requests as plain data.

Each operation is what one ``RTM_NEW*``/``RTM_DEL*``/``RTM_GET*`` request (or a
sysctl write) carries, named with iproute2's nouns.  A :class:`~netsim.host.Host`
applies them; plugins and the control plane build them and never touch a
backend directly, so one piece of logic drives the model and the real kernel.

Addresses are strings as ``ip`` takes them (``10.0.0.1/24``, ``02:00:00:00:00:01``);
every operation names its namespace (``init_net`` is the initial one).
Operations are frozen and compare by value; :func:`to_dict` / :func:`from_dict`
carry them across a process boundary (the linux backend's agent).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Final

from netsim.host.base import INIT_NET
from netsim.host.ops_query import DUMPS, Dump, LinkGet, RouteGet, SysctlGet
from netsim.host.ops_tc import QDISC_MODES, FilterAdd, FilterDel, QdiscAdd, QdiscDel

__all__ = [
    "DUMPS",
    "INIT_NET",
    "OPS",
    "QDISC_MODES",
    "AddrAdd",
    "AddrDel",
    "BridgePortSet",
    "ConntrackDelete",
    "Dump",
    "FdbAdd",
    "FdbDel",
    "FilterAdd",
    "FilterDel",
    "Iptables",
    "LinkAdd",
    "LinkDel",
    "LinkGet",
    "LinkSet",
    "NeighAdd",
    "NeighDel",
    "NetnsAdd",
    "NetnsDel",
    "Op",
    "QdiscAdd",
    "QdiscDel",
    "RouteAdd",
    "RouteDel",
    "RouteGet",
    "Sleep",
    "SysctlGet",
    "SysctlSet",
    "from_dict",
    "to_dict",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NetnsAdd:
    """``ip netns add NAME``."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NetnsDel:
    """``ip netns del NAME``: its devices go with it."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkAdd:
    """``ip link add IFNAME [address A] [mtu N] [link LOWER] type KIND DATA...``.

    ``data`` holds the kind's attributes with ``ip link``'s words: for ``veth``
    ``peer`` (name), ``peer_netns``, ``peer_address``; for ``vxlan`` ``id``,
    ``remote``, ``local``, ``dev``, ``dstport``, ``learning`` ...; for
    ``macvlan``/``ipvlan`` ``mode``; for ``vlan`` ``id``.

    ``to_netns`` is ``ip link add ... netns NS`` (``IFLA_NET_NS_FD``): the
    device is made in ``NS`` (its name checked and its ifindex drawn there),
    while ``link`` (and a veth's default peer namespace) stay the request's,
    ``netns`` — how the macvlan, ipvlan and vlan CNI plugins make theirs.
    """

    netns: str = INIT_NET
    ifname: str
    kind: str
    address: str | None = None
    mtu: int | None = None
    #: ``IFLA_TXQLEN`` (a veth's peer gets it too, as netlink libraries send it).
    txqlen: int | None = None
    link: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    to_netns: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSet:
    """``ip link set IFNAME [netns NS] [address A] [mtu N] [name X] [alias A]
    [master M | nomaster] [up|down] [promisc on|off] [allmulticast on|off]``
    (applied in ``do_setlink()``'s order).  ``master=""`` is ``nomaster``;
    ``alias=""`` removes the alias (``IFLA_IFALIAS``)."""

    netns: str = INIT_NET
    ifname: str
    up: bool | None = None
    mtu: int | None = None
    address: str | None = None
    name: str | None = None
    master: str | None = None
    to_netns: str | None = None
    promisc: bool | None = None
    alias: str | None = None
    allmulti: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BridgePortSet:
    """``bridge link set dev IFNAME [hairpin on|off] [learning on|off] [flood on|off]``:
    ``RTM_SETLINK`` (``AF_BRIDGE``) with ``IFLA_PROTINFO``'s ``IFLA_BRPORT_MODE``,
    ``_LEARNING``, ``_UNICAST_FLOOD`` (netlink's ``LinkSetHairpin``)."""

    netns: str = INIT_NET
    ifname: str
    hairpin: bool | None = None
    learning: bool | None = None
    flood: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkDel:
    """``ip link del IFNAME``."""

    netns: str = INIT_NET
    ifname: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddrAdd:
    """``ip addr add ADDR/PLEN dev IFNAME [brd B]``."""

    netns: str = INIT_NET
    ifname: str
    address: str
    broadcast: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddrDel:
    """``ip addr del ADDR/PLEN dev IFNAME``."""

    netns: str = INIT_NET
    ifname: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteAdd:
    """``ip route add|replace DST [via GW] [dev IFNAME] [src S] [metric M] [table T]
    [scope S] [onlink]`` (``replace`` when asked)."""

    netns: str = INIT_NET
    dst: str
    via: str | None = None
    dev: str | None = None
    src: str | None = None
    metric: int | None = None
    table: int | None = None
    scope: str | None = None
    onlink: bool = False
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteDel:
    """``ip route del DST [via GW] [dev IFNAME] [table T]``."""

    netns: str = INIT_NET
    dst: str
    via: str | None = None
    dev: str | None = None
    table: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NeighAdd:
    """``ip neigh add|replace DST lladdr MAC dev IFNAME nud STATE``."""

    netns: str = INIT_NET
    dst: str
    dev: str
    lladdr: str
    nud: str = "permanent"
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class NeighDel:
    """``ip neigh del DST dev IFNAME``."""

    netns: str = INIT_NET
    dst: str
    dev: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FdbAdd:
    """``bridge fdb add|append|replace MAC dev IFNAME [self|master] [dst IP]
    [port P] [vni V] [via DEV] [permanent|static|dynamic]``."""

    netns: str = INIT_NET
    mac: str
    dev: str
    master: bool = False
    state: str = "permanent"
    dst: str | None = None
    port: int | None = None
    vni: int | None = None
    via: str | None = None
    mode: str = "add"


@dataclass(frozen=True, slots=True, kw_only=True)
class FdbDel:
    """``bridge fdb del MAC dev IFNAME [self|master] [dst IP]``."""

    netns: str = INIT_NET
    mac: str
    dev: str
    master: bool = False
    dst: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SysctlSet:
    """``sysctl -w KEY=VALUE`` in a namespace."""

    netns: str = INIT_NET
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConntrackDelete:
    """Delete the conntrack entries of the family (IPv6 when ``ipv6``) whose
    original tuple has protocol ``proto`` and, when given, destination ``dst``
    and destination port ``dport`` (netlink's ``ConntrackDeleteFilter``: a dump
    of ``IPCTNL_MSG_CT_GET``, then ``IPCTNL_MSG_CT_DELETE`` for each match).
    The result is how many matched."""

    netns: str = INIT_NET
    proto: int
    dst: str | None = None
    dport: int | None = None
    ipv6: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Iptables:
    """``iptables ARGS`` (``ip6tables`` when ``ipv6``) run in the namespace, as
    go-iptables runs the binary for the plugins: the result is its stdout; a
    non-zero exit is :class:`~netsim.errors.CommandFailed` with its status and
    stderr.  (Plugins change netfilter through the program, not through
    nf_tables netlink, so the seam carries the program's words.)"""

    netns: str = INIT_NET
    args: tuple[str, ...]
    ipv6: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))  # a list from JSON


@dataclass(frozen=True, slots=True, kw_only=True)
class Sleep:
    """Let ``seconds`` pass (a plugin's ``time.Sleep``): simulated time on the
    model, whose timers (the link watcher, ARP, ageing) fire meanwhile; real
    time on the kernel."""

    seconds: float


Op = (
    NetnsAdd | NetnsDel | LinkAdd | LinkSet | LinkDel | AddrAdd | AddrDel | RouteAdd | RouteDel
    | NeighAdd | NeighDel | FdbAdd | FdbDel | SysctlSet | SysctlGet | Dump | BridgePortSet
    | Iptables | Sleep | LinkGet | RouteGet | ConntrackDelete | QdiscAdd | QdiscDel
    | FilterAdd | FilterDel
)  # fmt: skip

#: Operation name -> class, for :func:`from_dict`.
OPS: Final[dict[str, type[Any]]] = {
    cls.__name__: cls
    for cls in (NetnsAdd, NetnsDel, LinkAdd, LinkSet, LinkDel, AddrAdd, AddrDel, RouteAdd,
                RouteDel, NeighAdd, NeighDel, FdbAdd, FdbDel, SysctlSet, SysctlGet, Dump,
                BridgePortSet, Iptables, Sleep, LinkGet, RouteGet, ConntrackDelete,
                QdiscAdd, QdiscDel, FilterAdd, FilterDel)
}  # fmt: skip


def to_dict(op: Op) -> dict[str, Any]:
    """``{"op": NAME, **fields}``: JSON-ready."""
    return {"op": type(op).__name__, **dataclasses.asdict(op)}


def from_dict(data: dict[str, Any]) -> Op:
    """The inverse of :func:`to_dict`; unknown names or fields raise ``ValueError``."""
    fields = dict(data)
    name = fields.pop("op", None)
    cls = OPS.get(str(name))
    if cls is None:
        raise ValueError(f"unknown host operation {name!r}")
    try:
        op: Op = cls(**fields)
    except TypeError as e:
        raise ValueError(f"{name}: {e}") from None
    return op
