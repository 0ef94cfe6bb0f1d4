"""The messages of dnsmasq 2.90's DHCPv4 server (``rfc2131.c``): the lease and
range records, the OFFER/ACK options (``do_options``) and the NAK, and the
small helpers ``dhcp_reply`` uses (``narrow_context``, ``calc_time``,
``clear_packet``, ``dhcp_packet_size``)."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Final

from netaddr import IPAddress

from netsim.apps.dnsmasq.config import Config, DhcpRange
from netsim.packet.dhcp import (
    BOOTREPLY,
    DHCP,
    DHCPNAK,
    OPT_BROADCAST,
    OPT_DNS,
    OPT_HOSTNAME,
    OPT_LEASE_TIME,
    OPT_MESSAGE,
    OPT_MESSAGE_TYPE,
    OPT_PARAM_REQUEST,
    OPT_REBINDING_TIME,
    OPT_RENEWAL_TIME,
    OPT_ROUTER,
    OPT_SERVER_ID,
    OPT_SUBNET_MASK,
)

__all__ = ["INFINITE", "Context", "Lease", "calc_time", "client_hostname", "nak", "narrow",
           "option_addr", "options"]  # fmt: skip

MIN_PACKETSZ: Final = 300
INFINITE: Final = 0xFFFFFFFF
#: options only dnsmasq itself puts in (``do_options`` skips them in the config loop)
_INTERNAL: Final = frozenset({81, 57, 52, 0, 255, 58, 59})
_DEFAULTED: Final = frozenset({1, 28, 3, 6, 15, 12})
_ADDR = ipaddress.IPv4Address
_HOSTNAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass
class Lease:
    """``struct dhcp_lease``: who holds which address until when (0: forever)."""

    hwaddr: bytes
    htype: int
    clid: bytes | None
    addr: _ADDR
    expires: int = 0
    hostname: str | None = None

    def line(self) -> str:
        """Its line in the lease file."""
        mac = ":".join(f"{b:02x}" for b in self.hwaddr)
        if self.htype != 1 or not self.hwaddr:
            mac = f"{self.htype:02x}-{mac}"
        clid = ":".join(f"{b:02x}" for b in self.clid) if self.clid else "*"
        return f"{self.expires} {mac or '*'} {self.addr} {self.hostname or '*'} {clid}\n"


@dataclass(frozen=True)
class Context:
    """A ``dhcp-range`` completed by an address of the interface (``complete_context``)."""

    range: DhcpRange
    local: _ADDR
    netmask: _ADDR
    broadcast: _ADDR

    def holds(self, addr: _ADDR) -> bool:
        return int(addr) & int(self.netmask) == int(self.local) & int(self.netmask)

    def available(self, addr: _ADDR) -> bool:
        """``address_available``: inside the range."""
        return int(self.range.start) <= int(addr) <= int(self.range.end)


def client_hostname(mess: DHCP) -> str | None:
    """Option 12 if ``legal_hostname()``, its domain stripped (``strip_hostname``)."""
    raw = mess.option(OPT_HOSTNAME)
    if not raw:
        return None
    text = raw.rstrip(b"\0").decode("latin-1")
    name = text.split(".", 1)[0]
    if not name or not _HOSTNAME.fullmatch(name):
        return None
    return name


def nak(mess: DHCP, contexts: list[Context], ctx: Context | None, message: str,
        *, unicast: bool) -> DHCP:  # fmt: skip
    """A DHCPNAK: 53, 54 and the reason (56), broadcast unless unicast to a
    client on another network."""
    server = (ctx or contexts[0]).local
    base = dataclasses.replace(mess, op=BOOTREPLY)
    pkt = _cleared(base, yiaddr=IPAddress(0, 4))
    ci = _ADDR(int(base.ciaddr))
    if not unicast or int(base.giaddr) or not int(ci) or (ctx is not None and ctx.holds(ci)):
        pkt = dataclasses.replace(pkt, flags=pkt.flags | 0x8000, ciaddr=IPAddress(0, 4))
    return _finish(pkt, [(OPT_MESSAGE_TYPE, bytes((DHCPNAK,))), (OPT_SERVER_ID, server.packed),
                         (OPT_MESSAGE, message.encode())])  # fmt: skip


def options(conf: Config, mess: DHCP, ctx: Context, mtype: int, addr: _ADDR, t: int,
            hostname: str | None = None) -> DHCP:  # fmt: skip
    """The OFFER/ACK: 53, 54, 51, then ``do_options``."""
    base = dataclasses.replace(mess, op=BOOTREPLY)
    req = mess.option(OPT_PARAM_REQUEST)
    opts = [(OPT_MESSAGE_TYPE, bytes((mtype,))), (OPT_SERVER_ID, ctx.local.packed),
            (OPT_LEASE_TIME, t.to_bytes(4, "big"))]  # fmt: skip
    configured = dict(reversed(conf.options))
    if t != INFINITE:
        t1, t2 = t // 2, t * 7 // 8
        t1 = _configured_time(configured.get(OPT_RENEWAL_TIME), t, t1)
        t2 = _configured_time(configured.get(OPT_REBINDING_TIME), t, t2)
        if t2 <= t1:
            t1 = t2 - 1
        opts += [(OPT_RENEWAL_TIME, t1.to_bytes(4, "big")),
                 (OPT_REBINDING_TIME, t2.to_bytes(4, "big"))]  # fmt: skip
    asked = set(req or b"")
    if OPT_SUBNET_MASK not in configured:
        opts.append((OPT_SUBNET_MASK, ctx.netmask.packed))
    if OPT_BROADCAST not in configured:
        opts.append((OPT_BROADCAST, ctx.broadcast.packed))
    if OPT_ROUTER in asked and OPT_ROUTER not in configured:
        opts.append((OPT_ROUTER, ctx.local.packed))
    if conf.port == 53 and OPT_DNS in asked and OPT_DNS not in configured:
        opts.append((OPT_DNS, ctx.local.packed))
    if hostname and OPT_HOSTNAME in asked and OPT_HOSTNAME not in configured:
        opts.append((OPT_HOSTNAME, hostname.encode()))
    for code, value in conf.options:
        if code not in asked or code in _INTERNAL:
            continue
        if not value and code in _DEFAULTED:
            continue
        opts.append((code, value))
    pkt = _cleared(base, yiaddr=IPAddress(int(addr), 4), siaddr=IPAddress(int(ctx.local), 4))
    if conf.force_broadcast:
        pkt = dataclasses.replace(pkt, flags=pkt.flags | 0x8000)
    return _finish(pkt, opts)


def option_addr(v: bytes | None) -> _ADDR | None:
    return _ADDR(v[:4]) if v is not None and len(v) >= 4 else None


def narrow(contexts: list[Context], addr: _ADDR, *, available: bool = False) -> Context | None:
    """``narrow_context``: the context whose network holds ``addr``."""
    for c in contexts:
        if c.holds(addr) and (not available or c.available(addr)):
            return c
    return None


def calc_time(ctx: Context, opt: bytes | None) -> int:
    """``calc_time``: the range's lease time, or less if the client asks."""
    t = ctx.range.lease
    if opt is not None and len(opt) >= 4:
        want = max(int.from_bytes(opt[:4], "big"), 120)
        if t == INFINITE or (want != INFINITE and want < t):
            t = want
    return t


def _configured_time(v: bytes | None, lease: int, default: int) -> int:
    """A configured T1/T2, when shorter than the lease and over 2 s."""
    if v is not None and len(v) == 4 and 2 < int.from_bytes(v, "big") < lease:
        return int.from_bytes(v, "big")
    return default


def _cleared(pkt: DHCP, **kw: Any) -> DHCP:
    """``clear_packet``: no sname, file or siaddr; the options go."""
    fields: dict[str, Any] = {"sname": bytes(64), "file": bytes(128), "siaddr": IPAddress(0, 4)}
    return dataclasses.replace(pkt, **{**fields, **kw})


def _finish(pkt: DHCP, opts: list[tuple[int, bytes]]) -> DHCP:
    """``dhcp_packet_size``: the options, End, padding to 300 bytes."""
    pkt = dataclasses.replace(pkt, options=tuple(opts), end=True, trailer=b"")
    return dataclasses.replace(pkt, trailer=bytes(max(0, MIN_PACKETSZ - pkt.wire_len)))
