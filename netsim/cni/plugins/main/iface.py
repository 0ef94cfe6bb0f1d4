"""Configuring and checking a container interface: ``ipam.ConfigureIface``
(``pkg/ipam/ipam_linux.go``), ``ip.ValidateExpectedInterfaceIPs`` and
``ip.ValidateExpectedRoute`` (``pkg/ip/utils_linux.go``) of containernetworking/plugins
v1.1.1, with Go's ``%v`` of the values their errors print."""

from __future__ import annotations

import ipaddress
from typing import Any

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.plugins.main.common import addrs_of, errstr, link_by_name
from netsim.cni.result import IPNet, Result, Route
from netsim.errors import NetsimError
from netsim.host.ops import AddrAdd, Dump, LinkSet, RouteAdd

__all__ = ["addr_add", "configure_iface", "go_ipnet", "validate_ips", "validate_routes"]


def go_mask(n: IPNet, *, sixteen: bool = False) -> str:
    """Go's ``net.IPMask.String()``: hex bytes; ``sixteen`` for a mask built from
    a 16-byte IPv4 address (``net.IPMask(net.IPv4zero)``, calcGateways' default)."""
    if sixteen and n.version == 4:
        return "00000000000000000000ffff00000000"
    width = 4 if n.version == 4 else 16
    return int(n.network.netmask).to_bytes(width, "big").hex()


def go_ipnet(n: IPNet, *, sixteen: bool = False) -> str:
    """``%v`` of a ``net.IPNet`` value: ``{IP MASK}``."""
    return f"{n.ip} {go_mask(n, sixteen=sixteen)}".join("{}")


def go_route(r: Route) -> str:
    """``%v`` of ``*types.Route`` (``%+v`` of the struct)."""
    dst = "{IP:<nil> Mask:<nil>}"
    if r.dst is not None:
        dst = f"{{IP:{r.dst.ip} Mask:{go_mask(r.dst)}}}"
    return f"{{Dst:{dst} GW:{r.gw if r.gw is not None else '<nil>'}}}"


def addr_add(netns: str, ifname: str, addr: IPNet) -> AddrAdd:
    """``netlink.AddrAdd``: an IPv4 address shorter than /31 gets its broadcast."""
    brd = None
    if addr.version == 4 and addr.network.prefixlen < 31:
        brd = str(addr.network.broadcast_address)
    return AddrAdd(netns=netns, ifname=ifname, address=f"{addr.ip}/{addr.network.prefixlen}",
                   broadcast=brd)  # fmt: skip


def _ipc_str(result: Result, i: int) -> str:
    ipc = result.ips[i]
    gw = ipc.gateway if ipc.gateway is not None else "<nil>"
    return f"{{Interface:{ipc.interface} Address:{go_ipnet(ipc.address)} Gateway:{gw}}}"


def configure_iface(netns: str, ifname: str, result: Result, *, appended: int = 0) -> PluginGen[None]:  # fmt: skip  # noqa: E501
    """``ipam.ConfigureIface``: the addresses whose ``interface`` is ``ifname``,
    link UP, then every route (gw: its own, else the first gateway of its family).
    The last ``appended`` routes were made by calcGateways (printed with its mask)."""
    if not result.interfaces:
        raise CniError("no interfaces to configure")
    if (yield from link_by_name(netns, ifname)) is None:
        raise CniError(f'failed to lookup "{ifname}": Link not found')
    gws: dict[int, Any] = {}
    for i, ipc in enumerate(result.ips):
        if ipc.interface is None:
            continue
        idx = ipc.interface
        if not 0 <= idx < len(result.interfaces) or result.interfaces[idx].name != ifname:
            raise CniError(f'failed to add IP addr {_ipc_str(result, i)} to "{ifname}": invalid interface index')  # fmt: skip  # noqa: E501
        if ipc.address.version == 6:
            raise CniError("netsim: IPv6 addresses are not modelled yet")
        try:
            yield addr_add(netns, ifname, ipc.address)
        except NetsimError as e:
            raise CniError(f'failed to add IP addr {_ipc_str(result, i)} to "{ifname}": {errstr(e)}') from None  # fmt: skip  # noqa: E501
        if ipc.gateway is not None:
            gws.setdefault(ipc.gateway.version, ipc.gateway)
    try:
        yield LinkSet(netns=netns, ifname=ifname, up=True)
    except NetsimError as e:
        raise CniError(f'failed to set "{ifname}" UP: {errstr(e)}') from None
    first_appended = len(result.routes) - appended
    for n, r in enumerate(result.routes):
        if r.dst is None:
            continue
        gw = r.gw if r.gw is not None else gws.get(r.dst.version)
        try:
            yield RouteAdd(netns=netns, dst=f"{r.dst.ip}/{r.dst.network.prefixlen}",
                           via=str(gw) if gw is not None else None, dev=ifname,
                           scope=None if gw is not None else "global")  # fmt: skip
        except NetsimError as e:
            dst = go_ipnet(r.dst, sixteen=n >= first_appended)
            gw_s = gw if gw is not None else "<nil>"
            raise CniError(f"failed to add route '{dst} via {gw_s} dev {ifname}': {errstr(e)}") from None  # fmt: skip  # noqa: E501


def _routes(netns: str) -> PluginGen[list[dict[str, Any]]]:
    records = yield Dump(netns=netns, what="route")
    assert isinstance(records, list)
    return [r for r in records if r.get("table", "main") == "main" and r.get("type", "unicast") == "unicast"]  # fmt: skip  # noqa: E501


def _dst_of(rec: dict[str, Any]) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    dst = str(rec.get("dst", ""))
    if dst == "default":
        return None
    return ipaddress.ip_network(dst, strict=False)


def validate_ips(netns: str, ifname: str, result: Result) -> PluginGen[None]:
    """``ip.ValidateExpectedInterfaceIPs``: each address on ``ifname`` and a route to its prefix."""
    for ipc in result.ips:
        if (yield from link_by_name(netns, ifname)) is None:
            raise CniError(f"Cannot find container link {ifname}")
        have = yield from addrs_of(netns, ifname)
        ours = ipc.address
        if not any(a.ip == ours.ip and a.network.prefixlen == ours.network.prefixlen for a in have):
            raise CniError(f"Failed to match addr {ours.ip}/{ours.network.prefixlen} on interface {ifname}")  # fmt: skip  # noqa: E501
        routes = yield from _routes(netns)
        if not any(_dst_of(r) == ours.network for r in routes):
            gw = ipc.gateway if ipc.gateway is not None else "<nil>"
            raise CniError(f"Failed to find Gateway {gw} for interface {ifname}")


def validate_routes(netns: str, result: Result) -> PluginGen[None]:
    """``ip.ValidateExpectedRoute``: each route of the result is in the table
    (a default route by destination only)."""
    for r in result.routes:
        if r.dst is None:
            raise CniError(f"Invalid static route found {go_route(r)}")
        routes = yield from _routes(netns)
        default = r.dst.network.prefixlen == 0 and int(r.dst.ip) == 0
        found = False
        for rec in routes:
            dst = _dst_of(rec)
            if default:
                found = dst is None
            else:
                gw = rec.get("gateway")
                found = dst == r.dst.network and (
                    gw == str(r.gw) if r.gw is not None else gw is None
                )
            if found:
                break
        if not found:
            raise CniError(f"Expected Route {go_route(r)} not found in routing table")
