"""go-iptables v0.6.0 (``github.com/coreos/go-iptables/iptables``), what the
reference plugins use to change netfilter, as generators of
:class:`~netsim.host.ops.Iptables` operations.

Every call runs the program once, as the library does: ``iptables ARGS --wait``
(iptables 1.8.9 has ``-C``, ``--wait`` and ``--random-fully``; the library's
``iptables --version`` probe at ``New()`` is not repeated here).  A failure is
:class:`IptablesError`, whose text is the library's ``Error.Error()``:
``running [/usr/sbin/iptables -t nat -D ... --wait]: exit status 2: <stderr>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.errors import CommandFailed
from netsim.host.ops import Iptables

__all__ = ["IPTables", "IptablesError", "is_not_exist"]

#: ``exec.LookPath`` of the program on a Debian node.
PATHS: Final = {False: "/usr/sbin/iptables", True: "/usr/sbin/ip6tables"}
_NO_RULE: Final = "Bad rule (does a matching rule exist in that chain?).\n"
_NO_CHAIN: Final = "No chain/target/match by that name.\n"


class IptablesError(CniError):
    """``*iptables.Error``: the command, its exit status and its stderr (a plain
    error to the skel: code 999, its text the message)."""

    def __init__(self, argv: list[str], status: int, stderr: str):
        self.argv, self.status, self.stderr = argv, status, stderr
        super().__init__(f"running [{' '.join(argv)}]: exit status {status}: {stderr}")

    def is_not_exist(self) -> bool:
        """``Error.IsNotExist``: status 1 and iptables' no-such-rule/chain text."""
        return self.status == 1 and (_NO_RULE in self.stderr or _NO_CHAIN in self.stderr)


def is_not_exist(e: Exception) -> bool:
    """``isNotExist`` of ``pkg/ip/ipmasq_linux.go``."""
    return isinstance(e, IptablesError) and e.is_not_exist()


@dataclass(frozen=True)
class IPTables:
    """``iptables.New()`` / ``NewWithProtocol(ProtocolIPv6)`` for namespace ``netns``."""

    netns: str
    ipv6: bool = False

    def _run(self, *args: str) -> PluginGen[str]:
        """``runWithOutput``: the program with ``--wait``; its stdout."""
        full = (*args, "--wait")
        try:
            out = yield Iptables(netns=self.netns, args=full, ipv6=self.ipv6)
        except CommandFailed as e:
            raise IptablesError([PATHS[self.ipv6], *full], e.status, e.stderr) from None
        return str(out or "")

    def exists(self, table: str, chain: str, *rulespec: str) -> PluginGen[bool]:
        """``Exists``: ``-C``; exit status 1 means no."""
        try:
            yield from self._run("-t", table, "-C", chain, *rulespec)
        except IptablesError as e:
            if e.status == 1:
                return False
            raise
        return True

    def insert(self, table: str, chain: str, pos: int, *rulespec: str) -> PluginGen[None]:
        yield from self._run("-t", table, "-I", chain, str(pos), *rulespec)

    def append(self, table: str, chain: str, *rulespec: str) -> PluginGen[None]:
        yield from self._run("-t", table, "-A", chain, *rulespec)

    def append_unique(self, table: str, chain: str, *rulespec: str) -> PluginGen[None]:
        """``AppendUnique``: ``-C``, then ``-A`` if absent."""
        if not (yield from self.exists(table, chain, *rulespec)):
            yield from self.append(table, chain, *rulespec)

    def delete(self, table: str, chain: str, *rulespec: str) -> PluginGen[None]:
        yield from self._run("-t", table, "-D", chain, *rulespec)

    def delete_if_exists(self, table: str, chain: str, *rulespec: str) -> PluginGen[None]:
        if (yield from self.exists(table, chain, *rulespec)):
            yield from self.delete(table, chain, *rulespec)

    def list_rules(self, table: str, chain: str) -> PluginGen[list[str]]:
        """``List``: ``-S CHAIN``, one rule a line."""
        return (yield from self._list("-t", table, "-S", chain))

    def list_chains(self, table: str) -> PluginGen[list[str]]:
        """``ListChains``: the ``-P`` and ``-N`` lines of ``-S``, by name."""
        chains: list[str] = []
        for line in (yield from self._list("-t", table, "-S")):
            if not line.startswith(("-P", "-N")):
                break
            chains.append(line.split()[1])
        return chains

    def chain_exists(self, table: str, chain: str) -> PluginGen[bool]:
        """``ChainExists``: ``-S CHAIN 1``; exit status 1 means no."""
        try:
            yield from self._run("-t", table, "-S", chain, "1")
        except IptablesError as e:
            if e.status == 1:
                return False
            raise
        return True

    def new_chain(self, table: str, chain: str) -> PluginGen[None]:
        yield from self._run("-t", table, "-N", chain)

    def clear_chain(self, table: str, chain: str) -> PluginGen[None]:
        """``ClearChain``: ``-N``; if it exists already (status 1), ``-F``."""
        try:
            yield from self.new_chain(table, chain)
        except IptablesError as e:
            if e.status != 1:
                raise
            yield from self._run("-t", table, "-F", chain)

    def delete_chain(self, table: str, chain: str) -> PluginGen[None]:
        yield from self._run("-t", table, "-X", chain)

    def clear_and_delete_chain(self, table: str, chain: str) -> PluginGen[None]:
        """``ClearAndDeleteChain``: nothing if absent, else ``-F`` and ``-X``."""
        if (yield from self.chain_exists(table, chain)):
            yield from self._run("-t", table, "-F", chain)
            yield from self._run("-t", table, "-X", chain)

    def _list(self, *args: str) -> PluginGen[list[str]]:
        """``executeList``: stdout's lines without the last newline; ``-c`` counters
        moved as ``filterRuleOutput`` does (they are not asked for here)."""
        out = yield from self._run(*args)
        lines = out.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines
