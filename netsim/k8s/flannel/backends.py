"""flanneld's backends, as generators of Host operations: ``vxlan``
(``pkg/backend/vxlan/{vxlan.go,device.go,vxlan_network.go}``) and ``host-gw``
(``pkg/backend/hostgw``, ``pkg/backend/route_network.go``) of flannel-io/flannel.

vxlan: the device ``flannel.<VNI>`` (VNI, local address and lower device the
node's external interface, learning off, no ``dstport``: the kernel's 8472;
MTU 50 below the interface's; a random locally administered MAC unless the
node's ``backend-data`` annotation already holds one), ``accept_ra=0``, the
lease's base address as ``/32``, up.  Per remote lease, in order: the
permanent neighbour ``<subnet base> lladdr <VtepMAC>``, the FDB entry
``<VtepMAC> dst <public IP> self permanent``, the route ``<subnet> via <subnet
base> dev flannel.N onlink`` (each a replace); removal undoes them in the same
order, ignoring failures.  ``DirectRouting``: where the remote address is
reached without a gateway, ``<subnet> via <public IP>`` instead.

host-gw: per remote lease ``<subnet> via <public IP> dev <ext iface>`` (a
route to the subnet through another gateway goes first).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import random
from dataclasses import dataclass
from typing import Any

from netsim.cni.driver import PluginGen
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import (
    AddrAdd,
    AddrDel,
    Dump,
    FdbAdd,
    FdbDel,
    LinkAdd,
    LinkDel,
    LinkGet,
    LinkSet,
    NeighAdd,
    NeighDel,
    RouteAdd,
    RouteDel,
    SysctlSet,
)
from netsim.k8s.flannel.config import Backend

__all__ = ["Lease", "device_name", "host_gw_add", "host_gw_remove", "new_mac", "vxlan_add",
           "vxlan_configure", "vxlan_link", "vxlan_remove"]  # fmt: skip


@dataclass(frozen=True)
class Lease:
    """A node's lease as the other nodes see it: subnet, public IP, VTEP MAC."""

    node: str
    subnet: ipaddress.IPv4Network
    public_ip: str
    backend_type: str
    vtep_mac: str = ""


def new_mac(rng: random.Random) -> str:
    """``mac.NewHardwareAddr``: random, locally administered, unicast."""
    b = bytearray(rng.getrandbits(8) for _ in range(6))
    b[0] = (b[0] & 0xFE) | 0x02
    return ":".join(f"{x:02x}" for x in b)


def device_name(backend: Backend) -> str:
    return f"flannel.{backend.vni}"


def _incompat(want: dict[str, Any], rec: dict[str, Any]) -> str:
    """``vxlanLinksIncompat``: why an existing device is not the one flannel wants
    ("" when it is: type, VNI, external device and address, l2miss, port, gbp)."""
    info = rec.get("linkinfo", {})
    if info.get("info_kind") != "vxlan":
        return f"link type: vxlan vs {info.get('info_kind', 'device')}"
    have = info.get("info_data", {})
    if have.get("id") != want["id"]:
        return f"vni: {want['id']} vs {have.get('id')}"
    if have.get("link") and have.get("link") != want["dev"]:
        return f"vtep (external) interface: {want['dev']} vs {have['link']}"
    if have.get("local") and have.get("local") != want["local"]:
        return f"vtep (external) IP: {want['local']} vs {have['local']}"
    if have.get("l2miss", False):
        return "l2miss: false vs true"
    if want.get("dstport") and have.get("port") and have["port"] != want["dstport"]:
        return f"port: {want['dstport']} vs {have['port']}"
    if have.get("gbp", False):
        return "gbp: false vs true"
    return ""


def vxlan_link(node: str, backend: Backend, ext: str, ext_ip: str, mtu: int,
               mac: str) -> PluginGen[str]:  # fmt: skip
    """``newVXLANDevice`` → ``ensureLink``: the device, or the one already there
    when its configuration is compatible (a flanneld restarted), else that one
    deleted and made again; ``accept_ra`` 0.  The device's MAC (the existing
    device's, when kept: what the lease then publishes)."""
    name = device_name(backend)
    data: dict[str, Any] = {"id": backend.vni, "local": ext_ip, "dev": ext,
                            "learning": backend.learning}  # fmt: skip
    if backend.port:
        data["dstport"] = backend.port
    add = LinkAdd(netns=node, ifname=name, kind="vxlan", address=mac,
                  mtu=(backend.mtu or mtu) - 50, data=data)  # fmt: skip
    try:
        yield add
    except KernelError as e:
        if e.errno != errno.EEXIST:
            raise
        (existing,) = yield LinkGet(netns=node, ifname=name)
        if not _incompat(data, existing):
            mac = str(existing.get("address", mac))
        else:
            yield LinkDel(netns=node, ifname=name)
            yield add
    with contextlib.suppress(NetsimError):
        yield SysctlSet(netns=node, key=f"net.ipv6.conf.{name}.accept_ra", value="0")
    return mac


def vxlan_configure(node: str, backend: Backend, subnet: ipaddress.IPv4Network,
                    network: ipaddress.IPv4Network) -> PluginGen[None]:  # fmt: skip
    """``vxlanDevice.Configure``: the lease's base address as ``/32`` (other
    addresses of the Network go, ``EnsureV4AddressOnLink``), up."""
    name = device_name(backend)
    want = f"{subnet.network_address}/32"
    records = yield Dump(netns=node, what="addr", dev=name)
    present = False
    for rec in records or []:  # other addresses inside Network go
        for a in rec.get("addr_info", []):
            have = f"{a['local']}/{a['prefixlen']}"
            present |= have == want
            if have != want and ipaddress.ip_address(a["local"]) in network:
                yield AddrDel(netns=node, ifname=name, address=have)
    if not present:
        yield AddrAdd(netns=node, ifname=name, address=want)
    yield LinkSet(netns=node, ifname=name, up=True)


def _direct(node: str, backend: Backend, lease: Lease) -> PluginGen[bool]:
    """``DirectRouting``: is the remote's public IP reached without a gateway?"""
    if not backend.direct_routing:
        return False
    routes = yield Dump(netns=node, what="route")
    ip = ipaddress.ip_address(lease.public_ip)
    for r in routes or []:
        dst = r.get("dst", "")
        if r.get("table", "main") != "main" or dst in ("default", "") or "gateway" in r:
            continue
        net = ipaddress.ip_network(dst if "/" in dst else f"{dst}/32")
        if ip in net:
            return True
    return False


def vxlan_add(node: str, backend: Backend, lease: Lease) -> PluginGen[None]:
    """``handleSubnetEvents`` for an added lease (vxlan)."""
    base = str(lease.subnet.network_address)
    if (yield from _direct(node, backend, lease)):
        yield RouteAdd(netns=node, dst=str(lease.subnet), via=lease.public_ip, replace=True)
        return
    dev = device_name(backend)
    yield NeighAdd(netns=node, dst=base, dev=dev, lladdr=lease.vtep_mac, replace=True)
    try:
        yield FdbAdd(netns=node, mac=lease.vtep_mac, dev=dev, dst=lease.public_ip, mode="replace")
    except NetsimError:
        yield NeighDel(netns=node, dst=base, dev=dev)
        return
    try:
        yield RouteAdd(netns=node, dst=str(lease.subnet), via=base, dev=dev, onlink=True,
                       replace=True)  # fmt: skip
    except NetsimError:
        yield NeighDel(netns=node, dst=base, dev=dev)
        yield FdbDel(netns=node, mac=lease.vtep_mac, dev=dev, dst=lease.public_ip)


def vxlan_remove(node: str, backend: Backend, lease: Lease) -> PluginGen[None]:
    """``handleSubnetEvents`` for a removed lease (vxlan): each failure only logged."""
    base = str(lease.subnet.network_address)
    dev = device_name(backend)
    for op in (NeighDel(netns=node, dst=base, dev=dev),
               FdbDel(netns=node, mac=lease.vtep_mac, dev=dev, dst=lease.public_ip),
               RouteDel(netns=node, dst=str(lease.subnet), via=base, dev=dev)):  # fmt: skip
        with contextlib.suppress(NetsimError):
            yield op


def host_gw_add(node: str, ext: str, lease: Lease) -> PluginGen[None]:
    """``RouteNetwork.handleSubnetEvents`` (host-gw): an existing route to the
    subnet through another gateway or device goes first; a refusal is logged."""
    routes = yield Dump(netns=node, what="route")
    for r in routes or []:
        if r.get("dst") == str(lease.subnet) and r.get("table", "main") == "main":
            if r.get("gateway") == lease.public_ip and r.get("dev") == ext:
                return
            with contextlib.suppress(NetsimError):
                yield RouteDel(netns=node, dst=str(lease.subnet))
    with contextlib.suppress(NetsimError):
        yield RouteAdd(netns=node, dst=str(lease.subnet), via=lease.public_ip, dev=ext)


def host_gw_remove(node: str, ext: str, lease: Lease) -> PluginGen[None]:
    with contextlib.suppress(NetsimError):
        yield RouteDel(netns=node, dst=str(lease.subnet), via=lease.public_ip, dev=ext)
