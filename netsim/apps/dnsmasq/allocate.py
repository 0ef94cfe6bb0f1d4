"""dnsmasq's choice of a new address (2.90 ``dhcp.c``): ``address_allocate()``
walks the range from the SDBM hash of the client's MAC, and ``do_icmp_ping()``
checks each candidate free with an ICMP echo and 3 s of waiting (a free
address is remembered for 30 s; ``--no-ping`` skips the check).

Both are steps of a request's handling in :class:`~netsim.apps.dnsmasq.server.Server`:
generators that yield the seconds to wait.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, Final

from netaddr import IPAddress

from netsim.errors import KernelError
from netsim.kernel.ipv4.sockets import SockEvent
from netsim.packet import ICMP, IPv4

if TYPE_CHECKING:
    from netsim.apps.dnsmasq.rfc2131 import Context
    from netsim.apps.dnsmasq.server import Server

__all__ = ["PING_CACHE_TIME", "PING_WAIT", "Wait", "address_allocate", "do_icmp_ping"]

PING_WAIT: Final = 3.0
PING_CACHE_TIME: Final = 30.0
Wait = Generator[Any, Any, Any]


def address_allocate(srv: Server, contexts: list[Context], hw: bytes) -> Wait:
    """``address_allocate``: from the MAC's SDBM hash on, the first free address."""
    j = 0
    for b in hw:
        j = (b + (j << 6) + (j << 16) - j) & 0xFFFFFFFF
    j = j or 1
    for c in contexts:
        start, end = int(c.range.start), int(c.range.end)
        first = start + j % (1 + end - start)
        a = first
        while True:
            addr = IPv4Address(a)
            router = any(int(d.local) == a for d in contexts)
            classc = a >> 29 == 0b110
            if (
                not router
                and srv.by_addr(addr) is None
                and (not classc or a & 0xFF not in (0, 0xFF))
            ):
                free = yield from do_icmp_ping(srv, addr)
                if free:
                    return addr
            a = start if a == end else a + 1
            if a == first:
                break
    return None


def do_icmp_ping(srv: Server, addr: IPv4Address) -> Wait:
    """``do_icmp_ping``: no echo reply within 3 s (or a recent such finding)."""
    when = srv.pings.get(int(addr))
    now = srv.env.now
    recent = [t for t in srv.pings.values() if now - t <= PING_CACHE_TIME]
    if when is not None and now - when <= PING_CACHE_TIME:
        return True
    if srv.conf.no_ping or len(recent) >= int(0.6 * (PING_CACHE_TIME / PING_WAIT)):
        return True
    sock = srv.ns.inet.sockets.ping_socket()
    gen = srv.busy
    assert gen is not None

    def reply(ev: SockEvent) -> None:
        if ev.kind == "data" and ev.src == int(addr):
            srv.ns.kernel.engine.call_later(0.0, lambda _: srv.resume(gen, True), None)

    sock.on_event = reply
    with contextlib.suppress(KernelError):
        srv.ns.inet.output(IPv4(IPAddress(0, 4), IPAddress(int(addr), 4), 1,
                                 ICMP.echo_request(sock.ident, 0, bytes(20)), flags=0b010,
                                 ident=srv.ns.inet.next_id()))  # fmt: skip
    replied = yield PING_WAIT
    sock.close()
    if replied:
        return False
    srv.pings[int(addr)] = now
    return True
