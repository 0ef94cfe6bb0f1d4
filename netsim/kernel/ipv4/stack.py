"""One namespace's IPv4 stack: receive, forward, local output (``ip_input.c``,
``ip_forward.c``, ``ip_output.c``, ``route.c``).

Receive (``ip_rcv`` → ``ip_route_input``): frames for another host are
dropped; a martian source (multicast, 0.0.0.0/8, loopback without
``route_localnet``, or one of our own addresses without ``accept_local``) is
dropped; then the route decides: local delivery, forwarding (only with
``forwarding`` on the *ingress* device; otherwise silently dropped), or an
error route, answered with ICMP unreachable when forwarding is on.

Forwarding (``ip_forward``): TTL 1 gets *time exceeded*; an oversized
packet with DF gets *fragmentation needed*; otherwise TTL - 1 and out.

Local output (``ip_local_out``, in :mod:`.output`): route, source address,
fragmentation when the packet does not fit (see :mod:`.fragment`), neighbour
resolution (or loopback for local destinations, ``ff:ff:ff:ff:ff:ff`` for
broadcast).

Netfilter (:mod:`netsim.kernel.netfilter`) hooks in while the namespace has
rules (``nf_on``): PREROUTING before the input route, INPUT in
``local_deliver``, FORWARD and POSTROUTING in ``forward``, OUTPUT and
POSTROUTING in ``output``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.kernel.ipv4 import output as ipv4_output
from netsim.kernel.ipv4.arp import arp_rcv, arp_solicit
from netsim.kernel.ipv4.consts import RT_SCOPE_LINK, RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST
from netsim.kernel.ipv4.fragment import Reassembly, ip_fragment
from netsim.kernel.ipv4.icmp import Icmp
from netsim.kernel.ipv4.multipath import fib_select_path
from netsim.kernel.ipv4.neigh import NeighTable
from netsim.kernel.ipv4.output import neigh_xmit
from netsim.kernel.ipv4.sockets import Sockets
from netsim.kernel.skb import PACKET_OTHERHOST, Skb
from netsim.packet import ETH_P_ARP, ETH_P_IP, Ethernet, IPv4
from netsim.trace import DELIVERED, FORWARDED

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["InetStack"]

IP_DF: Final = 0b010
IPPROTO_ICMP: Final = 1
IPPROTO_TCP: Final = 6
IPPROTO_UDP: Final = 17


class InetStack:
    """The IPv4 data path of one namespace."""

    def __init__(self, ns: Netns):
        self.ns = ns
        self.kernel = ns.kernel
        self.neigh = NeighTable(self.kernel, lambda n, skb: arp_solicit(self, n, skb),
                                self._neigh_error)  # fmt: skip
        self.icmp = Icmp(self)
        self.sockets = Sockets(self)
        self.frags = Reassembly(
            self.kernel.engine,
            lambda: float(self.sysctl_int("net.ipv4.ipfrag_time")),
            lambda first: self.icmp.send_error(first, self.ns.dev("lo"), 11, 1),
        )
        self.ip_id = 0
        #: Netfilter has rules here: the hooks run (set by ``Netns.netfilter``).
        self.nf_on = False
        #: learned path MTUs: destination -> (mtu, expiry time) (``fib_nh_exception``)
        self.pmtu: dict[int, tuple[int, float]] = {}
        #: sysctl values read on the data path, valid for one sysctl generation
        self._sysctl_gen = -1
        self._confs: dict[tuple[str | None, str], tuple[int, int]] = {}
        self._ints: dict[str, int] = {}
        self._rx: dict[str, tuple[bool, int, bool]] = {}
        ns.protocols[ETH_P_IP] = self.ip_rcv
        ns.protocols[ETH_P_ARP] = lambda skb, dev: arp_rcv(self, skb, dev)

    @property
    def now(self) -> float:
        return self.kernel.engine.now

    # --- configuration (the namespace's sysctls) ----------------------------------------------

    def _fresh(self) -> None:
        """Forget the sysctl values read before the tree last changed."""
        gen = self.ns.sysctl.generation
        if self._sysctl_gen != gen:
            self._confs.clear()
            self._ints.clear()
            self._rx.clear()
            self._sysctl_gen = gen

    def _conf(self, dev: Link | None, name: str) -> tuple[int, int]:
        """``conf.all.NAME`` and ``conf.DEV.NAME`` (the latter = all without a device),
        as ``IN_DEV_CONF_GET`` reads them per packet (remembered per sysctl generation)."""
        if self._sysctl_gen != self.ns.sysctl.generation:
            self._fresh()
        key = (dev.ifname if dev is not None else None, name)
        hit = self._confs.get(key)
        if hit is None:
            sysctl = self.ns.sysctl
            allv = sysctl.ipv4_conf("all")[name]
            if dev is None or not sysctl.has_device(dev.ifname):
                hit = (allv, allv)
            else:
                hit = (allv, sysctl.ipv4_conf(dev.ifname)[name])
            self._confs[key] = hit
        return hit

    def conf_max(self, dev: Link | None, name: str) -> int:
        """``IN_DEV_MAXCONF``."""
        return max(self._conf(dev, name))

    def conf_or(self, dev: Link | None, name: str) -> bool:
        """``IN_DEV_ORCONF``."""
        a, d = self._conf(dev, name)
        return bool(a or d)

    def conf_forwarding(self, dev: Link) -> bool:
        """``IN_DEV_FORWARD``: the ingress device's own ``forwarding``."""
        return bool(self._conf(dev, "forwarding")[1])

    def rx_conf(self, dev: Link) -> tuple[bool, int, bool]:
        """What receiving on ``dev`` consults: ``IN_DEV_ACCEPT_LOCAL`` (or),
        ``IN_DEV_RPFILTER`` (max) and ``IN_DEV_FORWARD`` (the device's own)."""
        if self._sysctl_gen != self.ns.sysctl.generation:
            self._fresh()
        hit = self._rx.get(dev.ifname)
        if hit is None:
            hit = self._rx[dev.ifname] = (
                self.conf_or(dev, "accept_local"),
                self.conf_max(dev, "rp_filter"),
                self.conf_forwarding(dev),
            )
        return hit

    def sysctl_int(self, name: str) -> int:
        """A one-number sysctl (remembered per sysctl generation)."""
        if self._sysctl_gen != self.ns.sysctl.generation:
            self._fresh()
        hit = self._ints.get(name)
        if hit is None:
            hit = self._ints[name] = self.ns.sysctl.get_int(name)
        return hit

    # --- helpers -------------------------------------------------------------------------------

    def addr_type(self, addr: int) -> int:
        """``inet_addr_type()``: RTN_LOCAL, RTN_BROADCAST or RTN_UNICAST."""
        t = self.ns.ipv4.local_type(addr)
        if t in (RTN_LOCAL, RTN_BROADCAST):
            return t
        return RTN_BROADCAST if addr == 0xFFFFFFFF else RTN_UNICAST

    def route_input_type(self, daddr: int, saddr: int, dev: Link) -> int:
        """The route type ``ip_route_input_noref`` gives (0 when there is none)."""
        r = self.ns.ipv4.resolve(daddr, saddr, dev)
        return 0 if isinstance(r, int) else r.type

    def consumed(self, skb: Skb, dev: Link, what: str) -> None:
        """A packet the stack used up (an ARP, an echo request answered...)."""
        steps = skb.steps
        if steps is not None:
            skb.note(self.now, self.ns.name, dev.ifname, DELIVERED, what)
            assert skb.path is not None
            self.kernel.engine.trace.end(skb.flow, steps, skb.path, "DELIVERED", what)

    def xmit_raw(self, dev: Link, frame: Ethernet) -> None:
        """Send a frame the stack built itself (ARP, ...) as a new flow."""
        self.ns.send(dev, frame)

    def _neigh_error(self, skb: Skb, dev: Link) -> None:
        """``arp_error_report()``: the next hop never answered."""
        dev.drop(skb, "neighbour unreachable (ARP failed)")
        self.icmp.host_unreachable_local(skb)

    # --- path MTU ---------------------------------------------------------------------------

    def path_mtu(self, daddr: int, dev: Link) -> int:
        """The device MTU, or less if an ICMP *fragmentation needed* taught us so."""
        learned = self.pmtu.get(daddr)
        if learned is not None:
            mtu, expires = learned
            if self.now < expires:
                return min(mtu, dev.mtu)
            del self.pmtu[daddr]
        return dev.mtu

    def update_pmtu(self, daddr: int, mtu: int) -> None:
        """``__ip_rt_update_pmtu()``: remember ``mtu`` for ``mtu_expires`` (600 s)."""
        mtu = max(mtu, self.sysctl_int("net.ipv4.route.min_pmtu"))
        expires = self.now + self.sysctl_int("net.ipv4.route.mtu_expires")
        old = self.pmtu.get(daddr)
        if old is None or mtu < old[0] or self.now >= old[1]:
            self.pmtu[daddr] = (mtu, expires)

    # --- output --------------------------------------------------------------------------------

    def next_id(self) -> int:
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return self.ip_id

    #: ``ip_local_out()`` (:mod:`netsim.kernel.ipv4.output`).
    output = ipv4_output.output

    def broadcast_looped(self, skb: Skb) -> None:
        """The looped copy keeps its output route: straight to local delivery."""
        dev = skb.dev
        if dev.netns is not self.ns:
            return
        skb.note(self.now, self.ns.name, dev.ifname, "RECEIVED", "looped back")
        self.local_deliver(skb, dev, broadcast=True)

    # --- input ---------------------------------------------------------------------------------

    def ip_rcv(self, skb: Skb, dev: Link) -> None:
        """``ip_rcv()`` → ``ip_rcv_finish()`` → ``ip_route_input_noref()``."""
        ip: Any = skb.frame.payload
        if not isinstance(ip, IPv4):
            dev.drop(skb, "malformed IPv4")
            return
        if skb.pkt_type == PACKET_OTHERHOST:
            dev.drop(skb, "not for this host (otherhost)")
            return
        if dev.ip_ptr is None:
            dev.drop(skb, "no IPv4 on device")
            return
        skb.frame, skb.len = ip, ip.wire_len  # the stack works on the IP packet from here
        if self.nf_on:
            nat = self.ns.netfilter.prerouting(skb, ip, dev)
            if nat is None:
                dev.drop(skb, "netfilter: dropped in PREROUTING")
                return
            skb.frame = ip = nat
        daddr, saddr = int(ip.dst), int(ip.src)
        if dev.link_type == "loopback":  # looped back with its output route: no input routing
            self.local_deliver(skb, dev, broadcast=self.addr_type(daddr) == RTN_BROADCAST)
            return
        if saddr >> 28 == 0xE or (saddr >> 24 == 0 and saddr != 0):
            dev.drop(skb, "martian source")
            return
        if saddr >> 24 == 127 and not self.conf_or(dev, "route_localnet"):
            dev.drop(skb, "martian source (loopback)")
            return
        if daddr >> 28 == 0xE:
            dev.drop(skb, "multicast not modelled")
            return
        if daddr >> 24 == 127 and not self.conf_or(dev, "route_localnet"):
            dev.drop(skb, "martian destination (loopback)")
            return
        if daddr == 0xFFFFFFFF:
            self.local_deliver(skb, dev, broadcast=True)
            return
        rt = self.ns.ipv4.resolve(daddr, saddr, dev)
        if isinstance(rt, int):
            self._input_error(skb, dev, rt)
            return
        accept_local, rpf, forwarding = self.rx_conf(dev)
        if saddr:
            why = self._validate_source(saddr, daddr, dev, accept_local, rpf)
            if why:
                dev.drop(skb, why)
                return
        if rt.type == RTN_LOCAL:
            self.local_deliver(skb, dev, broadcast=False)
        elif rt.type == RTN_BROADCAST:
            self.local_deliver(skb, dev, broadcast=True)
        elif not forwarding:
            dev.drop(skb, "forwarding disabled on ingress device")
        else:
            self.forward(skb, dev, fib_select_path(self.ns, rt, saddr, daddr))

    def validate_source(self, saddr: int, daddr: int, dev: Link) -> str:
        """``fib_validate_source()``: why the source is refused ("" when it is not).

        Without ``rp_filter`` only our own addresses are refused (unless
        ``accept_local``); with it the route back to the source must exist, and
        with ``rp_filter`` 1 (strict) it must leave by the device the packet
        came in on.
        """
        if saddr == 0:
            return ""
        accept_local, rpf, _ = self.rx_conf(dev)
        return self._validate_source(saddr, daddr, dev, accept_local, rpf)

    def _validate_source(self, saddr: int, daddr: int, dev: Link, accept_local: bool,
                         rpf: int) -> str:  # fmt: skip
        if not rpf:
            if not accept_local and self.addr_type(saddr) == RTN_LOCAL:
                return "martian source (one of our own addresses)"
            return ""
        back = self.ns.ipv4.resolve(saddr, daddr, self.ns.dev("lo"))
        if isinstance(back, int):
            return "rp_filter: no route back to the source"
        if back.type == RTN_LOCAL and not accept_local:
            return "martian source (one of our own addresses)"
        if back.type not in (RTN_UNICAST, RTN_LOCAL):
            return "martian source"
        if any(nh.dev is dev for nh in back.nexthops):
            return ""
        if rpf == 1:
            out = back.nh.dev.ifname if back.nh is not None and back.nh.dev else "?"
            return f"rp_filter: the route back leaves by {out}, not {dev.ifname}"
        return ""

    def _input_error(self, skb: Skb, dev: Link, err: int) -> None:
        """``ip_error()``: silent without forwarding; else ICMP unreachable."""
        reason = {errno.EINVAL: "blackhole route", errno.EHOSTUNREACH: "unreachable route",
                  errno.EACCES: "prohibit route"}.get(err, "no route")  # fmt: skip
        if not self.conf_forwarding(dev) or err == errno.EINVAL:
            dev.drop(skb, reason if err == errno.EINVAL else f"{reason} (forwarding off)")
            return
        code = {errno.EHOSTUNREACH: 1, errno.EACCES: 13}.get(err, 0)
        dev.drop(skb, reason)
        self.icmp.send_error(skb.frame, dev, 3, code, route_error=True)

    def forward(self, skb: Skb, dev: Link, route: Any) -> None:
        """``ip_forward()``."""
        ip: IPv4 = skb.frame
        if ip.ttl <= 1:
            dev.drop(skb, "TTL exceeded")
            self.icmp.send_error(ip, dev, 11, 0)
            return
        nh = route.nh
        out = nh.dev
        if skb.len > out.mtu and ip.flags & IP_DF:
            dev.drop(skb, f"fragmentation needed (mtu {out.mtu})")
            self.icmp.send_error(ip, dev, 3, 4, mtu=out.mtu)
            return
        ip = ip.decremented()
        skb.frame = ip
        nexthop = nh.gw if nh.scope == RT_SCOPE_LINK and nh.gw else int(ip.dst)
        if self.nf_on:
            nf = self.ns.netfilter
            if not nf.forward(skb, ip, dev, out):
                dev.drop(skb, "netfilter: dropped in FORWARD")
                return
            post = nf.postrouting(skb.nf, ip, out, nexthop)
            if post is None:
                dev.drop(skb, "netfilter: dropped in POSTROUTING")
                return
            skb.frame = ip = post
        skb.note(self.now, self.ns.name, dev.ifname, FORWARDED, out.ifname)
        if skb.len <= out.mtu:
            skb.frame, skb.len = ip, ip.wire_len
            neigh_xmit(self, skb, out, nexthop)
            return
        self.neigh.create(out, nexthop)
        frags = ip_fragment(ip, out.mtu)
        pieces = [skb] + [skb.clone() for _ in frags[1:]]
        for piece, frag in zip(pieces, frags, strict=True):
            piece.frame, piece.len = frag, frag.wire_len
            neigh_xmit(self, piece, out, nexthop)

    def local_deliver(self, skb: Skb, dev: Link, *, broadcast: bool) -> None:
        """``ip_local_deliver()``: to ICMP, UDP, TCP; others get protocol unreachable."""
        ip: IPv4 = skb.frame
        if ip.frag_offset or ip.flags & 0b001:
            whole = self.frags.add(ip)
            if whole is None:
                self.consumed(skb, dev, "fragment queued for reassembly")
                return
            skb.frame, skb.len = ip, whole.wire_len
            skb.frame = ip = whole
        if self.nf_on:
            nat = self.ns.netfilter.local_in(skb, ip, dev)
            if nat is None:
                dev.drop(skb, "netfilter: dropped in INPUT")
                return
            skb.frame = ip = nat
        if ip.proto == IPPROTO_ICMP:
            self.icmp.rcv(skb, dev, broadcast=broadcast)
        elif ip.proto == IPPROTO_UDP:
            self.sockets.udp_rcv(skb, dev, broadcast=broadcast)
        elif ip.proto == IPPROTO_TCP:
            self.sockets.tcp_rcv(skb, dev, broadcast=broadcast)
        else:
            dev.drop(skb, f"protocol {ip.proto} unreachable")
            if not broadcast:
                self.icmp.send_error(ip, dev, 3, 2)
