"""The bridge device (``br_device.c``, ``br_if.c``, ``br_stp_if.c``).

* Created with a random MAC and ``bridge_id`` 0; the MAC then follows the
  numerically lowest port MAC whenever ports change, until the user sets one
  (``br_stp_recalculate_bridge_id``); with no ports left it is all zeros.
* Carrier: a bridge that never had ports keeps the carrier it was born with;
  after any port-state selection it has carrier only while some port
  forwards (``br_port_state_selection``).
* MTU: the smallest port MTU (1500 with none) unless the user set one
  (``br_mtu_auto_adjust``).
* Defaults: ageing_time 300 s, forward_delay 15 s, hello_time 2 s,
  max_age 20 s, stp_state 0, priority 32768 (``br_dev_setup``).
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, ClassVar, Final, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.bridge.fdb import Fdb
from netsim.kernel.bridge.forward import br_dev_xmit, br_handle_frame
from netsim.kernel.bridge.port import BridgePort, PortState
from netsim.kernel.links.base import IFF_LOOPBACK, AddrAssignType, Link, NetdevEvent
from netsim.kernel.skb import Skb

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel

__all__ = ["BR_MAX_PORTS", "Bridge", "br_device_event"]

BR_MAX_PORTS: Final = 1024


@final
class Bridge(Link):
    """A Linux bridge (``ip link add NAME type bridge``)."""

    kind: ClassVar[str | None] = "bridge"
    netns_local: ClassVar[bool] = True

    def __init__(
        self,
        kernel: Kernel,
        ifname: str,
        *,
        address: MacAddr | None = None,
        mtu: int | None = None,
        ageing_time: float = 300.0,
    ):
        super().__init__(kernel, ifname, address=address, mtu=mtu)
        self.env = kernel.engine.env
        self.mtu_set_by_user = mtu is not None
        self.bridge_id_addr = MacAddr(0)
        self.priority = 32768
        self.stp_state = 0
        self.forward_delay = 15.0
        self.hello_time = 2.0
        self.max_age = 20.0
        self.group_fwd_mask = 0
        self.mcast_snooping = 1
        self.nf_call_iptables = 0
        self.ageing_time = ageing_time
        #: Ports, newest first, as ``br->port_list`` (``list_add_rcu``) holds them.
        self.port_list: list[BridgePort] = []
        self.tso_max_size = 65536  # br_dev_setup(): until a port says otherwise
        self.fdb = Fdb(self)
        if address is None:  # the random MAC terminates here too
            self.fdb.add_local(None, self.address)
        else:  # br_dev_newlink() with IFLA_ADDRESS
            self.change_bridge_id(address)

    @property
    def ports(self) -> list[BridgePort]:
        """Ports in port-number order."""
        return sorted(self.port_list, key=lambda p: p.port_no)

    def port(self, dev: Link) -> BridgePort:
        """The port for an enslaved device."""
        p = dev.rx_handler_data
        if not isinstance(p, BridgePort) or p.br is not self:
            raise KernelError(errno.EINVAL)
        return p

    # --- ports (br_add_if / br_del_if) ----------------------------------------------------------

    def add_if(self, dev: Link) -> BridgePort:
        """``br_add_if()``: enslave ``dev``."""
        if dev.flags & IFF_LOOPBACK or dev.link_type != "ether" or not dev.address.is_valid_ether:
            raise KernelError(errno.EINVAL)
        if isinstance(dev, Bridge):
            raise KernelError(errno.ELOOP, "Can not enslave a bridge to a bridge")
        if dev.master is not None:
            raise KernelError(errno.EBUSY, "Device is already in use")
        if dev.rx_handler is not None:  # netdev_rx_handler_register(): a macvlan/ipvlan port
            raise KernelError(errno.EBUSY)
        used = {p.port_no for p in self.port_list}
        port_no = next((n for n in range(1, BR_MAX_PORTS) if n not in used), 0)
        if not port_no:
            raise KernelError(errno.EXFULL)
        p = BridgePort(self, dev, port_no)
        dev.promiscuity += 1
        dev.allmulti += 1
        dev.rx_handler, dev.rx_handler_data = br_handle_frame, p
        dev.master = self
        self.port_list.insert(0, p)
        self.fdb.add_local(p, dev.address)
        self.recalculate_bridge_id()
        if dev.up and dev.oper_up and self.up:
            p.enable()
        self.mtu_auto_adjust()
        self.set_gso_limits()
        return p

    def del_if(self, dev: Link) -> None:
        """``br_del_if()`` → ``del_nbp()``: release ``dev``."""
        p = self.port(dev)
        p.disable()
        self.port_list.remove(p)
        self.fdb.delete_by_port(p, do_all=True)
        dev.promiscuity -= 1
        dev.allmulti -= 1
        dev.rx_handler = dev.rx_handler_data = None
        dev.master = None
        self.mtu_auto_adjust()
        self.set_gso_limits()
        self.recalculate_bridge_id()

    def release_all(self) -> None:
        """``br_dev_delete()``: every port released, own entries gone."""
        for p in list(self.port_list):
            self.del_if(p.dev)
        self.fdb.delete_by_port(None, do_all=True)
        self.fdb.stop_gc()

    # --- identity, carrier, MTU ------------------------------------------------------------

    def recalculate_bridge_id(self) -> bool:
        """``br_stp_recalculate_bridge_id()``: follow the lowest port MAC."""
        if self.addr_assign_type == AddrAssignType.SET:
            return False
        addr = min([p.dev.address for p in self.port_list], default=MacAddr(0))
        if addr == self.bridge_id_addr:
            return False
        self.change_bridge_id(addr)
        self.kernel.notify(NetdevEvent.CHANGEADDR, self)
        return True

    def change_bridge_id(self, addr: MacAddr) -> None:
        """``br_stp_change_bridge_id()``."""
        self.fdb.change_mac_address(addr)
        self.bridge_id_addr = addr
        self.address = addr
        self.port_state_selection()

    def port_state_selection(self) -> None:
        """``br_port_state_selection()``: carrier iff some port forwards."""
        if any(p.state == PortState.FORWARDING for p in self.port_list):
            self.carrier_on()
        else:
            self.carrier_off()

    def set_gso_limits(self) -> None:
        """``br_set_gso_limits()`` when a port joins or leaves: the smallest TSO limit
        of the ports, ``GSO_MAX_SIZE`` with none (a new bridge has the legacy 64 KiB
        until then, ``br_dev_setup()``)."""
        self.tso_max_size = min([p.dev.tso_max_size for p in self.port_list], default=524280)

    def mtu_auto_adjust(self) -> None:
        """``br_mtu_auto_adjust()``."""
        if self.mtu_set_by_user:
            return
        mtu = min([p.dev.mtu for p in self.port_list], default=1500)
        if mtu != self.mtu:
            self.mtu = mtu
            self.kernel.notify(NetdevEvent.CHANGEMTU, self)

    def ndo_change_mtu(self, mtu: int) -> None:
        """``br_change_mtu()``: a user MTU sticks."""
        self.mtu = mtu
        self.mtu_set_by_user = True

    def ndo_set_mac_address(self, address: MacAddr) -> None:
        """``br_set_mac_address()``."""
        if not address.is_valid_ether:
            raise KernelError(errno.EADDRNOTAVAIL)
        self.change_bridge_id(address)

    def set_ageing_time(self, seconds: float) -> None:
        """``br_set_ageing_time()``: re-arm the cleanup for the new horizon."""
        self.ageing_time = seconds
        self.fdb.start_gc(0.0)

    # --- admin state and data path -------------------------------------------------------------

    def ndo_open(self) -> None:
        """``br_dev_open()`` → ``br_stp_enable_bridge()``."""
        for p in self.port_list:
            if p.dev.up and p.dev.oper_up:
                p.enable()
        self.fdb.start_gc(0.1)

    def ndo_stop(self) -> None:
        """``br_dev_stop()`` → ``br_stp_disable_bridge()``."""
        for p in self.port_list:
            if p.state != PortState.DISABLED:
                p.disable()
        self.fdb.stop_gc()

    def xmit(self, skb: Skb) -> None:
        if not self.up:
            self.drop(skb, "device down")
            return
        br_dev_xmit(self, skb)


def br_device_event(event: NetdevEvent, dev: Link) -> None:
    """The bridge's netdevice notifier: events on port devices reach their port."""
    p = dev.rx_handler_data
    if isinstance(p, BridgePort):
        p.netdev_event(event)
