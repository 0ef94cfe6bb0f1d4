"""dnsmasq's DHCPv4 server (2.90: ``dhcp.c`` ``dhcp_packet``/``address_allocate``/
``do_icmp_ping``, ``rfc2131.c`` ``dhcp_reply``/``do_options``, ``lease.c``),
the subset a CNI test bed needs, in the world's simulated time.

* A UDP socket on 0.0.0.0:67 (``IP_PKTINFO``: the interface a request came
  in on picks the ranges, the *contexts*, whose network holds one of its
  addresses; the address is the server id, ``siaddr`` and default router).
* DISCOVER: the client's lease, else its requested address, else one picked
  by the SDBM hash of its MAC from the range (``address_allocate``), each
  checked free with an ICMP echo and 3 s of waiting (``--no-ping`` skips it;
  a free address is remembered for 30 s); an OFFER with 53, 54, 51, then
  T1/T2, netmask, broadcast, router (if asked for) and the configured options
  the client asked for, newest first.  No lease is made yet.
* REQUEST: SELECTING (options 50 and 54; another server's id is ignored),
  INIT-REBOOT (50 only), RENEWING/REBINDING (ciaddr); a lease made or
  extended and an ACK, or a NAK (``wrong address``, ``wrong network``,
  ``address not available``, ``address in use``, ``lease not found``) sent to
  255.255.255.255.  ``--dhcp-authoritative`` NAKs what it does not know.
* RELEASE drops the lease.  The lease file (``--dhcp-leasefile``) is
  rewritten after every change, newest lease first, as ``lease.c`` writes it.
* Replies: to the relay (``giaddr``), to ``ciaddr``, broadcast when the
  client asks (or ``--dhcp-broadcast``), else unicast to ``yiaddr`` with the
  client's MAC put in the ARP table (``SIOCSARP``, STALE); TOS CS6, no DF.

The choice of a new address and its ping check are in
:mod:`netsim.apps.dnsmasq.allocate`.

Not modelled: DNS, ``dhcp-host``, tags, BOOTP, DECLINE, INFORM, relays
beyond the reply to ``giaddr``, logging (to syslog), lease-expiry timers
(expired leases are dropped when the next packet comes, not at expiry).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Final

from netsim.apps.dnsmasq.allocate import Wait, address_allocate, do_icmp_ping
from netsim.apps.dnsmasq.config import Config
from netsim.apps.dnsmasq.rfc2131 import (
    INFINITE,
    Context,
    Lease,
    calc_time,
    client_hostname,
    nak,
    narrow,
    option_addr,
    options,
)
from netsim.errors import KernelError
from netsim.packet.dhcp import (
    BOOTREQUEST,
    DHCP,
    DHCPACK,
    DHCPDISCOVER,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    OPT_CLIENT_ID,
    OPT_LEASE_TIME,
    OPT_REQUESTED_IP,
    OPT_SERVER_ID,
)

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns
    from netsim.shell.fs import MemFs

__all__ = ["Server"]

IPTOS_CLASS_CS6: Final = 0xC0
_ADDR = ipaddress.IPv4Address


class Server:
    """One dnsmasq process serving DHCP in one namespace."""

    def __init__(self, ns: Netns, fs: MemFs, conf: Config):
        self.ns, self.fs, self.conf = ns, fs, conf
        self.env = ns.kernel.engine.env
        self.leases: list[Lease] = []
        self.pings: dict[int, float] = {}  # address -> when it was found free
        self.sock = ns.inet.sockets.udp_socket(0, 67)  # KernelError EADDRINUSE
        self.queue: deque[Any] = deque()
        #: the request being answered, while it waits for a ping check
        self.busy: Generator[float, bool, Any] | None = None
        self.timer: Any = None
        self.sock.on_event = self._arrived

    def stop(self) -> None:
        """``kill``: the socket closes, a request in progress is dropped."""
        self.sock.close()
        self.sock.on_event = None
        self.queue.clear()
        self.busy = None
        if self.timer is not None:
            self.timer.cancel()

    # --- the lease file ------------------------------------------------------------------

    @property
    def now(self) -> int:
        return int(self.env.now)

    def read_leases(self, text: str) -> None:
        """``lease_init``: the leases a previous run left (newest first)."""
        for line in text.splitlines():
            f = line.split()
            if len(f) != 5 or not f[0].isdigit() or f[1] == "duid":
                continue
            mac_text = f[1].rpartition("-")[2]
            mac = bytes.fromhex(mac_text.replace(":", "")) if f[1] != "*" else b""
            clid = bytes.fromhex(f[4].replace(":", "")) if f[4] != "*" else None
            self.leases.append(Lease(mac, 1, clid, _ADDR(f[2]), int(f[0]),
                                     None if f[3] == "*" else f[3]))  # fmt: skip

    def write_leases(self) -> None:
        """``lease_update_file``."""
        self.fs.write(self.conf.leasefile, "".join(lease.line() for lease in self.leases))

    # --- receive -------------------------------------------------------------------------

    def _arrived(self, ev: Any) -> None:
        self.queue.append(ev)
        if self.busy is None:
            self._next()

    def _next(self) -> None:
        """The main loop: one request at a time (a ping check holds up the rest)."""
        while self.busy is None and self.queue:
            self._drive(self.packet(self.queue.popleft()), None)

    def _drive(self, gen: Generator[float, bool, Any], value: bool | None) -> None:
        """Run a request's handling until it waits (it yields the seconds to
        wait; it is resumed with True when an echo reply ends the wait)."""
        self.busy = gen
        try:
            wait = gen.send(value)  # type: ignore[arg-type]  # None starts it
        except StopIteration:
            self.busy = None
            return
        self.timer = self.ns.kernel.engine.timer(wait, lambda: self.resume(gen, False))

    def resume(self, gen: Generator[float, bool, Any], replied: bool) -> None:
        """Go on with ``gen`` after its wait: ``replied`` when an echo reply ended it."""
        if self.busy is not gen:
            return
        if replied:
            self.timer.cancel()
        self._drive(gen, replied)
        self._next()

    def _iface(self, ifindex: int) -> tuple[Link, list[Context]] | None:
        dev = self.ns.links.get(ifindex)
        if dev is None or dev.ip_ptr is None:
            return None
        if self.conf.interfaces and dev.ifname not in self.conf.interfaces:
            return None
        if not self.conf.interfaces and dev.link_type == "loopback":
            return None
        contexts = []
        for ifa in dev.ip_ptr.ifa_list:
            local = _ADDR(int(ifa.local))
            mask = _ADDR((0xFFFFFFFF << (32 - ifa.prefixlen)) & 0xFFFFFFFF)
            for r in self.conf.ranges:
                netmask = r.netmask or mask
                same = int(local) & int(netmask)
                if int(r.start) & int(netmask) == same and int(r.end) & int(netmask) == same:
                    bcast = r.broadcast or _ADDR(same | (~int(netmask) & 0xFFFFFFFF))
                    contexts.append(Context(r, local, netmask, bcast))
        return (dev, contexts) if contexts else None

    def packet(self, ev: Any) -> Wait:
        """``dhcp_packet``: the reply to one datagram, and where it goes."""
        mess = ev.data if isinstance(ev.data, DHCP) else _decode(ev.data)
        if mess is None:
            return
        found = self._iface(ev.ifindex)
        if found is None:
            return
        dev, contexts = found
        self.leases = [x for x in self.leases if not x.expires or x.expires > self.now]
        before = list(map(dataclasses.astuple, self.leases))
        reply = yield from self.reply(mess, contexts, unicast=ev.dst != 0xFFFFFFFF)
        if list(map(dataclasses.astuple, self.leases)) != before:
            self.write_leases()
        if reply is not None:
            self.send(reply, dev, ev.src, ev.sport)

    # --- dhcp_reply ----------------------------------------------------------------------------

    def find_lease(self, mess: DHCP, clid: bytes | None) -> Lease | None:
        """``lease_find_by_client``: by client id, else by MAC where either has no id."""
        hw = mess.chaddr[: mess.hlen]
        if clid:
            for lease in self.leases:
                if lease.clid == clid:
                    return lease
        for lease in self.leases:
            if (
                (not lease.clid or not clid)
                and hw
                and lease.hwaddr == hw
                and lease.htype == mess.htype
            ):
                return lease
        return None

    def by_addr(self, addr: _ADDR) -> Lease | None:
        return next((x for x in self.leases if x.addr == addr), None)

    def reply(self, mess: DHCP, contexts: list[Context], *, unicast: bool) -> Wait:
        """``dhcp_reply``: the answer to a DHCP message (None: no answer)."""
        if mess.op != BOOTREQUEST or mess.hlen > 16 or (mess.htype == 0 and mess.hlen != 0):
            return None
        mtype = mess.message_type
        clid = mess.option(OPT_CLIENT_ID) or None
        lease = self.find_lease(mess, clid)
        if mtype == DHCPRELEASE:
            self.release(mess, contexts, lease)
            return None
        if mtype == DHCPDISCOVER:
            return (yield from self.discover(mess, contexts, lease))
        if mtype == DHCPREQUEST:
            return self.request(mess, contexts, lease, clid, unicast=unicast)
        return None  # BOOTP, DECLINE, INFORM: not modelled

    def release(self, mess: DHCP, contexts: list[Context], lease: Lease | None) -> None:
        """DHCPRELEASE: the lease goes if it is this address, from this server."""
        ctx = narrow(contexts, _ADDR(int(mess.ciaddr)))
        if ctx is None or option_addr(mess.option(OPT_SERVER_ID)) != ctx.local:
            return
        if lease is not None and lease.addr == _ADDR(int(mess.ciaddr)):
            self.leases.remove(lease)

    def discover(self, mess: DHCP, contexts: list[Context], lease: Lease | None) -> Wait:
        """DHCPDISCOVER: the lease's address, the requested one, or a new one; an OFFER."""
        rq = option_addr(mess.option(OPT_REQUESTED_IP))
        addr = None
        if lease is not None and narrow(contexts, lease.addr, available=True):
            addr = lease.addr
        elif rq is not None and narrow(contexts, rq, available=True) and not self.by_addr(rq):
            free = yield from do_icmp_ping(self, rq)
            addr = rq if free else None
        if addr is None:
            if not mess.hlen:
                return None  # no unique-id
            addr = yield from address_allocate(self, contexts, mess.chaddr[: mess.hlen])
            if addr is None:
                return None  # no address available
        ctx = narrow(contexts, addr)
        if ctx is None:
            return None
        t = calc_time(ctx, mess.option(OPT_LEASE_TIME))
        return options(self.conf, mess, ctx, DHCPOFFER, addr, t)

    def request(self, mess: DHCP, contexts: list[Context], lease: Lease | None,
                clid: bytes | None, *, unicast: bool) -> DHCP | None:  # fmt: skip
        """DHCPREQUEST: SELECTING, INIT-REBOOT or RENEWING/REBINDING; an ACK or a NAK."""
        rq = option_addr(mess.option(OPT_REQUESTED_IP))
        sid = option_addr(mess.option(OPT_SERVER_ID))
        message = ""
        if rq is not None:
            yiaddr = rq
            if sid is not None:  # SELECTING
                if not any(c.local == sid for c in contexts):
                    if not self.conf.authoritative:
                        return None
                    message = "wrong server-ID"
                if lease is not None and lease.addr != yiaddr:
                    self.leases.remove(lease)
                    lease = None
            else:  # INIT-REBOOT
                if lease is None and not self.conf.authoritative:
                    return None
                if lease is not None and lease.addr != yiaddr:
                    message = "wrong address"
        else:  # RENEWING or REBINDING
            yiaddr = _ADDR(int(mess.ciaddr))
            if (lease is not None and yiaddr != lease.addr) or (
                lease is None and not self.conf.authoritative
            ):
                if not unicast:
                    return None
                message, unicast = "lease not found", False
        ctx = None
        if not message:
            ctx = narrow(contexts, yiaddr)
            if ctx is None:
                message, unicast = "wrong network", False
            elif not ctx.available(yiaddr):
                message = "address not available"
            elif lease is None and self.by_addr(yiaddr) is not None:
                message = "address in use"
            elif not mess.hlen:
                message = "no unique-id"
        if message or ctx is None:
            return nak(mess, contexts, ctx, message, unicast=unicast)
        t = calc_time(ctx, mess.option(OPT_LEASE_TIME))
        if lease is None:
            lease = Lease(b"", mess.htype, None, yiaddr)
            self.leases.insert(0, lease)
        lease.hwaddr, lease.htype, lease.clid = mess.chaddr[: mess.hlen], mess.htype, clid
        hostname = client_hostname(mess)
        if hostname is not None:  # lease_set_hostname(): a name is held by one lease
            for other in self.leases:
                if other is not lease and other.hostname == hostname:
                    other.hostname = None
            lease.hostname = hostname
        lease.expires = 0 if t == INFINITE else self.now + t
        return options(self.conf, mess, ctx, DHCPACK, yiaddr, t, hostname)

    # --- send ---------------------------------------------------------------------------------

    def send(self, mess: DHCP, dev: Link, src: int, sport: int) -> None:
        """Where ``dhcp_packet`` sends the reply."""
        kw: dict[str, Any] = {"tos": IPTOS_CLASS_CS6, "df": False}
        ci = int(mess.ciaddr)
        try:
            if int(mess.giaddr):
                self.sock.sendto(mess, int(mess.giaddr), 67, **kw)
            elif ci:
                if src != ci or sport == 0 or src == 0:
                    src, sport = ci, 68
                self.sock.sendto(mess, src, sport, **kw)
            elif mess.flags & 0x8000 or mess.hlen == 0 or mess.hlen > 14 or mess.htype == 0:
                self.sock.sendto(mess, 0xFFFFFFFF, 68, oif=dev, **kw)
            else:
                _arp_inject(self.ns, dev, int(mess.yiaddr), mess.chaddr[:6])
                self.sock.sendto(mess, int(mess.yiaddr), 68, oif=dev, **kw)
        except KernelError:
            pass  # "Error sending DHCP packet to ...": logged


def _arp_inject(ns: Netns, dev: Link, ip: int, mac: bytes) -> None:
    """``ioctl(SIOCSARP)`` with ``ATF_COM``: ``arp_req_set()`` makes the entry
    STALE (``neigh_update(..., NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN)``);
    the reply then takes it to DELAY and, 5 s on, to a unicast probe."""
    from netsim.addr import MacAddr
    from netsim.kernel.ipv4.neigh import F_ADMIN, F_OVERRIDE, NUD_STALE

    table = ns.inet.neigh
    n = table.lookup(dev, ip) or table.create(dev, ip)
    table.update(n, MacAddr(mac), NUD_STALE, F_OVERRIDE | F_ADMIN)


def _decode(data: Any) -> DHCP | None:
    if not isinstance(data, bytes):
        return None
    try:
        return DHCP.decode(data)
    except ValueError:
        return None
