"""Packet sockets bound to one device and one protocol (``net/packet/af_packet.c``),
as ``socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))`` + ``bind(sll_ifindex)``.

What a DHCP client needs before its interface has an address:

* ``bind()`` hooks the socket into the device's ``ptype_specific`` list only
  while the device is up; on a down device the socket gets ``sk_err =
  ENETDOWN`` instead (``packet_do_bind()``), and ``NETDEV_UP`` hooks it in
  later (``packet_notifier()``).  ``NETDEV_DOWN`` unhooks it with
  ``ENETDOWN``, ``NETDEV_UNREGISTER`` (also a move to another namespace) with
  ``ENODEV``.
* The hook sees every frame of its protocol the device receives, after any
  rx_handler and whatever the frame's ``pkt_type`` (another host's unicast
  too), never the frames the device sends.  ``SOCK_DGRAM`` strips the
  link-layer header: the socket reads the IP packet.
* A pending ``sk_err`` is what the next ``recvfrom()`` returns, before any
  queued packet (``sock_error()`` in ``__skb_try_recv_datagram()``); it is
  cleared by being read.
* ``sendto(sll_addr)`` builds the Ethernet header (``dev_hard_header()``: the
  given destination, the device's MAC) and queues the frame on the device,
  with no routing, no netfilter and no source address check: ``ENETDOWN``
  when the device is down, ``ENXIO`` when it is gone (``packet_snd()``), and
  a pending ``sk_err`` first (``sock_alloc_send_pskb()`` reports and clears
  it: the send fails, nothing goes out).
"""

from __future__ import annotations

import errno
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import NetdevEvent
from netsim.packet import Ethernet

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = ["PacketSocket", "packet_notifier", "packet_socket"]


class PacketSocket:
    """One ``AF_PACKET``/``SOCK_DGRAM`` socket bound to ``(dev, protocol)``."""

    def __init__(self, ns: Netns, dev: Link, protocol: int):
        self.ns = ns
        self.ifindex = dev.ifindex
        self.dev: Link | None = dev
        self.protocol = protocol
        self.queue: deque[Any] = deque()
        #: ``sk->sk_err``: reported (and cleared) by the next :meth:`recv`.
        self.err = 0
        self.hooked = False
        self.closed = False
        #: called when a packet is queued or an error is set (a reader waiting wakes up).
        self.on_event: Callable[[], None] | None = None
        ns.packet_socks.append(self)
        if dev.up:
            self.hooked = True
        else:
            self._error(errno.ENETDOWN)

    def _error(self, err: int) -> None:
        self.err = err
        if self.on_event is not None:
            self.on_event()

    def rcv(self, skb: Skb, dev: Link) -> None:
        """``packet_rcv()``: queue the packet (the frame's payload) for :meth:`recv`."""
        if self.hooked and dev is self.dev and skb.frame.ethertype == self.protocol:
            self.queue.append(skb.frame.payload)
            if self.on_event is not None:
                self.on_event()

    def recv(self) -> Any:
        """``recvfrom()`` that would not block: a pending error (as
        :class:`KernelError`), else the oldest queued packet, else None."""
        if self.err:
            err, self.err = self.err, 0
            raise KernelError(err)
        return self.queue.popleft() if self.queue else None

    def sendto(self, payload: Any, dst: MacAddr) -> None:
        """``sendto()`` with ``sll_addr = dst``: one frame out of the bound device."""
        dev = self.dev
        if dev is None or self.closed:
            raise KernelError(errno.ENXIO)
        if not dev.up:
            raise KernelError(errno.ENETDOWN)
        if self.err:
            err, self.err = self.err, 0
            raise KernelError(err)
        self.ns.send(dev, Ethernet(dst, dev.address, self.protocol, payload))

    def close(self) -> None:
        self.closed = True
        self.hooked = False
        if self in self.ns.packet_socks:
            self.ns.packet_socks.remove(self)

    def notify(self, event: NetdevEvent, dev: Link) -> None:
        """``packet_notifier()`` for the bound device."""
        if dev is not self.dev:
            return
        if event == NetdevEvent.UP:
            self.hooked = True
        elif event == NetdevEvent.DOWN:
            if self.hooked:
                self.hooked = False
                self._error(errno.ENETDOWN)
        elif event == NetdevEvent.UNREGISTER:
            self.hooked = False
            self.dev = None
            self.ifindex = -1
            self._error(errno.ENODEV)


def packet_notifier(event: NetdevEvent, dev: Link) -> None:
    """``packet_notifier()``: the event to the sockets bound to ``dev``."""
    owner = dev.netns
    if owner is not None and owner.packet_socks:
        for sock in list(owner.packet_socks):
            sock.notify(event, dev)


def packet_socket(ns: Netns, ifindex: int, protocol: int) -> PacketSocket:
    """``socket()`` + ``bind()`` to the device with ``ifindex`` in ``ns``;
    ``ENODEV`` when there is none."""
    dev = ns.links.get(ifindex)
    if dev is None:
        raise KernelError(errno.ENODEV)
    return PacketSocket(ns, dev, protocol)
