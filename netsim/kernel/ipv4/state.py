"""One namespace's IPv4 routing state: its tables and rules, and ``fib_lookup``.

The kernel looks routes up per packet (no route cache since 3.6); here the
results of lookups without custom rules (the merged local+main trie) and of
``inet_addr_type()``'s local-table lookups are remembered until the next change
to any table or next hop (:attr:`Ipv4.gen`), which gives the same answers.
"""

from __future__ import annotations

import contextlib
import errno
from typing import TYPE_CHECKING

from netsim.addr import Prefix
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import (
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_TABLE_DEFAULT,
    RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
    RTN_LOCAL,
    RTN_UNICAST,
    RTPROT_KERNEL,
)
from netsim.kernel.ipv4.fib import FibLookupError, FibTable, NextHop, Route
from netsim.kernel.ipv4.rules import ACTION_ERRORS, FR_ACT_GOTO, FR_ACT_NOP, RuleList

if TYPE_CHECKING:
    from netsim.kernel.ipv4.devinet import InIfAddr
    from netsim.kernel.links.base import Link

__all__ = ["Ipv4"]

#: Cached lookups per namespace before the cache starts afresh.
_CACHE_MAX = 4096


class Ipv4:
    """``net->ipv4``: FIB tables by id, and the policy rules."""

    def __init__(self) -> None:
        #: Tables exist once something is put in them (``fib_new_table``).
        self.tables: dict[int, FibTable] = {}
        self._created: dict[int, int] = {}  # table id -> creation order
        self.rules = RuleList()
        #: ``fib_has_custom_rules``: once a rule is added (and for good), lookups go
        #: through the rules; before, the local and main tables are one merged trie.
        self.custom_rules = False
        #: Change counter shared by every table here (:attr:`FibTable.gen`); also
        #: bumped by :meth:`changed` (a next hop dying or coming back).
        self.gen: list[int] = [0]
        self._cache_gen = 0
        self._cache: dict[tuple[int, int, Link | None], Route | int] = {}
        self._local_cache: dict[int, int] = {}
        #: The next hops :func:`~netsim.kernel.ipv4.frontend.fib_disable_ip` marked
        #: dead, by device: what ``fib_sync_up()`` revives (a route removed since
        #: keeps its hop here, harmlessly).
        self.dead_hops: dict[Link, list[NextHop]] = {}

    def changed(self) -> None:
        """Something lookups depend on changed outside a table insert or remove
        (a next hop's ``dead`` flag): forget the cached results."""
        self.gen[0] += 1

    def table(self, table_id: int, *, create: bool = False) -> FibTable | None:
        """``fib_get_table()`` / ``fib_new_table()``."""
        t = self.tables.get(table_id)
        if t is None and create:
            if table_id == RT_TABLE_LOCAL and not self.custom_rules:
                self.table(RT_TABLE_MAIN, create=True)  # the merged trie lives in main
            t = self.tables[table_id] = FibTable(table_id, self.gen)
            self.gen[0] += 1
            self._created[table_id] = len(self._created)
        return t

    def all_routes(self) -> list[Route]:
        """Every route, tables in the order a dump visits them: by hash bucket (id
        modulo 256), the newest first within a bucket (``hlist_add_head_rcu``)."""
        out: list[Route] = []
        for tid in sorted(self.tables, key=lambda t: (t & 0xFF, -self._created[t])):
            out += list(self.tables[tid])
        return out

    def lookup(
        self,
        daddr: int,
        *,
        saddr: int = 0,
        iif: Link | None = None,
        oif: Link | None = None,
        mark: int = 0,
        scope: int = 0,
    ) -> Route:
        """``fib_lookup()``: rules in order; raises :class:`FibLookupError` (ENETUNREACH
        when no rule finds a route).  The result's ``table`` is where it was found:
        main for a local route found in the merged trie."""
        r = self.resolve(daddr, saddr, iif, oif, mark, scope)
        if isinstance(r, int):
            raise FibLookupError(r)
        return r

    def resolve(
        self,
        daddr: int,
        saddr: int = 0,
        iif: Link | None = None,
        oif: Link | None = None,
        mark: int = 0,
        scope: int = 0,
    ) -> Route | int:
        """:meth:`lookup` without an exception: the route, or ``fib_lookup()``'s errno."""
        if not self.custom_rules:
            if self._cache_gen != self.gen[0]:
                self._forget()
            key = (daddr, scope, oif)
            hit = self._cache.get(key)
            if hit is None:
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                hit = self._cache[key] = self._merged_lookup(daddr, scope, oif)
            return hit
        rules = self.rules.rules
        i = 0
        while i < len(rules):
            rule = rules[i]
            i += 1
            if not rule.matches(saddr, daddr, iif, oif, mark):
                continue
            if rule.action == FR_ACT_NOP:
                continue
            if rule.action == FR_ACT_GOTO:
                i = next((k for k, r in enumerate(rules) if r.priority >= rule.goto), len(rules))
                continue
            err = ACTION_ERRORS.get(rule.action)
            if err is not None:
                return err
            table = self.tables.get(rule.table)
            if table is None:
                continue
            route = table.find(daddr, scope, oif)
            if isinstance(route, int):
                if route == errno.EAGAIN:
                    continue
                return route
            if (
                rule.suppress_prefixlength >= 0
                and route.dst.prefixlen <= rule.suppress_prefixlength
            ):
                continue
            return route
        return errno.ENETUNREACH

    def local_type(self, addr: int) -> int:
        """The type of the local table's route for ``addr`` (0 when it has none, or
        an error route): what ``inet_addr_type()`` looks at."""
        if self._cache_gen != self.gen[0]:
            self._forget()
        hit = self._local_cache.get(addr)
        if hit is None:
            local = self.tables.get(RT_TABLE_LOCAL)
            r = local.find(addr) if local is not None else 0
            hit = 0 if isinstance(r, int) else r.type
            if len(self._local_cache) >= _CACHE_MAX:
                self._local_cache.clear()
            self._local_cache[addr] = hit
        return hit

    def _forget(self) -> None:
        self._cache.clear()
        self._local_cache.clear()
        self._cache_gen = self.gen[0]

    def _merged_lookup(self, daddr: int, scope: int, oif: Link | None) -> Route | int:
        """The inline ``fib_lookup()`` without custom rules: local and main as one
        trie (longest prefix over both; on a tie, local's routes first), then
        table default."""
        best: Route | None = None
        err = errno.EAGAIN
        tables = self.tables
        for tid in (RT_TABLE_LOCAL, RT_TABLE_MAIN):
            t = tables.get(tid)
            if t is None:
                continue
            r = t.find(daddr, scope, oif)
            if isinstance(r, int):
                if r != errno.EAGAIN and best is None:
                    err = r
                continue
            if best is None or r.dst.prefixlen > best.dst.prefixlen:
                best = r
        if best is not None:
            return best if best.table == RT_TABLE_MAIN else _as_main(best)
        if err != errno.EAGAIN:
            return err
        t = tables.get(RT_TABLE_DEFAULT)
        if t is not None:
            r = t.find(daddr, scope, oif)
            if not isinstance(r, int) or r != errno.EAGAIN:
                return r
        return errno.ENETUNREACH

    # --- the kernel's own routes (fib_magic) --------------------------------------------------

    def magic(
        self, add: bool, rtype: int, dst: int, plen: int, *, prim: InIfAddr, dev: Link,
        metric: int = 0,
    ) -> None:  # fmt: skip
        """``fib_magic()``: add or delete a kernel route for an address (errors ignored)."""
        table = self.table(RT_TABLE_MAIN if rtype == RTN_UNICAST else RT_TABLE_LOCAL, create=True)
        assert table is not None
        scope = RT_SCOPE_HOST if rtype == RTN_LOCAL else RT_SCOPE_LINK
        prefix = Prefix(dst, plen)
        if add:
            hop = NextHop(dev=dev, scope=RT_SCOPE_NOWHERE if rtype == RTN_LOCAL else RT_SCOPE_HOST)
            route = Route(prefix, rtype, table.id, RTPROT_KERNEL, scope, metric, prim.local,
                          nexthops=[hop])  # fmt: skip
            with contextlib.suppress(KernelError):  # fib_magic ignores errors (EEXIST)
                table.insert(route, excl=False, replace=False, append=True)
            return
        for r in table.aliases(prefix):
            nh = r.nh
            if (
                r.type == rtype
                and r.scope == scope
                and r.prefsrc == prim.local
                and r.priority == metric
                and r.protocol == RTPROT_KERNEL
                and nh is not None
                and nh.dev is dev
            ):
                table.remove(r)
                return

    def flush(self, predicate: object) -> None:
        """``fib_flush()``: drop the routes ``predicate`` marks dead, from every table
        (``predicate`` may mark next hops dead on the way)."""
        for t in self.tables.values():
            t.flush(predicate)
        self.changed()


def _as_main(route: Route) -> Route:
    """A local-table route as the merged trie reports it (``res->table`` is main)."""
    return Route(route.dst, route.type, RT_TABLE_MAIN, route.protocol, route.scope,
                 route.priority, route.prefsrc, route.tos, route.nexthops)  # fmt: skip
