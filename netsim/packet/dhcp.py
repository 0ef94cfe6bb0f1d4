"""The DHCP message (RFC 2131 on BOOTP, RFC 951) and its options (RFC 2132).

A :class:`DHCP` keeps what is on the wire, in order: the fixed BOOTP header,
the magic cookie, the options as ``(code, value)`` pairs in the order they were
written (``Pad`` as code 0 with no value), whether an ``End`` closed them, and
the bytes after it (clients and servers pad a message to the BOOTP minimum:
d2g/dhcp4's ``PadToMinSize`` to 272 bytes, dnsmasq's ``dhcp_packet_size`` to
300), so that decoding then encoding a captured message gives its bytes back.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final, Self, final

from netaddr import IPAddress

from netsim.addr import MacAddr
from netsim.packet.errors import DecodeError, need

__all__ = [
    "BOOTREPLY",
    "BOOTREQUEST",
    "DHCP",
    "DHCPACK",
    "DHCPDECLINE",
    "DHCPDISCOVER",
    "DHCPINFORM",
    "DHCPNAK",
    "DHCPOFFER",
    "DHCPRELEASE",
    "DHCPREQUEST",
    "DHCP_CLIENT_PORT",
    "DHCP_MAGIC",
    "DHCP_MIN_LEN",
    "DHCP_SERVER_PORT",
    "MESSAGE_TYPES",
    "OPT_BROADCAST",
    "OPT_CLASSLESS_ROUTES",
    "OPT_CLIENT_ID",
    "OPT_DNS",
    "OPT_DOMAIN_NAME",
    "OPT_END",
    "OPT_HOSTNAME",
    "OPT_LEASE_TIME",
    "OPT_MESSAGE",
    "OPT_MESSAGE_TYPE",
    "OPT_PAD",
    "OPT_PARAM_REQUEST",
    "OPT_REBINDING_TIME",
    "OPT_RENEWAL_TIME",
    "OPT_REQUESTED_IP",
    "OPT_ROUTER",
    "OPT_SERVER_ID",
    "OPT_STATIC_ROUTES",
    "OPT_SUBNET_MASK",
]

DHCP_SERVER_PORT: Final = 67
DHCP_CLIENT_PORT: Final = 68
DHCP_MAGIC: Final = b"\x63\x82\x53\x63"
#: The fixed part: op .. file (236 bytes) and the magic cookie.
DHCP_MIN_LEN: Final = 240

BOOTREQUEST: Final = 1
BOOTREPLY: Final = 2

DHCPDISCOVER: Final = 1
DHCPOFFER: Final = 2
DHCPREQUEST: Final = 3
DHCPDECLINE: Final = 4
DHCPACK: Final = 5
DHCPNAK: Final = 6
DHCPRELEASE: Final = 7
DHCPINFORM: Final = 8
MESSAGE_TYPES: Final = {
    DHCPDISCOVER: "DHCPDISCOVER",
    DHCPOFFER: "DHCPOFFER",
    DHCPREQUEST: "DHCPREQUEST",
    DHCPDECLINE: "DHCPDECLINE",
    DHCPACK: "DHCPACK",
    DHCPNAK: "DHCPNAK",
    DHCPRELEASE: "DHCPRELEASE",
    DHCPINFORM: "DHCPINFORM",
}

OPT_PAD: Final = 0
OPT_SUBNET_MASK: Final = 1
OPT_ROUTER: Final = 3
OPT_DNS: Final = 6
OPT_HOSTNAME: Final = 12
OPT_DOMAIN_NAME: Final = 15
OPT_BROADCAST: Final = 28
OPT_STATIC_ROUTES: Final = 33
OPT_REQUESTED_IP: Final = 50
OPT_LEASE_TIME: Final = 51
OPT_MESSAGE_TYPE: Final = 53
OPT_SERVER_ID: Final = 54
OPT_PARAM_REQUEST: Final = 55
OPT_MESSAGE: Final = 56
OPT_RENEWAL_TIME: Final = 58
OPT_REBINDING_TIME: Final = 59
OPT_CLIENT_ID: Final = 61
OPT_CLASSLESS_ROUTES: Final = 121
OPT_END: Final = 255

_HEADER: Final = struct.Struct("!BBBBIHHIIII16s64s128s4s")
_ZERO: Final = IPAddress(0, 4)


@final
@dataclass(frozen=True, slots=True)
class DHCP:
    """A BOOTP/DHCP message, field for field as on the wire.

    *chaddr* is the 16-byte client hardware address field (the MAC and its
    zero padding); *options* are in wire order; *trailer* is what follows
    the ``End`` option (padding), or nothing when *end* is False.
    """

    op: int
    xid: int
    chaddr: bytes = bytes(16)
    options: tuple[tuple[int, bytes], ...] = ()
    htype: int = 1
    hlen: int = 6
    hops: int = 0
    secs: int = 0
    flags: int = 0
    ciaddr: IPAddress = field(default=_ZERO)
    yiaddr: IPAddress = field(default=_ZERO)
    siaddr: IPAddress = field(default=_ZERO)
    giaddr: IPAddress = field(default=_ZERO)
    sname: bytes = bytes(64)
    file: bytes = bytes(128)
    end: bool = True
    trailer: bytes = b""
    magic: bytes = DHCP_MAGIC

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, without encoding."""
        n = DHCP_MIN_LEN + sum(1 if c == OPT_PAD else 2 + len(v) for c, v in self.options)
        return n + (1 if self.end else 0) + len(self.trailer)

    @property
    def broadcast(self) -> bool:
        """The BROADCAST bit of *flags* (RFC 2131 section 4.1)."""
        return bool(self.flags & 0x8000)

    @property
    def mac(self) -> MacAddr:
        """The client's MAC: the first *hlen* bytes of *chaddr* (Ethernet)."""
        return MacAddr(self.chaddr[:6])

    def option(self, code: int) -> bytes | None:
        """The value of the first option *code*, or None."""
        for c, v in self.options:
            if c == code:
                return v
        return None

    @property
    def message_type(self) -> int:
        """Option 53's value (0 when absent)."""
        v = self.option(OPT_MESSAGE_TYPE)
        return v[0] if v else 0

    def encode(self) -> bytes:
        """The message bytes."""
        head = _HEADER.pack(
            self.op, self.htype, self.hlen, self.hops, self.xid, self.secs, self.flags,
            int(self.ciaddr), int(self.yiaddr), int(self.siaddr), int(self.giaddr),
            self.chaddr, self.sname, self.file, self.magic,
        )  # fmt: skip
        out = [head]
        for code, value in self.options:
            if code == OPT_PAD:
                out.append(b"\x00")
                continue
            if len(value) > 255:
                raise ValueError(f"DHCP option {code} is {len(value)} bytes; at most 255")
            out.append(bytes((code, len(value))) + value)
        if self.end:
            out.append(b"\xff")
        out.append(self.trailer)
        return b"".join(out)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Parse a message; options up to ``End`` (or the end of the data)."""
        need(data, DHCP_MIN_LEN, "DHCP message")
        (op, htype, hlen, hops, xid, secs, flags, ci, yi, si, gi, chaddr, sname, file,
         magic) = _HEADER.unpack_from(data)  # fmt: skip
        if magic != DHCP_MAGIC:
            raise DecodeError(f"DHCP magic cookie {magic.hex()}, not 63825363")
        options: list[tuple[int, bytes]] = []
        i, end = DHCP_MIN_LEN, False
        while i < len(data):
            code = data[i]
            if code == OPT_END:
                end, i = True, i + 1
                break
            if code == OPT_PAD:
                options.append((OPT_PAD, b""))
                i += 1
                continue
            if i + 2 > len(data) or i + 2 + data[i + 1] > len(data):
                raise DecodeError(f"DHCP option {code} runs past the end of the message")
            size = data[i + 1]
            options.append((code, data[i + 2 : i + 2 + size]))
            i += 2 + size
        return cls(op, xid, chaddr, tuple(options), htype, hlen, hops, secs, flags,
                   IPAddress(ci, 4), IPAddress(yi, 4), IPAddress(si, 4), IPAddress(gi, 4),
                   sname, file, end, data[i:] if end else b"", magic)  # fmt: skip

    def summary(self) -> str:
        """What ``tcpdump -nn`` prints for it after the UDP ports."""
        if self.op == BOOTREQUEST:
            return f"BOOTP/DHCP, Request from {self.mac}, length {self.wire_len}"
        if self.op == BOOTREPLY:
            return f"BOOTP/DHCP, Reply, length {self.wire_len}"
        return f"BOOTP/DHCP, op-#{self.op}, length {self.wire_len}"
