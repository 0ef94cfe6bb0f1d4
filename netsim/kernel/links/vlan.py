"""802.1Q VLAN devices (``net/8021q/``: ``vlan.c``, ``vlan_dev.c``,
``vlan_core.c``, ``vlan_netlink.c``; Linux 6.18).

A VLAN device ``NAME@LOWER`` sends what it is given out of its *real*
device with an 802.1Q tag carrying its VID, and receives the frames tagged
with that VID that arrive on the real device, untagged.

* Creation (``vlan_validate``, ``vlan_newlink``): ``id`` 0-4094 (4095 and
  above: ``ERANGE``, *Invalid VLAN id*), ``link`` required, protocol
  802.1Q (default) or 802.1ad, one device per (protocol, VID) on a real
  device (*VLAN device already exists*); loopback refuses VLANs
  (``NETIF_F_VLAN_CHALLENGED``).  Flags default to ``REORDER_HDR``.
* Identity (``vlan_setup``, ``vlan_dev_init``): the real device's MAC
  (``addr_assign_type`` *stolen*, followed when it changes), its broadcast
  flags, its MTU (and never above it: ``ERANGE``), ``min_mtu`` 0,
  ``max_mtu`` 65535, ``noqueue``.
* Admin state follows the real device (``vlan_device_event``): when it goes
  down its VLANs are closed, when it comes up they are opened, unless
  ``loose_binding``; a VLAN cannot be set up while its real device is down
  (``ENETDOWN``).  Carrier follows the real device's.
* Receive (``vlan_do_receive``, before any ``rx_handler`` of the real
  device): the tag's VID picks the device; a frame for a VLAN that is down
  is dropped; otherwise it continues untagged on the VLAN device, its
  ``pkt_type`` set by the real device's address (a frame to the VLAN's own
  different MAC becomes PACKET_HOST).  A tagged frame no VLAN takes goes up
  the real device as PACKET_OTHERHOST (unless VID 0).
* Deleting the real device deletes its VLANs.

Not modelled: 802.1ad on the wire (the tag has no TPID field here, so
802.1ad devices receive nothing), QoS maps, GVRP/MVRP, ``bridge_binding``,
VLAN-on-VLAN (Q-in-Q) transmission.
"""

from __future__ import annotations

import dataclasses
import errno
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import (
    IFF_ALLMULTI,
    IFF_LOOPBACK,
    IFF_PROMISC,
    IFF_UP,
    VLAN_HLEN,
    AddrAssignType,
    Link,
    NetdevEvent,
    eth_type_trans,
)
from netsim.kernel.skb import PACKET_HOST, PACKET_OTHERHOST
from netsim.packet import Dot1Q
from netsim.trace import FORWARDED, RECEIVED

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = [
    "ETH_P_8021AD",
    "ETH_P_8021Q",
    "VLAN_FLAG_BRIDGE_BINDING",
    "VLAN_FLAG_GVRP",
    "VLAN_FLAG_LOOSE_BINDING",
    "VLAN_FLAG_MVRP",
    "VLAN_FLAG_REORDER_HDR",
    "VlanDev",
    "VlanInfo",
    "vlan_device_event",
    "vlan_newlink",
]

ETH_P_8021Q: Final = 0x8100
ETH_P_8021AD: Final = 0x88A8
VLAN_VID_MASK: Final = 0x0FFF
VLAN_FLAG_REORDER_HDR: Final = 0x1
VLAN_FLAG_GVRP: Final = 0x2
VLAN_FLAG_LOOSE_BINDING: Final = 0x4
VLAN_FLAG_MVRP: Final = 0x8
VLAN_FLAG_BRIDGE_BINDING: Final = 0x10
_ALL_FLAGS: Final = 0x1F
#: ``vlan_print_flags()``'s order.
_FLAG_NAMES: Final = (
    (VLAN_FLAG_REORDER_HDR, "REORDER_HDR"),
    (VLAN_FLAG_GVRP, "GVRP"),
    (VLAN_FLAG_MVRP, "MVRP"),
    (VLAN_FLAG_LOOSE_BINDING, "LOOSE_BINDING"),
    (VLAN_FLAG_BRIDGE_BINDING, "BRIDGE_BINDING"),
)
_PROTO_NAMES: Final = {ETH_P_8021Q: "802.1Q", ETH_P_8021AD: "802.1ad"}


def _err(err: int, msg: str) -> KernelError:
    """``NL_SET_ERR_MSG_MOD()``: the module name before the message."""
    return KernelError(err, f"8021q: {msg}")


@final
class VlanInfo:
    """``struct vlan_info``: the VLAN devices on one real device."""

    def __init__(self, real_dev: Link):
        self.real_dev = real_dev
        #: (protocol, VID) -> device (``vlan_group``).
        self.devs: dict[tuple[int, int], VlanDev] = {}

    def do_receive(self, dev: Link, skb: Skb) -> bool:
        """``vlan_do_receive()``: True when a VLAN device took (or dropped) it."""
        tag = getattr(skb.frame, "vlan", None)
        if tag is None:
            return False
        vlan = self.devs.get((ETH_P_8021Q, tag.vid))
        if vlan is None:
            return False
        ns = dev.netns
        assert ns is not None
        if skb.steps is not None:
            skb.note(ns.env.now, ns.name, dev.ifname, RECEIVED, f"vlan {tag.vid}")
        if not vlan.flags & IFF_UP:
            dev.drop(skb, f"vlan device {vlan.ifname} down")
            return True
        eth_type_trans(dev, skb)
        frame = skb.frame
        if skb.pkt_type == PACKET_OTHERHOST and frame.dst == vlan.address:
            skb.pkt_type = PACKET_HOST
        skb.frame = dataclasses.replace(frame, vlan=None)
        skb.len -= VLAN_HLEN
        skb.dev = vlan
        vlan.rx_another(skb)
        return True


@final
class VlanDev(Link):
    """An 802.1Q sub-interface (``ip link add link DEV NAME type vlan id VID``)."""

    kind: ClassVar[str | None] = "vlan"
    min_mtu: ClassVar[int] = 0
    max_mtu: ClassVar[int] = 65535
    #: ``IFF_UNICAST_FLT``.
    unicast_flt: ClassVar[bool] = True

    def __init__(
        self,
        kernel: Kernel,
        ifname: str,
        real_dev: Link,
        vid: int,
        *,
        protocol: int = ETH_P_8021Q,
        vlan_flags: int = VLAN_FLAG_REORDER_HDR,
        address: MacAddr | None = None,
        mtu: int | None = None,
    ):
        super().__init__(kernel, ifname, address=address or real_dev.address, mtu=mtu)
        self.real_dev = real_dev
        self.vid = vid
        self.protocol = protocol
        self.vlan_flags = vlan_flags
        if address is None:
            self.addr_assign_type = AddrAssignType.STOLEN
        self.flags = real_dev.flags & ~(IFF_UP | IFF_PROMISC | IFF_ALLMULTI)
        self.broadcast = real_dev.broadcast
        self.carrier = real_dev.carrier  # vlan_dev_init() copies the NOCARRIER bit

    def iflink(self) -> int:
        """``vlan_dev_get_iflink()``."""
        return self.real_dev.ifindex

    def link_netns(self) -> Netns | None:
        """``vlan_get_link_net()``: the real device's namespace when not ours."""
        return None if self.real_dev.netns is self.netns else self.real_dev.netns

    def info_data(self) -> dict[str, Any]:
        """``vlan_fill_info()`` as iproute2 6.1 shows it."""
        data: dict[str, Any] = {
            "protocol": _PROTO_NAMES.get(self.protocol, f"{self.protocol:04x}"),
            "id": self.vid,
        }
        if self.vlan_flags:
            data["flags"] = [name for bit, name in _FLAG_NAMES if self.vlan_flags & bit]
        return data

    @property
    def loose(self) -> bool:
        return bool(self.vlan_flags & VLAN_FLAG_LOOSE_BINDING)

    # --- admin state ---------------------------------------------------------------------------

    def open(self) -> None:
        """``vlan_dev_open()``'s check comes before ``IFF_UP`` is set."""
        if not self.up and not self.real_dev.up and not self.loose:
            raise KernelError(errno.ENETDOWN)
        super().open()

    def ndo_open(self) -> None:
        real = self.real_dev
        if self.addr_assign_type == AddrAssignType.STOLEN and self.address != real.address:
            self.address = real.address  # vlan_dev_inherit_address()
            self.kernel.notify(NetdevEvent.CHANGEADDR, self)
        if real.carrier and not self.vlan_flags & VLAN_FLAG_BRIDGE_BINDING:
            self.carrier_on()

    def ndo_stop(self) -> None:
        if not self.vlan_flags & VLAN_FLAG_BRIDGE_BINDING:
            self.carrier_off()

    def transfer_operstate(self) -> None:
        """``vlan_stacked_transfer_operstate()``."""
        if self.vlan_flags & VLAN_FLAG_BRIDGE_BINDING:
            return
        if self.real_dev.carrier:
            self.carrier_on()
        else:
            self.carrier_off()

    # --- attributes ----------------------------------------------------------------------------

    def ndo_change_mtu(self, mtu: int) -> None:
        """``vlan_dev_change_mtu()``: not above the real device's."""
        if self.real_dev.mtu < mtu:
            raise KernelError(errno.ERANGE)
        self.mtu = mtu

    def ndo_set_mac_address(self, address: MacAddr) -> None:
        """``vlan_dev_set_mac_address()``."""
        if not address.is_valid_ether:
            raise KernelError(errno.EADDRNOTAVAIL)
        self.address = address

    # --- data path -----------------------------------------------------------------------------

    def xmit(self, skb: Skb) -> None:
        """``vlan_dev_hard_start_xmit()``: tag it, hand it to the real device."""
        if not self.flags & IFF_UP:
            self.drop(skb, "device down")
            return
        frame = skb.frame
        if getattr(frame, "vlan", None) is not None:
            self.drop(skb, "stacked 802.1Q tags (Q-in-Q) not modelled")
            return
        skb.frame = dataclasses.replace(frame, vlan=Dot1Q(self.vid))
        skb.len += VLAN_HLEN
        real = self.real_dev
        rns = real.netns
        if skb.steps is not None:
            skb.note(self.kernel.engine.now, rns.name if rns else "-", real.ifname, FORWARDED,
                     f"vlan {self.vid} from {self.ifname}")  # fmt: skip
        skb.dev = real
        real.queue_xmit(skb)


def vlan_newlink(
    kernel: Kernel,
    ns: Netns,
    ifname: str,
    real_dev: Link | None,
    vid: int | None,
    *,
    protocol: int = ETH_P_8021Q,
    flags: int = 0,
    flags_mask: int = 0,
    address: MacAddr | None = None,
    mtu: int | None = None,
    has_data: bool = True,
) -> VlanDev:
    """``rtnl_newlink()`` (a taken name first), ``vlan_validate()``,
    ``vlan_newlink()``, ``register_vlan_dev()``."""
    name = ns.check_name(ifname)
    if address is not None and not address.is_valid_ether:
        raise _err(errno.EADDRNOTAVAIL, "Invalid link address")
    if not has_data:
        raise _err(errno.EINVAL, "VLAN properties not specified")
    if protocol not in _PROTO_NAMES:
        raise _err(errno.EPROTONOSUPPORT, "Invalid VLAN protocol")
    if vid is not None and vid >= VLAN_VID_MASK:
        raise _err(errno.ERANGE, "Invalid VLAN id")
    if flags & flags_mask & ~_ALL_FLAGS:
        raise _err(errno.EINVAL, "Invalid VLAN flags")
    if vid is None:
        raise _err(errno.EINVAL, "VLAN id not specified")
    if real_dev is None:
        raise _err(errno.EINVAL, "link not specified")
    if real_dev.flags & IFF_LOOPBACK:  # NETIF_F_VLAN_CHALLENGED
        raise _err(errno.EOPNOTSUPP, "VLANs not supported on device")
    info: VlanInfo | None = real_dev.vlan_info
    if info is not None and (protocol, vid) in info.devs:
        raise _err(errno.EEXIST, "VLAN device already exists")
    if mtu is not None and mtu > real_dev.mtu:
        raise KernelError(errno.EINVAL)
    vlan_flags = (VLAN_FLAG_REORDER_HDR & ~flags_mask) | (flags & flags_mask)
    dev = VlanDev(kernel, name, real_dev, vid, protocol=protocol, vlan_flags=vlan_flags,
                  address=address, mtu=real_dev.mtu if mtu is None else mtu)  # fmt: skip
    if info is None:
        info = real_dev.vlan_info = VlanInfo(real_dev)
    kernel.register(dev, ns)
    info.devs[(protocol, vid)] = dev
    kernel.linkwatch_fire_event(dev)
    return dev


def _unregister_vlan_dev(dev: VlanDev) -> None:
    """``unregister_vlan_dev()``: out of the real device's group."""
    real = dev.real_dev
    info: VlanInfo | None = real.vlan_info
    if info is None:
        return
    info.devs.pop((dev.protocol, dev.vid), None)
    if not info.devs:
        real.vlan_info = None


def vlan_device_event(event: NetdevEvent, dev: Link) -> None:
    """``vlan_device_event()``: the real device's events reach its VLANs."""
    if isinstance(dev, VlanDev) and event == NetdevEvent.UNREGISTER and dev.dismantle:
        _unregister_vlan_dev(dev)
    info: VlanInfo | None = dev.vlan_info
    if info is None:
        return
    vlans = list(info.devs.values())
    if event == NetdevEvent.CHANGE:
        for v in vlans:
            v.transfer_operstate()
    elif event == NetdevEvent.DOWN:
        for v in vlans:
            if v.up and not v.loose:
                v.close()
                v.transfer_operstate()
    elif event == NetdevEvent.UP:
        for v in vlans:
            if not v.up and not v.loose:
                v.open()
            v.transfer_operstate()
    elif event == NetdevEvent.CHANGEMTU:
        for v in vlans:
            if v.mtu > dev.mtu:
                v.set_mtu(dev.mtu)
    elif event == NetdevEvent.CHANGEADDR:
        for v in vlans:
            if v.up and v.addr_assign_type == AddrAssignType.STOLEN and v.address != dev.address:
                v.address = dev.address
                dev.kernel.notify(NetdevEvent.CHANGEADDR, v)
    elif event == NetdevEvent.UNREGISTER and dev.dismantle:
        for v in vlans:
            dev.kernel.unregister(v)
