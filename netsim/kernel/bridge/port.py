"""A bridge port (``struct net_bridge_port``) and its STP-off state machine.

With STP off (``stp_state 0``) a port goes from ``disabled`` straight to
``forwarding`` once both the bridge and the port device are running and
operationally up (``br_stp_enable_port`` → ``br_make_forwarding``), and back
to ``disabled`` otherwise (``br_stp_disable_port``, which also flushes the
port's learned entries).  Port numbers are the lowest free number from 1
(``find_portno``); the path cost follows the device's speed (``port_cost``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, final

from netsim.kernel.links.base import Link, NetdevEvent

if TYPE_CHECKING:
    from netsim.kernel.bridge.device import Bridge

__all__ = ["BridgePort", "PortState", "port_cost"]


class PortState(IntEnum):
    """``BR_STATE_*``; the names are what ``bridge link`` prints."""

    DISABLED = 0
    LISTENING = 1
    LEARNING = 2
    FORWARDING = 3
    BLOCKING = 4

    def __str__(self) -> str:
        return self.name.lower()


def port_cost(dev: Link) -> int:
    """``port_cost()``: STP path cost from the link speed (100 when unknown)."""
    speed = dev.link_speed()
    if speed is None:
        return 100
    if speed >= 10000:
        return 2
    if speed >= 1000:
        return 4
    if speed >= 100:
        return 19
    return 100


@final
class BridgePort:
    """The bridge's view of one enslaved device (its ``rx_handler_data``)."""

    __slots__ = (
        "bcast_flood",
        "br",
        "cost",
        "dev",
        "flood",
        "fwd_delay_expires",
        "hairpin",
        "learning",
        "mcast_flood",
        "port_no",
        "priority",
        "state",
    )

    def __init__(self, br: Bridge, dev: Link, port_no: int):
        self.br = br
        self.dev = dev
        self.port_no = port_no
        self.state = PortState.DISABLED
        self.priority = 32
        self.cost = port_cost(dev)
        self.learning = True
        self.flood = True
        self.mcast_flood = True
        self.bcast_flood = True
        self.hairpin = False
        #: When ``forward_delay_timer`` runs out (0: not running); with STP off
        #: it only shows in ``ip -d link``.
        self.fwd_delay_expires = 0.0

    def __repr__(self) -> str:
        return f"<BridgePort {self.dev.ifname} of {self.br.ifname} {self.state}>"

    @property
    def port_id(self) -> int:
        """``br_make_port_id()``: priority in the top bits, then the port number."""
        return (self.priority << 10) | self.port_no

    # --- STP-off state machine ------------------------------------------------------------

    def enable(self) -> None:
        """``br_stp_enable_port()``: with STP off, forwarding at once (the
        forward-delay timer is armed all the same)."""
        self.state = PortState.FORWARDING
        self.fwd_delay_expires = self.br.kernel.engine.now + self.br.forward_delay
        self.br.port_state_selection()

    def disable(self) -> None:
        """``br_stp_disable_port()``: disabled, learned entries flushed."""
        self.state = PortState.DISABLED
        self.fwd_delay_expires = 0.0
        self.br.fdb.delete_by_port(self, do_all=False)
        self.br.port_state_selection()

    def carrier_check(self) -> None:
        """``br_port_carrier_check()``."""
        if not self.br.up:
            return
        if self.dev.up and self.dev.oper_up:
            if self.state == PortState.DISABLED:
                self.enable()
        elif self.state != PortState.DISABLED:
            self.disable()

    def netdev_event(self, event: NetdevEvent) -> None:
        """``br_device_event()`` for this port's device."""
        br = self.br
        if event == NetdevEvent.CHANGEMTU:
            br.mtu_auto_adjust()
        elif event == NetdevEvent.CHANGEADDR:
            br.fdb.changeaddr(self, self.dev.address)
            br.recalculate_bridge_id()
        elif event == NetdevEvent.CHANGE:
            self.carrier_check()
        elif event == NetdevEvent.DOWN:
            if br.up and self.state != PortState.DISABLED:
                self.disable()
        elif event == NetdevEvent.UP:
            if br.up and self.dev.oper_up and self.state == PortState.DISABLED:
                self.enable()
        elif event == NetdevEvent.UNREGISTER:
            br.del_if(self.dev)
