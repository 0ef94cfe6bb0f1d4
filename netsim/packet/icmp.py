"""The ICMP message (RFC 792), with the quoted datagram of an error parsed as IPv4."""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Self, final

from netsim.packet.checksum import internet_checksum
from netsim.packet.errors import DecodeError, need
from netsim.packet.vxlan import VXLAN_PORTS

if TYPE_CHECKING:
    from netsim.packet.ipv4 import IPv4

__all__ = [
    "ICMP",
    "ICMP_DEST_UNREACH",
    "ICMP_ECHO",
    "ICMP_ECHOREPLY",
    "ICMP_EXC_FRAGTIME",
    "ICMP_EXC_TTL",
    "ICMP_FRAG_NEEDED",
    "ICMP_HLEN",
    "ICMP_HOST_UNREACH",
    "ICMP_NET_UNREACH",
    "ICMP_PARAMETERPROB",
    "ICMP_PORT_UNREACH",
    "ICMP_PROT_UNREACH",
    "ICMP_QUOTING_TYPES",
    "ICMP_REDIRECT",
    "ICMP_SOURCE_QUENCH",
    "ICMP_TIME_EXCEEDED",
    "IPPROTO_ICMP",
]

IPPROTO_ICMP: Final = 1
ICMP_HLEN: Final = 8

# Types (include/uapi/linux/icmp.h).
ICMP_ECHOREPLY: Final = 0
ICMP_DEST_UNREACH: Final = 3
ICMP_SOURCE_QUENCH: Final = 4
ICMP_REDIRECT: Final = 5
ICMP_ECHO: Final = 8
ICMP_TIME_EXCEEDED: Final = 11
ICMP_PARAMETERPROB: Final = 12

# Codes for ICMP_DEST_UNREACH.
ICMP_NET_UNREACH: Final = 0
ICMP_HOST_UNREACH: Final = 1
ICMP_PROT_UNREACH: Final = 2
ICMP_PORT_UNREACH: Final = 3
ICMP_FRAG_NEEDED: Final = 4
# Codes for ICMP_TIME_EXCEEDED.
ICMP_EXC_TTL: Final = 0
ICMP_EXC_FRAGTIME: Final = 1

ICMP_QUOTING_TYPES: Final[frozenset[int]] = frozenset(
    {
        ICMP_DEST_UNREACH,
        ICMP_SOURCE_QUENCH,
        ICMP_REDIRECT,
        ICMP_TIME_EXCEEDED,
        ICMP_PARAMETERPROB,
    }
)
"""Types whose payload quotes the offending datagram (IP header + at least 8 bytes)."""

_HEADER: Final = struct.Struct("!BBHI")


@final
@dataclass(frozen=True, slots=True)
class ICMP:
    """An ICMP message: type, code, the 32-bit "rest of header" and the payload.

    *rest_of_header* is identifier << 16 | sequence for echo (see
    :meth:`echo_request`, :attr:`ident`, :attr:`seq`), the next-hop MTU in the
    low 16 bits for "fragmentation needed" (RFC 1191), the gateway for a
    redirect, else 0.  For an error the payload is the quoted datagram as an
    :class:`IPv4` (possibly cut short: see ``IPv4.total_length``), or bytes when
    the quote does not parse.  *checksum* ``None`` is computed on encode over
    the whole message (``icmp_push_reply()``); decoding leaves a value there
    only when it does not match.
    """

    type: int
    code: int = 0
    rest_of_header: int = 0
    payload: IPv4 | bytes = b""
    checksum: int | None = None
    #: :attr:`wire_len` once computed (-1 before): the message is immutable.
    _wire_len: int = field(default=-1, init=False, repr=False, compare=False)

    @classmethod
    def echo_request(cls, ident: int, seq: int, payload: bytes = b"") -> Self:
        """An echo request (type 8), as ``ping`` sends."""
        return cls(ICMP_ECHO, 0, (ident << 16) | seq, payload)

    @classmethod
    def echo_reply(cls, ident: int, seq: int, payload: bytes = b"") -> Self:
        """An echo reply (type 0): ``icmp_echo()`` echoes id, seq and data."""
        return cls(ICMP_ECHOREPLY, 0, (ident << 16) | seq, payload)

    @classmethod
    def dest_unreachable(cls, code: int, quoted: IPv4 | bytes, mtu: int = 0) -> Self:
        """Destination unreachable (type 3); *mtu* only for ``ICMP_FRAG_NEEDED``."""
        return cls(ICMP_DEST_UNREACH, code, mtu, quoted)

    @classmethod
    def time_exceeded(cls, quoted: IPv4 | bytes, code: int = ICMP_EXC_TTL) -> Self:
        """Time exceeded (type 11), as ``ip_forward()`` sends when the TTL runs out."""
        return cls(ICMP_TIME_EXCEEDED, code, 0, quoted)

    @property
    def ident(self) -> int:
        """Echo identifier: the high 16 bits of *rest_of_header*."""
        return self.rest_of_header >> 16

    @property
    def seq(self) -> int:
        """Echo sequence number: the low 16 bits of *rest_of_header*."""
        return self.rest_of_header & 0xFFFF

    @property
    def mtu(self) -> int:
        """Next-hop MTU of a "fragmentation needed" message (RFC 1191)."""
        return self.rest_of_header & 0xFFFF

    @property
    def is_error(self) -> bool:
        """Whether this type quotes an offending datagram."""
        return self.type in ICMP_QUOTING_TYPES

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, header plus payload, without encoding."""
        n = self._wire_len
        if n < 0:
            p = self.payload
            n = ICMP_HLEN + (len(p) if isinstance(p, bytes) else p.wire_len)
            object.__setattr__(self, "_wire_len", n)
        return n

    def encode(self) -> bytes:
        """The message with its checksum."""
        p = self.payload
        body = p if isinstance(p, bytes) else p.encode()
        csum = self.checksum
        if csum is None:
            csum = internet_checksum(
                _HEADER.pack(self.type, self.code, 0, self.rest_of_header) + body
            )
        return _HEADER.pack(self.type, self.code, csum, self.rest_of_header) + body

    @classmethod
    def decode(cls, data: bytes, *, vxlan_ports: Collection[int] = VXLAN_PORTS) -> Self:
        """Parse a whole message (the IPv4 payload)."""
        from netsim.packet.ipv4 import IPv4

        need(data, ICMP_HLEN, "ICMP header")
        typ, code, csum, rest = _HEADER.unpack_from(data)
        body = data[ICMP_HLEN:]
        checksum: int | None = csum
        if csum == internet_checksum(_HEADER.pack(typ, code, 0, rest) + body):
            checksum = None
        payload: IPv4 | bytes = body
        if typ in ICMP_QUOTING_TYPES:
            try:
                payload = IPv4.decode(body, vxlan_ports=vxlan_ports, quoted=True)
            except DecodeError:
                payload = body
        return cls(typ, code, rest, payload, checksum)
