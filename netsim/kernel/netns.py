"""A network namespace (``struct net``): its devices, ifindexes and names.

* Device names follow ``dev_valid_name()``: 1-15 bytes, not ``.``/``..``,
  no ``/``, ``:`` or white space; a name with ``%d`` is a template filled
  with the lowest free number (``dev_alloc_name()``).
* Ifindexes are per namespace and handed out cyclically
  (``xa_alloc_cyclic`` on ``net->dev_by_index``): a freed number is not
  reused until the counter wraps.  A device moved in keeps its ifindex when
  that number is free here.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError, NoSuchDevice
from netsim.kernel.ipv4.stack import InetStack
from netsim.kernel.ipv4.state import Ipv4
from netsim.kernel.netfilter.hooks import Netfilter
from netsim.kernel.netfilter.ipv6 import Netfilter6
from netsim.kernel.skb import PACKET_OTHERHOST, PKT_TYPE_NAMES, Skb
from netsim.kernel.sysctl import Sysctls
from netsim.trace import DELIVERED, SENT

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.links.base import Link
    from netsim.kernel.packet_sock import PacketSocket

__all__ = ["IFNAMSIZ", "Netns", "RxHandler", "Tap", "valid_ifname"]

IFNAMSIZ: Final = 16
_BAD_CHARS: Final = re.compile(r"[/:\s]")
_INT_MAX: Final = 2**31 - 1

#: A protocol handler: ``fn(skb, dev)``.
RxHandler = Callable[[Skb, "Link"], None]
#: A packet tap (what an AF_PACKET socket sees): ``fn(skb, dev, outgoing)``.
Tap = Callable[[Skb, "Link", bool], None]


def valid_ifname(name: str) -> bool:
    """``dev_valid_name()``."""
    if not name or len(name.encode()) >= IFNAMSIZ or name in (".", ".."):
        return False
    return _BAD_CHARS.search(name) is None


class Netns:
    """One namespace's device table and its receive path's last step."""

    def __init__(self, kernel: Kernel, name: str):
        self.kernel = kernel
        self.env = kernel.engine.env
        self.name = name
        #: ifindex -> device, in ifindex order as ``ip link`` lists them.
        self.links: dict[int, Link] = {}
        self._by_name: dict[str, Link] = {}
        self._ifindex_next = 1
        #: ethertype -> handler for frames that reach this namespace's stack.
        self.protocols: dict[int, RxHandler] = {}
        #: taps that see every frame this namespace's stack receives or sends.
        self.taps: list[Tap] = []
        #: packet sockets bound to one device and protocol (``dev->ptype_specific``).
        self.packet_socks: list[PacketSocket] = []
        #: The namespace's sysctls (``/proc/sys/net``).
        self.sysctl = Sysctls(build=kernel.build)
        #: Routing tables and rules (``net->ipv4``).
        self.ipv4 = Ipv4()
        #: The IPv4 data path (ARP, IP, ICMP, sockets); it registers its protocols.
        self.inet = InetStack(self)
        #: iptables tables, conntrack and the hooks (``net->nf``).
        self.netfilter = Netfilter(self)
        #: The namespace's inode number (``ns.inum``: ``/proc/PID/ns/net`` shows
        #: ``net:[INUM]``); set by the kernel when it makes the namespace.
        self.inum = 0
        #: ip6tables' tables: rules kept, no IPv6 data path (``net->ipv6.ip6table_*``).
        self.netfilter6 = Netfilter6()
        #: tc actions by index (the per-namespace ``tcf_idrinfo`` of ``mirred``).
        self.tc_actions: dict[int, Any] = {}
        #: peer namespace -> its id as seen from here (``peernet2id``).
        self.netns_ids: dict[Netns, int] = {}
        self.alive = True

    def __repr__(self) -> str:
        return f"<Netns {self.name}>"

    @property
    def now(self) -> float:
        return self.kernel.engine.now

    # --- lookups ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Link]:
        return iter(sorted(self.links.values(), key=lambda d: d.ifindex))

    def __contains__(self, ifname: object) -> bool:
        return ifname in self._by_name

    def dev(self, ifname: str) -> Link:
        """``__dev_get_by_name()``, with iproute2's message when absent."""
        try:
            return self._by_name[ifname]
        except KeyError:
            raise NoSuchDevice(ifname) from None

    def dev_by_index(self, ifindex: int) -> Link:
        try:
            return self.links[ifindex]
        except KeyError:
            raise KernelError(errno.ENODEV) from None

    def peernet_id(self, other: Netns) -> int:
        """``peernet2id_alloc()``: a stable small id for another namespace, the
        lowest one free (``idr_alloc`` from 0; a dead namespace's id is reused)."""
        nsid = self.netns_ids.get(other)
        if nsid is None:
            used = set(self.netns_ids.values())
            nsid = next(i for i in range(len(used) + 1) if i not in used)
            self.netns_ids[other] = nsid
        return nsid

    # --- names and indexes ----------------------------------------------------------------

    def check_name(self, name: str) -> str:
        """Validate a new device name; expand a ``%d`` template."""
        if len(name.encode()) >= IFNAMSIZ:
            raise KernelError(errno.EINVAL, "Attribute failed policy validation")
        if "%d" in name:
            return self.alloc_name(name)
        if not valid_ifname(name):
            raise KernelError(errno.EINVAL)
        if name in self._by_name:
            raise KernelError(errno.EEXIST)
        return name

    def alloc_name(self, template: str) -> str:
        """``dev_alloc_name()``: the lowest unused number for ``template``."""
        if template.count("%d") != 1 or not valid_ifname(template.replace("%d", "0")):
            raise KernelError(errno.EINVAL)
        n = 0
        while template.replace("%d", str(n)) in self._by_name:
            n += 1
        name = template.replace("%d", str(n))
        if len(name.encode()) >= IFNAMSIZ:
            raise KernelError(errno.ENFILE)
        return name

    def _alloc_ifindex(self, wanted: int = 0) -> int:
        if wanted and wanted not in self.links:
            return wanted
        idx = self._ifindex_next
        while idx in self.links:
            idx = idx + 1 if idx < _INT_MAX else 1
        self._ifindex_next = idx + 1 if idx < _INT_MAX else 1
        return idx

    def consume_ifindex(self) -> None:
        """Advance the ifindex counter as a registration that was undone does."""
        self._alloc_ifindex()

    # --- registration (called by Kernel) ----------------------------------------------------

    def attach(self, dev: Link, *, keep_ifindex: int = 0) -> None:
        """Put a device in this namespace's tables (``list_netdevice``)."""
        dev.ifindex = self._alloc_ifindex(keep_ifindex)
        dev.netns = self
        dev.netns_name = self.name
        self.links[dev.ifindex] = dev
        self._by_name[dev.ifname] = dev
        if keep_ifindex:
            self.links = dict(sorted(self.links.items()))

    def detach(self, dev: Link) -> None:
        """Take a device out of this namespace's tables (``unlist_netdevice``)."""
        del self.links[dev.ifindex]
        del self._by_name[dev.ifname]

    def rename(self, dev: Link, new: str) -> None:
        """``dev_change_name()``; 6.x renames running devices too."""
        if new == dev.ifname:
            return
        new = self.check_name(new)
        del self._by_name[dev.ifname]
        if self.sysctl.has_device(dev.ifname):
            self.sysctl.rename_device(dev.ifname, new)
        dev.ifname = new
        self._by_name[new] = dev

    # --- receive path --------------------------------------------------------------------

    def deliver(self, skb: Skb, dev: Link) -> None:
        """The end of the L2 receive path: taps, then the protocol handler.

        A frame for another host (``PACKET_OTHERHOST``, as ``eth_type_trans()``
        classified it) is seen by taps and then dropped, as ``ip_rcv()`` does.
        """
        frame = skb.frame
        for tap in self.taps:
            tap(skb, dev, False)
        if self.packet_socks:  # deliver_ptype_list_skb(orig_dev->ptype_specific): any pkt_type
            for sock in self.packet_socks:
                sock.rcv(skb, dev)
        if skb.pkt_type == PACKET_OTHERHOST:
            dev.drop(skb, "not for this host (otherhost)")
            return
        handler = self.protocols.get(frame.ethertype)
        if handler is not None:
            handler(skb, dev)
            return
        steps = skb.steps
        if steps is not None:
            skb.note(self.env.now, self.name, dev.ifname, DELIVERED, PKT_TYPE_NAMES[skb.pkt_type])
            assert skb.path is not None
            self.kernel.engine.trace.end(skb.flow, steps, skb.path, "DELIVERED", "")

    def send(self, dev: Link, frame: object) -> int:
        """Transmit a raw frame on ``dev`` as an AF_PACKET socket would; return its flow."""
        engine = self.kernel.engine
        trace = engine.trace
        flow = trace.new_flow(frame)
        skb = Skb(frame, flow, trace.steps, None)
        skb.note(engine.now, self.name, dev.ifname, SENT)
        for tap in self.taps:
            tap(skb, dev, True)
        dev.queue_xmit(skb)
        return flow
