"""The values the stack acts on, combining ``conf.all`` and ``conf.DEV`` as the kernel does.

``include/linux/inetdevice.h`` (6.18): ``IN_DEV_MAXCONF`` is ``max(all, dev)``,
``IN_DEV_ORCONF`` ``all || dev``, ``IN_DEV_ANDCONF`` ``all && dev``; each
getter names its macro.  ``forwarding`` is the device's own value
(``IN_DEV_FORWARD``).  A device without an IPv4 tree raises
:class:`~netsim.errors.NoSuchDevice`.
"""

from __future__ import annotations

from dataclasses import dataclass

from netsim.errors import NoSuchDevice
from netsim.kernel.sysctl._procfs import HZ
from netsim.kernel.sysctl._scalars import Scalars, as_int, as_pair
from netsim.kernel.sysctl._tables import SKB_TRUESIZE_FRAME, Device

__all__ = ["Effective", "NeighParams"]


@dataclass(frozen=True, slots=True)
class NeighParams:
    """A device's ``neigh_parms``; times in seconds (the kernel holds jiffies, HZ=250)."""

    base_reachable_time: float
    retrans_time: float
    delay_first_probe_time: float
    gc_stale_time: float
    interval_probe_time: float
    anycast_delay: float
    proxy_delay: float
    locktime: float
    ucast_solicit: int
    mcast_solicit: int
    mcast_resolicit: int
    app_solicit: int
    unres_qlen: int
    unres_qlen_bytes: int
    proxy_qlen: int


class Effective:
    """Typed, cheap getters for :class:`~netsim.kernel.sysctl.Sysctls`."""

    _all4: dict[str, int]
    _devs: dict[str, Device]
    _scalars: Scalars

    def _dev4(self, dev: str) -> dict[str, int]:
        d = self._devs.get(dev)
        if d is None or d.conf4 is None:
            raise NoSuchDevice(dev)
        return d.conf4

    def _or(self, dev: str, name: str) -> bool:
        return bool(self._all4[name] or self._dev4(dev)[name])

    def _and(self, dev: str, name: str) -> bool:
        return bool(self._all4[name] and self._dev4(dev)[name])

    # --- IPv4, per device ---------------------------------------------------------------

    def forwarding(self, dev: str) -> bool:
        """``IN_DEV_FORWARD``: the device's own ``forwarding``."""
        return self._dev4(dev)["forwarding"] != 0

    def rp_filter(self, dev: str) -> int:
        """``IN_DEV_RPFILTER`` = max(all, dev)."""
        return max(self._all4["rp_filter"], self._dev4(dev)["rp_filter"])

    def arp_ignore(self, dev: str) -> int:
        """``IN_DEV_ARP_IGNORE`` = max(all, dev)."""
        return max(self._all4["arp_ignore"], self._dev4(dev)["arp_ignore"])

    def arp_announce(self, dev: str) -> int:
        """``IN_DEV_ARP_ANNOUNCE`` = max(all, dev)."""
        return max(self._all4["arp_announce"], self._dev4(dev)["arp_announce"])

    def arp_accept(self, dev: str) -> int:
        """``IN_DEV_ARP_ACCEPT`` = max(all, dev)."""
        return max(self._all4["arp_accept"], self._dev4(dev)["arp_accept"])

    def arp_notify(self, dev: str) -> int:
        """``IN_DEV_ARP_NOTIFY`` = max(all, dev)."""
        return max(self._all4["arp_notify"], self._dev4(dev)["arp_notify"])

    def arp_filter(self, dev: str) -> bool:
        """``IN_DEV_ARPFILTER`` = all || dev."""
        return self._or(dev, "arp_filter")

    def proxy_arp(self, dev: str) -> bool:
        """``IN_DEV_PROXY_ARP`` = all || dev."""
        return self._or(dev, "proxy_arp")

    def proxy_arp_pvlan(self, dev: str) -> bool:
        """``IN_DEV_PROXY_ARP_PVLAN`` = all || dev."""
        return self._or(dev, "proxy_arp_pvlan")

    def accept_local(self, dev: str) -> bool:
        """``IN_DEV_ACCEPT_LOCAL`` = all || dev."""
        return self._or(dev, "accept_local")

    def route_localnet(self, dev: str) -> bool:
        """``IN_DEV_ROUTE_LOCALNET`` = all || dev."""
        return self._or(dev, "route_localnet")

    def send_redirects(self, dev: str) -> bool:
        """``IN_DEV_TX_REDIRECTS`` = all || dev."""
        return self._or(dev, "send_redirects")

    def secure_redirects(self, dev: str) -> bool:
        """``IN_DEV_SEC_REDIRECTS`` = all || dev."""
        return self._or(dev, "secure_redirects")

    def shared_media(self, dev: str) -> bool:
        """``IN_DEV_SHARED_MEDIA`` = all || dev."""
        return self._or(dev, "shared_media")

    def log_martians(self, dev: str) -> bool:
        """``IN_DEV_LOG_MARTIANS`` = all || dev."""
        return self._or(dev, "log_martians")

    def src_valid_mark(self, dev: str) -> bool:
        """``IN_DEV_SRC_VMARK`` = all || dev."""
        return self._or(dev, "src_valid_mark")

    def promote_secondaries(self, dev: str) -> bool:
        """``IN_DEV_PROMOTE_SECONDARIES`` = all || dev."""
        return self._or(dev, "promote_secondaries")

    def ignore_routes_with_linkdown(self, dev: str) -> bool:
        """``IN_DEV_IGNORE_ROUTES_WITH_LINKDOWN`` = all || dev."""
        return self._or(dev, "ignore_routes_with_linkdown")

    def drop_gratuitous_arp(self, dev: str) -> bool:
        """``IN_DEV_ORCONF(DROP_GRATUITOUS_ARP)`` (``arp_process``)."""
        return self._or(dev, "drop_gratuitous_arp")

    def drop_unicast_in_l2_multicast(self, dev: str) -> bool:
        """``IN_DEV_ORCONF(DROP_UNICAST_IN_L2_MULTICAST)`` (``ip_rcv_finish_core``)."""
        return self._or(dev, "drop_unicast_in_l2_multicast")

    def accept_source_route(self, dev: str) -> bool:
        """``IN_DEV_SOURCE_ROUTE`` = all && dev."""
        return self._and(dev, "accept_source_route")

    def bootp_relay(self, dev: str) -> bool:
        """``IN_DEV_BOOTP_RELAY`` = all && dev."""
        return self._and(dev, "bootp_relay")

    def bc_forwarding(self, dev: str) -> bool:
        """``IN_DEV_BFORWARD`` = all && dev."""
        return self._and(dev, "bc_forwarding")

    def mc_forwarding(self, dev: str) -> bool:
        """``IN_DEV_MFORWARD`` = all && dev."""
        return self._and(dev, "mc_forwarding")

    def arp_evict_nocarrier(self, dev: str) -> bool:
        """``IN_DEV_ARP_EVICT_NOCARRIER`` = all && dev."""
        return self._and(dev, "arp_evict_nocarrier")

    def accept_redirects(self, dev: str) -> bool:
        """``IN_DEV_RX_REDIRECTS``: all && dev when the device forwards, else all || dev."""
        conf = self._dev4(dev)
        if conf["forwarding"]:
            return bool(self._all4["accept_redirects"] and conf["accept_redirects"])
        return bool(self._all4["accept_redirects"] or conf["accept_redirects"])

    # --- IPv6 and neighbours ------------------------------------------------------------

    def ipv6_enabled(self, dev: str) -> bool:
        """The device has IPv6 (MTU >= 1280) and its own ``disable_ipv6`` is 0."""
        d = self._devs.get(dev)
        if d is None:
            raise NoSuchDevice(dev)
        return d.conf6 is not None and d.conf6["disable_ipv6"] == 0

    def ipv6_forwarding(self, dev: str) -> bool:
        """``idev->cnf.forwarding`` (False for a device without IPv6)."""
        d = self._devs.get(dev)
        if d is None:
            raise NoSuchDevice(dev)
        return d.conf6 is not None and d.conf6["forwarding"] != 0

    def neigh_params(self, dev: str, family: str = "ipv4") -> NeighParams:
        """``net.<family>.neigh.DEV.*`` as the neighbour code uses them."""
        d = self._devs.get(dev)
        n = None if d is None else d.neigh(family)
        if n is None:
            raise NoSuchDevice(dev)
        return NeighParams(
            base_reachable_time=n["base_reachable_time"] / HZ,
            retrans_time=n["retrans_time"] / HZ,
            delay_first_probe_time=n["delay_first_probe_time"] / HZ,
            gc_stale_time=n["gc_stale_time"] / HZ,
            interval_probe_time=n["interval_probe_time"] / HZ,
            anycast_delay=n["anycast_delay"] / HZ,
            proxy_delay=n["proxy_delay"] / HZ,
            locktime=n["locktime"] / HZ,
            ucast_solicit=n["ucast_solicit"],
            mcast_solicit=n["mcast_solicit"],
            mcast_resolicit=n["mcast_resolicit"],
            app_solicit=n["app_solicit"],
            unres_qlen=n["unres_qlen_bytes"] // SKB_TRUESIZE_FRAME,
            unres_qlen_bytes=n["unres_qlen_bytes"],
            proxy_qlen=n["proxy_qlen"],
        )

    # --- namespace-wide -----------------------------------------------------------------

    @property
    def ip_forward(self) -> bool:
        """``net.ipv4.ip_forward``, which is ``conf.all.forwarding``."""
        return self._all4["forwarding"] != 0

    @property
    def ip_default_ttl(self) -> int:
        return as_int(self._scalars, "net.ipv4.ip_default_ttl")

    @property
    def ip_local_port_range(self) -> tuple[int, int]:
        return as_pair(self._scalars, "net.ipv4.ip_local_port_range")

    @property
    def ping_group_range(self) -> tuple[int, int]:
        return as_pair(self._scalars, "net.ipv4.ping_group_range")

    @property
    def ip_nonlocal_bind(self) -> bool:
        return as_int(self._scalars, "net.ipv4.ip_nonlocal_bind") != 0

    @property
    def icmp_echo_ignore_all(self) -> bool:
        return as_int(self._scalars, "net.ipv4.icmp_echo_ignore_all") != 0

    @property
    def icmp_echo_ignore_broadcasts(self) -> bool:
        return as_int(self._scalars, "net.ipv4.icmp_echo_ignore_broadcasts") != 0

    @property
    def icmp_ratelimit(self) -> float:
        """Seconds between ICMP errors to one peer (the file is in ms, held in jiffies)."""
        return as_int(self._scalars, "net.ipv4.icmp_ratelimit") / HZ

    @property
    def icmp_ratemask(self) -> int:
        return as_int(self._scalars, "net.ipv4.icmp_ratemask")

    @property
    def icmp_msgs_per_sec(self) -> int:
        return as_int(self._scalars, "net.ipv4.icmp_msgs_per_sec")

    @property
    def icmp_msgs_burst(self) -> int:
        return as_int(self._scalars, "net.ipv4.icmp_msgs_burst")

    def bridge_nf_call(self, table: str = "iptables") -> bool:
        """``net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}``."""
        return as_int(self._scalars, f"net.bridge.bridge-nf-call-{table}") != 0
