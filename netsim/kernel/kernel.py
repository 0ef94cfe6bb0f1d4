"""The kernel: namespaces, and the device operations rtnetlink offers
(``ip link set``'s changes are in :mod:`netsim.kernel.setlink`).

Each operation checks everything before it changes anything, so a refused
request leaves no trace, except where the real kernel itself leaves one (a
``master`` change releases the old master before it tries the new one).
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

from netsim.addr import MacAddr
from netsim.engine import DEFAULT_LATENCY, Engine
from netsim.errors import KernelError, NetsimError, NoSuchNetns
from netsim.kernel.bridge.device import Bridge, br_device_event
from netsim.kernel.bridge.fdb import NUD_PERMANENT
from netsim.kernel.bridge.port import BridgePort
from netsim.kernel.ipv4.frontend import inet_netdev_event
from netsim.kernel.links.base import Link, NetdevEvent
from netsim.kernel.links.ipvlan import ipvlan_device_event
from netsim.kernel.links.loopback import Loopback
from netsim.kernel.links.macvlan import macvlan_device_event
from netsim.kernel.links.veth import Veth
from netsim.kernel.links.vlan import vlan_device_event
from netsim.kernel.links.vxlan import vxlan_netdev_event
from netsim.kernel.linkwatch import LinkWatch
from netsim.kernel.netns import Netns
from netsim.kernel.packet_sock import packet_notifier
from netsim.kernel.sched.api import tc_netdev_event
from netsim.kernel.setlink import IFALIASZ, SetLinkOps, rtnl
from netsim.kernel.sysctl.build import DEFAULT_BUILD, KernelBuild

__all__ = ["IFALIASZ", "INIT_NET", "NS_INUM_FIRST", "Kernel", "rtnl"]

#: ``proc_alloc_inum()`` numbers namespaces from ``PROC_DYNAMIC_FIRST``
#: (0xF0000000) up, with the other inodes it hands out in between; a fresh
#: sandbox's network namespace read 4026532177 on 6.18, its next ones 65 apart.
NS_INUM_FIRST: Final = 4026532177
NS_INUM_STEP: Final = 65

_PORT_FLAGS: Final = frozenset({"hairpin", "learning", "flood", "mcast_flood", "bcast_flood"})

#: The name the model gives the initial namespace (``init_net``).
INIT_NET: Final = "init_net"

L = TypeVar("L", bound=Link)
NetdevNotifier = Callable[[NetdevEvent, Link], None]


def sysctl_netdev_event(event: NetdevEvent, dev: Link) -> None:
    """Per-device sysctl trees follow the device (``devinet_sysctl_register`` & co)."""
    ns = dev.netns
    if ns is None:
        return
    if event == NetdevEvent.REGISTER:
        ns.sysctl.add_device(dev.ifname, loopback=dev.link_type == "loopback", mtu=dev.mtu)
    elif event == NetdevEvent.UNREGISTER:
        ns.sysctl.remove_device(dev.ifname)
    elif event == NetdevEvent.CHANGEMTU and ns.sysctl.has_device(dev.ifname):
        ns.sysctl.set_mtu(dev.ifname, dev.mtu)


class Kernel(SetLinkOps):
    """Every namespace of one simulated machine (or cluster) and their devices."""

    def __init__(self, engine: Engine, *, latency: float = DEFAULT_LATENCY, possible_cpus: int = 1,
                 build: KernelBuild = DEFAULT_BUILD):  # fmt: skip
        self.engine = engine
        self.latency = latency
        #: ``num_possible_cpus()``: a veth gets this many queues each way.
        self.possible_cpus = possible_cpus
        #: The kernel build mirrored (what its sysctl tree holds).
        self.build = build
        self.namespaces: dict[str, Netns] = {}
        #: The next namespace's inode number (``proc_alloc_inum()``).
        self._next_inum = NS_INUM_FIRST
        #: The netdevice notifier chain (``register_netdevice_notifier``).
        self.netdev_chain: list[NetdevNotifier] = [
            sysctl_netdev_event,
            inet_netdev_event,
            br_device_event,
            packet_notifier,
            macvlan_device_event,
            vlan_device_event,
            ipvlan_device_event,
            vxlan_netdev_event,
            tc_netdev_event,
        ]
        self.linkwatch = LinkWatch(self)
        self.init_net = self._new_netns(INIT_NET)

    # --- namespaces ---------------------------------------------------------------------

    def _new_netns(self, name: str) -> Netns:
        ns = Netns(self, name)
        ns.inum = self._next_inum
        self._next_inum += NS_INUM_STEP
        self.namespaces[name] = ns
        self.register(Loopback(self, "lo"), ns)
        return ns

    def netns_add(self, name: str) -> Netns:
        """``ip netns add``: a namespace holding only ``lo``, down."""
        if name in self.namespaces:
            raise KernelError(
                errno.EEXIST,
                message=f'Cannot create namespace file "/run/netns/{name}": File exists',
            )
        if not name or "/" in name or name in (".", ".."):
            raise NetsimError(f'Invalid netns name "{name}"')
        return self._new_netns(name)

    @rtnl
    def netns_del(self, name: str) -> None:
        """``ip netns del``: destroys its devices (and so their veth peers)."""
        if name not in self.namespaces or name == INIT_NET:
            raise KernelError(
                errno.ENOENT,
                message=f'Cannot remove namespace file "/run/netns/{name}": '
                "No such file or directory",
            )
        ns = self.namespaces.pop(name)
        for dev in reversed(list(ns)):
            if dev.netns is ns:
                self.unregister(dev)
        ns.alive = False
        for other in self.namespaces.values():
            other.netns_ids.pop(ns, None)

    def netns(self, name: str) -> Netns:
        try:
            return self.namespaces[name]
        except KeyError:
            raise NoSuchNetns(name) from None

    def __iter__(self) -> Iterator[Netns]:
        return iter(self.namespaces.values())

    # --- registration -------------------------------------------------------------------

    def notify(self, event: NetdevEvent, dev: Link) -> None:
        for fn in self.netdev_chain:
            fn(event, dev)

    def linkwatch_fire_event(self, dev: Link) -> None:
        """Queue ``dev`` for the link watcher."""
        self.linkwatch.fire_event(dev)

    def register(self, dev: L, ns: Netns, *, keep_ifindex: int = 0) -> L:
        """``register_netdevice()`` (the name must already be checked)."""
        ns.attach(dev, keep_ifindex=keep_ifindex)
        dev.registered = True
        if not dev.carrier:  # linkwatch_init_dev()
            dev.operstate = dev.default_operstate()
        self.notify(NetdevEvent.REGISTER, dev)
        return dev

    def unregister(self, dev: Link) -> None:
        """``unregister_netdevice()``: down, released by uppers, gone; a veth takes its peer."""
        if not dev.registered:
            return
        dev.dismantle = True
        dev.close()
        if isinstance(dev, Bridge):
            dev.release_all()
        self.notify(NetdevEvent.UNREGISTER, dev)
        ns = dev.netns
        assert ns is not None
        ns.detach(dev)
        dev.registered = False
        dev.netns = None
        if isinstance(dev, Veth) and dev.peer is not None:
            peer, dev.peer, peer.peer = dev.peer, None, None
            self.unregister(peer)

    # --- creating and deleting links ---------------------------------------------------------

    @rtnl
    def add_veth(
        self,
        ns: Netns,
        ifname: str,
        peer_name: str = "veth%d",
        *,
        peer_ns: Netns | None = None,
        address: MacAddr | None = None,
        peer_address: MacAddr | None = None,
        mtu: int | None = None,
        peer_mtu: int | None = None,
        latency: float | None = None,
    ) -> Veth:
        """``ip link add IFNAME type veth peer name PEER [netns NS]``; returns IFNAME's end."""
        peer_ns = peer_ns or ns
        name = ns.check_name(ifname)
        pname = peer_ns.check_name(peer_name)
        if peer_ns is ns and name == pname:
            ns.consume_ifindex()  # the peer was registered, then unregistered
            raise KernelError(errno.EEXIST)
        for m in (mtu, peer_mtu):
            if m is not None and not Veth.min_mtu <= m <= Veth.max_mtu:
                raise KernelError(errno.EINVAL)
        for a in (address, peer_address):
            if a is not None and not a.is_valid_ether:
                raise KernelError(errno.EADDRNOTAVAIL)
        if latency is not None and latency < 0:
            raise NetsimError(f"latency must not be negative: {latency}")
        peer = Veth(self, pname, address=peer_address, mtu=peer_mtu)
        dev = Veth(self, name, address=address, mtu=mtu)
        for end in (dev, peer):  # veth_get_num_queues()
            end.num_tx_queues = end.num_rx_queues = min(self.possible_cpus, 4096)
        dev.latency = peer.latency = self.latency if latency is None else latency
        # veth_newlink(): both ends registered without carrier before they know each
        # other (so each first computes DOWN), then paired, then one link-watch event
        # each, peer first.  This reproduces the operstates 6.18 shows: an end set up
        # while its peer is down reports LOWERLAYERDOWN.
        peer.carrier = dev.carrier = False
        self.register(peer, peer_ns)
        self.register(dev, ns)
        dev.peer, peer.peer = peer, dev
        if peer_ns is not ns:  # the requesting namespace names the peer's (6.18 shows it)
            ns.peernet_id(peer_ns)
        self.linkwatch_fire_event(peer)
        self.linkwatch_fire_event(dev)
        return dev

    @rtnl
    def add_bridge(
        self,
        ns: Netns,
        ifname: str = "bridge%d",
        *,
        address: MacAddr | None = None,
        mtu: int | None = None,
        ageing_time: float = 300.0,
    ) -> Bridge:
        """``ip link add IFNAME type bridge``."""
        name = ns.check_name(ifname)
        if address is not None and not address.is_valid_ether:
            raise KernelError(errno.EADDRNOTAVAIL)
        if mtu is not None and not Bridge.min_mtu <= mtu <= Bridge.max_mtu:
            raise KernelError(errno.EINVAL)
        return self.register(
            Bridge(self, name, address=address, mtu=mtu, ageing_time=ageing_time), ns
        )

    # --- stacked and virtual devices (dummy, macvlan, vlan, ipvlan) --------------------------

    @rtnl
    def newlink(self, create: Callable[..., L], *args: Any, **kwargs: Any) -> L:
        """``rtnl_newlink()`` for a driver whose ``newlink`` is ``create(kernel,
        ...)``: it checks, builds and registers the device (see
        :mod:`netsim.kernel.links.macvlan` and its siblings).  A device made in
        another namespace than its lower's (``IFLA_NET_NS_FD``) has the lower's
        namespace numbered in its own as the ``RTM_NEWLINK`` names it
        (``rtnl_fill_link_netnsid()``)."""
        dev = create(self, *args, **kwargs)
        other, ns = dev.link_netns(), dev.netns
        if other is not None and ns is not None:
            ns.peernet_id(other)
        return dev

    @rtnl
    def link_del(self, dev: Link) -> None:
        """``ip link del``: ``lo`` has no ``dellink``."""
        if isinstance(dev, Loopback):
            raise KernelError(errno.EOPNOTSUPP)
        self.unregister(dev)

    # --- FDB (bridge fdb add / del) -------------------------------------------------------------

    @rtnl
    def fdb_add(
        self,
        dev: Link,
        mac: MacAddr,
        *,
        master: bool = False,
        self_: bool = False,
        state: int = NUD_PERMANENT,
        create: bool = True,
        excl: bool = True,
    ) -> None:
        """``rtnl_fdb_add()``: to the bridge for ``master``, to the device itself for ``self``.

        ``state`` is ``NUD_PERMANENT`` (``permanent``, the default: a *local*
        entry on a bridge), ``NUD_NOARP`` (``static``) or ``NUD_REACHABLE``
        (``dynamic``).  ``bridge fdb add`` is ``create`` + ``excl``;
        ``replace`` is ``create`` without ``excl``.
        """
        port = dev.rx_handler_data
        if master and not isinstance(port, BridgePort):
            raise KernelError(errno.EOPNOTSUPP)
        if master and isinstance(port, BridgePort):
            port.br.fdb.user_add(port, mac, state, create=create, excl=excl)
        if self_:
            if isinstance(dev, Bridge):
                dev.fdb.user_add(None, mac, state, create=create, excl=excl)
            else:
                dev.fdb_add_self(mac, permanent=bool(state & NUD_PERMANENT), excl=excl)

    @rtnl
    def fdb_del(
        self, dev: Link, mac: MacAddr, *, master: bool = False, self_: bool = False
    ) -> None:
        """``rtnl_fdb_del()``."""
        port = dev.rx_handler_data
        if master and not isinstance(port, BridgePort):
            raise KernelError(errno.EOPNOTSUPP)
        if master and isinstance(port, BridgePort):
            port.br.fdb.user_del(port, mac)
        if self_:
            if isinstance(dev, Bridge):
                dev.fdb.user_del(None, mac)
            else:
                dev.fdb_del_self(mac)

    @rtnl
    def bridge_port_set(self, dev: Link, **flags: bool) -> None:
        """``bridge link set dev DEV hairpin|learning|flood|mcast_flood|bcast_flood on|off``."""
        port = dev.rx_handler_data
        if not isinstance(port, BridgePort):
            raise KernelError(errno.EOPNOTSUPP)
        for name, value in flags.items():
            if name not in _PORT_FLAGS:
                raise KernelError(errno.EINVAL)
            setattr(port, name, value)

    @rtnl
    def bridge_set(self, dev: Link, *, ageing_time: float | None = None) -> None:
        """``ip link set DEV type bridge ageing_time CS`` (seconds here)."""
        if not isinstance(dev, Bridge):
            raise KernelError(errno.EOPNOTSUPP)
        if ageing_time is not None:
            dev.set_ageing_time(ageing_time)
