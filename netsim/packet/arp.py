"""The ARP packet for IPv4 over Ethernet (RFC 826)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final, Self, final

from netaddr import IPAddress

from netsim.addr import ZERO, MacAddr
from netsim.packet.errors import DecodeError, need
from netsim.packet.ipv4 import ETH_P_IP, ipv4_addr

__all__ = [
    "ARP",
    "ARPHRD_ETHER",
    "ARPOP_REPLY",
    "ARPOP_REQUEST",
    "ARP_LEN",
    "ETH_P_ARP",
]

ETH_P_ARP: Final = 0x0806
ARPHRD_ETHER: Final = 1
ARPOP_REQUEST: Final = 1
ARPOP_REPLY: Final = 2
ARP_LEN: Final = 28
"""8 fixed bytes plus two (MAC, IPv4) pairs; Ethernet pads it to 46 only on real wire."""

_HEADER: Final = struct.Struct("!HHBBH6sI6sI")


@final
@dataclass(frozen=True, slots=True)
class ARP:
    """An ARP request or reply (``arp_create()``): sender and target MAC and IPv4 address.

    Only hlen 6 and plen 4 can be represented; the fields are kept so that
    what is on the wire is visible.
    """

    op: int
    sha: MacAddr
    spa: IPAddress
    tha: MacAddr
    tpa: IPAddress
    htype: int = ARPHRD_ETHER
    ptype: int = ETH_P_IP
    hlen: int = 6
    plen: int = 4

    @classmethod
    def request(cls, sha: MacAddr, spa: IPAddress | str, tpa: IPAddress | str) -> Self:
        """Who-has *tpa*: Linux leaves the target MAC zero (``arp_send()`` with no ``dest_hw``)."""
        return cls(ARPOP_REQUEST, sha, ipv4_addr(spa), ZERO, ipv4_addr(tpa))

    @classmethod
    def reply(cls, sha: MacAddr, spa: IPAddress | str, tha: MacAddr, tpa: IPAddress | str) -> Self:
        """*spa* is-at *sha*, sent to the asker (*tha*, *tpa*)."""
        return cls(ARPOP_REPLY, sha, ipv4_addr(spa), tha, ipv4_addr(tpa))

    @property
    def wire_len(self) -> int:
        """Always :data:`ARP_LEN`."""
        return ARP_LEN

    def encode(self) -> bytes:
        """The 28-byte packet."""
        if self.hlen != 6 or self.plen != 4:
            raise ValueError(f"ARP hlen {self.hlen} plen {self.plen}: only 6 and 4 supported")
        return _HEADER.pack(
            self.htype,
            self.ptype,
            self.hlen,
            self.plen,
            self.op,
            self.sha.packed,
            int(self.spa),
            self.tha.packed,
            int(self.tpa),
        )

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Parse an ARP packet; bytes after it (Ethernet padding) are ignored."""
        need(data, 8, "ARP header")
        htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", data)
        if hlen != 6 or plen != 4:
            raise DecodeError(f"ARP hlen {hlen} plen {plen}: only 6 (MAC) and 4 (IPv4) supported")
        need(data, ARP_LEN, "ARP packet")
        *_, sha, spa, tha, tpa = _HEADER.unpack_from(data)
        return cls(
            op,
            MacAddr(sha),
            IPAddress(spa, 4),
            MacAddr(tha),
            IPAddress(tpa, 4),
            htype,
            ptype,
            hlen,
            plen,
        )
