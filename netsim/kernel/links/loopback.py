"""``lo`` (``drivers/net/loopback.c``): what is sent on it is received on it."""

from __future__ import annotations

from typing import ClassVar, final

from netsim.kernel.links.base import IFF_LOOPBACK, Link
from netsim.kernel.skb import Skb, netif_rx

__all__ = ["Loopback"]


@final
class Loopback(Link):
    """The loopback device every namespace is born with (ifindex 1, down)."""

    kind: ClassVar[str | None] = None
    link_type: ClassVar[str] = "loopback"
    base_flags: ClassVar[int] = IFF_LOOPBACK
    default_mtu: ClassVar[int] = 65536
    min_mtu: ClassVar[int] = 0
    max_mtu: ClassVar[int] = 0
    netns_local: ClassVar[bool] = True

    def xmit(self, skb: Skb) -> None:
        """``loopback_xmit()``: back into this namespace's receive path (``netif_rx``)."""
        if self.netns is None or not self.up:
            self.drop(skb, "device down")
            return
        skb.dev = self
        self.kernel.engine.call_later(0.0, netif_rx, skb)
