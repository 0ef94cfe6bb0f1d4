"""Sockets: ICMP echo ("ping") sockets, UDP sockets, and TCP's answer to a SYN
for a closed port (``net/ipv4/ping.c``, ``udp.c``, ``tcp_ipv4.c``).

* A UDP datagram for a port nobody has bound gets ICMP *port unreachable*
  from the address it was sent to; a connected UDP socket then reports
  ``ECONNREFUSED``.
* A TCP SYN for a port nobody listens on gets RST|ACK (seq 0, ack = ISN + 1,
  window 0).  TCP is a header model: there are no listening sockets yet.
* ICMP errors reach the socket whose packet they quote: a ping socket by its
  echo identifier, a UDP socket by its port.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError
from netsim.packet import ICMP, TCP, UDP, IPv4, ipv4_addr

if TYPE_CHECKING:
    from netsim.kernel.ipv4.stack import InetStack
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["PingSocket", "SockEvent", "Sockets", "UdpSocket"]

TCP_RST: Final = 0x04
TCP_SYN: Final = 0x02
TCP_ACK: Final = 0x10
EPHEMERAL: Final = (32768, 60999)  # ip_local_port_range
#: ``icmp_err_convert``: the errno a socket sees for each unreachable code.
_UNREACH_ERRNO: Final = {
    0: errno.ENETUNREACH,
    1: errno.EHOSTUNREACH,
    3: errno.ECONNREFUSED,
    4: errno.EMSGSIZE,
    13: errno.EACCES,
}


@dataclass(frozen=True, slots=True)
class SockEvent:
    """What a socket got: data (``kind`` "data") or an ICMP error ("error")."""

    time: float
    kind: str
    src: int
    ttl: int = 0
    data: Any = None
    icmp_type: int = 0
    icmp_code: int = 0
    errno: int = 0
    #: the ICMP header's second word (the next-hop MTU of *fragmentation needed*)
    info: int = 0
    #: for errors about an echo request: its sequence number
    seq: int = 0
    #: ``IP_PKTINFO``: the device it came in on and the destination it was sent to
    ifindex: int = 0
    dst: int = 0
    #: the datagram's source port
    sport: int = 0


@dataclass(eq=False)
class PingSocket:
    """An ICMP echo socket (``SOCK_DGRAM, IPPROTO_ICMP``): the kernel picks the identifier."""

    stack: InetStack
    ident: int
    on_event: Callable[[SockEvent], None] | None = None
    events: list[SockEvent] = field(default_factory=list)

    def deliver(self, ev: SockEvent) -> None:
        self.events.append(ev)
        if self.on_event is not None:
            self.on_event(ev)

    def close(self) -> None:
        self.stack.sockets.ping.pop(self.ident, None)


@dataclass(eq=False)
class UdpSocket:
    """A UDP socket bound to (address, port); optionally connected."""

    stack: InetStack
    addr: int
    port: int
    peer: tuple[int, int] | None = None
    events: list[SockEvent] = field(default_factory=list)
    on_event: Callable[[SockEvent], None] | None = None
    #: An encapsulation socket (``setup_udp_tunnel_sock``): datagrams go to
    #: ``encap.encap_rcv(skb, dev)`` instead of the receive queue (VXLAN).
    encap: Any = None

    def deliver(self, ev: SockEvent) -> None:
        self.events.append(ev)
        if self.on_event is not None:
            self.on_event(ev)

    def sendto(self, data: Any, addr: int, port: int, *, ttl: int = 64, tos: int = 0,
               df: bool = True, oif: Link | None = None) -> None:  # fmt: skip
        """``sendto()`` (``sendmsg()`` with ``IP_PKTINFO``'s ``ipi_ifindex`` as
        ``oif``); ``df=False`` is ``IP_PMTUDISC_DONT``, ``tos`` the socket's
        ``IP_TOS``.  Raises :class:`KernelError` with the route's error."""
        pkt = IPv4(ipv4_addr(self.addr), ipv4_addr(addr), 17, UDP(self.port, port, data),
                   ttl=ttl, tos=tos, flags=0b010 if df else 0,
                   ident=self.stack.next_id())  # fmt: skip
        self.stack.output(pkt, oif=oif)

    def close(self) -> None:
        self.stack.sockets.udp.pop((self.addr, self.port), None)


class Sockets:
    """One namespace's socket tables."""

    def __init__(self, stack: InetStack):
        self.stack = stack
        self.ping: dict[int, PingSocket] = {}
        self.udp: dict[tuple[int, int], UdpSocket] = {}

    def _free_port(self, used: set[int]) -> int:
        rng = self.stack.kernel.engine.rng
        lo, hi = EPHEMERAL
        start = rng.randrange(lo, hi + 1)
        for i in range(hi - lo + 1):
            p = lo + (start - lo + i) % (hi - lo + 1)
            if p not in used:
                return p
        raise KernelError(errno.EAGAIN)

    def ping_socket(self) -> PingSocket:
        """``socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`` + an implicit bind."""
        ident = self._free_port(set(self.ping))
        sock = self.ping[ident] = PingSocket(self.stack, ident)
        return sock

    def udp_socket(self, addr: int = 0, port: int = 0) -> UdpSocket:
        """``socket(AF_INET, SOCK_DGRAM)`` + ``bind()``."""
        if port and any(p == port and (a == addr or 0 in (a, addr)) for a, p in self.udp):
            raise KernelError(errno.EADDRINUSE)
        if not port:
            port = self._free_port({p for _, p in self.udp})
        sock = self.udp[(addr, port)] = UdpSocket(self.stack, addr, port)
        return sock

    # --- receive --------------------------------------------------------------------------------

    def ping_rcv(self, skb: Skb, dev: Link) -> None:
        ip: IPv4 = skb.frame
        msg: ICMP = ip.payload  # type: ignore[assignment]
        sock = self.ping.get(msg.ident)
        if sock is None:
            dev.drop(skb, "echo reply for no socket")
            return
        self.stack.consumed(skb, dev, "echo reply to ping socket")
        sock.deliver(SockEvent(self.stack.now, "data", int(ip.src), ip.ttl, msg))

    def udp_rcv(self, skb: Skb, dev: Link, *, broadcast: bool) -> None:
        ip: IPv4 = skb.frame
        udp: Any = ip.payload
        if not isinstance(udp, UDP):
            dev.drop(skb, "malformed UDP")
            return
        sock = self.udp.get((int(ip.dst), udp.dport)) or self.udp.get((0, udp.dport))
        if sock is None:
            dev.drop(skb, f"UDP port {udp.dport} unreachable")
            if not broadcast:
                self.stack.icmp.send_error(ip, dev, 3, 3)
            return
        if sock.encap is not None:
            sock.encap.encap_rcv(skb, dev)
            return
        self.stack.consumed(skb, dev, f"UDP to port {udp.dport}")
        sock.deliver(SockEvent(self.stack.now, "data", int(ip.src), ip.ttl, udp.payload,
                               ifindex=dev.ifindex, dst=int(ip.dst), sport=udp.sport))  # fmt: skip

    def tcp_rcv(self, skb: Skb, dev: Link, *, broadcast: bool) -> None:
        """``tcp_v4_rcv()`` with no listener: ``tcp_v4_send_reset()``."""
        ip: IPv4 = skb.frame
        tcp: Any = ip.payload
        if broadcast or not isinstance(tcp, TCP) or tcp.flags & TCP_RST:
            dev.drop(skb, "TCP segment dropped")
            return
        dev.drop(skb, f"TCP port {tcp.dport} closed (RST sent)")
        if tcp.flags & TCP_ACK:
            rst = TCP(tcp.dport, tcp.sport, seq=tcp.ack, flags=TCP_RST)
        else:
            seglen = len(tcp.payload) + (1 if tcp.flags & TCP_SYN else 0) + (tcp.flags & 1)
            rst = TCP(tcp.dport, tcp.sport, seq=0, ack=(tcp.seq + seglen) & 0xFFFFFFFF,
                      flags=TCP_RST | TCP_ACK)  # fmt: skip
        pkt = IPv4(ip.dst, ip.src, 6, rst, flags=0b010)
        with contextlib.suppress(KernelError):
            self.stack.output(pkt)

    def icmp_error(self, skb: Skb, dev: Link) -> None:
        """``icmp_unreach()`` → the socket the quoted packet came from."""
        ip: IPv4 = skb.frame
        msg: ICMP = ip.payload  # type: ignore[assignment]
        quoted: IPv4 = msg.payload  # type: ignore[assignment]
        inner: Any = quoted.payload
        err = {3: errno.EHOSTUNREACH, 11: errno.EHOSTUNREACH}.get(msg.type, errno.EPROTO)
        if msg.type == 3:
            err = _UNREACH_ERRNO.get(msg.code, errno.EHOSTUNREACH)
        sock: PingSocket | UdpSocket | None = None
        seq = 0
        head = inner if isinstance(inner, bytes) else b""
        if quoted.proto == 1:
            if isinstance(inner, ICMP) and inner.type == 8:
                ident, seq = inner.ident, inner.seq
                sock = self.ping.get(ident)
            elif len(head) >= 8 and head[0] == 8:  # a quote cut short: read the echo header
                ident, seq = int.from_bytes(head[4:6], "big"), int.from_bytes(head[6:8], "big")
                sock = self.ping.get(ident)
        elif quoted.proto == 17:
            sport = inner.sport if isinstance(inner, UDP) else int.from_bytes(head[:2], "big")
            sock = self.udp.get((int(quoted.src), sport)) or self.udp.get((0, sport))
        if sock is None:
            self.stack.consumed(skb, dev, f"ICMP {msg.type}/{msg.code} for no socket")
            return
        self.stack.consumed(skb, dev, f"ICMP {msg.type}/{msg.code} to socket")
        sock.deliver(SockEvent(self.stack.now, "error", int(ip.src), ip.ttl, quoted, msg.type,
                               msg.code, err, msg.rest_of_header, seq))  # fmt: skip
