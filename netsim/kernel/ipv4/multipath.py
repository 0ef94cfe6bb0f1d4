"""Choosing one next hop of a multipath route (``net/ipv4/route.c``
``fib_multipath_hash``, ``fib_semantics.c`` ``fib_select_path``).

Only ``fib_multipath_hash_policy`` 0 is modelled: the hash covers the L3
source and destination (``flow_hash_from_keys_seed`` over the addresses), so
one flow always takes the same hop and different flows spread over the hops in
proportion to their weights.  The kernel's seed is random per boot; the
model's is derived from the namespace name, so a run is reproducible (the
choice for a given flow differs from the kernel's, as it does from one boot
to the next).  An ICMP error is hashed on its own addresses, not on the
embedded packet's as the kernel does.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from netsim.kernel.ipv4.fib import Route, fib_select_multipath

if TYPE_CHECKING:
    from netsim.kernel.netns import Netns

__all__ = ["fib_multipath_hash", "fib_select_path"]

_M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64's finaliser: every input bit affects every output bit."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
    return x ^ (x >> 31)


def fib_multipath_hash(ns: Netns, saddr: int, daddr: int) -> int:
    """The 31-bit L3 hash of a flow (``fib_multipath_hash()``, policy 0)."""
    seed = zlib.crc32(ns.name.encode())
    return _mix(_mix(seed << 32 | saddr) ^ daddr) >> 33


def fib_select_path(ns: Netns, route: Route, saddr: int, daddr: int) -> Route:
    """``fib_select_path()`` without an output device: a multipath route as the
    route with the hop this flow hashes to; any other route unchanged."""
    if len(route.nexthops) < 2:
        return route
    return route.with_nexthop(fib_select_multipath(route, fib_multipath_hash(ns, saddr, daddr)))
