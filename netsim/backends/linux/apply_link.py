"""The link requests of :class:`~netsim.backends.linux.apply.Applier`, as
pyroute2 requests: ``ip link add`` with the kind's ``IFLA_INFO_DATA`` (what
iproute2 6.1's ``ip/iplink.c`` ``iplink_modify()`` and ``link_veth.c``,
``iplink_vxlan.c``, ``iplink_macvlan.c``, ``iplink_vlan.c``,
``iplink_ipvlan.c`` put in it) and ``ip link set``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netsim.backends.linux.apply import Applier
    from netsim.host.ops import LinkAdd, LinkSet

__all__ = ["link_add", "link_set"]

_IFF_PROMISC = 0x100
_IFF_ALLMULTI = 0x200

#: ``LinkAdd.data`` of a vxlan -> pyroute2's ``IFLA_VXLAN_*`` names (``World.add_vxlan``'s words).
_VXLAN = {"id": "vxlan_id", "remote": "vxlan_group", "group": "vxlan_group",
          "local": "vxlan_local", "dstport": "vxlan_port", "learning": "vxlan_learning",
          "proxy": "vxlan_proxy", "l2miss": "vxlan_l2miss", "l3miss": "vxlan_l3miss",
          "ttl": "vxlan_ttl", "tos": "vxlan_tos", "ageing": "vxlan_ageing",
          "maxaddress": "vxlan_limit", "udpcsum": "vxlan_udp_csum"}  # fmt: skip


def link_add(ap: Applier, op: LinkAdd) -> None:
    """``ip link add``: one request; ``to_netns`` and a veth peer's namespace as fds."""
    ipr = ap.ipr(op.netns)
    req: dict[str, Any] = {"ifname": op.ifname, "kind": op.kind}
    if op.address is not None:
        req["address"] = op.address
    if op.mtu is not None:
        req["mtu"] = op.mtu
    if op.txqlen is not None:
        req["txqlen"] = op.txqlen
    if op.link is not None:
        req["link"] = ap.index(ipr, op.link)
    fds: list[int] = []
    try:
        if op.to_netns is not None:  # IFLA_NET_NS_FD: made there, found here
            fds.append(ap.netns_fd(op.to_netns))
            req["net_ns_fd"] = fds[-1]
        req.update(_kind_data(ap, ipr, op, fds))
        ipr.link("add", **req)
    finally:
        for fd in fds:
            os.close(fd)


def _kind_data(ap: Applier, ipr: Any, op: LinkAdd, fds: list[int]) -> dict[str, Any]:
    d = op.data
    match op.kind:
        case "veth":
            peer: dict[str, Any] = {"ifname": d.get("peer", "veth%d")}
            if d.get("peer_address") is not None:
                peer["address"] = d["peer_address"]
            if d.get("peer_mtu") is not None:
                peer["mtu"] = int(d["peer_mtu"])
            if op.txqlen is not None:
                peer["txqlen"] = op.txqlen
            if d.get("peer_netns") is not None:
                fds.append(ap.netns_fd(d["peer_netns"]))
                peer["net_ns_fd"] = fds[-1]
            return {"peer": peer}
        case "vxlan":
            return _vxlan_data(ap, ipr, d)
        case "macvlan" | "ipvlan" if d.get("mode") is not None:
            mode = str(d["mode"])
            return {f"{op.kind}_mode": mode if op.kind == "macvlan" else mode.lower()}
        case "vlan":
            return {"vlan_id": int(d["id"])}
    return {}


def _vxlan_data(ap: Applier, ipr: Any, d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key in _VXLAN and value is not None:
            out[_VXLAN[key]] = int(value) if isinstance(value, bool) else value
    if d.get("dev") is not None:
        out["vxlan_link"] = ap.index(ipr, d["dev"])
    if d.get("srcport") is not None and tuple(d["srcport"]) != (0, 0):
        low, high = d["srcport"]
        out["vxlan_port_range"] = {"low": low, "high": high}
    if d.get("ttl") is None:
        out["vxlan_ttl_inherit"] = 1
    return out


def link_set(ap: Applier, op: LinkSet) -> None:
    """``ip link set``: every change in one request (a move with ``IFLA_NET_NS_FD``)."""
    ipr = ap.ipr(op.netns)
    req: dict[str, Any] = {"index": ap.index(ipr, op.ifname)}
    there = ipr if op.to_netns is None else ap.ipr(op.to_netns)
    fd = None
    if op.to_netns is not None:
        fd = req["net_ns_fd"] = ap.netns_fd(op.to_netns)
    if op.address is not None:
        req["address"] = op.address
    if op.mtu is not None:
        req["mtu"] = op.mtu
    if op.name is not None:
        req["ifname"] = op.name
    if op.alias is not None:
        req["ifalias"] = op.alias
    if op.master is not None:
        req["master"] = ap.index(there, op.master) if op.master else 0
    if op.up is not None:
        req["state"] = "up" if op.up else "down"
    if op.promisc is not None or op.allmulti is not None:
        req["flags"] = (_IFF_PROMISC if op.promisc else 0) | (_IFF_ALLMULTI if op.allmulti else 0)  # fmt: skip  # noqa: E501
        req["change"] = (_IFF_PROMISC if op.promisc is not None else 0) | (
            _IFF_ALLMULTI if op.allmulti is not None else 0)  # fmt: skip
    try:
        ipr.link("set", **req)
    finally:
        if fd is not None:
            os.close(fd)
