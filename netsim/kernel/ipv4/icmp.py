"""ICMP (``net/ipv4/icmp.c``): echo, and the errors the kernel sends and receives.

* Echo requests are answered from the address that was asked (TOS copied,
  TTL 64, DF clear); broadcast ones are ignored (``icmp_echo_ignore_broadcasts``).
* Errors: TOS 0xc0, TTL 64, DF clear, quoting as much of the offending
  datagram as fits in 576 bytes; never about an ICMP error, a fragment past
  the first, or a packet to or from a broadcast or multicast address.  The
  source is the address the offending packet was sent to when it was ours,
  else the one the route back to its sender picks.
* Rate limits, per destination (``inet_peer``): the types in
  ``icmp_ratemask`` cost ``icmp_ratelimit`` (1 s) from a bucket that holds 6 s;
  route errors pay a second time first (``ip_error``: cost 1 s, burst 5 s);
  nothing is limited towards the loopback device.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RT_SCOPE_LINK, RT_SCOPE_UNIVERSE
from netsim.kernel.ipv4.route import inet_select_addr, ip_route_output
from netsim.packet import ICMP, IPv4, ipv4_addr

if TYPE_CHECKING:
    from netsim.kernel.ipv4.stack import InetStack
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["Icmp"]

ICMP_ERROR_TYPES: Final = frozenset({3, 4, 5, 11, 12})
XRLIM_BURST_FACTOR: Final = 6
IP_RT_ERROR_COST: Final = 1.0
IP_RT_ERROR_BURST: Final = 5.0
MAX_ICMP_LEN: Final = 576


class _Peer:
    """``struct inet_peer``'s rate-limit fields."""

    __slots__ = ("rate_last", "rate_tokens")

    def __init__(self, now: float):
        self.rate_tokens = 0.0
        self.rate_last = now - 60.0


class Icmp:
    """One namespace's ICMP."""

    def __init__(self, stack: InetStack):
        self.stack = stack
        self.peers: dict[int, _Peer] = {}

    def _peer(self, addr: int) -> _Peer:
        p = self.peers.get(addr)
        if p is None:
            p = self.peers[addr] = _Peer(self.stack.now)
        return p

    def _xrlim_allow(self, addr: int, cost: float, burst: float) -> bool:
        """``inet_peer_xrlim_allow()``."""
        p = self._peer(addr)
        now = self.stack.now
        tokens = min(p.rate_tokens + now - p.rate_last, burst)
        p.rate_last = now
        if tokens >= cost:
            p.rate_tokens = tokens - cost
            return True
        p.rate_tokens = tokens
        return False

    # --- receive -------------------------------------------------------------------------------

    def rcv(self, skb: Skb, dev: Link, *, broadcast: bool) -> None:
        """``icmp_rcv()``."""
        ip: IPv4 = skb.frame
        msg: Any = ip.payload
        stack = self.stack
        if not isinstance(msg, ICMP):
            dev.drop(skb, "malformed ICMP")
            return
        if msg.type == 8:
            if stack.sysctl_int("net.ipv4.icmp_echo_ignore_all"):
                dev.drop(skb, "echo ignored (icmp_echo_ignore_all)")
                return
            if broadcast and stack.sysctl_int("net.ipv4.icmp_echo_ignore_broadcasts"):
                dev.drop(skb, "broadcast echo ignored (icmp_echo_ignore_broadcasts)")
                return
            stack.consumed(skb, dev, "echo request answered")
            src = ip.dst if not broadcast else ipv4_addr(self._spec_dst(int(ip.src), dev))
            reply = IPv4(src, ip.src, 1, ICMP.echo_reply(msg.ident, msg.seq, _data(msg)),
                         tos=ip.tos, ident=stack.next_id())  # fmt: skip
            with contextlib.suppress(KernelError):  # no route back: the reply is lost
                stack.output(reply)
            return
        if msg.type == 0:
            stack.sockets.ping_rcv(skb, dev)
            return
        if msg.type in ICMP_ERROR_TYPES and isinstance(msg.payload, IPv4):
            if msg.type == 3 and msg.code == 4:  # icmp_unreach(): learn the path MTU
                stack.update_pmtu(int(msg.payload.dst), msg.rest_of_header & 0xFFFF)
            stack.sockets.icmp_error(skb, dev)
            return
        stack.consumed(skb, dev, f"ICMP type {msg.type}")

    def _spec_dst(self, saddr: int, dev: Link) -> int:
        """``fib_compute_spec_dst()`` for a broadcast packet: the preferred source of the
        route back to its sender, else a primary address of ``dev``."""
        ns = self.stack.ns
        if saddr:
            with contextlib.suppress(KernelError):
                return ip_route_output(ns, saddr).saddr
            return inet_select_addr(ns, dev, saddr, RT_SCOPE_UNIVERSE)
        return inet_select_addr(ns, dev, saddr, RT_SCOPE_LINK)

    # --- errors -------------------------------------------------------------------------------

    def send_error(self, orig: IPv4, dev: Link, icmp_type: int, code: int, *, mtu: int = 0,
                   route_error: bool = False) -> None:  # fmt: skip
        """``__icmp_send()`` about ``orig``, which arrived on ``dev`` (or was ours)."""
        stack = self.stack
        src, dst = int(orig.src), int(orig.dst)
        if orig.frag_offset or src == 0 or src >> 28 == 0xE or stack.addr_type(src) == 3:
            return
        if dst >> 28 == 0xE or dst == 0xFFFFFFFF or stack.addr_type(dst) == 3:
            return
        inner: Any = orig.payload
        if orig.proto == 1 and isinstance(inner, ICMP) and inner.type not in (0, 8, 13, 14, 15, 16):
            return
        to_loopback = dev.link_type == "loopback" or stack.addr_type(src) == 2
        if not to_loopback:
            if route_error and not self._xrlim_allow(src, IP_RT_ERROR_COST, IP_RT_ERROR_BURST):
                return
            ratemask = stack.sysctl_int("net.ipv4.icmp_ratemask")
            if (1 << icmp_type) & ratemask:
                cost = stack.sysctl_int("net.ipv4.icmp_ratelimit") / 1000
                if cost and not self._xrlim_allow(src, cost, XRLIM_BURST_FACTOR * cost):
                    return
        saddr = dst if stack.addr_type(dst) == 2 else 0
        room = MAX_ICMP_LEN - 20 - 8
        quoted: Any = orig
        if orig.wire_len > room:  # a quote cut short: an IPv4 header with raw bytes after it
            quoted = IPv4.decode(orig.encode()[:room], quoted=True)
        msg = ICMP(icmp_type, code, mtu & 0xFFFF, quoted)
        pkt = IPv4(ipv4_addr(saddr), orig.src, 1, msg, tos=0xC0, ident=stack.next_id())
        with contextlib.suppress(KernelError):
            stack.output(pkt)

    def host_unreachable_local(self, skb: Skb) -> None:
        """What ``arp_error_report()`` → ``icmp_send(HOST_UNREACH)`` does for a packet
        whose next hop never answered."""
        ip = skb.frame.payload if not isinstance(skb.frame, IPv4) else skb.frame
        if isinstance(ip, IPv4):
            lo = self.stack.ns.dev("lo")
            self.send_error(ip, lo if self.stack.addr_type(int(ip.src)) == 2 else skb.dev, 3, 1)


def _data(msg: ICMP) -> bytes:
    return msg.payload if isinstance(msg.payload, bytes) else msg.payload.encode()
