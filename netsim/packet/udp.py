"""The UDP header (RFC 768)."""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Self, final

from netaddr import IPAddress

from netsim.packet.checksum import internet_checksum, pseudo_header_sum
from netsim.packet.dhcp import DHCP, DHCP_CLIENT_PORT, DHCP_SERVER_PORT
from netsim.packet.errors import DecodeError, need
from netsim.packet.vxlan import VXLAN, VXLAN_PORTS

__all__ = ["IPPROTO_UDP", "UDP", "UDP_HLEN"]

IPPROTO_UDP: Final = 17
UDP_HLEN: Final = 8

_HEADER: Final = struct.Struct("!HHHH")
_DHCP_PORTS: Final = frozenset({DHCP_SERVER_PORT, DHCP_CLIENT_PORT})


@final
@dataclass(frozen=True, slots=True)
class UDP:
    """A UDP header and its payload.

    *checksum* is ``None`` for "computed on encode over the pseudo-header", as
    the kernel does by default (``udp_send_skb()``; a sum of 0 goes out as
    0xFFFF, ``CSUM_MANGLED_0``).  ``0`` means no checksum (RFC 768), what a
    VXLAN device with ``noudpcsum`` or a ``SO_NO_CHECK`` socket sends.  Any
    other value is sent as is; decoding leaves one there only when it does not
    match the computed checksum (or when no addresses were given to check it).
    """

    sport: int
    dport: int
    payload: VXLAN | DHCP | bytes = b""
    checksum: int | None = None

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, header plus payload, without encoding."""
        p = self.payload
        return UDP_HLEN + (len(p) if isinstance(p, bytes) else p.wire_len)

    def encode(self, src: IPAddress | None = None, dst: IPAddress | None = None) -> bytes:
        """Header and payload; *src*/*dst* are needed when the checksum is computed."""
        p = self.payload
        body = p if isinstance(p, bytes) else p.encode()
        length = UDP_HLEN + len(body)
        if length > 0xFFFF:
            raise ValueError(f"UDP datagram of {length} bytes exceeds 65535")
        csum = self.checksum
        if csum is None:
            if src is None or dst is None:
                raise ValueError("a computed UDP checksum needs the IPv4 src and dst")
            csum = _compute(self.sport, self.dport, body, src, dst)
        return _HEADER.pack(self.sport, self.dport, length, csum) + body

    @classmethod
    def decode(
        cls,
        data: bytes,
        src: IPAddress | None = None,
        dst: IPAddress | None = None,
        *,
        vxlan_ports: Collection[int] = VXLAN_PORTS,
    ) -> Self:
        """Parse a whole datagram (the IPv4 payload); VXLAN inside when *dport* says so,
        DHCP when both ports are DHCP's (67, 68) and it parses as one."""
        need(data, UDP_HLEN, "UDP header")
        sport, dport, length, csum = _HEADER.unpack_from(data)
        if length != len(data):
            raise DecodeError(f"UDP length field {length} but {len(data)} bytes of datagram")
        body = data[UDP_HLEN:]
        checksum: int | None = csum
        if src is not None and dst is not None and csum == _compute(sport, dport, body, src, dst):
            checksum = None
        payload: VXLAN | DHCP | bytes = body
        if dport in vxlan_ports:
            payload = VXLAN.decode(body, vxlan_ports=vxlan_ports)
        elif sport in _DHCP_PORTS and dport in _DHCP_PORTS:
            with contextlib.suppress(DecodeError):
                payload = DHCP.decode(body)
        return cls(sport, dport, payload, checksum)


def _compute(sport: int, dport: int, body: bytes, src: IPAddress, dst: IPAddress) -> int:
    length = UDP_HLEN + len(body)
    pseudo = pseudo_header_sum(int(src), int(dst), IPPROTO_UDP, length)
    csum = internet_checksum(_HEADER.pack(sport, dport, length, 0) + body, pseudo)
    return csum or 0xFFFF
