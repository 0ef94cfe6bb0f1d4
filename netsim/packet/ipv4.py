"""The IPv4 header (RFC 791) and the transport it carries."""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final, Self, final

from netaddr import IPAddress

from netsim.packet.checksum import internet_checksum
from netsim.packet.errors import DecodeError, need
from netsim.packet.icmp import ICMP, IPPROTO_ICMP
from netsim.packet.tcp import IPPROTO_TCP, TCP
from netsim.packet.udp import IPPROTO_UDP, UDP
from netsim.packet.vxlan import VXLAN_PORTS

__all__ = [
    "DF",
    "ETH_P_IP",
    "IPV4_HLEN",
    "MF",
    "IPv4",
    "ipv4_addr",
]

ETH_P_IP: Final = 0x0800
IPV4_HLEN: Final = 20
IPV4_MAX_OPTIONS: Final = 40

DF: Final = 0b010
"""Don't Fragment, in the 3-bit flags field (the kernel's ``IP_DF`` is this << 13)."""
MF: Final = 0b001
"""More Fragments, in the 3-bit flags field (the kernel's ``IP_MF`` is this << 13)."""

_HEADER: Final = struct.Struct("!BBHHHBBHII")


def ipv4_addr(value: IPAddress | str | int) -> IPAddress:
    """*value* as a version-4 ``netaddr.IPAddress`` (what header fields hold)."""
    if isinstance(value, IPAddress):
        if value.version != 4:
            raise ValueError(f"{value} is not an IPv4 address")
        return value
    return IPAddress(value, 4)


@final
@dataclass(frozen=True, slots=True)
class IPv4:
    """An IPv4 header and its payload.

    *flags* is the 3-bit field (:data:`DF`, :data:`MF`) and *frag_offset* is in
    8-octet units, both as on the wire.  *options* are raw bytes, a multiple of
    4.  The header checksum (``ip_send_check()``) and total length are computed
    on encode while *checksum* and *total_length* are ``None``; decoding sets
    *checksum* only when the wire value is wrong and *total_length* only for a
    datagram quoted in an ICMP error and cut short.  The payload is only parsed
    as ICMP/TCP/UDP for an unfragmented datagram.
    """

    src: IPAddress
    dst: IPAddress
    proto: int
    payload: ICMP | UDP | TCP | bytes
    ttl: int = 64
    tos: int = 0
    ident: int = 0
    flags: int = 0
    frag_offset: int = 0
    options: bytes = b""
    checksum: int | None = None
    total_length: int | None = None
    #: :attr:`wire_len` once computed (-1 before): the packet is immutable.
    _wire_len: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def header_len(self) -> int:
        """Header bytes including options (IHL * 4)."""
        return IPV4_HLEN + len(self.options)

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, header plus payload, without encoding (for MTU checks)."""
        n = self._wire_len
        if n < 0:
            p = self.payload
            n = IPV4_HLEN + len(self.options) + (len(p) if isinstance(p, bytes) else p.wire_len)
            object.__setattr__(self, "_wire_len", n)
        return n

    def decremented(self) -> IPv4:
        """This datagram with its TTL one less and the checksum to recompute, as
        ``ip_forward()``'s ``ip_decrease_ttl()`` leaves it (same length)."""
        ip = IPv4(self.src, self.dst, self.proto, self.payload, self.ttl - 1, self.tos,
                  self.ident, self.flags, self.frag_offset, self.options, None,
                  self.total_length)  # fmt: skip
        object.__setattr__(ip, "_wire_len", self._wire_len)
        return ip

    @property
    def df(self) -> bool:
        return bool(self.flags & DF)

    @property
    def mf(self) -> bool:
        return bool(self.flags & MF)

    @property
    def is_fragment(self) -> bool:
        """``ip_is_fragment()``: MF set or a non-zero offset."""
        return bool(self.flags & MF) or self.frag_offset != 0

    def encode(self) -> bytes:
        """Header (with checksum) and encoded payload."""
        p = self.payload
        if isinstance(p, bytes):
            body = p
        else:
            expected = IPPROTO_ICMP if isinstance(p, ICMP) else _proto_of(p)
            if self.proto != expected:
                raise ValueError(f"IPv4 proto {self.proto} but payload is {type(p).__name__}")
            body = p.encode() if isinstance(p, ICMP) else p.encode(self.src, self.dst)
        olen = len(self.options)
        if olen % 4 or olen > IPV4_MAX_OPTIONS:
            raise ValueError(f"IPv4 options are {olen} bytes; need a multiple of 4, at most 40")
        hlen = IPV4_HLEN + olen
        total = hlen + len(body) if self.total_length is None else self.total_length
        if total > 0xFFFF:
            raise ValueError(f"IPv4 datagram of {total} bytes exceeds 65535")
        header = self._header(total, 0 if self.checksum is None else self.checksum)
        if self.checksum is None:
            csum = internet_checksum(header)
            header = header[:10] + csum.to_bytes(2, "big") + header[12:]
        return header + body

    def _header(self, total: int, csum: int) -> bytes:
        return (
            _HEADER.pack(
                0x40 | (IPV4_HLEN + len(self.options)) // 4,
                self.tos,
                total,
                self.ident,
                self.flags << 13 | self.frag_offset,
                self.ttl,
                self.proto,
                csum,
                int(self.src),
                int(self.dst),
            )
            + self.options
        )

    @classmethod
    def decode(
        cls,
        data: bytes,
        *,
        vxlan_ports: Collection[int] = VXLAN_PORTS,
        quoted: bool = False,
    ) -> Self:
        """Parse a datagram; bytes past the total length (link-layer padding) are ignored.

        Like ``ip_rcv_core()``, which trims to ``tot_len``.  With *quoted* (the
        copy inside an ICMP error), *data* may stop short of the total length,
        then the payload stays raw bytes, but may not run past it.
        """
        need(data, IPV4_HLEN, "IPv4 header")
        vihl, tos, total, ident, frag, ttl, proto, csum, src, dst = _HEADER.unpack_from(data)
        if vihl >> 4 != 4:
            raise DecodeError(f"IP version {vihl >> 4}, not 4")
        hlen = (vihl & 0x0F) * 4
        if hlen < IPV4_HLEN:
            raise DecodeError(f"IPv4 header length {hlen} is below the 20-byte minimum")
        need(data, hlen, "IPv4 header with options")
        if total < hlen:
            raise DecodeError(f"IPv4 total length {total} is shorter than its {hlen}-byte header")
        short = len(data) < total
        if short and not quoted:
            raise DecodeError(f"truncated IPv4 datagram: total length {total}, got {len(data)}")
        if quoted and len(data) > total:
            raise DecodeError(f"quoted IPv4 datagram runs {len(data) - total} bytes past its end")
        header = data[:hlen]
        checksum: int | None = csum
        if csum == internet_checksum(header[:10] + b"\x00\x00" + header[12:]):
            checksum = None
        saddr, daddr = IPAddress(src, 4), IPAddress(dst, 4)
        flags, offset = frag >> 13, frag & 0x1FFF
        body = data[hlen:total]
        payload: ICMP | UDP | TCP | bytes = body
        if not short and not (flags & MF or offset):
            if proto == IPPROTO_UDP:
                payload = UDP.decode(body, saddr, daddr, vxlan_ports=vxlan_ports)
            elif proto == IPPROTO_TCP:
                payload = TCP.decode(body, saddr, daddr)
            elif proto == IPPROTO_ICMP:
                payload = ICMP.decode(body, vxlan_ports=vxlan_ports)
        return cls(
            saddr,
            daddr,
            proto,
            payload,
            ttl,
            tos,
            ident,
            flags,
            offset,
            data[IPV4_HLEN:hlen],
            checksum,
            total if short else None,
        )


def _proto_of(p: UDP | TCP) -> int:
    return IPPROTO_UDP if isinstance(p, UDP) else IPPROTO_TCP
