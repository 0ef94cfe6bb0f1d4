"""IPv4 local output: ``ip_local_out()`` with the netfilter OUTPUT and
POSTROUTING hooks and fragmentation (``net/ipv4/ip_output.c``), and
``ip_finish_output2()``: loopback, broadcast (a copy looped back) or the
neighbour, then the device (``dev_queue_xmit()``).

:class:`~netsim.kernel.ipv4.stack.InetStack` binds :func:`output` as its
method of that name.
"""

from __future__ import annotations

import dataclasses
import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.addr import BROADCAST, MacAddr
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RTN_BROADCAST, RTN_LOCAL
from netsim.kernel.ipv4.fragment import IP_DF, ip_fragment
from netsim.kernel.ipv4.neigh import NUD_CONNECTED, NUD_DELAY, NUD_PROBE
from netsim.kernel.ipv4.route import OutputRoute, ip_route_output
from netsim.kernel.skb import Skb
from netsim.packet import ETH_P_IP, Ethernet, IPv4

if TYPE_CHECKING:
    from netsim.kernel.ipv4.stack import InetStack
    from netsim.kernel.links.base import Link

__all__ = ["dst_output", "l2_xmit", "neigh_xmit", "output"]

_SENDS_NOW: Final = NUD_CONNECTED | NUD_DELAY | NUD_PROBE


def output(self: InetStack, pkt: IPv4, *, oif: Link | None = None, skb: Skb | None = None,
           route: OutputRoute | None = None, pmtudisc: str = "want") -> Skb:  # fmt: skip
    """``ip_local_out()`` for a packet this namespace originates; returns the skb.

    ``pmtudisc`` is the socket's ``IP_MTU_DISCOVER``: with ``want`` (the
    default) a packet that does not fit the device goes out in fragments
    without DF, with ``do`` the send fails with ``EMSGSIZE``.  Raises
    :class:`KernelError` as ``connect()``/``sendto()`` would.
    """
    daddr, saddr = int(pkt.dst), int(pkt.src)
    rt = route or ip_route_output(self.ns, daddr, saddr=saddr, oif=oif)
    if not saddr:
        pkt = dataclasses.replace(pkt, src=_ipv4(rt.saddr))
    nf = None
    if self.nf_on:
        out, rt, nf = self.ns.netfilter.local_out(pkt, rt)
        if out is None:  # dropped in OUTPUT or at re-route: lost without an error
            skb = skb or Skb(pkt, self.kernel.engine.trace.new_flow(pkt),
                             self.kernel.engine.trace.steps, None)  # fmt: skip
            rt.dev.drop(skb, "netfilter: dropped in OUTPUT")
            return skb
        pkt, daddr = out, int(out.dst)
    mtu = self.path_mtu(daddr, rt.dev)
    too_big = pkt.wire_len > mtu and rt.dev.link_type != "loopback"
    if too_big and pmtudisc == "do":
        raise KernelError(errno.EMSGSIZE)
    if skb is None:
        trace = self.kernel.engine.trace
        skb = Skb(pkt, trace.new_flow(pkt), trace.steps, None)
        skb.note(self.now, self.ns.name, rt.dev.ifname, "SENT", None)
    else:
        skb.frame, skb.len = pkt, pkt.wire_len
    if nf is not None:
        skb.nf = nf
        post = self.ns.netfilter.postrouting(nf, pkt, rt.dev, rt.gateway or rt.daddr)
        if post is None:
            rt.dev.drop(skb, "netfilter: dropped in POSTROUTING")
            return skb
        skb.frame = pkt = post
    if not too_big:
        dst_output(self, skb, rt)
        return skb
    plain = dataclasses.replace(pkt, flags=pkt.flags & ~IP_DF, checksum=None)
    frags = ip_fragment(plain, mtu)
    pieces = [skb] + [skb.clone() for _ in frags[1:]]  # each its own journey from here
    for piece, frag in zip(pieces, frags, strict=True):
        piece.frame, piece.len = frag, frag.wire_len
        dst_output(self, piece, rt)
    return skb


def dst_output(stack: InetStack, skb: Skb, rt: OutputRoute) -> None:
    """``ip_finish_output2()``: loopback, broadcast, or via the neighbour."""
    dev = rt.dev
    if rt.route.type == RTN_LOCAL:
        if stack.neigh.lookup(dev, 0) is None:  # ip_neigh_for_gw(): lo's one entry, 0.0.0.0
            stack.neigh.create(dev, 0)
        _loopback(skb, dev)
        return
    if rt.route.type == RTN_BROADCAST or rt.daddr == 0xFFFFFFFF:
        # ip_mc_output(): a copy comes back to this host (dev_loopback_xmit, netif_rx)
        looped = skb.clone()
        looped.dev = dev
        stack.kernel.engine.call_later(0.0, stack.broadcast_looped, looped)
        l2_xmit(skb, dev, BROADCAST)
        return
    neigh_xmit(stack, skb, dev, rt.gateway or rt.daddr)


def neigh_xmit(stack: InetStack, skb: Skb, dev: Link, nexthop: int) -> None:
    """``ip_neigh_for_gw()`` + ``neigh_output()``: a resolved neighbour
    (``NUD_CONNECTED``, ``DELAY`` or ``PROBE``: ``__neigh_event_send()`` has
    nothing to do but mark it used) sends at once; otherwise
    ``neigh_resolve_output()`` queues and resolves."""
    table = stack.neigh
    n = table.entries.get((dev, nexthop)) or table.create(dev, nexthop)
    if n.nud_state & _SENDS_NOW and n.lladdr is not None:
        n.used = stack.kernel.engine.now
        l2_xmit(skb, dev, n.lladdr)
        return
    table.output(n, skb, lambda s, mac: l2_xmit(s, dev, mac))


def _loopback(skb: Skb, lo: Link) -> None:
    frame = Ethernet(MacAddr(0), MacAddr(0), ETH_P_IP, skb.frame)
    skb.frame, skb.len = frame, frame.wire_len
    lo.queue_xmit(skb)


def l2_xmit(skb: Skb, dev: Link, dst: MacAddr) -> None:
    frame = Ethernet(dst, dev.address, ETH_P_IP, skb.frame)
    skb.frame, skb.len = frame, frame.wire_len
    if dev.sched is None:  # dev_queue_xmit() without a qdisc, inlined: hot path
        dev.xmit(skb)
    else:
        dev.queue_xmit(skb)


def _ipv4(addr: int) -> Any:
    from netsim.packet import ipv4_addr

    return ipv4_addr(addr)
