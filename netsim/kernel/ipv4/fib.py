"""Routing tables (``net/ipv4/fib_trie.c``, ``fib_semantics.c``).

A table maps prefixes to *aliases* (routes).  Several routes may share a
prefix; they are kept sorted by priority (metric) as ``fib_table_insert``
sorts them, equal ones in the order they came.  Lookups take the longest
matching prefix and, among its routes, the first usable one: not dead, wide
enough in scope, leaving by the requested device; when none is usable the
next shorter prefix is tried (``fib_table_lookup``'s backtracking).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass, field
from errno import EAGAIN
from typing import TYPE_CHECKING, Final

from netsim.addr import Prefix, mask4
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import (
    RT_SCOPE_HOST,
    RT_SCOPE_NOWHERE,
    RTN_BLACKHOLE,
    RTN_PROHIBIT,
    RTN_THROW,
    RTN_UNREACHABLE,
)

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link

__all__ = ["TYPE_ERRORS", "FibLookupError", "FibTable", "NextHop", "Route", "fib_select_multipath"]

#: ``fib_props[type].error``: what a lookup ending on such a route returns.
TYPE_ERRORS: Final = {
    RTN_BLACKHOLE: errno.EINVAL,
    RTN_UNREACHABLE: errno.EHOSTUNREACH,
    RTN_PROHIBIT: errno.EACCES,
    RTN_THROW: errno.EAGAIN,
}


class FibLookupError(Exception):
    """A lookup ended on an error route (or found nothing: ``EAGAIN``)."""

    def __init__(self, err: int):
        super().__init__(err)
        self.errno = err


@dataclass(slots=True, eq=False)
class NextHop:
    """``struct fib_nh``: a gateway and/or an output device."""

    gw: int = 0
    dev: Link | None = None
    onlink: bool = False
    weight: int = 1
    #: ``fib_nh_scope``: the scope of the route that resolved the gateway.
    scope: int = RT_SCOPE_NOWHERE
    dead: bool = False

    @property
    def linkdown(self) -> bool:
        """``RTNH_F_LINKDOWN``: the device has no carrier (never for a host route's
        next hop, which ``fib_sync_down_dev`` leaves alone)."""
        return self.dev is not None and not self.dev.carrier and self.scope != RT_SCOPE_NOWHERE

    def same(self, other: NextHop) -> bool:
        return (self.gw, self.dev, self.onlink, self.weight) == (
            other.gw,
            other.dev,
            other.onlink,
            other.weight,
        )


@dataclass(slots=True, eq=False)
class Route:
    """One route (a ``fib_alias`` with its ``fib_info``)."""

    dst: Prefix
    type: int
    table: int
    protocol: int
    scope: int
    priority: int = 0
    prefsrc: int = 0
    tos: int = 0
    nexthops: list[NextHop] = field(default_factory=list)

    @property
    def nh(self) -> NextHop | None:
        """The first next hop (``fib_info_nhc(fi, 0)``), if any."""
        return self.nexthops[0] if self.nexthops else None

    @property
    def dead(self) -> bool:
        return bool(self.nexthops) and all(nh.dead for nh in self.nexthops)

    def with_nexthop(self, nh: NextHop) -> Route:
        """The route as a lookup reports it with ``nh`` selected (``res->nhc``)."""
        return Route(self.dst, self.type, self.table, self.protocol, self.scope, self.priority,
                     self.prefsrc, self.tos, [nh])  # fmt: skip

    def same_info(self, other: Route) -> bool:
        """``fa->fa_info == fi``: the same route in every attribute."""
        return (
            self.type == other.type
            and self.scope == other.scope
            and self.protocol == other.protocol
            and self.prefsrc == other.prefsrc
            and len(self.nexthops) == len(other.nexthops)
            and all(a.same(b) for a, b in zip(self.nexthops, other.nexthops, strict=True))
        )


class FibTable:
    """``struct fib_table``."""

    def __init__(self, table_id: int, gen: list[int] | None = None):
        self.id = table_id
        self._aliases: dict[tuple[int, int], list[Route]] = {}
        #: (prefix length, its mask) of the lengths present, longest first
        self._plens: list[tuple[int, int]] = []
        #: Bumped by every insert and remove (shared with the namespace's other
        #: tables when :class:`~netsim.kernel.ipv4.state.Ipv4` made this one), so
        #: lookup results may be cached until the next change.
        self.gen: list[int] = gen if gen is not None else [0]

    def __len__(self) -> int:
        return sum(len(v) for v in self._aliases.values())

    def __iter__(self) -> Iterator[Route]:
        """Routes in ``ip route show`` order: by network, then longest prefix first."""
        for key in sorted(self._aliases, key=lambda k: (k[1], -k[0])):
            yield from self._aliases[key]

    def aliases(self, dst: Prefix) -> list[Route]:
        return self._aliases.get((dst.prefixlen, dst.network), [])

    # --- changes -------------------------------------------------------------------------

    def insert(self, route: Route, *, excl: bool, replace: bool, append: bool,
               create: bool = True) -> None:  # fmt: skip
        """``fib_table_insert()``; ``ip route add`` is excl, ``replace`` replace,
        ``change`` replace without create (``ENOENT`` when nothing of the same
        priority is there to replace), ``append`` append; the kernel's own
        routes are append."""
        key = (route.dst.prefixlen, route.dst.network)
        lst = self._aliases.get(key)
        if not create and not (
            lst and any(r.tos == route.tos and r.priority == route.priority for r in lst)
        ):
            raise KernelError(errno.ENOENT)
        self.gen[0] += 1
        if lst is None:
            self._aliases[key] = [route]
            plens = sorted({plen for plen, _ in self._plens} | {route.dst.prefixlen}, reverse=True)
            self._plens = [(plen, mask4(plen)) for plen in plens]
            return
        same = [r for r in lst if r.tos == route.tos and r.priority == route.priority]
        if same:
            if excl:
                raise KernelError(errno.EEXIST)
            match = next((r for r in same if r.same_info(route)), None)
            if replace:
                if match is None:
                    lst[lst.index(same[0])] = route
                elif match is not same[0]:
                    raise KernelError(errno.EEXIST)
                return
            if match is not None:
                raise KernelError(errno.EEXIST)
            if append:
                lst.insert(lst.index(same[-1]) + 1, route)
                return
            lst.insert(lst.index(same[0]), route)  # "prepend" (NLM_F_CREATE alone)
            return
        pos = next((i for i, r in enumerate(lst) if r.priority > route.priority), len(lst))
        lst.insert(pos, route)

    def remove(self, route: Route) -> None:
        key = (route.dst.prefixlen, route.dst.network)
        lst = self._aliases[key]
        lst.remove(route)
        self.gen[0] += 1
        if not lst:
            del self._aliases[key]
            plen = route.dst.prefixlen
            if not any(k[0] == plen for k in self._aliases):
                self._plens.remove((plen, mask4(plen)))

    def flush(self, predicate: object) -> list[Route]:
        """Remove and return every route for which ``predicate(route)`` is true."""
        gone = [r for r in self if predicate(r)]  # type: ignore[operator]
        for r in gone:
            self.remove(r)
        return gone

    # --- lookups ----------------------------------------------------------------------------

    def lookup(self, daddr: int, *, scope: int = 0, oif: Link | None = None) -> Route:
        """``fib_table_lookup()``: the route (next hop first) for ``daddr``.

        Raises :class:`FibLookupError` with the route type's errno, or ``EAGAIN``
        when nothing matches.
        """
        r = self.find(daddr, scope, oif)
        if isinstance(r, int):
            raise FibLookupError(r)
        return r

    def find(self, daddr: int, scope: int = 0, oif: Link | None = None) -> Route | int:
        """:meth:`lookup` without an exception: the route, or the errno
        ``fib_table_lookup()`` returns (``EAGAIN`` when nothing matches)."""
        aliases = self._aliases
        for plen, mask in self._plens:
            lst = aliases.get((plen, daddr & mask))
            if lst is None:
                continue
            for r in lst:
                if r.scope < scope:
                    continue
                err = TYPE_ERRORS.get(r.type)
                if err is not None:
                    return err
                hops = r.nexthops
                if not hops:
                    return r
                for nh in hops:
                    if nh.dead or (oif is not None and nh.dev is not oif):
                        continue
                    if nh is hops[0] or (oif is None and len(hops) > 1):
                        return r  # fib_select_path() hashes over the alive hops
                    return r.with_nexthop(nh)
        return EAGAIN


def fib_select_multipath(route: Route, mp_hash: int) -> NextHop:
    """``fib_select_multipath()`` with ``fib_rebalance()``'s bounds: each alive hop
    owns a slice of the 31-bit hash space in proportion to its weight; the
    first hop whose upper bound is at least ``mp_hash`` wins."""
    alive = [nh for nh in route.nexthops if not nh.dead]
    total = sum(nh.weight for nh in alive)
    if not alive or total <= 0:
        return route.nexthops[0]
    w = 0
    for nh in alive:
        w += nh.weight
        upper = ((w << 31) + total // 2) // total - 1  # DIV_ROUND_CLOSEST_ULL(w << 31, total) - 1
        if mp_hash <= upper:
            return nh
    return alive[-1]


def host_scope(route: Route) -> bool:
    """Routes that survive their device going down (``fib_sync_down_dev``)."""
    return route.scope == RT_SCOPE_HOST
