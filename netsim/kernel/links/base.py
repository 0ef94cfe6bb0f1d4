"""A network device (``struct net_device``): flags, carrier, operstate, MTU, MAC.

Mirrors the generic parts of ``net/core/dev.c`` and ``net/core/link_watch.c``:

* admin state is ``IFF_UP``; carrier is a separate bit the driver sets;
* ``operstate`` is stored and recomputed by the link watcher
  (``rfc2863_policy``/``default_operstate``) only when the carrier changes or
  the device is registered without carrier, so a device that never saw a
  carrier event (``lo``, an empty bridge) reports ``UNKNOWN`` when up;
* the link watcher runs after the request that changed the carrier has
  finished (the kernel runs it from a work queue after ``rtnl_unlock``), so it
  sees the namespace as the request left it;
* rtnetlink reports ``DOWN`` for any device that is not up, ``IFF_RUNNING``
  when the stored operstate is UP or UNKNOWN, ``IFF_LOWER_UP`` with carrier.

The kernel may delay a non-urgent event (carrier on) by up to a second; the
model runs every pending event at the end of the request.

The receive side is in :mod:`netsim.kernel.links.rx`, the device's own
unicast list in :mod:`netsim.kernel.links.addr_lists`.
"""

from __future__ import annotations

import errno
from abc import ABC, abstractmethod
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final

from netsim.addr import MacAddr, random_mac
from netsim.errors import KernelError
from netsim.kernel.links import addr_lists, rx
from netsim.kernel.links.rx import eth_type_trans
from netsim.trace import DROPPED

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = [
    "IFF_BROADCAST",
    "IFF_LOOPBACK",
    "IFF_LOWER_UP",
    "IFF_MULTICAST",
    "IFF_RUNNING",
    "IFF_UP",
    "AddrAssignType",
    "Link",
    "NetdevEvent",
    "OperState",
    "eth_type_trans",
]

IFF_UP: Final = 0x1
IFF_BROADCAST: Final = 0x2
IFF_LOOPBACK: Final = 0x8
IFF_POINTOPOINT: Final = 0x10
IFF_RUNNING: Final = 0x40
IFF_NOARP: Final = 0x80
IFF_PROMISC: Final = 0x100
IFF_ALLMULTI: Final = 0x200
IFF_MULTICAST: Final = 0x1000
IFF_LOWER_UP: Final = 0x10000
IFF_DORMANT: Final = 0x20000

ETH_HLEN: Final = 14
VLAN_HLEN: Final = 4


class OperState(IntEnum):
    """RFC 2863 operational state (``IF_OPER_*``)."""

    UNKNOWN = 0
    NOTPRESENT = 1
    DOWN = 2
    LOWERLAYERDOWN = 3
    TESTING = 4
    DORMANT = 5
    UP = 6


class AddrAssignType(IntEnum):
    """``/sys/class/net/*/addr_assign_type`` (``NET_ADDR_*``)."""

    PERM = 0
    RANDOM = 1
    STOLEN = 2
    SET = 3


class NetdevEvent(IntEnum):
    """Netdevice notifier events (``NETDEV_*``) the model raises."""

    UP = 1
    DOWN = 2
    CHANGE = 4  # carrier / operstate change, via the link watcher
    REGISTER = 5
    UNREGISTER = 6
    CHANGEMTU = 7
    CHANGEADDR = 8
    CHANGENAME = 10


class Link(ABC):
    """One device in one namespace.  Drivers subclass it (veth, bridge, ...)."""

    #: ``IFLA_INFO_KIND`` (``None`` for ``lo``, which has no rtnl_link_ops).
    kind: ClassVar[str | None] = None
    link_type: ClassVar[str] = "ether"
    base_flags: ClassVar[int] = IFF_BROADCAST | IFF_MULTICAST
    default_mtu: ClassVar[int] = 1500
    min_mtu: ClassVar[int] = 68
    max_mtu: ClassVar[int] = 65535
    #: The qdisc a device gets when it is opened (``IFF_NO_QUEUE`` drivers).
    open_qdisc: ClassVar[str] = "noqueue"
    #: ``NETIF_F_NETNS_LOCAL``: the device may not change namespace.
    netns_local: ClassVar[bool] = False
    #: ``IFF_LIVE_ADDR_CHANGE``: the MAC may change while the device is up.
    live_addr_change: ClassVar[bool] = True
    #: What ethtool reports as the speed in Mb/s (``None``: unknown).
    speed: ClassVar[int | None] = None
    #: ``dev->num_tx_queues`` / ``num_rx_queues`` (a veth has one per possible CPU).
    num_tx_queues: int = 1
    num_rx_queues: int = 1
    #: ``dev->tso_max_size``: ``TSO_LEGACY_MAX_SIZE`` unless the driver says less.
    tso_max_size: int = 524280
    #: ``dev_ingress_queue_create()`` has run (an ingress qdisc was asked for once).
    ingress_queue: bool = False
    #: ``qdisc_restart`` dequeues in bulk on this device (``try_bulk_dequeue_skb``
    #: finds room): one more dequeue try after each packet a root qdisc releases.
    bulk_dequeue: ClassVar[bool] = False

    def __init__(
        self,
        kernel: Kernel,
        ifname: str,
        *,
        address: MacAddr | None = None,
        mtu: int | None = None,
        txqlen: int = 1000,
    ):
        self.kernel = kernel
        self.ifname = ifname
        self.netns: Netns | None = None
        #: ``netns.name``, kept for the forwarding path's traces.
        self.netns_name = "-"
        self.ifindex = 0
        self.flags = self.base_flags
        self.carrier = True  # a new net_device has carrier until the driver says not
        self.operstate = OperState.UNKNOWN
        self.qdisc = "noop"
        self.txqlen = txqlen
        self.group = "default"
        #: ``dev->ifalias`` (``ip link set DEV alias NAME``; empty: none).
        self.ifalias = ""
        self.mtu = self.default_mtu if mtu is None else mtu
        if address is None:
            self.address = (
                random_mac(kernel.engine.rng) if self.link_type == "ether" else MacAddr(0)
            )
            self.addr_assign_type = (
                AddrAssignType.RANDOM if self.link_type == "ether" else AddrAssignType.PERM
            )
        else:
            self.address = address
            self.addr_assign_type = AddrAssignType.SET
        self.broadcast = MacAddr(0xFFFFFFFFFFFF) if self.link_type == "ether" else MacAddr(0)
        self.promiscuity = 0
        self.allmulti = 0
        #: The upper device this one is enslaved to (``master``), if any.
        self.master: Link | None = None
        #: ``netdev_rx_handler_register()``: frames received here go to
        #: ``rx_handler(rx_handler_data, skb)`` first (a bridge port's handler).
        self.rx_handler: Callable[[Any, Skb], None] | None = None
        self.rx_handler_data: Any = None
        self.registered = False
        #: ``dev->dismantle``: set once unregistration has begun (a namespace
        #: move unregisters too, without it: stacked drivers tell them apart).
        self.dismantle = False
        #: ``dev->vlan_info``: the 802.1Q devices stacked on this one
        #: (:class:`~netsim.kernel.links.vlan.VlanInfo`), if any.
        self.vlan_info: Any = None
        #: ``dev->ip_ptr``: the IPv4 state (:class:`~netsim.kernel.ipv4.devinet.InDevice`).
        self.ip_ptr: Any = None
        #: Unicast addresses the device itself accepts (``dev->uc``): what
        #: ``bridge fdb add MAC dev DEV self`` adds on a plain device.
        self.uc_list: list[MacAddr] = []
        #: How many users hold each entry of :attr:`uc_list` (``netdev_hw_addr.refcount``).
        self.uc_refs: dict[MacAddr, int] = {}
        #: The root qdisc object (:mod:`netsim.kernel.sched`) when the device has one
        #: that queues or counts (``tbf``, ``pfifo_fast``); None: straight to the driver.
        self.sched: Any = None
        #: The ``ingress`` qdisc (``ffff:``) and its filters, if one was added.
        self.ingress_q: Any = None

    # --- identity -------------------------------------------------------------

    def __repr__(self) -> str:
        ns = self.netns.name if self.netns else "-"
        return f"<{type(self).__name__} {self.ifname} ifindex {self.ifindex} netns {ns}>"

    @property
    def up(self) -> bool:
        """Admin state (``IFF_UP``)."""
        return bool(self.flags & IFF_UP)

    def link_speed(self) -> int | None:
        """``__ethtool_get_link_ksettings()``'s speed in Mb/s (``None``: unknown)."""
        return self.speed

    def iflink(self) -> int:
        """``dev_get_iflink()``: the ifindex of the device this one sits on."""
        return self.ifindex

    def link_netns(self) -> Netns | None:
        """The namespace ``iflink`` refers to (``IFLA_LINK_NETNSID``), if not ours."""
        return None

    @property
    def oper_up(self) -> bool:
        """``netif_oper_up()``: stored operstate is UP or UNKNOWN."""
        return self.operstate in (OperState.UP, OperState.UNKNOWN)

    def dev_flags(self) -> int:
        """``dev_get_flags()``: the flags rtnetlink reports."""
        flags = self.flags
        if flags & IFF_UP:
            if self.oper_up:
                flags |= IFF_RUNNING
            if self.carrier:
                flags |= IFF_LOWER_UP
        return flags

    def reported_operstate(self) -> OperState:
        """``IFLA_OPERSTATE``: the stored state while running, DOWN otherwise."""
        return self.operstate if self.up else OperState.DOWN

    def info_data(self) -> dict[str, Any] | None:
        """``rtnl_link_ops->fill_info``: ``IFLA_INFO_DATA`` in ``ip -j -d link``'s
        shape (``linkinfo.info_data``), or ``None`` when the kind sends none."""
        return None

    # --- carrier and the link watcher --------------------------------------------

    def default_operstate(self) -> OperState:
        """``default_operstate()`` in ``net/core/link_watch.c``.

        Without carrier, a device stacked on another looks that other device
        up *by ifindex in its own namespace* and reports LOWERLAYERDOWN when
        that device has no carrier either.  A veth whose peer lives elsewhere
        may therefore find an unrelated device, or nothing, exactly as the
        kernel does.
        """
        if not self.carrier:
            iflink = self.iflink()
            if iflink == self.ifindex or self.netns is None:
                return OperState.DOWN
            lower = self.netns.links.get(iflink)
            if lower is None or lower.carrier:
                return OperState.DOWN
            return OperState.LOWERLAYERDOWN
        return OperState.UP

    def carrier_on(self) -> None:
        """``netif_carrier_on()``: the bit now, the operstate when the link watcher runs."""
        if not self.carrier:
            self.carrier = True
            self.kernel.linkwatch_fire_event(self)

    def carrier_off(self) -> None:
        """``netif_carrier_off()``."""
        if self.carrier:
            self.carrier = False
            self.kernel.linkwatch_fire_event(self)

    # --- admin state ----------------------------------------------------------------

    def open(self) -> None:
        """``dev_open()``: set IFF_UP, attach the qdisc, tell the notifier chain."""
        if self.up:
            return
        self.flags |= IFF_UP
        if self.qdisc == "noop":  # dev_activate(): only a device with no qdisc yet
            self.qdisc = self.default_qdisc()
        self.ndo_open()
        self.kernel.notify(NetdevEvent.UP, self)

    def default_qdisc(self) -> str:
        """``attach_default_qdiscs()``: what the device gets when it has none."""
        return self.open_qdisc

    def close(self) -> None:
        """``dev_close()``."""
        if not self.up:
            return
        self.flags &= ~IFF_UP
        if self.sched is not None:  # dev_deactivate(): the queue is reset
            self.sched.reset()
        self.ndo_stop()
        self.kernel.notify(NetdevEvent.DOWN, self)

    def ndo_open(self) -> None:
        """Driver hook run when the device goes up."""

    def ndo_stop(self) -> None:
        """Driver hook run when the device goes down."""

    # --- attributes -----------------------------------------------------------------

    def set_mtu(self, mtu: int) -> None:
        """``dev_set_mtu()`` with ``dev_validate_mtu()``'s checks and messages."""
        if mtu < 0 or mtu < self.min_mtu:
            raise KernelError(errno.EINVAL, "mtu less than device minimum")
        if self.max_mtu > 0 and mtu > self.max_mtu:
            raise KernelError(errno.EINVAL, "mtu greater than device maximum")
        if mtu == self.mtu:
            return
        self.ndo_change_mtu(mtu)
        self.kernel.notify(NetdevEvent.CHANGEMTU, self)

    def ndo_change_mtu(self, mtu: int) -> None:
        self.mtu = mtu

    def set_address(self, address: MacAddr) -> None:
        """``dev_set_mac_address()``: a no-op for the same MAC, else the driver's check."""
        if address != self.address:
            self.ndo_set_mac_address(address)
        self.addr_assign_type = AddrAssignType.SET
        self.kernel.notify(NetdevEvent.CHANGEADDR, self)

    def ndo_set_mac_address(self, address: MacAddr) -> None:
        """``eth_mac_addr()``: refuse multicast/zero, and a live change if unsupported."""
        if not self.live_addr_change and self.up:
            raise KernelError(errno.EBUSY)
        if not address.is_valid_ether:
            raise KernelError(errno.EADDRNOTAVAIL)
        self.address = address

    #: The device's own unicast list (:mod:`netsim.kernel.links.addr_lists`).
    fdb_add_self = addr_lists.fdb_add_self
    fdb_del_self = addr_lists.fdb_del_self
    uc_add = addr_lists.uc_add
    uc_del = addr_lists.uc_del

    # --- data path ------------------------------------------------------------------

    @abstractmethod
    def xmit(self, skb: Skb) -> None:
        """``ndo_start_xmit``: the driver transmits a frame queued on this device."""

    def queue_xmit(self, skb: Skb) -> None:
        """``dev_queue_xmit()``: through the root qdisc if the device has one of
        its own (a down device's qdisc is deactivated: the driver drops it)."""
        q = self.sched
        if q is None or not self.flags & IFF_UP:
            self.xmit(skb)
        else:
            q.transmit(skb)

    #: The receive side (:mod:`netsim.kernel.links.rx`): the functions themselves,
    #: bound as methods (no extra call per frame).
    receive = rx.receive
    rx_pass = rx.rx_pass
    rx_another = rx.rx_another

    def drop(self, skb: Skb, reason: str) -> None:
        """Drop a frame here, recording why (``kfree_skb_reason``)."""
        steps = skb.steps
        if steps is None:
            return
        ns = self.netns
        skb.note(self.kernel.engine.now, ns.name if ns else "-", self.ifname, DROPPED, reason)
        assert skb.path is not None
        self.kernel.engine.trace.end(skb.flow, steps, skb.path, "DROPPED", reason)
