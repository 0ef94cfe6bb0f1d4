"""Link-layer addresses: a MAC is an ``int`` that prints as the kernel prints it.

A MAC is kept as an integer so that FDB lookups on the forwarding path are
plain ``dict`` hits; ``str(mac)`` gives the ``aa:bb:cc:dd:ee:ff`` form that
iproute2 and ``/sys/class/net/*/address`` show.
"""

from __future__ import annotations

import random
import re
from typing import Final, final

__all__ = [
    "BROADCAST",
    "ZERO",
    "MacAddr",
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
        return ":".join(h[i : i + 2] for i in range(0, 12, 2))

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
