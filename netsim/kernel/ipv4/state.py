"""One namespace's IPv4 routing state: its tables and rules, and ``fib_lookup``."""

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

    def table(self, table_id: int, *, create: bool = False) -> FibTable | None:
        """``fib_get_table()`` / ``fib_new_table()``."""
        t = self.tables.get(table_id)
        if t is None and create:
            if table_id == RT_TABLE_LOCAL and not self.custom_rules:
                self.table(RT_TABLE_MAIN, create=True)  # the merged trie lives in main
            t = self.tables[table_id] = FibTable(table_id)
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
        if not self.custom_rules:
            return self._merged_lookup(daddr, scope=scope, oif=oif)
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
                raise FibLookupError(err)
            table = self.tables.get(rule.table)
            if table is None:
                continue
            try:
                route = table.lookup(daddr, scope=scope, oif=oif)
            except FibLookupError as e:
                if e.errno == errno.EAGAIN:
                    continue
                raise
            if (
                rule.suppress_prefixlength >= 0
                and route.dst.prefixlen <= rule.suppress_prefixlength
            ):
                continue
            return route
        raise FibLookupError(errno.ENETUNREACH)

    def _merged_lookup(self, daddr: int, *, scope: int, oif: Link | None) -> Route:
        """The inline ``fib_lookup()`` without custom rules: local and main as one
        trie (longest prefix over both; on a tie, local's routes first), then
        table default."""
        best: Route | None = None
        err = errno.EAGAIN
        for tid in (RT_TABLE_LOCAL, RT_TABLE_MAIN):
            t = self.tables.get(tid)
            if t is None:
                continue
            try:
                r = t.lookup(daddr, scope=scope, oif=oif)
            except FibLookupError as e:
                if e.errno != errno.EAGAIN and (best is None):
                    err = e.errno
                continue
            if best is None or r.dst.prefixlen > best.dst.prefixlen:
                best = r
        if best is not None:
            return best if best.table == RT_TABLE_MAIN else _as_main(best)
        if err != errno.EAGAIN:
            raise FibLookupError(err)
        t = self.tables.get(RT_TABLE_DEFAULT)
        if t is not None:
            try:
                return t.lookup(daddr, scope=scope, oif=oif)
            except FibLookupError as e:
                if e.errno != errno.EAGAIN:
                    raise
        raise FibLookupError(errno.ENETUNREACH)

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
        """``fib_flush()``: drop the routes ``predicate`` marks dead, from every table."""
        for t in self.tables.values():
            t.flush(predicate)


def _as_main(route: Route) -> Route:
    """A local-table route as the merged trie reports it (``res->table`` is main)."""
    return Route(route.dst, route.type, RT_TABLE_MAIN, route.protocol, route.scope,
                 route.priority, route.prefsrc, route.tos, route.nexthops)  # fmt: skip
