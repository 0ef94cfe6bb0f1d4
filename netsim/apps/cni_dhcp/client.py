"""The DHCP client the dhcp IPAM daemon uses: d2g/dhcp4client (``client.go``,
``pktsock_linux.go``) as vendored by containernetworking/plugins v1.1.1, and
the plugin's ``client.go`` (``DhcpRequest``, ``DhcpRenew``, ``DhcpRelease``).

Messages go out of a packet socket bound to the container interface
(``AF_PACKET``/``SOCK_DGRAM``/``ETH_P_IP``): the client writes the IPv4 and UDP
headers itself (source 0.0.0.0, destination 255.255.255.255, TTL 16, one
random byte of identification, no UDP checksum) and sends every message, a
renewal and a release too, to ``ff:ff:ff:ff:ff:ff``.  It reads every IPv4
packet the interface receives and keeps the first whose transaction id and
message type fit, until its timeout (10 s).

Blocking calls are simpy generators run in the world's simulated time.
Transaction ids and the identification byte come from the world's seeded RNG
(Go seeds a ``math/rand`` per client from the MAC and the clock).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, Final

from netaddr import IPAddress

from netsim.addr import BROADCAST
from netsim.errors import KernelError
from netsim.kernel.packet_sock import PacketSocket, packet_socket
from netsim.packet import UDP, IPv4
from netsim.packet.dhcp import (
    BOOTREQUEST,
    DHCP,
    DHCP_CLIENT_PORT,
    DHCP_SERVER_PORT,
    DHCPACK,
    DHCPDISCOVER,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    OPT_MESSAGE_TYPE,
    OPT_REQUESTED_IP,
    OPT_SERVER_ID,
)
from netsim.packet.errors import DecodeError
from netsim.packet.ipv4 import ETH_P_IP

if TYPE_CHECKING:
    import random

    from netsim.kernel.netns import Netns

__all__ = ["Client", "ClientError", "dhcp_release", "dhcp_renew", "dhcp_request", "go_duration"]

#: ``dhcp4.PadToMinSize``: a message shorter than this is zero-padded to it.
MIN_SIZE: Final = 272
#: d2g/dhcp4client's ``pktsock_linux.go`` TTL.
TTL: Final = 16

Wait = Generator[Any, Any, Any]


class ClientError(Exception):
    """An error as Go's ``%v`` prints it (``no DHCP packet received within 10s``)."""


def go_duration(seconds: float) -> str:
    """``time.Duration.String()``: ``10s``, ``1m2s``, ``1.5s``, ``500ms``."""
    ns = round(seconds * 1e9)
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _frac(ns, size) + unit
    h, rest = divmod(ns, 3600 * 10**9)
    m, rest = divmod(rest, 60 * 10**9)
    out = f"{h}h" if h else ""
    out += f"{m}m" if h or m else ""
    return sign + out + _frac(rest, 10**9) + "s"


def _frac(value: int, unit: int) -> str:
    whole, part = divmod(value, unit)
    if not part:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{str(part).zfill(digits).rstrip('0')}"


def errno_text(e: KernelError) -> str:
    """A ``syscall.Errno`` as Go prints it (``network is down``)."""
    return os.strerror(e.errno).lower() if e.errno else str(e)


def pad_to_min_size(pkt: DHCP) -> DHCP:
    """``Packet.PadToMinSize``."""
    n = pkt.wire_len
    return pkt if n >= MIN_SIZE else _with(pkt, trailer=pkt.trailer + bytes(MIN_SIZE - n))


def _with(pkt: DHCP, **kw: Any) -> DHCP:
    import dataclasses

    return dataclasses.replace(pkt, **kw)


def add_options(pkt: DHCP, options: Sequence[tuple[int, bytes]]) -> DHCP:
    """``Packet.AddOption`` for each, before the ``End`` (and any padding)."""
    return _with(pkt, options=pkt.options + tuple(options))


class PacketConn:
    """``packetSock``: an ``AF_PACKET`` socket on the interface with ``ifindex``."""

    def __init__(self, ns: Netns, ifindex: int, rng: random.Random):
        self.ns = ns
        self.rng = rng
        self.sock: PacketSocket = packet_socket(ns, ifindex, ETH_P_IP)

    def write(self, msg: DHCP) -> None:
        """``Write``: wrap in IPv4/UDP headers, send to the broadcast MAC."""
        udp = UDP(DHCP_CLIENT_PORT, DHCP_SERVER_PORT, msg, checksum=0)
        ip = IPv4(IPAddress(0, 4), IPAddress(0xFFFFFFFF, 4), 17, udp, ttl=TTL,
                  ident=self.rng.randrange(256) << 8)  # fmt: skip
        self.sock.sendto(ip, BROADCAST)

    def read(self, timeout: float) -> Wait:
        """``ReadFrom`` with ``SO_RCVTIMEO``: what follows the UDP header of the
        next IPv4 packet (as a :class:`DHCP`, or None when it does not parse as
        one); raises ``EAGAIN`` at the timeout and a pending socket error."""
        env = self.ns.kernel.engine.env
        deadline = env.now + timeout
        while True:
            got = self.sock.recv()
            if got is not None:
                return _dhcp_of(got)
            if env.now >= deadline:
                raise KernelError(11)  # EAGAIN
            wake = env.event()
            self.sock.on_event = functools.partial(_wake, wake)
            yield env.any_of([wake, env.timeout(deadline - env.now)])
            self.sock.on_event = None

    def close(self) -> None:
        self.sock.close()


def _wake(event: Any) -> None:
    if not event.triggered:
        event.succeed()


def _dhcp_of(ip: Any) -> DHCP | None:
    if not isinstance(ip, IPv4):
        return None
    p = ip.payload
    if isinstance(p, UDP):
        if isinstance(p.payload, DHCP):
            return p.payload
        body = p.payload if isinstance(p.payload, bytes) else p.payload.encode()
    else:
        body = ip.encode()[ip.header_len + 8 :]
    try:
        return DHCP.decode(body)
    except DecodeError:
        return None


class Client:
    """``dhcp4client.Client``: hardware address, timeout, broadcast flag, connection."""

    def __init__(self, hwaddr: bytes, conn: PacketConn, *, timeout: float, broadcast: bool):
        self.hwaddr = hwaddr
        self.conn = conn
        self.timeout = timeout
        self.broadcast = broadcast
        self.env = conn.ns.kernel.engine.env

    def xid(self) -> int:
        return self.conn.rng.getrandbits(32)

    def _packet(self, xid: int, chaddr: bytes, mtype: int, **kw: Any) -> DHCP:
        """``dhcp4.NewPacket(BootRequest)`` with chaddr, xid and option 53."""
        return DHCP(BOOTREQUEST, xid, (chaddr + bytes(16))[:16],
                    ((OPT_MESSAGE_TYPE, bytes((mtype,))),), hlen=len(chaddr), **kw)  # fmt: skip

    def _flags(self) -> int:
        return 0x8000 if self.broadcast else 0

    def discover_packet(self) -> DHCP:
        return self._packet(self.xid(), self.hwaddr, DHCPDISCOVER, flags=self._flags())

    def request_packet(self, offer: DHCP) -> DHCP:
        """``RequestPacket``: the offer's xid, ciaddr, siaddr; options 50 and 54."""
        pkt = self._packet(offer.xid, self.hwaddr, DHCPREQUEST, flags=self._flags(),
                           ciaddr=offer.ciaddr, siaddr=offer.siaddr)  # fmt: skip
        return add_options(pkt, [(OPT_REQUESTED_IP, offer.yiaddr.packed),
                                 (OPT_SERVER_ID, _option(offer, OPT_SERVER_ID))])  # fmt: skip

    def renewal_packet(self, ack: DHCP) -> DHCP:
        """``RenewalRequestPacket``: a new xid, ciaddr = the leased address."""
        pkt = self._packet(self.xid(), _chaddr(ack), DHCPREQUEST, flags=self._flags(),
                           ciaddr=ack.yiaddr, siaddr=ack.siaddr)  # fmt: skip
        return add_options(pkt, [(OPT_REQUESTED_IP, ack.yiaddr.packed),
                                 (OPT_SERVER_ID, _option(ack, OPT_SERVER_ID))])  # fmt: skip

    def release_packet(self, ack: DHCP) -> DHCP:
        """``ReleasePacket``: no broadcast flag, option 54."""
        pkt = self._packet(self.xid(), _chaddr(ack), DHCPRELEASE, ciaddr=ack.yiaddr)
        return add_options(pkt, [(OPT_SERVER_ID, _option(ack, OPT_SERVER_ID))])

    def send(self, pkt: DHCP) -> None:
        self.conn.write(pkt)

    def _get(self, xid: int, types: tuple[int, ...]) -> Wait:
        start = self.env.now
        while True:
            left = self.timeout - (self.env.now - start)
            if left < 0:
                raise ClientError(f"no DHCP packet received within {go_duration(self.timeout)}")
            try:
                pkt = yield from self.conn.read(left)
            except KernelError as e:
                if e.errno == 11:
                    raise ClientError(
                        f"no DHCP packet received within {go_duration(self.timeout)}"
                    ) from None
                raise ClientError(errno_text(e)) from None
            if pkt is not None and pkt.xid == xid and _mtype(pkt) in types:
                return pkt

    def get_offer(self, discover: DHCP) -> Wait:
        return (yield from self._get(discover.xid, (DHCPOFFER,)))

    def get_acknowledgement(self, request: DHCP) -> Wait:
        return (yield from self._get(request.xid, (DHCPACK, DHCPNAK)))

    def close(self) -> None:
        self.conn.close()


def _option(pkt: DHCP, code: int) -> bytes:
    """``ParseOptions()[code]``: the last value, or empty (Go's nil slice)."""
    value = b""
    for c, v in pkt.options:
        if c == code:
            value = v
    return value


def _mtype(pkt: DHCP) -> int:
    v = _option(pkt, OPT_MESSAGE_TYPE)
    return v[0] if v else 0


def _chaddr(pkt: DHCP) -> bytes:
    return pkt.chaddr[: min(pkt.hlen, 16)]


def _send(c: Client, pkt: DHCP) -> DHCP:
    pkt = pad_to_min_size(pkt)
    try:
        c.send(pkt)
    except KernelError as e:
        raise ClientError(errno_text(e)) from None
    return pkt


def dhcp_request(c: Client, options: Sequence[tuple[int, bytes]]) -> Wait:
    """``DhcpRequest``: DISCOVER, OFFER, REQUEST, ACK; returns (acked, reply)."""
    discover = _send(c, add_options(c.discover_packet(), options))
    offer = yield from c.get_offer(discover)
    request = _send(c, add_options(c.request_packet(offer), options))
    ack = yield from c.get_acknowledgement(request)
    return _mtype(ack) == DHCPACK, ack


def dhcp_renew(c: Client, ack: DHCP, options: Sequence[tuple[int, bytes]]) -> Wait:
    """``DhcpRenew``: a REQUEST for the leased address; returns (acked, reply)."""
    request = _send(c, add_options(c.renewal_packet(ack), options))
    reply = yield from c.get_acknowledgement(request)
    return _mtype(reply) == DHCPACK, reply


def dhcp_release(c: Client, ack: DHCP, options: Sequence[tuple[int, bytes]]) -> None:
    """``DhcpRelease``: one RELEASE, no answer awaited."""
    _send(c, add_options(c.release_packet(ack), options))
