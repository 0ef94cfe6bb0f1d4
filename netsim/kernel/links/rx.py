"""The receive side of a device: ``eth_type_trans()`` (``net/ethernet/eth.c``)
and ``__netif_receive_skb_core()``'s order (``net/core/dev.c``): the ingress
qdisc, VLAN, the rx handler (a bridge port, a macvlan/ipvlan lower), then the
device's own stack (``RX_HANDLER_PASS``/``RX_HANDLER_ANOTHER``).

:class:`~netsim.kernel.links.base.Link` binds :func:`receive`, :func:`rx_pass`
and :func:`rx_another` as its methods of those names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.kernel.skb import (
    PACKET_BROADCAST,
    PACKET_HOST,
    PACKET_MULTICAST,
    PACKET_OTHERHOST,
    SKIP_CLASSIFY,
)
from netsim.trace import RECEIVED

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["eth_type_trans", "receive", "rx_another", "rx_pass"]


def receive(self: Link, skb: Skb) -> None:
    """A frame arrived: ``eth_type_trans()`` then ``__netif_receive_skb()``:
    an ingress qdisc classifies it first (``sch_handle_ingress``; once
    skipped for a frame an ifb hands back: ``skb_skip_tc_classify``), then
    VLAN, the rx handler (a bridge port), then this device's own stack."""
    ns = self.netns
    if ns is None:  # unregistered while the frame was in flight
        self.drop(skb, "device gone")
        return
    ing = self.ingress_q
    if ing is not None:
        if skb.redirect is SKIP_CLASSIFY:
            skb.redirect = None
        elif ing.classify(skb):
            return
    if self.vlan_info is not None and self.vlan_info.do_receive(self, skb):
        return
    handler = self.rx_handler
    if handler is not None:  # the handler records the step and classifies
        handler(self.rx_handler_data, skb)
        return
    steps = skb.steps
    if steps is not None:
        steps.append((skb.path, ns.env.now, ns.name, self.ifname, RECEIVED, None))
        skb.path = len(steps) - 1
    self.rx_pass(skb)


def rx_pass(self: Link, skb: Skb) -> None:
    """``RX_HANDLER_PASS``: classify, then up this device's own stack.

    A frame still carrying an 802.1Q tag that no VLAN device took is
    for another host unless its VID is 0 (``check_vlan_id``).
    """
    eth_type_trans(self, skb)
    tag = getattr(skb.frame, "vlan", None)
    if tag is not None and tag.vid:
        skb.pkt_type = PACKET_OTHERHOST
    assert self.netns is not None
    self.netns.deliver(skb, self)


def rx_another(self: Link, skb: Skb) -> None:
    """``RX_HANDLER_ANOTHER``: a stacked driver moved the frame onto this
    device with its ``pkt_type`` already set; receive it here again."""
    ns = self.netns
    if ns is None:
        self.drop(skb, "device gone")
        return
    if self.vlan_info is not None and self.vlan_info.do_receive(self, skb):
        return
    handler = self.rx_handler
    if handler is not None:
        handler(self.rx_handler_data, skb)
        return
    skb.note(ns.env.now, ns.name, self.ifname, RECEIVED)
    tag = getattr(skb.frame, "vlan", None)
    if tag is not None and tag.vid:
        skb.pkt_type = PACKET_OTHERHOST
    ns.deliver(skb, self)


def eth_type_trans(dev: Link, skb: Skb) -> None:
    """``eth_type_trans()``: classify the frame against the receiving device's MAC."""
    dst = skb.frame.dst
    if dst == dev.address:
        skb.pkt_type = PACKET_HOST
    elif dst >> 40 & 1:
        skb.pkt_type = PACKET_BROADCAST if dst == 0xFFFFFFFFFFFF else PACKET_MULTICAST
    else:
        skb.pkt_type = PACKET_OTHERHOST
