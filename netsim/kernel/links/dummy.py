"""``dummy`` devices (``drivers/net/dummy.c``): a sink with carrier.

* ``dummy_setup()``: ``ether_setup()`` then ``IFF_NOARP`` on and
  ``IFF_MULTICAST`` off, so ``ip link`` shows ``<BROADCAST,NOARP>``;
  ``IFF_NO_QUEUE`` (``noqueue`` once up), a random MAC, ``min_mtu`` and
  ``max_mtu`` 0 (no MTU limit at all), ``IFF_LIVE_ADDR_CHANGE``.
* The carrier is never turned off, and the driver never reports an
  operstate, so an up dummy is ``state UNKNOWN``.
* ``dummy_xmit()`` counts the frame and frees it: whatever is routed out of
  a dummy device disappears.  Neighbours on it are ``NOARP`` (nothing is
  ever resolved), so traffic to a dummy's subnet is transmitted and dropped.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, ClassVar, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import IFF_BROADCAST, IFF_NOARP, Link

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = ["Dummy", "dummy_newlink"]


@final
class Dummy(Link):
    """A dummy device (``ip link add NAME type dummy``)."""

    kind: ClassVar[str | None] = "dummy"
    base_flags: ClassVar[int] = IFF_BROADCAST | IFF_NOARP
    min_mtu: ClassVar[int] = 0
    max_mtu: ClassVar[int] = 0

    def __init__(self, kernel: Kernel, ifname: str, *, address: MacAddr | None = None,
                 mtu: int | None = None):  # fmt: skip
        super().__init__(kernel, ifname, address=address, mtu=mtu)
        #: ``dev_lstats``: frames and bytes "transmitted" (and freed).
        self.tx_packets = 0
        self.tx_bytes = 0

    def xmit(self, skb: Skb) -> None:
        """``dummy_xmit()``: count it, free it."""
        if not self.up:
            self.drop(skb, "device down")
            return
        self.tx_packets += 1
        self.tx_bytes += skb.len
        self.drop(skb, "dummy_xmit: consumed")


def dummy_newlink(
    kernel: Kernel,
    ns: Netns,
    ifname: str = "dummy%d",
    *,
    address: MacAddr | None = None,
    mtu: int | None = None,
) -> Dummy:
    """``rtnl_newlink()`` for ``type dummy`` (``dummy_validate`` checks the address)."""
    name = ns.check_name(ifname)
    if address is not None and not address.is_valid_ether:
        raise KernelError(errno.EADDRNOTAVAIL)
    if mtu is not None and mtu < 0:
        raise KernelError(errno.EINVAL)
    return kernel.register(Dummy(kernel, name, address=address, mtu=mtu), ns)
