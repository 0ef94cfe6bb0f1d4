"""The VXLAN header (RFC 7348) and the UDP ports that carry it."""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self, final

from netsim.packet.errors import DecodeError, need

if TYPE_CHECKING:
    from netsim.packet.ethernet import Ethernet

__all__ = [
    "IANA_VXLAN_UDP_PORT",
    "VXLAN",
    "VXLAN_FLAG_I",
    "VXLAN_HLEN",
    "VXLAN_LINUX_UDP_PORT",
    "VXLAN_PORTS",
]

IANA_VXLAN_UDP_PORT: Final = 4789
"""The IANA port (RFC 7348 section 5); what ``ip link add ... dstport 4789`` asks for."""
VXLAN_LINUX_UDP_PORT: Final = 8472
"""The port the Linux ``vxlan`` module defaults to when no ``dstport`` is given."""
VXLAN_PORTS: Final[frozenset[int]] = frozenset({IANA_VXLAN_UDP_PORT, VXLAN_LINUX_UDP_PORT})
"""UDP destination ports whose payload decoding treats as VXLAN by default."""

VXLAN_HLEN: Final = 8
VXLAN_FLAG_I: Final = 0x08
"""The "VNI is valid" flag; the only one a plain VXLAN header carries."""

_HEADER: Final = struct.Struct("!B3xI")


@final
@dataclass(frozen=True, slots=True)
class VXLAN:
    """A VXLAN header and the Ethernet frame it carries (RFC 7348; ``vxlan_xmit_one()``).

    Wire layout: flags (8 bits), reserved (24), VNI (24), reserved (8).
    """

    vni: int
    payload: Ethernet
    flags: int = VXLAN_FLAG_I

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, header plus inner frame, without encoding."""
        return VXLAN_HLEN + self.payload.wire_len

    def encode(self) -> bytes:
        """The VXLAN header followed by the encoded inner frame."""
        if not 0 <= self.vni < 1 << 24:
            raise ValueError(f"VNI {self.vni} does not fit in 24 bits")
        return _HEADER.pack(self.flags, self.vni << 8) + self.payload.encode()

    @classmethod
    def decode(cls, data: bytes, *, vxlan_ports: Collection[int] = VXLAN_PORTS) -> Self:
        """Parse a VXLAN header and its inner Ethernet frame.

        Like ``vxlan_rcv()``, a header without the I flag or with reserved bits
        set is rejected.
        """
        from netsim.packet.ethernet import Ethernet

        need(data, VXLAN_HLEN, "VXLAN header")
        flags, word = _HEADER.unpack_from(data)
        if not flags & VXLAN_FLAG_I:
            raise DecodeError(f"VXLAN flags {flags:#04x} lack the I (valid VNI) flag")
        if data[1:4] != b"\x00\x00\x00" or word & 0xFF:
            raise DecodeError("VXLAN reserved bits are set")
        return cls(word >> 8, Ethernet.decode(data[VXLAN_HLEN:], vxlan_ports=vxlan_ports), flags)
