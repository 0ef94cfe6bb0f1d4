"""The macvlan *port* (``struct macvlan_port`` in ``drivers/net/macvlan.c``,
Linux 6.18): what the first macvlan on a lower device installs there, and
the receive path it runs as the lower's ``rx_handler``
(``macvlan_handle_frame``, ``macvlan_broadcast``, ``macvlan_multicast_rx``,
``macvlan_forward_source``).  The devices themselves are in
:mod:`netsim.kernel.links.macvlan`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Final, final

from netsim.addr import MacAddr
from netsim.kernel.links.base import IFF_ALLMULTI, IFF_PROMISC, IFF_UP, Link
from netsim.kernel.links.rx import eth_type_trans
from netsim.kernel.skb import PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, netif_rx
from netsim.trace import RECEIVED

if TYPE_CHECKING:
    from netsim.kernel.links.macvlan import Macvlan
    from netsim.kernel.skb import Skb

__all__ = [
    "DEFAULT_BC_QUEUE_LEN",
    "MACVLAN_FLAG_NODST",
    "MACVLAN_FLAG_NOPROMISC",
    "MacvlanMode",
    "MacvlanPort",
    "eth_hash",
    "macvlan_handle_frame",
]

MACVLAN_FLAG_NOPROMISC: Final = 1
MACVLAN_FLAG_NODST: Final = 2
DEFAULT_BC_QUEUE_LEN: Final = 1000
_BROADCAST: Final = 0xFFFFFFFFFFFF


def eth_hash(mac: MacAddr) -> int:
    """``macvlan_eth_hash()`` on a little-endian machine: ``hash_64()`` of the
    six bytes read as a u64 and shifted left by 16, 8 bits."""
    value = (int.from_bytes(mac.packed, "little") << 16) & 0xFFFFFFFFFFFFFFFF
    return ((value * 0x61C8864680B583EB) & 0xFFFFFFFFFFFFFFFF) >> 56


class MacvlanMode(IntEnum):
    """``enum macvlan_mode`` (bits, so a set of modes is a mask)."""

    PRIVATE = 1
    VEPA = 2
    BRIDGE = 4
    PASSTHRU = 8
    SOURCE = 16

    def __str__(self) -> str:
        return self.name.lower()


_ANY: Final = MacvlanMode.PRIVATE | MacvlanMode.VEPA | MacvlanMode.PASSTHRU | MacvlanMode.BRIDGE


@final
class MacvlanPort:
    """``struct macvlan_port``: the lower's ``rx_handler_data``."""

    def __init__(self, lower: Link):
        self.dev = lower
        #: ``port->vlans``, in creation order.
        self.vlans: list[Macvlan] = []
        self.passthru = False
        #: The lower's MAC when the port was made (restored after passthru).
        self.perm_addr = lower.address
        #: ``dev->uc_promisc`` on the lower: promiscuous for our unicast list.
        self.uc_promisc = False
        #: ``port->vlan_source_hash``: source MAC -> the source-mode macvlans.
        self.sources: dict[MacAddr, list[Macvlan]] = {}

    @property
    def bc_queue_len_used(self) -> int:
        """``update_port_bc_queue_len()``: the largest any macvlan asked for."""
        return max((v.bc_queue_len_req for v in self.vlans), default=0)

    def lookup(self, mac: int) -> Macvlan | None:
        """``macvlan_hash_lookup()``: the *up* macvlan with this MAC."""
        for v in self.vlans:
            if v.flags & IFF_UP and v.address == mac:
                return v
        return None

    def addr_busy(self, mac: MacAddr) -> bool:
        """``macvlan_addr_busy()``."""
        if not self.passthru and mac == self.dev.address:
            return True
        return self.lookup(mac) is not None

    def sync_rx_mode(self) -> None:
        """``__dev_set_rx_mode()`` on the lower: without unicast filtering,
        a non-empty unicast list makes it promiscuous (only while it is up)."""
        lower = self.dev
        if not lower.up or getattr(lower, "unicast_flt", False):
            return
        want = any(v.up and v.mode != MacvlanMode.PASSTHRU for v in self.vlans)
        if want != self.uc_promisc:
            self.uc_promisc = want
            lower.promiscuity += 1 if want else -1

    def destroy(self) -> None:
        """``macvlan_port_destroy()``: free the lower, give back its MAC."""
        lower = self.dev
        if self.uc_promisc:
            lower.promiscuity -= 1
        lower.rx_handler = lower.rx_handler_data = None
        if self.passthru and lower.address != self.perm_addr and lower.registered:
            lower.set_address(self.perm_addr)

    # --- receive (macvlan_handle_frame) ------------------------------------------------------

    def forward_source(self, skb: Skb) -> bool:
        """``macvlan_forward_source()``: copies to source-mode macvlans that
        listen for this sender; True when one of them is ``nodst``."""
        consume = False
        for v in self.sources.get(MacAddr(skb.frame.src), ()):
            if v.flags & IFF_UP:
                copy = skb.clone()
                copy.dev = v
                eth_type_trans(v, copy)
                v.kernel.engine.call_later(0.0, _rx_another, copy)
            consume = consume or bool(v.macvlan_flags & MACVLAN_FLAG_NODST)
        return consume

    def broadcast(self, skb: Skb, src: Link | None, modes: int, *, local: bool) -> None:
        """``macvlan_broadcast()``: a copy to every up macvlan whose mode is in
        ``modes`` but ``src`` (``local``: from a sibling's transmit)."""
        dst = skb.frame.dst
        for v in self.vlans:
            if v is src or not v.flags & IFF_UP or not v.mode & modes:
                continue
            if dst != _BROADCAST and not v.flags & (IFF_PROMISC | IFF_ALLMULTI):
                continue  # mc_filter: no multicast lists in the model
            copy = skb.clone()
            copy.dev = v
            if local:  # __dev_forward_skb() + netif_rx(): received afresh
                v.kernel.engine.call_later(0.0, netif_rx, copy)
            else:
                copy.pkt_type = PACKET_BROADCAST if dst == _BROADCAST else PACKET_MULTICAST
                v.rx_another(copy)

    def multicast_rx(self, skb: Skb, src: Macvlan | None) -> None:
        """``macvlan_multicast_rx()`` (run from the port's broadcast work)."""
        if src is None:
            self.broadcast(skb, None, _ANY, local=False)
        elif src.mode == MacvlanMode.VEPA:
            self.broadcast(skb, src, MacvlanMode.VEPA | MacvlanMode.BRIDGE, local=False)
        else:  # bridge siblings saw it on the way out
            self.broadcast(skb, src, MacvlanMode.VEPA, local=False)


def _bc_work(work: tuple[MacvlanPort, Skb, Macvlan | None]) -> None:
    """``macvlan_process_broadcast()``."""
    port, skb, src = work
    port.multicast_rx(skb, src)


def _rx_another(skb: Skb) -> None:
    skb.dev.rx_another(skb)


def macvlan_handle_frame(port: MacvlanPort, skb: Skb) -> None:
    """``macvlan_handle_frame()``: the rx_handler on the lower device."""
    lower = port.dev
    ns = lower.netns
    assert ns is not None
    skb.note(ns.env.now, ns.name, lower.ifname, RECEIVED)
    frame = skb.frame
    if frame.dst >> 40 & 1:
        if port.forward_source(skb):
            lower.drop(skb, "macvlan: source mode nodst")
            return
        src = port.lookup(frame.src)
        if src is not None and src.mode not in (MacvlanMode.VEPA, MacvlanMode.BRIDGE):
            skb.dev = src  # forward to the original port only
            skb.pkt_type = PACKET_BROADCAST if frame.dst == _BROADCAST else PACKET_MULTICAST
            src.rx_another(skb)
            return
        if any(v.flags & IFF_UP for v in port.vlans):  # the broadcast work queue
            copy = skb.clone()
            lower.kernel.engine.call_later(0.0, _bc_work, (port, copy, src))
        lower.rx_pass(skb)
        return
    if port.forward_source(skb):
        lower.drop(skb, "macvlan: source mode nodst")
        return
    vlan = port.vlans[0] if port.passthru and port.vlans else port.lookup(frame.dst)
    if vlan is None or vlan.mode == MacvlanMode.SOURCE:
        lower.rx_pass(skb)
        return
    if not vlan.flags & IFF_UP:
        lower.drop(skb, f"macvlan {vlan.ifname} down")
        return
    skb.dev = vlan
    skb.pkt_type = PACKET_HOST
    vlan.rx_another(skb)
