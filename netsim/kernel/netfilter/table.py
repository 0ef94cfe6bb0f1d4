"""Tables and chains (``ip_tables.c``, as iptables-nft 1.8.9 manages them).

A :class:`Table` holds built-in chains with policies and user chains; rules
are kept with their packet/byte counters.  The operations are those of
``iptables -N/-X/-F/-A/-I/-D/-C/-P/-Z``; each raises :class:`NfError` with
the condition iptables reports (the ``iptables`` tool turns it into its
message).  :meth:`Table.traverse` is ``ipt_do_table()``: rules in order, jumps
to user chains with a return stack, RETURN, the built-in chain's policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from netsim.kernel.netfilter.argv import STANDARD_TARGETS
from netsim.kernel.netfilter.rule import Jump, PktInfo, Rule, Verdict

__all__ = ["BUILTIN", "Chain", "NfError", "RuleEntry", "Table"]

#: table -> its built-in chains in the order iptables lists them.
BUILTIN: Final = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "raw": ("PREROUTING", "OUTPUT"),
}
#: target -> the (table, built-in chains) where it may run (``xt_target.table/hooks``).
_TARGET_HOOKS: Final = {
    "MASQUERADE": ("nat", {"POSTROUTING"}),
    "SNAT": ("nat", {"POSTROUTING", "INPUT"}),
    "DNAT": ("nat", {"PREROUTING", "OUTPUT"}),
    "REJECT": ("", {"INPUT", "FORWARD", "OUTPUT"}),
}
#: A rule's own action: (verdict, rule) -> verdict.  The hooks supply it (NAT, MARK, REJECT).
TargetFn = Callable[[Rule, PktInfo], int]


class NfError(Exception):
    """A refused table operation.  ``kind``: ``nochain`` (no such chain/target),
    ``exists``, ``busy`` (chain referenced or not empty), ``norule``, ``delindex``,
    ``insindex``, ``builtin`` (not a built-in chain), ``policy`` (bad policy),
    ``hook`` (target not valid in this chain), ``notarget`` (jump to a missing chain)."""

    def __init__(self, kind: str, chain: str = "", op: str = "") -> None:
        super().__init__(kind, chain)
        self.kind, self.chain, self.op = kind, chain, op


class RuleEntry:
    """A rule in a chain, with its counters."""

    __slots__ = ("bytes", "pkts", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule, self.pkts, self.bytes = rule, 0, 0


class Chain:
    """A chain: built-in (with a policy) or user-defined (``policy`` None)."""

    def __init__(self, name: str, policy: str | None) -> None:
        self.name, self.policy = name, policy
        self.rules: list[RuleEntry] = []
        #: Policy counters: nf_tables counts packets that reach a base chain's
        #: policy only once ``-P`` gave the chain counters (``nft_base_chain->stats``).
        self.stats = False
        self.pkts = self.bytes = 0

    @property
    def builtin(self) -> bool:
        return self.policy is not None


class Table:
    """One table of one namespace.  ``on_change`` runs after every change (the
    namespace recomputes whether its hooks have work to do)."""

    def __init__(self, name: str, on_change: Callable[[], None] = lambda: None) -> None:
        self.name = name
        self._chains: dict[str, Chain] | None = None
        #: iptables-nft creates the kernel table on its first change; iptables-save
        #: lists only tables that exist.
        self.exists = False
        self._on_change = on_change

    @property
    def chains(self) -> dict[str, Chain]:
        """Chain name -> chain; the built-in chains are made on the first look (most
        namespaces' tables are never looked at: a pod's, say)."""
        chains = self._chains
        if chains is None:
            chains = self._chains = {c: Chain(c, "ACCEPT") for c in BUILTIN[self.name]}
        return chains

    def __iter__(self) -> Iterator[Chain]:
        """Built-in chains first, then user chains sorted by name (``iptables -S``)."""
        user = sorted(c for c, ch in self.chains.items() if not ch.builtin)
        return iter([self.chains[c] for c in BUILTIN[self.name]] + [self.chains[c] for c in user])

    def chain(self, name: str) -> Chain:
        try:
            return self.chains[name]
        except KeyError:
            raise NfError("nochain", name) from None

    def rule_count(self) -> int:
        return sum(len(c.rules) for c in self.chains.values())

    def _changed(self) -> None:
        self.exists = True
        self._on_change()

    # --- chains ------------------------------------------------------------------------------

    def new_chain(self, name: str) -> None:
        """``-N``."""
        if name in self.chains:
            raise NfError("exists", name)
        self.chains[name] = Chain(name, None)
        self._changed()

    def delete_chain(self, name: str | None = None) -> None:
        """``-X [CHAIN]``: an empty, unreferenced user chain (all of them without a name)."""
        if name is None:
            for c in [c for c in self.chains.values() if not c.builtin]:
                self.delete_chain(c.name)
            return
        ch = self.chains.get(name)
        if ch is None or ch.builtin:
            raise NfError("nochain", name)
        if ch.rules or self.references(name):
            raise NfError("busy", name)
        del self.chains[name]
        self._changed()

    def references(self, name: str) -> int:
        return sum(1 for c in self.chains.values() for e in c.rules
                   if isinstance(e.rule.target, Jump) and e.rule.target.name == name)  # fmt: skip

    def flush(self, name: str | None = None) -> None:
        """``-F [CHAIN]``."""
        for ch in [self.chain(name)] if name is not None else list(self.chains.values()):
            ch.rules.clear()
        self._changed()

    def zero(self, name: str | None = None) -> None:
        """``-Z [CHAIN]``."""
        for ch in [self.chain(name)] if name is not None else list(self.chains.values()):
            ch.pkts = ch.bytes = 0
            for e in ch.rules:
                e.pkts = e.bytes = 0

    def set_policy(self, name: str, policy: str) -> None:
        """``-P CHAIN POLICY``."""
        ch = self.chains.get(name)
        if ch is None or not ch.builtin:
            raise NfError("builtin", name)
        if policy not in ("ACCEPT", "DROP"):
            raise NfError("policy", name)
        ch.policy, ch.stats = policy, True
        self._changed()

    # --- rules ------------------------------------------------------------------------------

    def _check_target(self, chain: Chain, rule: Rule, op: str) -> None:
        t = rule.target
        if t is None:
            return
        if isinstance(t, Jump):
            if t.name not in STANDARD_TARGETS and t.name not in self.chains:
                raise NfError("notarget", t.name)
            return
        table, hooks = _TARGET_HOOKS.get(t.name, ("", set()))
        bad_table = table and table != self.name
        if bad_table or (chain.builtin and hooks and chain.name not in hooks):
            raise NfError("hook", chain.name, op)

    def append(self, chain: str, rule: Rule) -> None:
        """``-A``."""
        ch = self.chain(chain)
        self._check_target(ch, rule, "RULE_APPEND")
        ch.rules.append(RuleEntry(rule))
        self._changed()

    def insert(self, chain: str, rule: Rule, num: int = 1) -> None:
        """``-I CHAIN [NUM]`` (1-based)."""
        ch = self.chain(chain)
        if num > len(ch.rules) + 1:
            raise NfError("insindex", chain)
        self._check_target(ch, rule, "RULE_INSERT")
        ch.rules.insert(num - 1, RuleEntry(rule))
        self._changed()

    def find(self, chain: str, rule: Rule) -> int:
        """The 1-based position of ``rule`` in ``chain`` (``-C``), else ``norule``."""
        ch = self.chain(chain)
        for i, e in enumerate(ch.rules, 1):
            if e.rule == rule:
                return i
        raise NfError("norule", chain)

    def check(self, chain: str, rule: Rule) -> bool:
        """``-C``: whether the rule is there."""
        try:
            self.find(chain, rule)
        except NfError as e:
            if e.kind == "nochain":
                return False
            raise
        return True

    def delete(self, chain: str, rule: Rule | int) -> None:
        """``-D CHAIN RULE`` or ``-D CHAIN NUM``."""
        ch = self.chain(chain)
        if isinstance(rule, int):
            if rule > len(ch.rules):
                raise NfError("delindex", chain)
            del ch.rules[rule - 1]
        else:
            del ch.rules[self.find(chain, rule) - 1]
        self._changed()

    # --- traversal ---------------------------------------------------------------------------

    def traverse(self, chain: str, p: PktInfo, action: TargetFn) -> int:
        """``ipt_do_table()`` from built-in ``chain``: the verdict (ACCEPT or DROP).

        ``action`` runs non-standard targets and returns their verdict
        (``Verdict.CONTINUE`` for MARK and the like)."""
        chains = self.chains
        start = chains[chain]
        stack: list[tuple[Chain, int]] = []
        ch, i = start, 0
        while True:
            rules = ch.rules
            while i < len(rules):
                e = rules[i]
                i += 1
                r = e.rule
                if not r.match(p):
                    continue
                e.pkts += 1
                e.bytes += p.len
                t = r.target
                if t is None:
                    continue
                if isinstance(t, Jump):
                    name = t.name
                    if name == "ACCEPT":
                        return Verdict.ACCEPT
                    if name == "DROP":
                        return Verdict.DROP
                    if name == "RETURN":
                        break
                    if not t.goto:
                        stack.append((ch, i))
                    ch, i, rules = chains[name], 0, chains[name].rules
                    continue
                v = action(r, p)
                if v != Verdict.CONTINUE:
                    return v
            if not stack:
                if start.stats:
                    start.pkts += 1
                    start.bytes += p.len
                return Verdict.ACCEPT if start.policy != "DROP" else Verdict.DROP
            ch, i = stack.pop()
