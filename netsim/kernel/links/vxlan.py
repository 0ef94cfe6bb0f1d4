"""VXLAN devices (``drivers/net/vxlan/vxlan_core.c``, Linux 6.18).

Transmit (``vxlan_xmit``): with ``proxy``, ARP is answered from the
device's own neighbour table or dropped (``arp_reduce``); otherwise the
destination MAC's FDB entry, else the all-zeros entry, gives the remote
VTEPs, and each gets a copy (``vxlan_xmit_one``): outer UDP to the remote's
port with the remote's VNI, the UDP source port from a symmetric hash of the
inner flow scaled into ``ip_local_port_range`` (or ``srcport``), TTL
``ttl`` or the namespace's ``ip_default_ttl`` (1 towards a multicast group
when ``auto``), TOS ``tos`` (``inherit`` copies the inner IPv4 TOS), DF
clear, routed by the namespace's own FIB from ``local`` and out of ``via``
when the remote names a device.  A destination that is one of our own
addresses goes straight to the local VTEP with that VNI and port, no UDP
(``encap_bypass_if_local``).  No entry at all: the frame is dropped.

Receive: see :mod:`netsim.kernel.links.vxlan_sock`.

Not modelled: IPv6 underlays, multicast groups on the underlay (the group
entry is kept and shown, but frames to it are dropped by the IPv4 layer),
``external``/metadata mode, GBP/GPE, route short-circuit (``rsc``), and the
``l2miss``/``l3miss`` netlink notifications (a trace step notes the miss).
"""

from __future__ import annotations

import dataclasses
import errno
import struct
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.base import IFF_UP, Link, NetdevEvent
from netsim.kernel.links.vxlan_fdb import ALL_ZEROS, VxlanFdb, VxlanRdst
from netsim.kernel.skb import Skb
from netsim.packet import ARP, ETH_P_ARP, ETH_P_IP, ICMP, TCP, UDP, VXLAN, Ethernet, IPv4
from netsim.packet import ipv4_addr as _ip
from netsim.trace import ENCAPSULATED

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel

__all__ = ["VXLAN_HEADROOM", "Vxlan", "VxlanConfig", "vxlan_netdev_event"]

#: ``vxlan_headroom()`` over IPv4: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14.
VXLAN_HEADROOM: Final = 50
ARPOP_REQUEST: Final = 1
NUD_CONNECTED: Final = 0x80 | 0x40 | 0x02


@dataclass
class VxlanConfig:
    """``struct vxlan_config`` as ``ip link add ... type vxlan`` fills it (IPv4
    addresses as ints)."""

    vni: int
    #: ``remote`` or ``group`` (a multicast address): the default destination.
    remote: int = 0
    local: int = 0
    #: ``dev``: the lower device's ifindex (``remote_ifindex``), 0 for none.
    link: int = 0
    dst_port: int = 8472
    port_min: int = 0
    port_max: int = 0
    learning: bool = True
    proxy: bool = False
    rsc: bool = False
    l2miss: bool = False
    l3miss: bool = False
    #: 0 is ``auto``; ``ttl_inherit`` is ``inherit``.
    ttl: int = 0
    ttl_inherit: bool = False
    #: 1 is ``inherit``.
    tos: int = 0
    df: str = "unset"
    label: int = 0
    ageing: int = 300
    #: ``maxaddress``: 0 is unlimited.
    addrmax: int = 0
    udp_csum: bool = True


def _multicast(ip: int) -> bool:
    return ip >> 28 == 0xE


@final
class Vxlan(Link):
    """A VXLAN tunnel endpoint."""

    kind: ClassVar[str | None] = "vxlan"

    def __init__(self, kernel: Kernel, ifname: str, cfg: VxlanConfig, *,
                 address: MacAddr | None = None, mtu: int | None = None):  # fmt: skip
        super().__init__(kernel, ifname, address=address, mtu=mtu)
        self.cfg = cfg
        self.fdb = VxlanFdb(self)
        #: The UDP socket this device receives on while up (``vn4_sock``).
        self.sock: Any = None
        #: (sysctl generation, ip_default_ttl, ip_local_port_range): read once
        #: per change of the namespace's sysctls, not per packet.
        self._sysctls: tuple[int, int, int, int] = (-1, 64, 32768, 60999)

    # --- configuration ------------------------------------------------------------------------

    def lower(self) -> Link | None:
        """The ``dev`` given at creation, if it still exists here."""
        if not self.cfg.link or self.netns is None:
            return None
        return self.netns.links.get(self.cfg.link)

    def link_speed(self) -> int | None:
        """``vxlan_get_link_ksettings()``: the lower device's, unknown without one."""
        lower = self.lower()
        return lower.link_speed() if lower is not None else None

    def max_mtu_for(self, lower: Link | None) -> int:
        """``vxlan_config_apply()``: the lower device's MTU less the headroom."""
        return 65535 if lower is None else max(lower.mtu - VXLAN_HEADROOM, 68)

    def ndo_change_mtu(self, mtu: int) -> None:
        """``vxlan_change_mtu()``: no more than the lower device carries (plain EINVAL)."""
        lower = self.lower()
        if lower is not None and mtu > lower.mtu - VXLAN_HEADROOM:
            raise KernelError(errno.EINVAL)
        self.mtu = mtu

    def default_rdst(self) -> VxlanRdst | None:
        cfg = self.cfg
        if not cfg.remote:
            return None
        return VxlanRdst(cfg.remote, cfg.dst_port, cfg.vni, cfg.link)

    def info_data(self) -> dict[str, Any]:
        """``vxlan_fill_info()`` as iproute2 6.1 prints it in ``ip -j -d link``."""
        cfg = self.cfg
        data: dict[str, Any] = {"id": cfg.vni}
        if cfg.remote:
            data["group" if _multicast(cfg.remote) else "remote"] = str(_ip(cfg.remote))
        if cfg.local:
            data["local"] = str(_ip(cfg.local))
        if cfg.link:
            lower = self.lower()
            data["link"] = lower.ifname if lower is not None else f"if{cfg.link}"
        data["port_range"] = {"low": cfg.port_min, "high": cfg.port_max}
        data["port"] = cfg.dst_port
        data["learning"] = cfg.learning
        for key in ("proxy", "rsc", "l2miss", "l3miss"):
            if getattr(cfg, key):
                data[key] = True
        if cfg.tos:
            data["tos"] = f"{cfg.tos:#x}"
        if not cfg.ttl_inherit:
            data["ttl"] = cfg.ttl
        data["df"] = cfg.df
        if cfg.label:
            data["label"] = f"{cfg.label:#x}"
        data["ageing"] = cfg.ageing
        if cfg.addrmax:
            data["limit"] = cfg.addrmax
        data["udp_csum"] = cfg.udp_csum
        data["udp_zero_csum6_tx"] = False
        data["udp_zero_csum6_rx"] = False
        return data

    # --- open / stop ------------------------------------------------------------------------------

    def ndo_open(self) -> None:
        """``vxlan_open()``: join (or open) the UDP socket on ``dstport``, start ageing."""
        from netsim.kernel.links.vxlan_sock import vxlan_sock_add

        try:
            vxlan_sock_add(self)
        except KernelError:
            self.flags &= ~IFF_UP  # __dev_open() undoes IFF_UP when ndo_open fails
            self.qdisc = "noop"
            raise
        self.fdb.schedule_gc()

    def ndo_stop(self) -> None:
        """``vxlan_stop()``: stop ageing, flush what is not static, leave the socket."""
        from netsim.kernel.links.vxlan_sock import vxlan_sock_release

        self.fdb.stop_gc()
        self.fdb.flush_dynamic()
        vxlan_sock_release(self)

    # --- transmit ---------------------------------------------------------------------------------

    def xmit(self, skb: Skb) -> None:
        """``vxlan_xmit()``."""
        if not self.flags & IFF_UP:
            self.drop(skb, "device down")
            return
        frame: Ethernet = skb.frame
        if self.cfg.proxy and frame.ethertype == ETH_P_ARP:
            self._arp_reduce(skb, frame)
            return
        f = self.fdb.find(frame.dst)
        if f is None:
            f = self.fdb.find(ALL_ZEROS)
        if f is None:
            miss = " (l2miss)" if self.cfg.l2miss and not frame.dst.is_multicast else ""
            self.drop(skb, f"no VXLAN FDB entry for {frame.dst}{miss}")
            return
        f.used = self.kernel.engine.now
        remotes = f.remotes
        last = len(remotes) - 1
        for i, rdst in enumerate(remotes):
            self._xmit_one(skb if i == last else skb.clone(), frame, rdst)

    def _xmit_one(self, skb: Skb, frame: Ethernet, rdst: VxlanRdst) -> None:
        """``vxlan_xmit_one()``: route, then encapsulate (or bypass to a local VTEP)."""
        from netsim.kernel.ipv4.consts import RTN_LOCAL
        from netsim.kernel.ipv4.route import ip_route_output

        ns = self.netns
        assert ns is not None
        cfg = self.cfg
        if not rdst.ip:
            self.drop(skb, "remote is 0.0.0.0")
            return
        oif = ns.links.get(rdst.ifindex) if rdst.ifindex else None
        try:
            rt = ip_route_output(ns, rdst.ip, saddr=cfg.local, oif=oif)
        except KernelError:
            self.drop(skb, f"no route to {_ip(rdst.ip)}")
            return
        if rt.dev is self:
            self.drop(skb, "circular route")
            return
        if rt.route.type == RTN_LOCAL:
            self._bypass(skb, frame, rdst)
            return
        inner = frame.payload
        if isinstance(inner, IPv4) and self.master is None:
            # skb_tunnel_check_pmtu(): what does not fit the tunnel teaches the
            # sender's route a smaller path MTU (this packet still goes, in fragments)
            mtu = ns.inet.path_mtu(rdst.ip, rt.dev) - VXLAN_HEADROOM
            if inner.wire_len > mtu:
                ns.inet.update_pmtu(int(inner.dst), mtu)
        ttl = cfg.ttl
        if not ttl and _multicast(rdst.ip):
            ttl = 1
        if not ttl:
            ttl = self._netns_sysctls()[1]
        tos = cfg.tos
        if tos == 1:
            tos = inner.tos if isinstance(inner, IPv4) else 0
        sport = self._src_port(frame)
        udp = UDP(sport, rdst.port, VXLAN(rdst.vni, frame), None if cfg.udp_csum else 0)
        pkt = IPv4(_ip(rt.saddr), _ip(rdst.ip), 17, udp, ttl=ttl, tos=tos,
                   flags=0b010 if cfg.df == "set" else 0, ident=ns.inet.next_id())  # fmt: skip
        if skb.steps is not None:  # the detail only when it is recorded
            skb.note(self.kernel.engine.now, ns.name, self.ifname, ENCAPSULATED,
                     f"vni {rdst.vni} {pkt.src}:{sport} > {pkt.dst}:{rdst.port}")  # fmt: skip
        try:
            ns.inet.output(pkt, skb=skb, route=rt)
        except KernelError as e:
            self.drop(skb, f"underlay refused: {errno.errorcode.get(e.errno, e.errno)}")

    def _bypass(self, skb: Skb, frame: Ethernet, rdst: VxlanRdst) -> None:
        """``encap_bypass_if_local()``: hand the frame to our own VTEP with that VNI."""
        from netsim.kernel.links.vxlan_sock import find_vni

        ns = self.netns
        assert ns is not None
        dst = find_vni(ns, rdst.vni, rdst.port)
        if dst is None:
            self.drop(skb, f"no local VTEP for vni {rdst.vni} port {rdst.port}")
            return
        if skb.steps is not None:
            skb.note(self.kernel.engine.now, ns.name, self.ifname, ENCAPSULATED,
                     f"vni {rdst.vni} to local {dst.ifname} (no UDP)")  # fmt: skip
        if dst.cfg.learning:
            dst.fdb.snoop(frame.src, 0x7F000001)
        skb.dev = dst
        dst.receive(skb)

    def _netns_sysctls(self) -> tuple[int, int, int, int]:
        ns = self.netns
        assert ns is not None
        sysctl = ns.sysctl
        if self._sysctls[0] != sysctl.generation:
            lo, hi = (int(x) for x in sysctl.get("net.ipv4.ip_local_port_range").split())
            ttl = sysctl.get_int("net.ipv4.ip_default_ttl")
            self._sysctls = (sysctl.generation, ttl, lo, hi)
        return self._sysctls

    def _src_port(self, frame: Ethernet) -> int:
        """``udp_flow_src_port()``: a flow hash scaled into the port range.

        The hash is symmetric (both directions of a flow get one port) and
        covers what the flow dissector takes: the ethertype, and for IPv4
        the addresses, the protocol and the ports (the echo identifier for
        ICMP).  Its seed is the world's, where the kernel's is per boot.
        """
        lo, hi = self.cfg.port_min, self.cfg.port_max
        if not lo and not hi:
            _, _, lo, hi = self._netns_sysctls()
        key = struct.pack("!HQ", frame.ethertype, self.kernel.engine.seed & (2**64 - 1))
        ip = frame.payload
        if frame.ethertype == ETH_P_IP and isinstance(ip, IPv4):
            a, b = sorted((int(ip.src), int(ip.dst)))
            l4: Any = ip.payload
            ports: tuple[int, ...] = ()
            if isinstance(l4, UDP | TCP):
                ports = tuple(sorted((l4.sport, l4.dport)))
            elif isinstance(l4, ICMP) and l4.type in (0, 8):
                ports = (l4.ident,)
            key += struct.pack(f"!IIB{len(ports)}H", a, b, ip.proto, *ports)
        h = zlib.crc32(key) or zlib.crc32(bytes(frame.dst.packed + frame.src.packed))
        return ((h * (hi - lo)) >> 32) + lo

    def _arp_reduce(self, skb: Skb, frame: Ethernet) -> None:
        """``arp_reduce()``: answer a request from this device's neighbour table, or drop."""
        ns = self.netns
        assert ns is not None
        arp = frame.payload
        if not isinstance(arp, ARP) or arp.op != ARPOP_REQUEST:
            self.drop(skb, "ARP suppressed by proxy VTEP")
            return
        tip = int(arp.tpa)
        if tip >> 24 == 127 or _multicast(tip):
            self.drop(skb, "ARP for a loopback/multicast target (proxy)")
            return
        n = ns.inet.neigh.lookup(self, tip)
        if n is None or n.lladdr is None or not n.nud_state & NUD_CONNECTED:
            miss = " (l3miss)" if self.cfg.l3miss else ""
            self.drop(skb, f"proxy: no neighbour for {arp.tpa}{miss}")
            return
        if n.lladdr == frame.src:
            self.drop(skb, "proxy: the asker owns the address")
            return
        ns.inet.consumed(skb, self, "ARP request answered by proxy VTEP")
        ha = n.lladdr
        reply = Ethernet(arp.sha, ha, ETH_P_ARP, ARP.reply(ha, arp.tpa, arp.sha, arp.spa))
        trace = self.kernel.engine.trace
        rskb = Skb(reply, trace.new_flow(reply), trace.steps, None)
        rskb.note(self.kernel.engine.now, ns.name, self.ifname, "SENT", "proxy ARP reply")
        rskb.dev = self
        self.receive(rskb)

    def changelink(self, **changes: Any) -> None:
        """Apply ``vxlan_changelink()``'s changes (already checked)."""
        old = self.default_rdst()
        self.cfg = dataclasses.replace(self.cfg, **changes)
        new = self.default_rdst()
        if (new and new.ip) != (old and old.ip):  # only a new remote touches the entry
            self.fdb.change_default_dst(old, new)


def vxlan_netdev_event(event: NetdevEvent, dev: Link) -> None:
    """``vxlan_netdevice_event()``: a lower device that goes away (or moves to
    another namespace) takes the VTEPs created on it (``dev``) with it."""
    if event != NetdevEvent.UNREGISTER or dev.netns is None or isinstance(dev, Vxlan):
        return
    for vx in [d for d in dev.netns if isinstance(d, Vxlan) and d.cfg.link == dev.ifindex]:
        dev.kernel.unregister(vx)
