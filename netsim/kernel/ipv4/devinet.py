"""IPv4 addresses on devices (``net/ipv4/devinet.c``).

* An address in the subnet of an existing primary (same mask) becomes
  *secondary*; the same address twice is ``ipv4: Address already assigned``;
  a second address in a primary's subnet with another scope is
  ``ipv4: Invalid scope value``.
* Primaries are kept sorted by scope, secondaries after them, each in the
  order they came (``__inet_insert_ifa``).
* Deleting a primary deletes its secondaries (``promote_secondaries`` is 0).
* ``lo`` gets ``127.0.0.1/8 scope host`` the first time it goes up.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from netsim.addr import mask4
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RT_SCOPE_HOST, RT_SCOPE_UNIVERSE

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link

__all__ = ["INADDR_LOOPBACK", "InDevice", "InIfAddr"]

INADDR_LOOPBACK: Final = 0x7F000001


@dataclass(slots=True, eq=False)
class InIfAddr:
    """``struct in_ifaddr``."""

    local: int
    prefixlen: int
    address: int = 0  # the peer for point-to-point, else == local
    broadcast: int = 0  # 0: none given
    scope: int = RT_SCOPE_UNIVERSE
    label: str = ""
    secondary: bool = False
    noprefixroute: bool = False
    rt_priority: int = 0

    def __post_init__(self) -> None:
        if not self.address:
            self.address = self.local

    @property
    def mask(self) -> int:
        return mask4(self.prefixlen)

    @property
    def prefix(self) -> int:
        """``ifa_address & ifa_mask``: the subnet."""
        return self.address & self.mask

    def in_subnet(self, addr: int) -> bool:
        """``inet_ifa_match()``."""
        return not ((addr ^ self.address) & self.mask)


class InDevice:
    """``struct in_device``: one device's IPv4 addresses."""

    def __init__(self, dev: Link):
        self.dev = dev
        self.ifa_list: list[InIfAddr] = []
        self.dead = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.ifa_list)

    def primaries(self) -> list[InIfAddr]:
        return [a for a in self.ifa_list if not a.secondary]

    def byprefix(self, prefix: int, mask: int) -> InIfAddr | None:
        """``inet_ifa_byprefix()``: the primary for a subnet."""
        for a in self.ifa_list:
            if not a.secondary and a.mask == mask and a.prefix == prefix:
                return a
        return None

    def find(self, local: int, prefixlen: int | None) -> InIfAddr | None:
        """The address ``inet_rtm_deladdr`` would delete."""
        for a in self.ifa_list:
            if a.local == local and (prefixlen is None or a.prefixlen == prefixlen):
                return a
        return None

    def insert(self, ifa: InIfAddr) -> None:
        """``__inet_insert_ifa()`` (without the notifications)."""
        ifa.secondary = False
        last_primary = 0
        for i, a in enumerate(self.ifa_list):
            if not a.secondary and ifa.scope <= a.scope:
                last_primary = i + 1
            if a.mask == ifa.mask and a.in_subnet(ifa.address):
                if a.local == ifa.local:
                    raise KernelError(errno.EEXIST, "ipv4: Address already assigned")
                if a.scope != ifa.scope:
                    raise KernelError(errno.EINVAL, "ipv4: Invalid scope value")
                ifa.secondary = True
        if ifa.secondary:
            self.ifa_list.append(ifa)
        else:
            self.ifa_list.insert(last_primary, ifa)

    def secondaries_of(self, ifa: InIfAddr) -> list[InIfAddr]:
        """``__inet_del_ifa()`` without promotion: deleting a primary deletes these."""
        if ifa.secondary:
            return []
        return [a for a in self.ifa_list
                if a.secondary and a.mask == ifa.mask and ifa.in_subnet(a.address)]  # fmt: skip


def loopback_ifa(dev: Link) -> InIfAddr:
    """The address ``inetdev_event(NETDEV_UP)`` gives a loopback device."""
    return InIfAddr(INADDR_LOOPBACK, 8, scope=RT_SCOPE_HOST, label=dev.ifname)
