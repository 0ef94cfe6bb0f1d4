"""Link-layer addresses: a MAC is an ``int`` that prints as the kernel prints it.

A MAC is kept as an integer so that FDB lookups on the forwarding path are
plain ``dict`` hits; ``str(mac)`` gives the ``aa:bb:cc:dd:ee:ff`` form that
iproute2 and ``/sys/class/net/*/address`` show.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final, final

from netaddr import INET_PTON, AddrFormatError, IPAddress

__all__ = [
    "BROADCAST",
    "ZERO",
    "IfAddr",
    "MacAddr",
    "Prefix",
    "ip4",
    "ip4_str",
    "mask4",
    "random_mac",
]

_MAC_RE: Final = re.compile(r"^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$")


@final
class MacAddr(int):
    """A 48-bit Ethernet address."""

    __slots__ = ()

    def __new__(cls, value: int | str | bytes) -> MacAddr:
        if isinstance(value, str):
            if not _MAC_RE.match(value):
                raise ValueError(f'"{value}" is not a valid MAC address')
            value = int("".join(p.zfill(2) for p in value.split(":")), 16)
        elif isinstance(value, bytes):
            if len(value) != 6:
                raise ValueError("a MAC address is 6 bytes")
            value = int.from_bytes(value, "big")
        if not 0 <= value < 1 << 48:
            raise ValueError(f"{value:#x} does not fit in 48 bits")
        return super().__new__(cls, value)

    def __str__(self) -> str:
        h = f"{int(self):012x}"
        return f"{h[0:2]}:{h[2:4]}:{h[4:6]}:{h[6:8]}:{h[8:10]}:{h[10:12]}"

    def __repr__(self) -> str:
        return f"MacAddr('{self}')"

    @property
    def packed(self) -> bytes:
        """The six bytes on the wire."""
        return int(self).to_bytes(6, "big")

    @property
    def is_multicast(self) -> bool:
        """The I/G bit (bit 0 of the first octet); broadcast is multicast too."""
        return bool((self >> 40) & 0x01)

    @property
    def is_broadcast(self) -> bool:
        return self == 0xFFFFFFFFFFFF

    @property
    def is_local_admin(self) -> bool:
        """The U/L bit (bit 1 of the first octet)."""
        return bool((self >> 40) & 0x02)

    @property
    def is_zero(self) -> bool:
        return self == 0

    @property
    def is_valid_ether(self) -> bool:
        """``is_valid_ether_addr()``: not multicast and not all zeros."""
        return not self.is_multicast and self != 0


BROADCAST: Final = MacAddr(0xFFFFFFFFFFFF)
ZERO: Final = MacAddr(0)


def random_mac(rng: random.Random) -> MacAddr:
    """Mirror ``eth_random_addr()``: random bytes, multicast bit cleared, local bit set."""
    raw = bytearray(rng.getrandbits(48).to_bytes(6, "big"))
    raw[0] &= 0xFE
    raw[0] |= 0x02
    return MacAddr(bytes(raw))


# --- IPv4 -------------------------------------------------------------------------------------
#
# The model keeps IPv4 addresses as plain ints on its hot paths; these types are
# what the API takes and returns.  An address on an interface (IfAddr: an IP
# plus the prefix length of its subnet) and a network (Prefix: a network
# number plus a length) are different types on purpose: netaddr's IPNetwork
# is both, and ``IPNetwork('10.1.2.3/24') == IPNetwork('10.1.2.4/24')`` is True.


def ip4(value: str | int | IPAddress) -> int:
    """An IPv4 address as an int, from text, an int or a netaddr ``IPAddress``."""
    if isinstance(value, int):
        if not 0 <= value < 1 << 32:
            raise ValueError(f"{value} is not an IPv4 address")
        return value
    try:
        addr = IPAddress(str(value), 4, flags=INET_PTON)
    except (AddrFormatError, ValueError) as e:
        raise ValueError(f'"{value}" is not a valid IPv4 address') from e
    return int(addr)


def ip4_str(value: int) -> str:
    """Dotted-quad text of an IPv4 int."""
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def mask4(prefixlen: int) -> int:
    """The netmask of a prefix length, as an int."""
    return (0xFFFFFFFF << (32 - prefixlen)) & 0xFFFFFFFF if prefixlen else 0


@final
@dataclass(frozen=True, slots=True, order=True)
class Prefix:
    """An IPv4 network: ``10.1.0.0/24``.  The host bits must be zero."""

    network: int
    prefixlen: int

    def __post_init__(self) -> None:
        if not 0 <= self.prefixlen <= 32:
            raise ValueError(f"invalid prefix length {self.prefixlen}")
        if self.network & ~mask4(self.prefixlen) & 0xFFFFFFFF:
            raise ValueError("Invalid prefix for given prefix length")

    @classmethod
    def parse(cls, text: str) -> Prefix:
        """``10.0.0.0/8``, ``10.1.2.3`` (a /32) or ``default`` (``0.0.0.0/0``)."""
        if text in ("default", "all", "any"):
            return cls(0, 0)
        addr, _, plen = text.partition("/")
        return cls(ip4(addr), int(plen) if plen else 32)

    @property
    def mask(self) -> int:
        return mask4(self.prefixlen)

    @property
    def broadcast(self) -> int:
        return self.network | (~self.mask & 0xFFFFFFFF)

    def __contains__(self, ip: object) -> bool:
        return isinstance(ip, int) and (ip & self.mask) == self.network

    def __str__(self) -> str:
        return f"{ip4_str(self.network)}/{self.prefixlen}"


@final
@dataclass(frozen=True, slots=True)
class IfAddr:
    """An IPv4 address on an interface: ``10.1.0.1/24`` (the IP and its subnet's length)."""

    ip: int
    prefixlen: int

    def __post_init__(self) -> None:
        if not 0 <= self.prefixlen <= 32:
            raise ValueError(f"invalid prefix length {self.prefixlen}")

    @classmethod
    def parse(cls, text: str) -> IfAddr:
        """``10.1.0.1/24``; without a length, ``/32`` (as ``ip addr add`` takes it)."""
        addr, _, plen = text.partition("/")
        return cls(ip4(addr), int(plen) if plen else 32)

    @property
    def network(self) -> Prefix:
        return Prefix(self.ip & mask4(self.prefixlen), self.prefixlen)

    def __str__(self) -> str:
        return f"{ip4_str(self.ip)}/{self.prefixlen}"
