"""The network the nodes stand on: one L2 segment, as kind's Docker network is.

The segment is a bridge ``br0`` in a namespace ``underlay`` holding the
segment's first address (``172.18.0.1``, the gateway nodes route through);
each node is a namespace whose ``eth0`` (a veth, the other end ``pN`` on the
bridge) holds the node's address (``.2``, ``.3``... in join order) with a
default route via the gateway -- the interface flanneld picks as the node's
external interface.  Everything is made through Host operations, so the same
underlay stands on the model and on the real kernel.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Final

from netsim.cni.driver import PluginGen
from netsim.host.ops import AddrAdd, LinkAdd, LinkDel, LinkSet, NetnsAdd, RouteAdd, SysctlSet

__all__ = ["SEGMENT_NS", "Underlay"]

#: The namespace that stands for the physical network.
SEGMENT_NS: Final = "underlay"
BRIDGE: Final = "br0"


@dataclass
class Underlay:
    """One L2 segment: ``cidr``, every node's ``eth0`` of ``mtu`` bytes."""

    cidr: str = "172.18.0.0/16"
    mtu: int = 1500
    #: node name -> (its address, its port on the bridge).
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    _next_host: int = 2
    _next_port: int = 1

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr)

    @property
    def gateway(self) -> str:
        return str(self.network.network_address + 1)

    def build(self) -> PluginGen[None]:
        """The segment: its namespace, the bridge (up, with the gateway address)."""
        prefix = self.network.prefixlen
        yield NetnsAdd(name=SEGMENT_NS)
        yield LinkAdd(netns=SEGMENT_NS, ifname=BRIDGE, kind="bridge", mtu=self.mtu)
        yield AddrAdd(netns=SEGMENT_NS, ifname=BRIDGE, address=f"{self.gateway}/{prefix}")
        yield LinkSet(netns=SEGMENT_NS, ifname=BRIDGE, up=True)

    def attach(self, node: str) -> PluginGen[str]:
        """A node's namespace on the segment: ``eth0`` with the next address, up,
        and a default route via the gateway.  The node's address."""
        host = self.network.network_address + self._next_host
        if host not in self.network or host == self.network.broadcast_address:
            raise ValueError(f"underlay {self.cidr} has no address left for node {node}")
        port = f"p{self._next_port}"
        self._next_host += 1
        self._next_port += 1
        address = str(host)
        yield NetnsAdd(name=node)
        yield LinkAdd(netns=node, ifname="eth0", kind="veth", mtu=self.mtu,
                      data={"peer": port, "peer_netns": SEGMENT_NS})  # fmt: skip
        yield LinkSet(netns=SEGMENT_NS, ifname=port, mtu=self.mtu, master=BRIDGE, up=True)
        yield AddrAdd(netns=node, ifname="eth0", address=f"{address}/{self.network.prefixlen}")
        yield LinkSet(netns=node, ifname="lo", up=True)
        yield LinkSet(netns=node, ifname="eth0", up=True)
        yield RouteAdd(netns=node, dst="default", via=self.gateway, dev="eth0")
        yield SysctlSet(netns=node, key="net.ipv4.ip_forward", value="1")  # kubeadm's preflight
        self.nodes[node] = (address, port)
        return address

    def set_link(self, node: str, *, up: bool) -> PluginGen[None]:
        """The node's cable: its port on the bridge down (the node's ``eth0`` loses
        its carrier; its addresses and routes stay) or up again."""
        _, port = self.nodes[node]
        yield LinkSet(netns=SEGMENT_NS, ifname=port, up=up)

    def detach(self, node: str) -> PluginGen[None]:
        """The node's port goes (its end of the veth takes ``eth0`` with it)."""
        _, port = self.nodes.pop(node)
        yield LinkDel(netns=SEGMENT_NS, ifname=port)
