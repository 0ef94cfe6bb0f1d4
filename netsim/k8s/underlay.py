"""The network the nodes stand on: one L2 segment, as kind's Docker network is,
or racks: one L2 segment each, routed to one another.

A segment is a bridge in a namespace ``underlay`` holding the segment's first
address (``172.18.0.1``, the gateway its nodes route through): ``br0`` for the
single segment; ``br0``, ``br1``... for the racks in order, the namespace then
forwarding between them (``ip_forward`` 1: the racks' router).  Each node is a
namespace whose ``eth0`` (a veth, the other end ``pN`` on its segment's
bridge) holds the node's address (``.2``, ``.3``... of its segment, in join
order) with a default route via the gateway -- the interface flanneld picks
as the node's external interface.  Everything is made through Host
operations, so the same underlay stands on the model and on the real kernel.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Final

from netsim.cni.driver import PluginGen
from netsim.host.ops import AddrAdd, LinkAdd, LinkDel, LinkSet, NetnsAdd, RouteAdd, SysctlSet

__all__ = ["SEGMENT_NS", "Rack", "Underlay", "UnderlayError"]

#: The namespace that stands for the physical network.
SEGMENT_NS: Final = "underlay"
BRIDGE: Final = "br0"


class UnderlayError(ValueError):
    """A node the underlay cannot place: no address left, no rack."""


@dataclass
class Rack:
    """One routed L2 segment: its name, ``cidr``, and the nodes it holds
    (listed up front; a node joining later names its rack)."""

    name: str
    cidr: str
    nodes: tuple[str, ...] = ()
    bridge: str = BRIDGE
    next_host: int = 2

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr)

    @property
    def gateway(self) -> str:
        return str(self.network.network_address + 1)


@dataclass
class Underlay:
    """The nodes' network: one segment ``cidr``, or ``racks``; every node's
    ``eth0`` of ``mtu`` bytes."""

    cidr: str = "172.18.0.0/16"
    mtu: int = 1500
    racks: list[Rack] = field(default_factory=list)
    #: node name -> (its address, its port on its segment's bridge).
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: node name -> its rack's name ("" on the single segment).
    rack_names: dict[str, str] = field(default_factory=dict)
    _next_port: int = 1

    def __post_init__(self) -> None:
        if not self.racks:
            self.racks = [Rack("", self.cidr)]
        for i, rack in enumerate(self.racks):
            rack.bridge = f"br{i}"

    @property
    def routed(self) -> bool:
        """Racks, routed by the underlay's namespace (not one segment)."""
        return len(self.racks) > 1 or bool(self.racks[0].name)

    @property
    def network(self) -> ipaddress.IPv4Network:
        return self.racks[0].network

    @property
    def gateway(self) -> str:
        return self.racks[0].gateway

    def rack_of(self, node: str, rack: str | None = None) -> Rack:
        """The segment ``node`` joins: the one rack, the one named, or the one
        listing it."""
        if not self.routed:
            return self.racks[0]
        for r in self.racks:
            if (rack is not None and r.name == rack) or (rack is None and node in r.nodes):
                return r
        if rack is not None:
            raise UnderlayError(f'rack "{rack}" not found')
        raise UnderlayError(f'node "{node}" is in no rack (name its rack when it joins)')

    def build(self) -> PluginGen[None]:
        """The namespace, each segment's bridge (up, with its gateway address),
        and forwarding between racks."""
        yield NetnsAdd(name=SEGMENT_NS)
        for rack in self.racks:
            yield LinkAdd(netns=SEGMENT_NS, ifname=rack.bridge, kind="bridge", mtu=self.mtu)
            yield AddrAdd(netns=SEGMENT_NS, ifname=rack.bridge,
                          address=f"{rack.gateway}/{rack.network.prefixlen}")  # fmt: skip
            yield LinkSet(netns=SEGMENT_NS, ifname=rack.bridge, up=True)
        if self.routed:
            yield SysctlSet(netns=SEGMENT_NS, key="net.ipv4.ip_forward", value="1")

    def attach(self, node: str, *, rack: str | None = None) -> PluginGen[str]:
        """A node's namespace on its segment: ``eth0`` with the segment's next
        address, up, and a default route via the segment's gateway.  The node's
        address."""
        seg = self.rack_of(node, rack)
        net = seg.network
        host = net.network_address + seg.next_host
        if host not in net or host == net.broadcast_address:
            where = f"rack {seg.name} ({seg.cidr})" if seg.name else f"underlay {seg.cidr}"
            raise UnderlayError(f"{where} has no address left for node {node}")
        port = f"p{self._next_port}"
        seg.next_host += 1
        self._next_port += 1
        address = str(host)
        yield NetnsAdd(name=node)
        yield LinkAdd(netns=node, ifname="eth0", kind="veth", mtu=self.mtu,
                      data={"peer": port, "peer_netns": SEGMENT_NS})  # fmt: skip
        yield LinkSet(netns=SEGMENT_NS, ifname=port, mtu=self.mtu, master=seg.bridge, up=True)
        yield AddrAdd(netns=node, ifname="eth0", address=f"{address}/{net.prefixlen}")
        yield LinkSet(netns=node, ifname="lo", up=True)
        yield LinkSet(netns=node, ifname="eth0", up=True)
        yield RouteAdd(netns=node, dst="default", via=seg.gateway, dev="eth0")
        yield SysctlSet(netns=node, key="net.ipv4.ip_forward", value="1")  # kubeadm's preflight
        self.nodes[node] = (address, port)
        self.rack_names[node] = seg.name
        return address

    def set_link(self, node: str, *, up: bool) -> PluginGen[None]:
        """The node's cable: its port on the bridge down (the node's ``eth0`` loses
        its carrier; its addresses and routes stay) or up again."""
        _, port = self.nodes[node]
        yield LinkSet(netns=SEGMENT_NS, ifname=port, up=up)

    def detach(self, node: str) -> PluginGen[None]:
        """The node's port goes (its end of the veth takes ``eth0`` with it)."""
        _, port = self.nodes.pop(node)
        self.rack_names.pop(node, None)
        yield LinkDel(netns=SEGMENT_NS, ifname=port)
