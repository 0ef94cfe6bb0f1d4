"""The neighbour and application part of the :class:`~netsim.world.World` API:
``ip neigh``, ``ping``, UDP sockets."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.addr import MacAddr, ip4, mask4
from netsim.errors import KernelError
from netsim.kernel.ipv4.neigh import (
    F_ADMIN,
    F_OVERRIDE,
    NUD_DELAY,
    NUD_FAILED,
    NUD_INCOMPLETE,
    NUD_NOARP,
    NUD_NONE,
    NUD_PERMANENT,
    NUD_PROBE,
    NUD_REACHABLE,
    NUD_STALE,
    NUD_VALID,
)

if TYPE_CHECKING:
    from netsim.apps.ping import PingResult
    from netsim.kernel import Kernel, Netns
    from netsim.kernel.ipv4.sockets import UdpSocket
    from netsim.kernel.links.base import Link

__all__ = ["NUD", "NUD_FILTER_NONE", "NeighApi", "nud_filter_match"]

#: ``nud_state_a2n()``: the names ``ip neigh`` takes.
NUD: Final = {
    "permanent": NUD_PERMANENT,
    "noarp": NUD_NOARP,
    "reachable": NUD_REACHABLE,
    "stale": NUD_STALE,
    "delay": NUD_DELAY,
    "probe": NUD_PROBE,
    "failed": NUD_FAILED,
    "incomplete": NUD_INCOMPLETE,
    "none": NUD_NONE,
}

#: The state filter bit iproute2 uses for NUD_NONE (``state == 0 -> 0x100``).
NUD_FILTER_NONE: Final = 0x100


def nud_filter_match(mask: int, state: int) -> bool:
    """``print_neigh()``'s state test: NUD_NONE entries only under the 0x100 bit."""
    return bool(mask & state) if state else bool(mask & NUD_FILTER_NONE)


class NeighApi:
    """Mixed into :class:`~netsim.world.World`."""

    kernel: Kernel

    def _ns(self, netns: str) -> Netns:
        return self.kernel.netns(netns)

    # --- neighbours -----------------------------------------------------------------------------

    def neigh_add(
        self,
        ip: str,
        *,
        dev: str | None,
        netns: str = "init_net",
        lladdr: str | bytes | None = None,
        nud: str = "permanent",
        replace: bool = False,
        create: bool = True,
        proxy: bool = False,
        router: bool = False,
    ) -> None:
        """``ip neigh add|replace|change [proxy] IP [lladdr MAC] [nud STATE] [router] dev D``
        (``neigh_add()``): ``add`` is create-exclusive, ``replace`` create + replace,
        ``change`` (``create=False``) replace only.

        As the kernel does, an entry is created before the update is checked: a
        valid state without ``lladdr`` fails (``No link layer address given``) and
        leaves a NUD_NONE entry behind; ``incomplete``, ``failed`` and ``none``
        need no address (and keep none)."""
        ns = self._ns(netns)
        link = ns.dev(dev) if dev is not None else None
        mac = _lladdr(lladdr, link)
        table = ns.inet.neigh
        addr = ip4(ip)
        if proxy:  # pneigh_lookup(..., creat=1): no EEXIST, lladdr and state ignored
            table.proxies[(link, addr)] = router
            return
        if link is None:
            raise KernelError(errno.EINVAL, "Device not specified")
        state = NUD[nud]
        n = table.lookup(link, addr)
        if n is None:
            if not create:
                raise KernelError(errno.ENOENT)
            n = table.create(link, addr)
        elif create and not replace:
            raise KernelError(errno.EEXIST)
        if state & NUD_VALID and mac is None and not n.nud_state & NUD_VALID:
            raise KernelError(errno.EINVAL, "No link layer address given")
        if router:
            n.router = True
        table.update(n, mac, state, F_OVERRIDE | F_ADMIN)

    def neigh_del(
        self, ip: str, *, dev: str | None, netns: str = "init_net", proxy: bool = False
    ) -> None:
        """``ip neigh del [proxy] IP dev D`` (``neigh_delete()``)."""
        ns = self._ns(netns)
        link = ns.dev(dev) if dev is not None else None
        table = ns.inet.neigh
        if proxy:
            if table.proxies.pop((link, ip4(ip)), None) is None:
                raise KernelError(errno.ENOENT)
            return
        n = table.lookup(link, ip4(ip)) if link is not None else None
        if n is None:
            raise KernelError(errno.ENOENT)
        table.remove(n)

    def neigh_flush(
        self,
        *,
        dev: str | None = None,
        netns: str = "init_net",
        nud: int = 0xFF & ~(NUD_PERMANENT | NUD_NOARP),
        to: str | None = None,
    ) -> int:
        """``ip neigh flush [dev D] [nud S] [to PREFIX]``: one RTM_DELNEIGH per
        matching entry; by default every entry but permanent and noarp ones
        (``nud`` is iproute2's state mask, 0x100 for NUD_NONE).  Returns how
        many went."""
        ns = self._ns(netns)
        table = ns.inet.neigh
        addr, _, plen = (to or "0.0.0.0/0").partition("/")
        net, mask = ip4(addr), mask4(int(plen) if plen else 32)
        gone = 0
        for n in list(table):
            if dev is not None and n.dev.ifname != dev:
                continue
            if (n.ip ^ net) & mask:
                continue
            if nud_filter_match(nud, n.nud_state):
                table.remove(n)
                gone += 1
        return gone

    def neigh_flush_proxy(self, *, dev: str | None = None, netns: str = "init_net") -> int:
        """``ip neigh flush proxy [dev D]``."""
        table = self._ns(netns).inet.neigh
        keys = [
            k for k in table.proxies if dev is None or (k[0] is not None and k[0].ifname == dev)
        ]
        for k in keys:
            del table.proxies[k]
        return len(keys)

    # --- applications ----------------------------------------------------------------------------

    def ping(self, dst: str, *, netns: str = "init_net", **options: Any) -> PingResult:
        """Run ``ping`` in ``netns`` to completion (options as :func:`netsim.apps.ping.ping`)."""
        from netsim.apps.ping import ping

        return ping(self, dst, netns=netns, **options)  # type: ignore[arg-type]

    def udp_socket(
        self, *, netns: str = "init_net", addr: str = "0.0.0.0", port: int = 0
    ) -> UdpSocket:
        """A UDP socket bound to ``addr:port`` in ``netns`` (port 0: an ephemeral one)."""
        return self._ns(netns).inet.sockets.udp_socket(ip4(addr), port)


def _lladdr(lladdr: str | bytes | None, dev: Link | None) -> MacAddr | None:
    """``NDA_LLADDR``: shorter than the device's address is ``Invalid link
    address``; longer is cut to its length (``neigh_add()``)."""
    if lladdr is None:
        return None
    raw = lladdr if isinstance(lladdr, bytes) else MacAddr(lladdr).packed
    if dev is not None and len(raw) < 6:
        raise KernelError(errno.EINVAL, "Invalid link address")
    return MacAddr(raw[:6]) if len(raw) >= 6 else None
