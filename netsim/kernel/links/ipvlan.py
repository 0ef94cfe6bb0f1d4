"""ipvlan devices (``drivers/net/ipvlan/``: ``ipvlan_main.c``,
``ipvlan_core.c``; Linux 6.18).

An ipvlan shares its lower device's MAC; its siblings are told apart by
their IP addresses.  The first ipvlan makes the lower a *port* whose
``rx_handler`` (``ipvlan_handle_frame``) hands each frame to the ipvlan
holding the destination IPv4 address (the target address of an ARP), or
up the lower's own stack when none does.

* Mode and flags belong to the port: the last ``ip link add`` sets them for
  every ipvlan on that lower (``ipvlan_set_port_mode``).  Default ``l3``,
  ``bridge``.  In ``l3``/``l3s`` the devices are ``NOARP``: those already on
  the port when the mode changes, and each one as it is opened
  (``ipvlan_open``); a new one that was never up has no ``NOARP`` yet.
* No link-watch event at creation (``ipvlan_link_new`` ends with
  ``netif_stacked_transfer_operstate``, which fires one only when the carrier
  bit it copied in ``ipvlan_init`` changes), so on a lower with carrier an
  ipvlan stays ``state UNKNOWN`` until the lower's carrier changes.
* ``l2`` transmit (``ipvlan_xmit_mode_l2``): a frame to the shared MAC goes
  to the sibling owning the destination IP, or up the lower's stack
  (``dev_forward_skb``); broadcasts go to every other up sibling and out of
  the lower (``ipvlan_process_multicast``); the rest out of the lower.
* ``l3``/``l3s`` transmit (``ipvlan_xmit_mode_l3``): to a sibling's address
  directly; anything else is routed *in the lower's namespace*, out of the
  lower (``ipvlan_process_v4_outbound``: ``oif`` the lower, any source);
  broadcasts are dropped.
* ``private``: siblings may not talk to each other; ``vepa``: everything
  goes out of the lower.
* Receive on the lower: unicast by destination IP as above; in ``l2`` mode a
  broadcast from outside also reaches every up ipvlan.
* Deleting the lower deletes its ipvlans.

``l3s`` is modelled as ``l3`` (its receive path runs the lower's netfilter
hooks first, which the model does not have).  Not modelled: IPv6, the
``EADDRINUSE`` check that stops two siblings from holding one address.
"""

from __future__ import annotations

import errno
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RTN_LOCAL, RTN_UNICAST
from netsim.kernel.ipv4.route import OutputRoute, ip_route_output
from netsim.kernel.links.base import (
    IFF_LOOPBACK,
    IFF_NOARP,
    IFF_UP,
    Link,
    NetdevEvent,
    eth_type_trans,
)
from netsim.kernel.skb import PACKET_BROADCAST, PACKET_MULTICAST, netif_rx
from netsim.packet import ARP, IPv4
from netsim.trace import FORWARDED, RECEIVED

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = [
    "IPVLAN_F_PRIVATE",
    "IPVLAN_F_VEPA",
    "Ipvlan",
    "IpvlanMode",
    "IpvlanPort",
    "ipvlan_device_event",
    "ipvlan_newlink",
]

IPVLAN_F_PRIVATE: Final = 0x01
IPVLAN_F_VEPA: Final = 0x02
_BROADCAST: Final = 0xFFFFFFFFFFFF


class IpvlanMode(IntEnum):
    """``enum ipvlan_mode``."""

    L2 = 0
    L3 = 1
    L3S = 2

    def __str__(self) -> str:
        return self.name.lower()


def _l3_addr(frame: Any, *, dest: bool) -> int | None:
    """``ipvlan_get_L3_hdr()`` + the address ``ipvlan_addr_lookup()`` keys on."""
    p = frame.payload
    if isinstance(p, IPv4):
        return int(p.dst if dest else p.src)
    if isinstance(p, ARP):
        return int(p.tpa if dest else p.spa)
    return None


@final
class IpvlanPort:
    """``struct ipvl_port``: the lower's ``rx_handler_data``."""

    def __init__(self, lower: Link):
        self.dev = lower
        self.mode = IpvlanMode.L3
        self.flags = 0
        #: ``port->ipvlans``, in creation order.
        self.ipvlans: list[Ipvlan] = []

    @property
    def private(self) -> bool:
        return bool(self.flags & IPVLAN_F_PRIVATE)

    @property
    def vepa(self) -> bool:
        return bool(self.flags & IPVLAN_F_VEPA)

    def set_mode(self, mode: IpvlanMode) -> None:
        """``ipvlan_set_port_mode()``: NOARP on every ipvlan in l3/l3s."""
        for v in self.ipvlans:
            if mode == IpvlanMode.L2:
                v.flags &= ~IFF_NOARP
            else:
                v.flags |= IFF_NOARP
        self.mode = mode

    def addr_lookup(self, ip: int | None) -> Ipvlan | None:
        """``ipvlan_ht_addr_lookup()``: the ipvlan holding this IPv4 address."""
        if ip is None:
            return None
        for v in self.ipvlans:
            in_dev = v.ip_ptr
            if in_dev is not None and any(ifa.local == ip for ifa in in_dev):
                return v
        return None

    def process_multicast(self, skb: Skb, src: Ipvlan | None) -> None:
        """``ipvlan_process_multicast()`` (the port's work queue): a copy to
        every up ipvlan but the sender; a transmitted frame then goes out."""
        dst = skb.frame.dst
        pkt_type = PACKET_BROADCAST if dst == _BROADCAST else PACKET_MULTICAST
        for v in self.ipvlans:
            if v is src or not v.flags & IFF_UP or dst != _BROADCAST:
                continue  # mac_filters: broadcast only (no multicast lists here)
            copy = skb.clone()
            copy.dev = v
            if src is not None:
                v.kernel.engine.call_later(0.0, netif_rx, copy)  # dev_forward_skb()
            else:
                copy.pkt_type = pkt_type
                v.rx_another(copy)
        if src is not None:
            skb.dev = self.dev
            self.dev.queue_xmit(skb)
        else:
            self.dev.drop(skb, "ipvlan: multicast copy consumed")


def ipvlan_handle_frame(port: IpvlanPort, skb: Skb) -> None:
    """``ipvlan_handle_frame()``: the rx_handler on the lower device."""
    lower = port.dev
    ns = lower.netns
    assert ns is not None
    skb.note(ns.env.now, ns.name, lower.ifname, RECEIVED)
    eth_type_trans(lower, skb)
    frame = skb.frame
    if frame.dst >> 40 & 1:
        if port.mode == IpvlanMode.L2 and _external(port, frame):
            copy = skb.clone()
            lower.kernel.engine.call_later(0.0, _mc_work, (port, copy, None))
        lower.rx_pass(skb)
        return
    v = port.addr_lookup(_l3_addr(frame, dest=True))
    if v is None:
        lower.rx_pass(skb)
        return
    skb.dev = v  # ipvlan_rcv_frame(addr, skb, local=false): RX_HANDLER_ANOTHER
    v.rx_another(skb)


def _mc_work(work: tuple[IpvlanPort, Skb, Ipvlan | None]) -> None:
    """``ipvlan_process_multicast()``: the port's work queue."""
    port, skb, src = work
    port.process_multicast(skb, src)


def _external(port: IpvlanPort, frame: Any) -> bool:
    """``ipvlan_external_frame()``: not one of our own, come back."""
    if frame.src != port.dev.address:
        return True
    return port.addr_lookup(_l3_addr(frame, dest=False)) is None


@final
class Ipvlan(Link):
    """One ipvlan device (``ip link add NAME link LOWER type ipvlan``)."""

    kind: ClassVar[str | None] = "ipvlan"
    #: ``IFF_UNICAST_FLT``.
    unicast_flt: ClassVar[bool] = True

    def __init__(self, kernel: Kernel, ifname: str, lower: Link, port: IpvlanPort, *,
                 mtu: int | None = None):  # fmt: skip
        mtu = lower.mtu if mtu is None else mtu  # ipvlan_adjust_mtu()
        super().__init__(kernel, ifname, address=lower.address, mtu=mtu)
        self.lower = lower
        self.port = port
        self.addr_assign_type = lower.addr_assign_type

    def iflink(self) -> int:
        return self.lower.ifindex

    def link_netns(self) -> Netns | None:
        """``ipvlan_get_link_net()``: the lower's namespace when not ours."""
        return None if self.lower.netns is self.netns else self.lower.netns

    def info_data(self) -> dict[str, Any]:
        """``ipvlan_nl_fillinfo()`` as iproute2 6.1 shows it (mode, then one flag)."""
        port = self.port
        flag = "private" if port.private else "vepa" if port.vepa else "bridge"
        return {"mode": str(port.mode), flag: True}

    def ndo_open(self) -> None:
        """``ipvlan_open()``: ``NOARP`` as the port's mode wants it."""
        if self.port.mode == IpvlanMode.L2:
            self.flags &= ~IFF_NOARP
        else:
            self.flags |= IFF_NOARP

    def ndo_set_mac_address(self, address: Any) -> None:
        """ipvlan has no ``ndo_set_mac_address``."""
        raise KernelError(errno.EOPNOTSUPP)

    # --- data path -----------------------------------------------------------------------------

    def xmit(self, skb: Skb) -> None:
        """``ipvlan_queue_xmit()``."""
        if not self.flags & IFF_UP:
            self.drop(skb, "device down")
            return
        if self.port.mode == IpvlanMode.L2:
            self._xmit_l2(skb)
        else:
            self._xmit_l3(skb)

    def _to_sibling(self, skb: Skb, v: Ipvlan) -> None:
        """``ipvlan_rcv_frame(addr, skb, local=true)``."""
        if self.port.private:
            self.drop(skb, "ipvlan private: no traffic between siblings")
            return
        if not v.flags & IFF_UP:
            self.drop(skb, f"ipvlan {v.ifname} down")
            return
        self._note(skb, f"ipvlan {self.ifname} to {v.ifname}")
        skb.dev = v
        self.kernel.engine.call_later(0.0, netif_rx, skb)

    def _xmit_l2(self, skb: Skb) -> None:
        frame = skb.frame
        port = self.port
        lower = self.lower
        if not port.vepa and frame.dst == frame.src:
            v = port.addr_lookup(_l3_addr(frame, dest=True))
            if v is not None:
                self._to_sibling(skb, v)
                return
            self._note(skb, f"ipvlan {self.ifname} to the lower's stack")
            if not lower.up:
                lower.drop(skb, "lower device down")
                return
            skb.dev = lower  # dev_forward_skb(phy_dev): its rx_handler passes it up
            self.kernel.engine.call_later(0.0, netif_rx, skb)
            return
        if frame.dst >> 40 & 1:
            self.kernel.engine.call_later(0.0, _mc_work, (port, skb, self))
            return
        self._note(skb, f"from ipvlan {self.ifname}")
        skb.dev = lower
        lower.queue_xmit(skb)

    def _xmit_l3(self, skb: Skb) -> None:
        frame = skb.frame
        port = self.port
        if not port.vepa:
            v = port.addr_lookup(_l3_addr(frame, dest=True))
            if v is not None:
                self._to_sibling(skb, v)
                return
        if frame.dst >> 40 & 1:
            self.drop(skb, "ipvlan l3: multicast and broadcast are not sent")
            return
        pkt = frame.payload
        if not isinstance(pkt, IPv4):
            self.drop(skb, "ipvlan l3: only IPv4 is routed")
            return
        self._process_v4_outbound(skb, pkt)

    def _process_v4_outbound(self, skb: Skb, pkt: IPv4) -> None:
        """``ipvlan_process_v4_outbound()``: route in the lower's namespace."""
        lower = self.lower
        lns = lower.netns
        if lns is None:
            self.drop(skb, "lower device gone")
            return
        try:
            rt = ip_route_output(lns, int(pkt.dst), oif=lower)
        except KernelError as e:
            self.drop(skb, f"ipvlan l3: no route in {lns.name} ({e.name})")
            return
        if rt.route.type not in (RTN_UNICAST, RTN_LOCAL):
            self.drop(skb, "ipvlan l3: route is not unicast")
            return
        rt = OutputRoute(rt.route, rt.daddr, int(pkt.src), rt.dev, rt.gateway, True, rt.mark)
        self._note(skb, f"ipvlan l3 {self.ifname} routed in {lns.name}")
        lns.inet.output(pkt, skb=skb, route=rt)

    def _note(self, skb: Skb, detail: str) -> None:
        lns = self.lower.netns
        skb.note(self.kernel.engine.now, lns.name if lns else "-", self.lower.ifname, FORWARDED,
                 detail)  # fmt: skip


def ipvlan_newlink(
    kernel: Kernel,
    ns: Netns,
    ifname: str,
    lower: Link | None,
    *,
    mode: IpvlanMode | None = None,
    flags: int | None = None,
    mtu: int | None = None,
) -> Ipvlan:
    """``rtnl_newlink()`` (a taken name first), then ``ipvlan_link_new()``
    (``ipvlan_port_create()`` on the first one)."""
    name = ns.check_name(ifname)
    if lower is None:
        raise KernelError(errno.EINVAL)
    if isinstance(lower, Ipvlan):
        lower = lower.lower
    port = lower.rx_handler_data
    if not isinstance(port, IpvlanPort):
        if lower.link_type != "ether" or lower.flags & IFF_LOOPBACK:
            raise KernelError(errno.EINVAL)  # "Master is either lo or non-ether device"
        if lower.rx_handler is not None:
            raise KernelError(errno.EBUSY)  # "Device is already in use."
        port = None
    if flags is not None and flags & ~(IPVLAN_F_PRIVATE | IPVLAN_F_VEPA):
        raise KernelError(errno.EINVAL)
    if port is None:
        port = IpvlanPort(lower)
        lower.rx_handler, lower.rx_handler_data = ipvlan_handle_frame, port
    dev = Ipvlan(kernel, name, lower, port, mtu=mtu)
    dev.carrier = lower.carrier  # ipvlan_init(): the lower's NOCARRIER bit
    kernel.register(dev, ns)
    if flags is not None:
        port.flags = flags  # per port: the latest wins
    port.set_mode(port.mode if mode is None else mode)  # before the new one joins
    port.ipvlans.append(dev)
    return dev  # netif_stacked_transfer_operstate(): the carrier bit is unchanged


def _uninit(dev: Ipvlan) -> None:
    """``ipvlan_uninit()``: the last one out frees the lower."""
    port = dev.port
    if dev in port.ipvlans:
        port.ipvlans.remove(dev)
    if not port.ipvlans and port.dev.rx_handler_data is port:
        port.dev.rx_handler = port.dev.rx_handler_data = None


def ipvlan_device_event(event: NetdevEvent, dev: Link) -> None:
    """``ipvlan_device_event()``, and an ipvlan's own unregistration."""
    if isinstance(dev, Ipvlan):
        if event == NetdevEvent.UNREGISTER and dev.dismantle:
            _uninit(dev)
        return
    port = dev.rx_handler_data
    if not isinstance(port, IpvlanPort):
        return
    if event in (NetdevEvent.UP, NetdevEvent.DOWN, NetdevEvent.CHANGE):
        for v in port.ipvlans:
            if dev.carrier:
                v.carrier_on()
            else:
                v.carrier_off()
    elif event == NetdevEvent.CHANGEMTU:
        for v in port.ipvlans:  # ipvlan_adjust_mtu()
            if v.mtu != dev.mtu:
                v.mtu = dev.mtu
                dev.kernel.notify(NetdevEvent.CHANGEMTU, v)
    elif event == NetdevEvent.CHANGEADDR:
        for v in port.ipvlans:
            v.address = dev.address
            dev.kernel.notify(NetdevEvent.CHANGEADDR, v)
    elif event == NetdevEvent.UNREGISTER and dev.dismantle:
        for v in list(port.ipvlans):
            dev.kernel.unregister(v)
