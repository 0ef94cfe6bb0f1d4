"""The neighbour and application part of the :class:`~netsim.world.World` API:
``ip neigh``, ``ping``, UDP sockets."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.addr import MacAddr, ip4
from netsim.errors import KernelError
from netsim.kernel.ipv4.neigh import (
    F_ADMIN,
    F_OVERRIDE,
    NUD_NOARP,
    NUD_PERMANENT,
    NUD_REACHABLE,
    NUD_STALE,
)

if TYPE_CHECKING:
    from netsim.apps.ping import PingResult
    from netsim.kernel import Kernel, Netns
    from netsim.kernel.ipv4.sockets import UdpSocket

__all__ = ["NeighApi"]

_NUD: Final = {
    "permanent": NUD_PERMANENT,
    "noarp": NUD_NOARP,
    "reachable": NUD_REACHABLE,
    "stale": NUD_STALE,
    "delay": 0x08,
    "probe": 0x10,
    "failed": 0x20,
    "incomplete": 0x01,
}


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
        dev: str,
        netns: str = "init_net",
        lladdr: str | None = None,
        nud: str = "permanent",
        replace: bool = False,
    ) -> None:
        """``ip neigh add|replace IP [lladdr MAC] [nud STATE] dev D``."""
        ns = self._ns(netns)
        link = ns.dev(dev)
        state = _NUD[nud]
        table = ns.inet.neigh
        addr = ip4(ip)
        existing = table.lookup(link, addr)
        if existing is not None and not replace:
            raise KernelError(errno.EEXIST)
        needs_mac = state & (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE)
        if lladdr is None and needs_mac and (existing is None or existing.lladdr is None):
            raise KernelError(errno.EINVAL)
        n = existing or table.create(link, addr)
        table.update(n, MacAddr(lladdr) if lladdr else None, state, F_OVERRIDE | F_ADMIN)

    def neigh_del(self, ip: str, *, dev: str, netns: str = "init_net") -> None:
        """``ip neigh del IP dev D``."""
        ns = self._ns(netns)
        n = ns.inet.neigh.lookup(ns.dev(dev), ip4(ip))
        if n is None:
            raise KernelError(errno.ENOENT)
        ns.inet.neigh.remove(n)

    def neigh_flush(self, *, dev: str | None = None, netns: str = "init_net") -> None:
        """``ip neigh flush [dev D | all]``: every entry but permanent and noarp ones."""
        ns = self._ns(netns)
        table = ns.inet.neigh
        for n in list(table):
            if (dev is None or n.dev.ifname == dev) and not n.nud_state & (
                NUD_PERMANENT | NUD_NOARP
            ):
                table.remove(n)

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
