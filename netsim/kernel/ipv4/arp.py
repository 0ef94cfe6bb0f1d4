"""ARP (``net/ipv4/arp.c``): requests, replies, and what they teach the table.

* A request for one of our addresses (any interface's: ``arp_ignore`` 0) is
  answered with the receiving interface's MAC, and creates or refreshes a
  STALE entry for the sender (``neigh_event_ns``).
* With ``proxy_arp`` and forwarding on, a request for an address routed out
  of another interface is answered too, after a random delay below
  ``proxy_delay`` unless it was unicast to us.
* A reply updates an existing entry (REACHABLE if unicast to us, STALE
  otherwise; a second reply within ``locktime`` does not override the first);
  with ``arp_accept`` 0 it creates none.
* Our requests announce the sending packet's source if it is local
  (``arp_announce`` 0), else the address ``inet_select_addr`` picks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netsim.addr import BROADCAST, ZERO, MacAddr
from netsim.kernel.ipv4.consts import RT_SCOPE_LINK, RTN_LOCAL, RTN_UNICAST
from netsim.kernel.ipv4.fib import FibLookupError
from netsim.kernel.ipv4.neigh import F_OVERRIDE, NUD_REACHABLE, NUD_STALE, Neighbour
from netsim.kernel.ipv4.route import inet_select_addr
from netsim.kernel.links.base import IFF_NOARP
from netsim.kernel.skb import PACKET_HOST, Skb
from netsim.packet import ARP, ARPOP_REPLY, ARPOP_REQUEST, ETH_P_ARP, Ethernet, ipv4_addr

if TYPE_CHECKING:
    from netsim.kernel.ipv4.stack import InetStack
    from netsim.kernel.links.base import Link

__all__ = ["arp_rcv", "arp_solicit"]


def arp_send(stack: InetStack, op: int, dev: Link, *, sip: int, tip: int,
             dest_hw: MacAddr | None, target_hw: MacAddr | None) -> None:  # fmt: skip
    """``arp_send_dst()``: build and transmit one ARP packet on ``dev``."""
    arp = ARP(op, dev.address, ipv4_addr(sip), target_hw or ZERO, ipv4_addr(tip))
    frame = Ethernet(dest_hw or BROADCAST, dev.address, ETH_P_ARP, arp)
    stack.xmit_raw(dev, frame)


def arp_solicit(stack: InetStack, n: Neighbour, skb: Skb | None) -> None:
    """``arp_solicit()``: a request for ``n`` (unicast while probing a known MAC)."""
    dev = n.dev
    saddr = 0
    announce = stack.conf_max(dev, "arp_announce")
    if skb is not None and announce in (0, 1):
        src = int(skb.frame.src)
        if stack.addr_type(src) == RTN_LOCAL:
            in_dev = dev.ip_ptr
            addrs = in_dev.ifa_list if in_dev is not None else []
            if announce == 0 or any(a.in_subnet(n.ip) and a.in_subnet(src) for a in addrs):
                saddr = src
    if not saddr:
        saddr = inet_select_addr(stack.ns, dev, n.ip, RT_SCOPE_LINK)
    parms = stack.neigh.parms_for(dev)
    probes = n.probes - parms.ucast_solicit
    dest = n.lladdr if probes < 0 else None
    if probes >= 0 and probes - parms.app_solicit < 0:
        return  # an application probe (arpd): not modelled
    arp_send(stack, ARPOP_REQUEST, dev, sip=saddr, tip=n.ip, dest_hw=dest, target_hw=dest)


def _arp_ignore(stack: InetStack, dev: Link, sip: int, tip: int) -> bool:
    """``arp_ignore()``: modes 0 (reply for any local address), 1, 2 and 8."""
    mode = stack.conf_max(dev, "arp_ignore")
    in_dev = dev.ip_ptr
    addrs = in_dev.ifa_list if in_dev is not None else []
    if mode == 0:
        return False
    if mode == 1:
        return not any(a.local == tip for a in addrs)
    if mode == 2:
        return not any(a.local == tip and a.in_subnet(sip) for a in addrs)
    return mode == 8


def arp_rcv(stack: InetStack, skb: Skb, dev: Link) -> None:
    """``arp_rcv()`` → ``arp_process()``."""
    arp: Any = skb.frame.payload
    if not isinstance(arp, ARP) or arp.hlen != 6 or arp.plen != 4:
        dev.drop(skb, "malformed ARP")
        return
    if arp.op not in (ARPOP_REQUEST, ARPOP_REPLY):
        dev.drop(skb, "ARP opcode not handled")
        return
    if dev.ip_ptr is None:
        dev.drop(skb, "no IPv4 on device")
        return
    if dev.flags & IFF_NOARP:  # arp_rcv(): consumed unanswered
        stack.consumed(skb, dev, "ARP on a NOARP device")
        return
    sip, tip = int(arp.spa), int(arp.tpa)
    if tip >> 28 == 0xE or (tip >> 24 == 127 and not stack.conf_or(dev, "route_localnet")):
        dev.drop(skb, "ARP for a multicast or loopback address")
        return
    neigh = stack.neigh
    if sip == 0:  # duplicate address detection probe
        local = arp.op == ARPOP_REQUEST and stack.addr_type(tip) == RTN_LOCAL
        if local and not _arp_ignore(stack, dev, sip, tip):
            arp_send(stack, ARPOP_REPLY, dev, sip=tip, tip=sip, dest_hw=arp.sha, target_hw=arp.sha)
        stack.consumed(skb, dev, "ARP")
        return
    if arp.op == ARPOP_REQUEST:
        kind = stack.route_input_type(tip, sip, dev)
        if kind == RTN_LOCAL:
            if not _arp_ignore(stack, dev, sip, tip):
                neigh.event_ns(dev, sip, arp.sha)
                arp_send(
                    stack, ARPOP_REPLY, dev, sip=tip, tip=sip, dest_hw=arp.sha, target_hw=arp.sha
                )
            stack.consumed(skb, dev, "ARP request answered")
            return
        if kind == RTN_UNICAST and stack.conf_forwarding(dev) and _proxy(stack, dev, tip):
            neigh.event_ns(dev, sip, arp.sha)
            parms = neigh.parms_for(dev)
            if skb.pkt_type == PACKET_HOST or parms.proxy_delay == 0:
                arp_send(
                    stack, ARPOP_REPLY, dev, sip=tip, tip=sip, dest_hw=arp.sha, target_hw=arp.sha
                )
            else:
                delay = stack.kernel.engine.rng.random() * parms.proxy_delay
                sha = arp.sha

                def reply() -> None:
                    arp_send(stack, ARPOP_REPLY, dev, sip=tip, tip=sip, dest_hw=sha, target_hw=sha)

                stack.kernel.engine.timer(delay, reply)
            stack.consumed(skb, dev, "ARP request answered by proxy")
            return
    n = neigh.lookup(dev, sip)
    if n is not None:
        override = stack.now > n.updated + neigh.parms_for(dev).locktime or _is_garp(arp, sip, tip)
        state = (
            NUD_REACHABLE if arp.op == ARPOP_REPLY and skb.pkt_type == PACKET_HOST else NUD_STALE
        )
        neigh.update(n, arp.sha, state, F_OVERRIDE if override else 0)
    stack.consumed(skb, dev, "ARP")


def _is_garp(arp: Any, sip: int, tip: int) -> bool:
    """``arp_is_garp()`` (the request form: sender == target)."""
    return bool(sip == tip)


def _proxy(stack: InetStack, dev: Link, tip: int) -> bool:
    """``arp_fwd_proxy()`` (proxy_arp on) or a ``pneigh`` entry for the target,
    and the route leaves by another device."""
    proxy_arp = stack.conf_or(dev, "proxy_arp")
    if not proxy_arp and not stack.neigh.proxies:
        return False
    try:
        out = stack.ns.ipv4.lookup(tip, iif=dev)
    except FibLookupError:
        return False
    if out.nh is None or out.nh.dev is dev:
        return False
    return proxy_arp or stack.neigh.pneigh_lookup(dev, tip)
