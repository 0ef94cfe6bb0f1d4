"""``br_netfilter``: bridged IPv4 crosses the bridge namespace's iptables
(``br_netfilter_hooks.c``), as on a kernel with the module built in, while
``net.bridge.bridge-nf-call-iptables`` is 1 (the default here).

* A frame the bridge forwards to one known port passes PREROUTING
  (conntrack, nat), FORWARD (filter) and POSTROUTING (nat), with the bridge
  device as both the input and the output interface, as iptables sees them
  without ``-m physdev`` (:func:`br_nf_forward`).
* A frame for the bridge itself passes PREROUTING in the bridge
  (:func:`br_nf_pre_routing`).  When nat moved its destination to a host
  that routes out of the same bridge, it is *bridged* there
  (``br_nf_pre_routing_finish()``'s ``bridged_dnat``): the neighbour's MAC,
  FORWARD, POSTROUTING, no TTL decrement.  That is how a pod reaches a
  hostPort on its own node, and itself (hairpin).

Not modelled: flooded frames, ``physdev`` matches, ARP/IPv6 tables.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from netsim.addr import MacAddr
from netsim.kernel.bridge.port import PortState
from netsim.kernel.ipv4.consts import RT_SCOPE_LINK, RTN_UNICAST
from netsim.kernel.ipv4.fib import FibLookupError
from netsim.packet import Ethernet, IPv4

if TYPE_CHECKING:
    from netsim.kernel.bridge.device import Bridge
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["br_nf_forward", "br_nf_pre_routing"]

_ETH_P_IP = 0x0800


def _ipv4(br: Bridge, skb: Skb) -> IPv4 | None:
    frame: Any = skb.frame
    ip = frame.payload
    if frame.ethertype != _ETH_P_IP or not isinstance(ip, IPv4):
        return None
    ns = br.netns
    assert ns is not None
    return ip if ns.sysctl.bridge_nf_call() else None


def br_nf_forward(br: Bridge, skb: Skb, out: Link, *, pre: bool = True) -> bool:
    """PREROUTING (unless done), FORWARD, POSTROUTING for a frame bridged to
    ``out``; False when it was dropped."""
    ip = _ipv4(br, skb)
    if ip is None:
        return True
    nf = br.netns.netfilter  # type: ignore[union-attr]
    new: IPv4 | None = ip
    if pre:
        new = nf.prerouting(skb, ip, br)
        if new is None:
            out.drop(skb, "br_netfilter: dropped in PREROUTING")
            return False
    assert new is not None
    if not nf.forward(skb, new, br, br):
        out.drop(skb, "br_netfilter: dropped in FORWARD")
        return False
    post = nf.postrouting(skb.nf, new, br, int(new.dst))
    if post is None:
        out.drop(skb, "br_netfilter: dropped in POSTROUTING")
        return False
    if post is not ip:
        skb.frame = dataclasses.replace(skb.frame, payload=post)
    return True


def br_nf_pre_routing(br: Bridge, skb: Skb) -> bool:
    """PREROUTING for a frame going up the bridge; False when it was consumed
    (dropped, or bridged to the destination nat gave it)."""
    ip = _ipv4(br, skb)
    if ip is None:
        return True
    ns = br.netns
    assert ns is not None
    new = ns.netfilter.prerouting(skb, ip, br)
    if new is None:
        br.drop(skb, "br_netfilter: dropped in PREROUTING")
        return False
    skb.nf.bridged = True  # ip_rcv() finds PREROUTING done
    if new.dst == ip.dst:
        if new is not ip:
            skb.frame = dataclasses.replace(skb.frame, payload=new)
        return True
    frame: Ethernet = skb.frame
    skb.frame = dataclasses.replace(frame, payload=new)
    try:
        rt = ns.ipv4.lookup(int(new.dst), saddr=int(new.src), iif=br)
    except FibLookupError:
        return True
    nh = rt.nh
    if rt.type != RTN_UNICAST or nh is None or nh.dev is not br:
        return True
    skb.nf.bridged = False
    nexthop = nh.gw if nh.scope == RT_SCOPE_LINK and nh.gw else int(new.dst)
    neigh = ns.inet.neigh
    n = neigh.lookup(br, nexthop) or neigh.create(br, nexthop)
    ingress = skb.dev
    skb.frame, skb.len = new, new.wire_len
    neigh.output(n, skb, lambda s, mac: _bridged_dnat(br, s, mac, frame.src, ingress))
    return False


def _bridged_dnat(br: Bridge, skb: Skb, mac: MacAddr, src: MacAddr, ingress: Any) -> None:
    """``br_nf_pre_routing_finish_bridge()``: the frame, readdressed, is bridged."""
    skb.frame = Ethernet(mac, src, _ETH_P_IP, skb.frame)
    skb.len = skb.frame.wire_len
    e = br.fdb.entries.get(int(mac))
    to = e.dst if e is not None else None
    if to is None:
        br.drop(skb, "br_netfilter: DNAT destination not in the FDB")
        return
    if (to.dev is ingress and not to.hairpin) or to.state != PortState.FORWARDING:
        br.drop(skb, f"br_netfilter: cannot bridge back out of {to.dev.ifname}")
        return
    if br_nf_forward(br, skb, to.dev, pre=False):
        to.dev.queue_xmit(skb)
