"""Policy routing rules (``net/core/fib_rules.c``, ``net/ipv4/fib_rules.c``).

A new namespace has ``0: from all lookup local``, ``32766: from all lookup
main`` and ``32767: from all lookup default``.  A rule added without a
priority takes the second rule's priority minus one (``fib_default_rule_pref``:
32765, then 32764, ...).  Rules are tried in priority order; a table lookup
that finds nothing, or ends on a ``throw`` route, goes on to the next rule.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from netsim.addr import Prefix
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link

__all__ = ["FR_ACT_TO_TBL", "FibRule", "RuleList"]

FR_ACT_TO_TBL: Final = 1
FR_ACT_GOTO: Final = 2
FR_ACT_NOP: Final = 3
FR_ACT_BLACKHOLE: Final = 6
FR_ACT_UNREACHABLE: Final = 7
FR_ACT_PROHIBIT: Final = 8

ACTION_NAMES: Final = {6: "blackhole", 7: "unreachable", 8: "prohibit", 3: "nop", 2: "goto"}

#: What a lookup ending on such a rule returns (``fib4_rule_action``).
ACTION_ERRORS: Final = {
    FR_ACT_BLACKHOLE: errno.EINVAL,
    FR_ACT_UNREACHABLE: errno.ENETUNREACH,
    FR_ACT_PROHIBIT: errno.EACCES,
}


@dataclass(slots=True, eq=False)
class FibRule:
    """``struct fib4_rule``: selectors and an action."""

    priority: int
    table: int = 0
    action: int = FR_ACT_TO_TBL
    src: Prefix | None = None
    dst: Prefix | None = None
    iif: str | None = None
    oif: str | None = None
    fwmark: int = 0
    fwmask: int = 0
    tos: int = 0
    invert: bool = False
    goto: int = 0
    suppress_prefixlength: int = -1

    def matches(
        self, saddr: int, daddr: int, iif: Link | None, oif: Link | None, mark: int
    ) -> bool:
        """``fib_rule_match()`` + ``fib4_rule_match()``."""
        ok = (
            (self.src is None or saddr in self.src)
            and (self.dst is None or daddr in self.dst)
            and (self.iif is None or (iif is not None and iif.ifname == self.iif))
            and (self.oif is None or (oif is not None and oif.ifname == self.oif))
            and not ((self.fwmark ^ mark) & self.fwmask)
        )
        return ok != self.invert

    def same(self, other: FibRule) -> bool:
        """``rule_exists()``: every selector and the action equal."""
        return (
            self.priority == other.priority
            and self.table == other.table
            and self.action == other.action
            and self.src == other.src
            and self.dst == other.dst
            and self.iif == other.iif
            and self.oif == other.oif
            and (self.fwmark, self.fwmask, self.tos, self.invert)
            == (other.fwmark, other.fwmask, other.tos, other.invert)
        )


class RuleList:
    """One namespace's IPv4 rules, in priority order."""

    def __init__(self) -> None:
        self.rules: list[FibRule] = [
            FibRule(0, RT_TABLE_LOCAL),
            FibRule(32766, RT_TABLE_MAIN),
            FibRule(32767, RT_TABLE_DEFAULT),
        ]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rules)

    def default_pref(self) -> int:
        """``fib_default_rule_pref()``."""
        if len(self.rules) >= 2 and self.rules[1].priority:
            return self.rules[1].priority - 1
        return 0

    def add(self, rule: FibRule, *, excl: bool = True) -> None:
        """``fib_nl_newrule()``: after every rule with a priority not above its own."""
        if excl and any(r.same(rule) for r in self.rules):
            raise KernelError(errno.EEXIST)
        pos = next((i for i, r in enumerate(self.rules) if r.priority > rule.priority), None)
        if pos is None:
            self.rules.append(rule)
        else:
            self.rules.insert(pos, rule)

    def delete(self, rule: FibRule, *, match_priority: bool) -> None:
        """``fib_nl_delrule()``: the first rule matching what was given."""
        for r in self.rules:
            if match_priority and r.priority != rule.priority:
                continue
            if rule.table and r.table != rule.table:
                continue
            if rule.src is not None and r.src != rule.src:
                continue
            if rule.dst is not None and r.dst != rule.dst:
                continue
            if rule.iif is not None and r.iif != rule.iif:
                continue
            if rule.oif is not None and r.oif != rule.oif:
                continue
            if rule.fwmask and (r.fwmark, r.fwmask) != (rule.fwmark, rule.fwmask):
                continue
            self.rules.remove(r)
            return
        raise KernelError(errno.ENOENT)
