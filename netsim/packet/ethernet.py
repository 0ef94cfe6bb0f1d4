"""The Ethernet II header with an optional 802.1Q tag."""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Final, Self, final

from netsim.addr import MacAddr
from netsim.packet.arp import ARP, ARP_LEN, ETH_P_ARP
from netsim.packet.errors import need
from netsim.packet.ipv4 import ETH_P_IP, IPv4
from netsim.packet.vxlan import VXLAN_PORTS

__all__ = [
    "ETH_HLEN",
    "ETH_P_8021Q",
    "ETH_ZLEN",
    "VLAN_HLEN",
    "Dot1Q",
    "Ethernet",
]

ETH_HLEN: Final = 14
ETH_ZLEN: Final = 60
"""Minimum frame length without FCS; ``eth_skb_pad()`` pads short frames to it."""
ETH_P_8021Q: Final = 0x8100
VLAN_HLEN: Final = 4

_TAG: Final = struct.Struct("!HH")


@final
@dataclass(frozen=True, slots=True)
class Dot1Q:
    """An IEEE 802.1Q tag: TPID 0x8100 then TCI = PCP (3 bits), DEI (1), VID (12)."""

    vid: int
    pcp: int = 0
    dei: int = 0

    @property
    def tci(self) -> int:
        """The tag control information as on the wire (``skb->vlan_tci``)."""
        return (self.pcp << 13) | (self.dei << 12) | self.vid

    @classmethod
    def from_tci(cls, tci: int) -> Self:
        return cls(tci & 0x0FFF, tci >> 13, (tci >> 12) & 1)

    def encode(self) -> bytes:
        """The four tag bytes: 0x81 0x00 then the TCI (``vlan_insert_tag()``)."""
        if not (0 <= self.vid < 4096 and 0 <= self.pcp < 8 and 0 <= self.dei < 2):
            raise ValueError(f"bad 802.1Q tag {self}")
        return _TAG.pack(ETH_P_8021Q, self.tci)


@final
@dataclass(frozen=True, slots=True)
class Ethernet:
    """An Ethernet II frame without FCS, as an ``AF_PACKET`` socket sees it.

    With *vlan* set the frame carries an 802.1Q tag and *ethertype* is the
    inner type after it.  *trailer* holds bytes after an ARP or IPv4 payload
    (padding to 60 bytes, see :meth:`padded`); encode does not pad by itself,
    as veth does not.
    """

    dst: MacAddr
    src: MacAddr
    ethertype: int
    payload: ARP | IPv4 | bytes
    vlan: Dot1Q | None = None
    trailer: bytes = b""

    @property
    def wire_len(self) -> int:
        """Bytes on the wire without FCS, without encoding."""
        p = self.payload
        n = ETH_HLEN + len(self.trailer) + (len(p) if isinstance(p, bytes) else p.wire_len)
        return n if self.vlan is None else n + VLAN_HLEN

    def padded(self, min_len: int = ETH_ZLEN) -> Ethernet:
        """This frame with a zero trailer up to *min_len* bytes, as ``eth_skb_pad()`` does."""
        short = min_len - self.wire_len
        return self if short <= 0 else replace(self, trailer=self.trailer + bytes(short))

    def encode(self) -> bytes:
        """Header, tag, payload and trailer."""
        p = self.payload
        if isinstance(p, ARP | IPv4):
            expected = ETH_P_ARP if isinstance(p, ARP) else ETH_P_IP
            if self.ethertype != expected:
                raise ValueError(
                    f"ethertype {self.ethertype:#06x} but payload is {type(p).__name__}"
                )
        if self.vlan is None and self.ethertype == ETH_P_8021Q:
            raise ValueError("an 802.1Q tag goes in vlan=, not in ethertype")
        if not 0 <= self.ethertype <= 0xFFFF:
            raise ValueError(f"ethertype {self.ethertype:#x} does not fit in 16 bits")
        body = p if isinstance(p, bytes) else p.encode()
        tag = b"" if self.vlan is None else self.vlan.encode()
        head = self.dst.packed + self.src.packed + tag + self.ethertype.to_bytes(2, "big")
        return head + body + self.trailer

    @classmethod
    def decode(cls, data: bytes, *, vxlan_ports: Collection[int] = VXLAN_PORTS) -> Self:
        """Parse a frame and its ARP/IPv4 payload (other ethertypes stay bytes).

        UDP to one of *vxlan_ports* is parsed as VXLAN, down to the inner frame.
        """
        need(data, ETH_HLEN, "Ethernet header")
        (ethertype,) = struct.unpack_from("!H", data, 12)
        vlan = None
        off = ETH_HLEN
        if ethertype == ETH_P_8021Q:
            need(data, ETH_HLEN + VLAN_HLEN, "802.1Q-tagged Ethernet header")
            tci, ethertype = _TAG.unpack_from(data, 14)
            vlan = Dot1Q.from_tci(tci)
            off += VLAN_HLEN
        rest = data[off:]
        payload: ARP | IPv4 | bytes = rest
        trailer = b""
        if ethertype == ETH_P_IP:
            payload = IPv4.decode(rest, vxlan_ports=vxlan_ports)
            trailer = rest[payload.wire_len :]
        elif ethertype == ETH_P_ARP:
            payload = ARP.decode(rest)
            trailer = rest[ARP_LEN:]
        return cls(MacAddr(data[0:6]), MacAddr(data[6:12]), ethertype, payload, vlan, trailer)
