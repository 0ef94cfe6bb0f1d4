"""veth pairs (``drivers/net/veth.c``).

* ``veth_newlink`` registers the peer first, so the peer's ifindex is lower.
* Both ends start with carrier off; ``veth_open`` turns carrier on for both
  ends only when the peer is up too; ``veth_close`` turns it off for both.
* ``veth_xmit`` hands the frame to the peer; the peer drops it if it is not
  up or the frame is longer than its MTU + Ethernet header + one VLAN tag
  (``is_skb_forwardable``).
* ``veth_dellink`` takes the peer with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, final

from netsim.kernel.links.base import ETH_HLEN, IFF_UP, VLAN_HLEN, Link
from netsim.kernel.skb import Skb, netif_rx

if TYPE_CHECKING:
    from netsim.kernel.netns import Netns

__all__ = ["Veth"]


@final
class Veth(Link):
    """One end of a veth pair."""

    kind: ClassVar[str | None] = "veth"
    speed: ClassVar[int | None] = 10000
    #: 6.18 counts two tbf overlimits per throttled watchdog run on a veth (one on
    #: an ifb): its qdisc dequeues in bulk.
    bulk_dequeue: ClassVar[bool] = True

    peer: Veth | None = None
    #: Seconds a frame takes from this end to the peer (the world's default
    #: unless set when the pair is made); constant per end, so frames arrive
    #: in the order they were sent.
    latency: float = 0.0

    def iflink(self) -> int:
        """``veth_get_iflink()``: the peer's ifindex (in the peer's namespace)."""
        return self.peer.ifindex if self.peer is not None else 0

    def link_netns(self) -> Netns | None:
        """``veth_get_link_net()``: the peer's namespace when it is not ours."""
        if self.peer is None or self.peer.netns is self.netns:
            return None
        return self.peer.netns

    def ndo_open(self) -> None:
        peer = self.peer
        if peer is not None and peer.up:
            self.carrier_on()
            peer.carrier_on()

    def ndo_stop(self) -> None:
        self.carrier_off()
        if self.peer is not None:
            self.peer.carrier_off()

    def xmit(self, skb: Skb) -> None:
        """``veth_xmit()``: hand the frame to the peer, one link latency later."""
        peer = self.peer
        if not self.flags & IFF_UP:
            self.drop(skb, "device down")
        elif peer is None or not peer.flags & IFF_UP:
            self.drop(skb, "no carrier (peer down)")
        elif skb.len > peer.mtu + ETH_HLEN + VLAN_HLEN:
            self.drop(skb, f"frame of {skb.len} bytes exceeds peer MTU {peer.mtu}")
        else:
            skb.dev = peer
            self.kernel.engine.call_later(self.latency, netif_rx, skb)
