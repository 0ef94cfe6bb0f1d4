"""``pkg/utils/iptables.go`` of containernetworking/plugins v1.1.1: idempotent
chain and rule helpers over go-iptables (:mod:`netsim.cni.iptables`), as the
meta plugins (portmap, firewall) call them."""

from __future__ import annotations

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.iptables import IPTables, IptablesError

__all__ = [
    "chain_exists",
    "clear_chain",
    "delete_chain",
    "delete_rule",
    "ensure_chain",
    "insert_unique",
]

#: ``statusChainExists``: ``iptables -N`` of a chain that is there.
STATUS_CHAIN_EXISTS = 1


def chain_exists(ipt: IPTables, table: str, chain: str) -> PluginGen[bool]:
    """``ChainExists``: the chain is among ``ListChains``."""
    return chain in (yield from ipt.list_chains(table))


def ensure_chain(ipt: IPTables, table: str, chain: str) -> PluginGen[None]:
    """``EnsureChain``: ``-N`` unless listed; "exists" (status 1) is fine."""
    try:
        exists = yield from chain_exists(ipt, table, chain)
    except IptablesError as e:
        raise CniError(f"failed to list iptables chains: {e.msg}") from None
    if not exists:
        try:
            yield from ipt.new_chain(table, chain)
        except IptablesError as e:
            if e.status != STATUS_CHAIN_EXISTS:
                raise


def delete_rule(ipt: IPTables, table: str, chain: str, *rulespec: str) -> PluginGen[None]:
    """``DeleteRule``: ``-D``; no such rule or chain, or a parameter problem (status 2:
    the rule names a chain that is gone), is fine."""
    try:
        yield from ipt.delete(table, chain, *rulespec)
    except IptablesError as e:
        if e.is_not_exist() or e.status == 2:
            return
        raise CniError(f"Failed to delete referring rule {table} {chain}: {e.msg}") from None


def delete_chain(ipt: IPTables, table: str, chain: str) -> PluginGen[None]:
    """``DeleteChain``: ``-X``; a chain that is not there is fine."""
    try:
        yield from ipt.delete_chain(table, chain)
    except IptablesError as e:
        if not e.is_not_exist():
            raise


def clear_chain(ipt: IPTables, table: str, chain: str) -> PluginGen[None]:
    """``ClearChain``: go-iptables' ``ClearChain`` (``-N``, else ``-F``); creates
    the chain when it is not there."""
    try:
        yield from ipt.clear_chain(table, chain)
    except IptablesError as e:
        if not e.is_not_exist():
            raise
        yield from ensure_chain(ipt, table, chain)


def insert_unique(ipt: IPTables, table: str, chain: str, prepend: bool,
                  rule: list[str]) -> PluginGen[None]:  # fmt: skip
    """``InsertUnique``: ``-C``, then ``-I CHAIN 1`` (``prepend``) or ``-A`` if absent."""
    if (yield from ipt.exists(table, chain, *rule)):
        return
    if prepend:
        yield from ipt.insert(table, chain, 1, *rule)
    else:
        yield from ipt.append(table, chain, *rule)
