"""macvlan devices (``drivers/net/macvlan.c``, Linux 6.18).

A macvlan is a device with a MAC of its own stacked on a *lower* Ethernet
device.  The first macvlan turns the lower into a *port*: the port's
``rx_handler`` (``macvlan_handle_frame``) sits on the lower like a bridge
port's, so the lower can be neither a bridge port nor hold another port.

* Creation (``macvlan_common_newlink``): ``link`` is required (EINVAL);
  a macvlan named as ``link`` means its own lower; the lower must be an
  Ethernet device that is not loopback (EINVAL) and whose ``rx_handler`` is
  free (EBUSY); MTU defaults to the lower's (EINVAL above it); MAC random;
  mode ``vepa`` unless given; ``passthru`` only as the port's sole device
  (EINVAL otherwise, both ways), taking the lower's MAC.
* Carrier and operstate follow the lower (``netif_stacked_transfer_operstate``
  on the lower's UP/DOWN/CHANGE); ``ip link`` names it ``NAME@LOWER`` (or
  ``@ifN`` with ``link-netns`` once moved away from the lower).
* Open (``macvlan_open``): the MAC may not be the lower's or an up sibling's
  (EADDRINUSE); the MAC goes on the lower's unicast list, which makes a lower
  without unicast filtering (veth, bridge, dummy) promiscuous while it is up
  (``__dev_set_rx_mode``); a passthru macvlan makes the lower promiscuous
  itself (unless ``nopromisc``).  Only up macvlans are in the port's hash.
* Transmit (``macvlan_queue_xmit``): in ``bridge`` mode a broadcast goes to
  the up bridge-mode siblings and out of the lower; a unicast to a
  bridge-mode sibling's MAC is handed to the lower's receive path
  (``dev_forward_skb``), which gives it to that sibling; everything else,
  and everything in the other modes, is transmitted by the lower.
* Receive on the lower: a unicast to an up macvlan's MAC (any frame, for
  passthru) goes to that macvlan, else up the lower's own stack; broadcasts
  go up the lower's stack and, from a work queue, to the macvlans whose mode
  the source allows (``macvlan_multicast_rx``); a broadcast that a
  ``private``/``passthru``/``source`` sibling sent and that came back goes
  to that sibling only.  So siblings never reach the lower's own addresses
  (and vice versa): a lower's transmissions never come back to it.
* Deleting the lower deletes its macvlans (``NETDEV_UNREGISTER``); a lower
  moved to another namespace keeps them.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, ClassVar, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import IFF_LOOPBACK, IFF_UP, Link, NetdevEvent
from netsim.kernel.links.macvlan_port import (
    DEFAULT_BC_QUEUE_LEN,
    MACVLAN_FLAG_NODST,
    MACVLAN_FLAG_NOPROMISC,
    MacvlanMode,
    MacvlanPort,
    eth_hash,
    macvlan_handle_frame,
)
from netsim.kernel.skb import netif_rx
from netsim.trace import FORWARDED

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = [
    "DEFAULT_BC_QUEUE_LEN",
    "MACVLAN_FLAG_NODST",
    "MACVLAN_FLAG_NOPROMISC",
    "Macvlan",
    "MacvlanMode",
    "MacvlanPort",
    "eth_hash",
    "macvlan_device_event",
    "macvlan_newlink",
]


@final
class Macvlan(Link):
    """One macvlan device (``ip link add NAME link LOWER type macvlan``)."""

    kind: ClassVar[str | None] = "macvlan"
    #: ``IFF_UNICAST_FLT``: its own unicast list never makes it promiscuous.
    unicast_flt: ClassVar[bool] = True

    def __init__(
        self,
        kernel: Kernel,
        ifname: str,
        lower: Link,
        port: MacvlanPort,
        mode: MacvlanMode,
        *,
        flags: int = 0,
        address: MacAddr | None = None,
        mtu: int | None = None,
        bcqueuelen: int = DEFAULT_BC_QUEUE_LEN,
    ):
        super().__init__(kernel, ifname, address=address, mtu=lower.mtu if mtu is None else mtu)
        self.lower = lower
        self.port = port
        self.mode = mode
        #: ``vlan->flags`` (``MACVLAN_FLAG_*``).
        self.macvlan_flags = flags
        self.bc_queue_len_req = bcqueuelen
        #: Source MACs of a ``source``-mode device (``macaddr add``).
        self.macaddrs: list[MacAddr] = []

    def iflink(self) -> int:
        """``macvlan_dev_get_iflink()``: the lower's ifindex."""
        return self.lower.ifindex

    def link_netns(self) -> Netns | None:
        """``macvlan_get_link_net()``: the lower's namespace, when not ours."""
        return None if self.lower.netns is self.netns else self.lower.netns

    def info_data(self) -> dict[str, Any]:
        """``macvlan_fill_info()`` as iproute2 6.1 shows it."""
        data: dict[str, Any] = {"mode": str(self.mode)}
        if self.macvlan_flags & MACVLAN_FLAG_NOPROMISC:
            data["nopromisc"] = True
        if self.macvlan_flags & MACVLAN_FLAG_NODST:
            data["nodst"] = True
        data["bcqueuelen"] = self.bc_queue_len_req
        data["usedbcqueuelen"] = self.port.bc_queue_len_used
        if self.mode == MacvlanMode.SOURCE:
            data["macaddr_count"] = len(self.macaddrs)
            if self.macaddrs:  # hash-bucket order, newest first within a bucket
                order = sorted(enumerate(self.macaddrs), key=lambda im: (eth_hash(im[1]), -im[0]))
                data["macaddr_data"] = [str(m) for _, m in order]
        return data

    # --- admin state ---------------------------------------------------------------------------

    def open(self) -> None:
        """``macvlan_open()``'s checks come before ``IFF_UP`` is set."""
        if not self.up and self.mode != MacvlanMode.PASSTHRU and self.port.addr_busy(self.address):
            raise KernelError(errno.EADDRINUSE)
        super().open()

    def ndo_open(self) -> None:
        if self.mode == MacvlanMode.PASSTHRU:
            if not self.macvlan_flags & MACVLAN_FLAG_NOPROMISC:
                self.lower.promiscuity += 1
            return
        self.lower.uc_add(self.address)  # dev_uc_add(lowerdev, dev->dev_addr)
        self.port.sync_rx_mode()

    def ndo_stop(self) -> None:
        if self.mode == MacvlanMode.PASSTHRU:
            if not self.macvlan_flags & MACVLAN_FLAG_NOPROMISC:
                self.lower.promiscuity -= 1
            return
        self.lower.uc_del(self.address)  # dev_uc_del()
        self.port.sync_rx_mode()

    # --- attributes ----------------------------------------------------------------------------

    def ndo_change_mtu(self, mtu: int) -> None:
        """``macvlan_change_mtu()``: not above the lower's."""
        if self.lower.mtu < mtu:
            raise KernelError(errno.EINVAL)
        self.mtu = mtu

    def ndo_set_mac_address(self, address: MacAddr) -> None:
        """``macvlan_set_mac_address()``: passthru changes the lower's MAC."""
        if not address.is_valid_ether:
            raise KernelError(errno.EADDRNOTAVAIL)
        if self.mode == MacvlanMode.PASSTHRU:
            self.lower.set_address(address)  # its NETDEV_CHANGEADDR syncs ours
            return
        if self.port.addr_busy(address):
            raise KernelError(errno.EADDRINUSE)
        if self.up:  # macvlan_sync_address()
            self.lower.uc_add(address)
            self.lower.uc_del(self.address)
        self.address = address

    # --- data path -----------------------------------------------------------------------------

    def xmit(self, skb: Skb) -> None:
        """``macvlan_queue_xmit()``."""
        if not self.flags & IFF_UP:
            self.drop(skb, "device down")
            return
        lower = self.lower
        port = self.port
        if self.mode == MacvlanMode.BRIDGE:
            dst = skb.frame.dst
            if dst >> 40 & 1:
                port.broadcast(skb, self, MacvlanMode.BRIDGE, local=True)
            else:
                dest = port.lookup(dst)
                if dest is not None and dest.mode == MacvlanMode.BRIDGE:
                    self._note(skb, f"macvlan bridge to {dest.ifname}")
                    if not lower.up:  # dev_forward_skb(): is_skb_forwardable()
                        lower.drop(skb, "lower device down")
                        return
                    skb.dev = lower
                    self.kernel.engine.call_later(0.0, netif_rx, skb)
                    return
        self._note(skb, f"from macvlan {self.ifname}")
        skb.dev = lower
        lower.queue_xmit(skb)

    def _note(self, skb: Skb, detail: str) -> None:
        lns = self.lower.netns
        skb.note(self.kernel.engine.now, lns.name if lns else "-", self.lower.ifname, FORWARDED,
                 detail)  # fmt: skip


def macvlan_newlink(
    kernel: Kernel,
    ns: Netns,
    ifname: str,
    lower: Link | None,
    *,
    mode: MacvlanMode | None = None,
    flags: int = 0,
    address: MacAddr | None = None,
    mtu: int | None = None,
    bcqueuelen: int = DEFAULT_BC_QUEUE_LEN,
    macaddrs: tuple[MacAddr, ...] | None = None,
) -> Macvlan:
    """``rtnl_newlink()`` (a taken name first), ``macvlan_validate()``,
    ``macvlan_common_newlink()``."""
    name = ns.check_name(ifname)
    if address is not None and not address.is_valid_ether:
        raise KernelError(errno.EADDRNOTAVAIL)
    if any(not mac.is_valid_ether for mac in macaddrs or ()):
        raise KernelError(errno.EADDRNOTAVAIL)
    if flags & ~(MACVLAN_FLAG_NOPROMISC | MACVLAN_FLAG_NODST):
        raise KernelError(errno.EINVAL)
    if lower is None:
        raise KernelError(errno.EINVAL)
    if isinstance(lower, Macvlan):
        lower = lower.lower
    if mtu is not None and mtu > lower.mtu:
        raise KernelError(errno.EINVAL)
    mode = MacvlanMode.VEPA if mode is None else mode
    if macaddrs is not None and mode != MacvlanMode.SOURCE:  # IFLA_MACVLAN_MACADDR_MODE
        raise KernelError(errno.EINVAL)
    port = lower.rx_handler_data
    if not isinstance(port, MacvlanPort):
        if lower.link_type != "ether" or lower.flags & IFF_LOOPBACK:
            raise KernelError(errno.EINVAL)
        if lower.rx_handler is not None:
            raise KernelError(errno.EBUSY)
        port = None
    if port is not None and (port.passthru or (mode == MacvlanMode.PASSTHRU and port.vlans)):
        raise KernelError(errno.EINVAL)
    if port is None:  # macvlan_port_create()
        port = MacvlanPort(lower)
        lower.rx_handler, lower.rx_handler_data = macvlan_handle_frame, port
    if mode == MacvlanMode.PASSTHRU:
        port.passthru = True
        address = lower.address  # eth_hw_addr_inherit()
    dev = Macvlan(kernel, name, lower, port, mode, flags=flags, address=address, mtu=mtu,
                  bcqueuelen=bcqueuelen)  # fmt: skip
    if mode == MacvlanMode.PASSTHRU:
        dev.addr_assign_type = lower.addr_assign_type
    for mac in macaddrs or ():
        if mac not in dev.macaddrs:
            dev.macaddrs.append(mac)
            port.sources.setdefault(mac, []).append(dev)
    dev.carrier = lower.carrier  # macvlan_init(): the lower's NOCARRIER bit
    kernel.register(dev, ns)
    port.vlans.append(dev)
    kernel.linkwatch_fire_event(dev)
    return dev


def _dellink(dev: Macvlan) -> None:
    """``macvlan_uninit()``: leave the port; the last one out frees the lower."""
    port = dev.port
    if dev in port.vlans:
        port.vlans.remove(dev)
    for mac in dev.macaddrs:
        port.sources[mac].remove(dev)
        if not port.sources[mac]:
            del port.sources[mac]
    dev.macaddrs.clear()
    if not port.vlans:
        port.destroy()
    else:
        port.sync_rx_mode()


def macvlan_device_event(event: NetdevEvent, dev: Link) -> None:
    """``macvlan_device_event()``, and a macvlan's own unregistration."""
    if isinstance(dev, Macvlan):
        if event == NetdevEvent.UNREGISTER and dev.dismantle:
            _dellink(dev)
        return
    port = dev.rx_handler_data
    if not isinstance(port, MacvlanPort):
        return
    if event in (NetdevEvent.UP, NetdevEvent.DOWN, NetdevEvent.CHANGE):
        if event == NetdevEvent.UP:
            port.sync_rx_mode()  # dev_open() -> dev_set_rx_mode()
        for v in port.vlans:  # netif_stacked_transfer_operstate()
            if dev.carrier:
                v.carrier_on()
            else:
                v.carrier_off()
    elif event == NetdevEvent.CHANGEMTU:
        for v in port.vlans:
            if v.mtu > dev.mtu:
                v.set_mtu(dev.mtu)
    elif event == NetdevEvent.CHANGEADDR and port.passthru and port.vlans:
        v = port.vlans[0]  # macvlan_sync_address()
        if v.address != dev.address:
            v.address = dev.address
            dev.kernel.notify(NetdevEvent.CHANGEADDR, v)
    elif event == NetdevEvent.UNREGISTER and dev.dismantle:
        for v in list(port.vlans):
            dev.kernel.unregister(v)
