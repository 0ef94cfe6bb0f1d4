"""The neighbour (ARP) table (``net/core/neighbour.c``, ``net/ipv4/arp.c``).

States and timers as the kernel has them (defaults of ``arp_tbl``):
INCOMPLETE sends a broadcast request every ``retrans_time`` (1 s) and turns
FAILED after ``mcast_solicit`` (3) of them, dropping what it queued and
reporting *host unreachable* to local senders; REACHABLE lasts
``reachable_time`` (random in [½, 1½) x 30 s) after the last confirmation, then
becomes STALE, or DELAY when the entry was used in the last
``delay_first_probe_time`` (5 s); DELAY becomes PROBE (3 unicast requests, 1 s
apart) unless confirmed meanwhile; PERMANENT and NOARP never change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from netsim.addr import BROADCAST, MacAddr
from netsim.errors import NoSuchDevice

if TYPE_CHECKING:
    from netsim.engine import Timer
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["NUD_NAMES", "NeighParms", "NeighTable", "Neighbour"]

NUD_NONE: Final = 0x00
NUD_INCOMPLETE: Final = 0x01
NUD_REACHABLE: Final = 0x02
NUD_STALE: Final = 0x04
NUD_DELAY: Final = 0x08
NUD_PROBE: Final = 0x10
NUD_FAILED: Final = 0x20
NUD_NOARP: Final = 0x40
_IFF_NOARP: Final = 0x80  # links.base.IFF_NOARP
NUD_PERMANENT: Final = 0x80

NUD_IN_TIMER: Final = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE
NUD_VALID: Final = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY
NUD_CONNECTED: Final = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE

NUD_NAMES: Final = {
    NUD_INCOMPLETE: "INCOMPLETE",
    NUD_REACHABLE: "REACHABLE",
    NUD_STALE: "STALE",
    NUD_DELAY: "DELAY",
    NUD_PROBE: "PROBE",
    NUD_FAILED: "FAILED",
    NUD_NOARP: "NOARP",
    NUD_PERMANENT: "PERMANENT",
    NUD_NONE: "NONE",
}

# neigh_update() flags
F_OVERRIDE: Final = 0x1
F_WEAK_OVERRIDE: Final = 0x2
F_ADMIN: Final = 0x80000000

MIN_TIMER: Final = 0.01  # HZ/100
DEFAULT_BASE_REACHABLE_TIME: Final = 30.0


@dataclass(slots=True)
class NeighParms:
    """``struct neigh_parms`` (per device; ``net.ipv4.neigh.DEV.*``), in seconds."""

    base_reachable_time: float = DEFAULT_BASE_REACHABLE_TIME
    reachable_time: float = 30.0
    retrans_time: float = 1.0
    delay_first_probe_time: float = 5.0
    gc_stale_time: float = 60.0
    ucast_solicit: int = 3
    mcast_solicit: int = 3
    app_solicit: int = 0
    mcast_resolicit: int = 0
    unres_qlen_bytes: int = 212992
    proxy_delay: float = 0.8
    locktime: float = 1.0


class Neighbour:
    """``struct neighbour``: one (device, IPv4 address) entry."""

    __slots__ = (
        "confirmed",
        "dev",
        "ip",
        "lladdr",
        "nud_state",
        "probes",
        "queue",
        "router",
        "timer",
        "updated",
        "used",
    )

    def __init__(self, dev: Link, ip: int, now: float):
        self.dev = dev
        self.ip = ip
        self.lladdr: MacAddr | None = None
        self.nud_state = NUD_NONE
        self.updated = now
        self.used = now
        self.confirmed = now - 60.0  # jiffies - (base_reachable_time << 1)
        self.probes = 0
        self.queue: list[tuple[Skb, Callable[[Skb, MacAddr], None]]] = []
        self.timer: Timer | None = None
        self.router = False

    @property
    def state_name(self) -> str:
        return NUD_NAMES.get(self.nud_state, hex(self.nud_state))

    def __repr__(self) -> str:
        return f"<Neighbour {self.ip:#x} dev {self.dev.ifname} {self.lladdr} {self.state_name}>"


class NeighTable:
    """``arp_tbl`` for one namespace: entries by (device, address)."""

    def __init__(self, kernel: Kernel, solicit: Callable[[Neighbour, Any], None],
                 error: Callable[[Skb, Link], None]):  # fmt: skip
        self.kernel = kernel
        self.entries: dict[tuple[Link, int], Neighbour] = {}
        self.parms: dict[Link, NeighParms] = {}
        #: ``pneigh`` entries (``ip neigh add proxy IP [dev D]``): (device or None,
        #: address) -> the NTF_ROUTER flag, in the order they were added.
        self.proxies: dict[tuple[Link | None, int], bool] = {}
        self._parms_key: dict[Link, tuple[object, int, str]] = {}  # the sysctl state read
        self._solicit = solicit  # arp_solicit(neigh, skb)
        self._error = error  # arp_error_report(skb): host unreachable to the sender

    def __iter__(self) -> Iterator[Neighbour]:
        return iter(list(self.entries.values()))

    @property
    def now(self) -> float:
        return self.kernel.engine.now

    def parms_for(self, dev: Link) -> NeighParms:
        """``neigh_get_dev_parms_rcu()``: the device's ``net.ipv4.neigh.DEV.*``.

        Re-read after any sysctl write or device change, so a write takes
        effect at once as in the kernel; ``reachable_time`` is re-drawn from the
        world's RNG when ``base_reachable_time`` changes
        (``neigh_proc_base_reachable_time()``)."""
        p = self.parms.get(dev)
        ns = dev.netns
        key = (None, 0, "") if ns is None else (ns.sysctl, ns.sysctl.generation, dev.ifname)
        if p is None:
            p = self.parms[dev] = NeighParms()
            p.base_reachable_time = -1.0
        elif self._parms_key.get(dev) == key:
            return p
        self._parms_key[dev] = key
        try:
            s = None if ns is None else ns.sysctl.neigh_params(dev.ifname, "ipv4")
        except NoSuchDevice:  # no IPv4 tree (MTU below 68): the defaults
            s = None
        if s is not None:
            base = s.base_reachable_time
            p.retrans_time, p.delay_first_probe_time = s.retrans_time, s.delay_first_probe_time
            p.gc_stale_time, p.proxy_delay, p.locktime = s.gc_stale_time, s.proxy_delay, s.locktime
            p.ucast_solicit, p.mcast_solicit = s.ucast_solicit, s.mcast_solicit
            p.app_solicit, p.mcast_resolicit = s.app_solicit, s.mcast_resolicit
            p.unres_qlen_bytes = s.unres_qlen_bytes
        else:
            base = DEFAULT_BASE_REACHABLE_TIME
        if base != p.base_reachable_time:
            p.base_reachable_time = base
            p.reachable_time = neigh_rand_reach_time(self.kernel, base)
        return p

    def lookup(self, dev: Link, ip: int) -> Neighbour | None:
        return self.entries.get((dev, ip))

    def create(self, dev: Link, ip: int) -> Neighbour:
        """``__neigh_create()`` with ``arp_constructor()``'s initial state."""
        n = self.entries.get((dev, ip))
        if n is not None:
            return n
        n = self.entries[(dev, ip)] = Neighbour(dev, ip, self.now)
        if ip == 0xFFFFFFFF or dev.link_type == "loopback" or dev.flags & _IFF_NOARP:
            # arp_constructor(): IFF_NOARP/IFF_LOOPBACK devices use their own address
            n.nud_state, n.lladdr = NUD_NOARP, BROADCAST if ip == 0xFFFFFFFF else dev.address
        return n

    def remove(self, n: Neighbour) -> None:
        self._del_timer(n)
        self.entries.pop((n.dev, n.ip), None)

    def flush_dev(self, dev: Link, *, permanent: bool = False) -> None:
        """``neigh_ifdown()``: a device going down loses its entries (permanent
        ones too when it unregisters) and its proxy entries (``pneigh_ifdown``)."""
        self._flush(dev, permanent=permanent, reason="device down")
        for key in [k for k in self.proxies if k[0] is dev]:
            del self.proxies[key]

    def pneigh_lookup(self, dev: Link, ip: int) -> bool:
        """``pneigh_lookup(..., creat=0)``: a proxy entry for ``ip`` on ``dev`` or on
        no device."""
        return (dev, ip) in self.proxies or (None, ip) in self.proxies

    def changeaddr(self, dev: Link) -> None:
        """``neigh_changeaddr()``: a device's new hardware address drops every entry
        on it, permanent ones too (proxy entries stay)."""
        self._flush(dev, permanent=True, reason="address changed")

    def carrier_down(self, dev: Link) -> None:
        """``neigh_carrier_down()``: losing carrier drops all but permanent entries."""
        self._flush(dev, permanent=False, reason="carrier lost")

    def _flush(self, dev: Link, *, permanent: bool, reason: str) -> None:
        for n in [n for n in self.entries.values() if n.dev is dev]:
            if n.nud_state & NUD_PERMANENT and not permanent:
                continue
            queued, n.queue = n.queue, []
            for skb, _ in queued:
                n.dev.drop(skb, f"neighbour flushed ({reason})")
            self.remove(n)

    # --- timers ----------------------------------------------------------------------------

    def _del_timer(self, n: Neighbour) -> None:
        if n.timer is not None:
            n.timer.cancel()
            n.timer = None

    def _add_timer(self, n: Neighbour, when: float) -> None:
        self._del_timer(n)
        n.timer = self.kernel.engine.timer(max(when - self.now, 0.0), lambda: self._timer(n))

    def _max_probes(self, n: Neighbour) -> int:
        p = self.parms_for(n.dev)
        mcast = p.mcast_solicit if n.nud_state & NUD_INCOMPLETE else p.mcast_resolicit
        return p.ucast_solicit + p.app_solicit + mcast

    def _timer(self, n: Neighbour) -> None:
        """``neigh_timer_handler()``."""
        n.timer = None
        now = self.now
        p = self.parms_for(n.dev)
        state = n.nud_state
        if not state & NUD_IN_TIMER:
            return
        nxt = now + 1.0
        if state & NUD_REACHABLE:
            if now <= n.confirmed + p.reachable_time:
                nxt = n.confirmed + p.reachable_time
            elif now <= n.used + p.delay_first_probe_time:
                n.nud_state, n.updated = NUD_DELAY, now
                nxt = now + p.delay_first_probe_time
            else:
                n.nud_state, n.updated = NUD_STALE, now
        elif state & NUD_DELAY:
            if now <= n.confirmed + p.delay_first_probe_time:
                n.nud_state, n.updated = NUD_REACHABLE, now
                nxt = n.confirmed + p.reachable_time
            else:
                n.nud_state, n.updated, n.probes = NUD_PROBE, now, 0
                nxt = now + max(p.retrans_time, MIN_TIMER)
        else:
            nxt = now + max(p.retrans_time, MIN_TIMER)
        if n.nud_state & (NUD_INCOMPLETE | NUD_PROBE) and n.probes >= self._max_probes(n):
            n.nud_state = NUD_FAILED
            self._invalidate(n)
            return
        if n.nud_state & NUD_IN_TIMER:
            self._add_timer(n, max(nxt, now + MIN_TIMER))
        if n.nud_state & (NUD_INCOMPLETE | NUD_PROBE):
            self._probe(n)

    def _probe(self, n: Neighbour) -> None:
        """``neigh_probe()``: one more solicitation, for the newest queued packet."""
        skb = n.queue[-1][0] if n.queue else None
        n.probes += 1
        self._solicit(n, skb)

    def _invalidate(self, n: Neighbour) -> None:
        """``neigh_invalidate()``: report every queued packet unreachable, drop them."""
        queued, n.queue = n.queue, []
        for skb, _ in queued:
            self._error(skb, n.dev)

    # --- sending ------------------------------------------------------------------------------

    def output(self, n: Neighbour, skb: Skb, xmit: Callable[[Skb, MacAddr], None]) -> None:
        """``neigh_resolve_output()``: send now if resolved, else queue and resolve."""
        if not self._event_send(n, skb, xmit):
            assert n.lladdr is not None
            xmit(skb, n.lladdr)

    def _event_send(self, n: Neighbour, skb: Skb, xmit: Callable[[Skb, MacAddr], None]) -> bool:
        """``__neigh_event_send()``: True when the packet was queued (or dropped)."""
        now = self.now
        n.used = now
        state = n.nud_state
        if state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE):
            return False
        p = self.parms_for(n.dev)
        if not state & (NUD_STALE | NUD_INCOMPLETE):
            if p.mcast_solicit + p.app_solicit:
                n.probes = p.ucast_solicit
                n.nud_state, n.updated = NUD_INCOMPLETE, now
                self._add_timer(n, now + max(p.retrans_time, MIN_TIMER))
                n.queue.append((skb, xmit))
                self._probe(n)
                return True
            n.nud_state, n.updated = NUD_FAILED, now
            n.dev.drop(skb, "neighbour resolution disabled")
            return True
        if state & NUD_STALE:
            n.nud_state, n.updated = NUD_DELAY, now
            self._add_timer(n, now + p.delay_first_probe_time)
            return False
        n.queue.append((skb, xmit))
        size = sum(s.len for s, _ in n.queue)
        while size > p.unres_qlen_bytes and len(n.queue) > 1:
            old, _ = n.queue.pop(0)
            size -= old.len
            n.dev.drop(old, "neighbour queue full (unres_qlen_bytes)")
        return True

    # --- updates -----------------------------------------------------------------------------

    def update(self, n: Neighbour, lladdr: MacAddr | None, new: int, flags: int = 0) -> None:
        """``__neigh_update()``."""
        now = self.now
        old = n.nud_state
        if old & (NUD_NOARP | NUD_PERMANENT) and not flags & F_ADMIN:
            return
        if not new & NUD_VALID:
            self._del_timer(n)
            n.nud_state = new
            if old & (NUD_INCOMPLETE | NUD_PROBE) and new & NUD_FAILED:
                self._invalidate(n)
            return
        if lladdr is None:
            if not old & NUD_VALID:
                return
            lladdr = n.lladdr
        elif old & NUD_VALID and lladdr == n.lladdr:
            lladdr = n.lladdr
        if new & NUD_CONNECTED:
            n.confirmed = now
        if old & NUD_VALID:
            if lladdr != n.lladdr and not flags & F_OVERRIDE:
                if flags & F_WEAK_OVERRIDE and old & NUD_CONNECTED:
                    lladdr, new = n.lladdr, NUD_STALE
                else:
                    return
            elif lladdr == n.lladdr and new == NUD_STALE and not flags & F_ADMIN:
                new = old
        if new != old or lladdr != n.lladdr:
            n.updated = now
        p = self.parms_for(n.dev)
        if new != old:
            self._del_timer(n)
            if new & NUD_PROBE:
                n.probes = 0
            if new & NUD_IN_TIMER:
                self._add_timer(n, now + (p.reachable_time if new & NUD_REACHABLE else 0.0))
            n.nud_state = new
        if lladdr != n.lladdr:
            n.lladdr = lladdr
            if not new & NUD_CONNECTED:
                n.confirmed = now - 2 * p.base_reachable_time
        if new != old and not old & NUD_VALID:
            queued, n.queue = n.queue, []
            for skb, xmit in queued:
                if n.nud_state & NUD_VALID and n.lladdr is not None:
                    xmit(skb, n.lladdr)

    def event_ns(self, dev: Link, ip: int, lladdr: MacAddr) -> Neighbour:
        """``neigh_event_ns()``: an ARP request from ``ip`` makes a STALE entry."""
        n = self.create(dev, ip)
        self.update(n, lladdr, NUD_STALE, F_OVERRIDE)
        return n


def neigh_rand_reach_time(kernel: Kernel, base: float) -> float:
    """``neigh_rand_reach_time()``: uniform in [½, 1½) x base (the world's RNG)."""
    return base * (0.5 + kernel.engine.rng.random())
