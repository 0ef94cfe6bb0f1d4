"""``ifb`` devices (``drivers/net/ifb.c``): the intermediate functional block
that ingress traffic is redirected to so that an egress qdisc can shape it.

* ``ifb_setup()``: ``ether_setup()``, then ``IFF_NOARP`` on and
  ``IFF_MULTICAST`` off (``<BROADCAST,NOARP>``), ``tx_queue_len`` 32
  (``TX_Q_LIMIT``; a netlink request may set another, the bandwidth plugin's
  sends 0), a random MAC, ``min_mtu``/``max_mtu`` 0, ``IFF_LIVE_ADDR_CHANGE``.
  Not ``IFF_NO_QUEUE``: once up its default qdisc is ``pfifo_fast``, unless its
  queue length is 0: then ``pfifo_fast_init`` fails and it gets ``noqueue``.
* The carrier is never turned off: an up ifb is ``state UNKNOWN``.
* ``ifb_xmit()``: a packet that was not redirected to it (``skb->redirected``)
  is dropped and counted as ``rx_dropped``; a redirected one goes to the
  device's tasklet (``ifb_ri_tasklet``), which looks its origin up by ifindex
  in the ifb's own namespace (``skb_iif``) and, for a packet redirected from
  ingress, receives it there again with tc classification skipped
  (``tc_skip_classify``); one redirected from egress is transmitted there.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, ClassVar, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import IFF_BROADCAST, IFF_NOARP, Link
from netsim.kernel.skb import SKIP_CLASSIFY

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = ["TX_Q_LIMIT", "Ifb", "ifb_newlink"]

#: ``TX_Q_LIMIT``: an ifb's default ``txqueuelen``.
TX_Q_LIMIT = 32


@final
class Ifb(Link):
    """An ifb device (``ip link add NAME type ifb``)."""

    kind: ClassVar[str | None] = "ifb"
    base_flags: ClassVar[int] = IFF_BROADCAST | IFF_NOARP
    min_mtu: ClassVar[int] = 0
    max_mtu: ClassVar[int] = 0
    open_qdisc: ClassVar[str] = "pfifo_fast"

    def __init__(self, kernel: Kernel, ifname: str, *, address: MacAddr | None = None,
                 mtu: int | None = None, txqlen: int = TX_Q_LIMIT):  # fmt: skip
        super().__init__(kernel, ifname, address=address, mtu=mtu, txqlen=txqlen)
        self.rx_packets = self.rx_bytes = self.rx_dropped = 0
        self.tx_packets = self.tx_bytes = self.tx_dropped = 0
        #: ``IFF_NO_QUEUE``, set for good once ``pfifo_fast`` could not be attached.
        self.no_queue = False

    def default_qdisc(self) -> str:
        """``pfifo_fast``; with ``txqueuelen`` 0 its init fails and the device falls
        back to ``noqueue`` (and is ``IFF_NO_QUEUE`` from then on)."""
        if self.txqlen == 0:
            self.no_queue = True
        return "noqueue" if self.no_queue else "pfifo_fast"

    def ndo_open(self) -> None:
        """``dev_activate()``: a device with a queue gets ``pfifo_fast``."""
        if self.sched is None and self.qdisc == "pfifo_fast":
            from netsim.kernel.sched.qdisc import PfifoFast

            self.sched = PfifoFast(self)

    def xmit(self, skb: Skb) -> None:
        """``ifb_xmit()``: only redirected packets are taken, for the tasklet."""
        red = skb.redirect
        if red is None or not red[0]:
            self.rx_dropped += 1
            self.drop(skb, "ifb: not redirected here (rx_dropped)")
            return
        self.rx_packets += 1
        self.rx_bytes += skb.len
        self.kernel.engine.call_later(0.0, _ifb_tasklet, (self, skb))


def _ifb_tasklet(arg: tuple[Ifb, Skb]) -> None:
    """``ifb_ri_tasklet()``: back to where the packet came from."""
    ifb, skb = arg
    red = skb.redirect
    assert red is not None
    iif, from_ingress = red
    skb.redirect = SKIP_CLASSIFY  # tc_skip_classify
    ifb.tx_packets += 1
    ifb.tx_bytes += skb.len
    ns = ifb.netns
    orig = ns.links.get(iif) if ns is not None else None
    if orig is None:
        ifb.tx_dropped += 1
        ifb.drop(skb, f"ifb: ifindex {iif} is gone (tx_dropped)")
        return
    skb.dev = orig
    if from_ingress:
        orig.receive(skb)
    else:
        orig.queue_xmit(skb)


def ifb_newlink(
    kernel: Kernel,
    ns: Netns,
    ifname: str = "ifb%d",
    *,
    address: MacAddr | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
) -> Ifb:
    """``rtnl_newlink()`` for ``type ifb`` (``ifb_validate`` checks the address)."""
    name = ns.check_name(ifname)
    if address is not None and not address.is_valid_ether:
        raise KernelError(errno.EADDRNOTAVAIL)
    if mtu is not None and mtu < 0:
        raise KernelError(errno.EINVAL)
    dev = Ifb(kernel, name, address=address, mtu=mtu,
              txqlen=TX_Q_LIMIT if txqlen is None else txqlen)  # fmt: skip
    return kernel.register(dev, ns)
