"""portmap's chains: ``plugins/meta/portmap/chain.go`` (``chain.setup``,
``teardown``, ``check``) and the chain builders of ``portmap.go``
(``genToplevelDnatChain``, ``genDnatChain``, ``fillDnatRules``,
``genSetMarkChain``, ``genMarkMasqChain``, ``genOldSnatChain``) with
``utils.go``'s ``groupByProto``, ``splitPortList``, ``trimComment`` and
``fmtIpPort`` (containernetworking/plugins v1.1.1).  All in the nat table."""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass, field
from typing import Any, Final

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.iptables import IPTables, IptablesError
from netsim.cni.iptables_utils import (
    chain_exists,
    clear_chain,
    delete_chain,
    delete_rule,
    ensure_chain,
    insert_unique,
)
from netsim.cni.result import IPNet, ip_net_str
from netsim.cni.utils import format_chain_name

__all__ = [
    "MARK_MASQ_CHAIN",
    "SET_MARK_CHAIN",
    "TOP_LEVEL_DNAT_CHAIN",
    "Chain",
    "PortMapEntry",
    "fill_dnat_rules",
    "gen_dnat_chain",
    "gen_mark_masq_chain",
    "gen_old_snat_chain",
    "gen_set_mark_chain",
    "gen_toplevel_dnat_chain",
]

TOP_LEVEL_DNAT_CHAIN: Final = "CNI-HOSTPORT-DNAT"
SET_MARK_CHAIN: Final = "CNI-HOSTPORT-SETMARK"
MARK_MASQ_CHAIN: Final = "CNI-HOSTPORT-MASQ"
OLD_TOP_LEVEL_SNAT_CHAIN: Final = "CNI-HOSTPORT-SNAT"


@dataclass(frozen=True)
class PortMapEntry:
    """``PortMapEntry``: one of ``runtimeConfig.portMappings``."""

    host_port: int
    container_port: int
    protocol: str = ""
    host_ip: str = ""


def _go_list(rules: list[list[str]]) -> str:
    """``%s`` of a ``[][]string``: ``[[-p tcp --dport 80] [...]]``."""
    return "[" + " ".join("[" + " ".join(r) + "]" for r in rules) + "]"


@dataclass
class Chain:
    """``chain``: a chain, the chains that jump to it and how."""

    table: str
    name: str
    entry_chains: list[str] = field(default_factory=list)
    entry_rules: list[list[str]] = field(default_factory=list)
    rules: list[list[str]] = field(default_factory=list)
    prepend_entry: bool = False

    def setup(self, ipt: IPTables) -> PluginGen[None]:
        """``setup``: the chain made if missing, each rule appended once, then each
        entry rule (``-j NAME``) added once to each entry chain."""
        yield from ensure_chain(ipt, self.table, self.name)
        for rule in self.rules:
            yield from insert_unique(ipt, self.table, self.name, False, rule)
        for entry in self.entry_chains:
            for rule in self.entry_rules:
                yield from insert_unique(ipt, self.table, entry, self.prepend_entry,
                                         [*rule, "-j", self.name])  # fmt: skip

    def teardown(self, ipt: IPTables) -> PluginGen[None]:
        """``teardown``: flush (creating the chain if missing), delete every rule of
        an entry chain that ends ``-j NAME``, then delete the chain."""
        yield from clear_chain(ipt, self.table, self.name)
        for entry in self.entry_chains:
            try:
                listed = yield from ipt.list_rules(self.table, entry)
            except IptablesError:
                continue  # probably no such chain
            for line in listed[1:]:
                if not line.endswith("-j " + self.name):
                    continue
                try:
                    parts = shlex.split(line)  # mattn/go-shellwords
                except ValueError as e:
                    raise CniError(f"error parsing iptables rule: {line}: {e}") from None
                yield from delete_rule(ipt, self.table, entry, *parts[2:])
        yield from delete_chain(ipt, self.table, self.name)

    def check(self, ipt: IPTables) -> PluginGen[None]:
        """``check``: the chain, its rules (last first) and the entry rules exist."""
        if not (yield from chain_exists(ipt, self.table, self.name)):
            raise CniError(f"chain {self.name} not found in iptables table {self.table}")
        for rule in reversed(self.rules):
            if not (yield from _check_rule(ipt, self.table, self.name, rule)):
                raise CniError(f"rule {_go_list(self.rules)} in chain {self.name} not found "
                               f"in table {self.table}")  # fmt: skip
        for entry in self.entry_chains:
            for rule in reversed(self.entry_rules):
                if not (yield from _check_rule(ipt, self.table, entry, [*rule, "-j", self.name])):
                    raise CniError(f"rule {_go_list(self.entry_rules)} in chain {entry} not "
                                   f"found in table {self.table}")  # fmt: skip


def _check_rule(ipt: IPTables, table: str, chain: str, rule: list[str]) -> PluginGen[bool]:
    """``checkRule``: ``Exists``, an error counting as absent."""
    try:
        return (yield from ipt.exists(table, chain, *rule))
    except IptablesError:
        return False


def gen_toplevel_dnat_chain() -> Chain:
    """``genToplevelDnatChain``: PREROUTING and OUTPUT jump for local destinations."""
    return Chain("nat", TOP_LEVEL_DNAT_CHAIN, ["PREROUTING", "OUTPUT"],
                 [["-m", "addrtype", "--dst-type", "LOCAL"]])  # fmt: skip


def gen_dnat_chain(net_name: str, container_id: str) -> Chain:
    """``genDnatChain``: ``CNI-DN-<hash>``, entered from CNI-HOSTPORT-DNAT."""
    return Chain("nat", format_chain_name(net_name, container_id, "DN-"), [TOP_LEVEL_DNAT_CHAIN])


def gen_old_snat_chain(net_name: str, container_id: str) -> Chain:
    """``genOldSnatChain``: the ``CNI-SN-<hash>`` chain of older versions."""
    return Chain("nat", format_chain_name(net_name, container_id, "SN-"),
                 [OLD_TOP_LEVEL_SNAT_CHAIN])  # fmt: skip


def _mark_def(bit: int) -> str:
    """``fmt.Sprintf("%#x/%#x", v, v)`` of ``1 << bit``."""
    value = 1 << bit
    return f"{value:#x}/{value:#x}"


def gen_set_mark_chain(bit: int) -> Chain:
    """``genSetMarkChain``: CNI-HOSTPORT-SETMARK sets the masquerade mark."""
    return Chain("nat", SET_MARK_CHAIN, rules=[[
        "-m", "comment", "--comment", "CNI portfwd masquerade mark",
        "-j", "MARK", "--set-xmark", _mark_def(bit)]])  # fmt: skip


def gen_mark_masq_chain(bit: int) -> Chain:
    """``genMarkMasqChain``: CNI-HOSTPORT-MASQ masquerades marked packets; its
    POSTROUTING jump goes first (before the bridge/ptp masquerade chains)."""
    return Chain(
        "nat", MARK_MASQ_CHAIN, ["POSTROUTING"],
        [["-m", "comment", "--comment", "CNI portfwd requiring masquerade"]],
        [["-m", "mark", "--mark", _mark_def(bit), "-j", "MASQUERADE"]],
        prepend_entry=True,
    )  # fmt: skip


def trim_comment(val: str) -> str:
    """``trimComment``: a comment over 255 characters cut to 253 plus ``...``."""
    return val if len(val) <= 255 else val[:253] + "..."


def fmt_ip_port(net: IPNet, port: int) -> str:
    """``fmtIpPort``: ``ip:port``, ``[ip]:port`` for IPv6."""
    return f"[{net.ip}]:{port}" if net.version == 6 else f"{net.ip}:{port}"


def split_port_list(ports: list[int]) -> list[str]:
    """``splitPortList``: comma lists of at most 15 ports (multiport's limit)."""
    return [",".join(str(p) for p in ports[i : i + 15]) for i in range(0, len(ports), 15)]


def fill_dnat_rules(c: Chain, conf: Any, net: IPNet) -> None:
    """``fillDnatRules``: one entry rule per protocol (sorted) and 15 ports; per
    mapping (skipping a hostIP of the other family) the hairpin and (IPv4)
    localhost SETMARK rules when ``snat``, then the DNAT."""
    v6 = net.version == 6
    comment = trim_comment(f'dnat name: "{conf.name}" id: "{conf.container_id}"')
    set_mark = conf.external_set_mark_chain or SET_MARK_CHAIN
    by_proto: dict[str, list[int]] = {}
    for e in conf.port_maps:
        by_proto.setdefault(e.protocol, []).append(e.host_port)
    conditions = conf.conditions_v6 if v6 else conf.conditions_v4
    for proto in sorted(by_proto):
        for spec in split_port_list(by_proto[proto]):
            c.entry_rules.append(["-m", "comment", "--comment", comment, "-m", "multiport",
                                  "-p", proto, "--destination-ports", spec,
                                  *(conditions or ())])  # fmt: skip
    c.rules = []
    for e in conf.port_maps:
        base = ["-p", e.protocol, "--dport", str(e.host_port)]
        if e.host_ip:
            host_v6, unspecified = _host_ip(e.host_ip)
            if host_v6 != v6:
                continue
            if not unspecified:
                base += ["-d", e.host_ip]
        if conf.snat:
            c.rules.append([*base, "-s", ip_net_str(net), "-j", set_mark])
            if not v6:
                c.rules.append([*base, "-s", "127.0.0.1", "-j", set_mark])
        c.rules.append(
            [*base, "-j", "DNAT", "--to-destination", fmt_ip_port(net, e.container_port)]
        )


def _host_ip(text: str) -> tuple[bool, bool]:
    """``net.ParseIP(hostIP)``: whether Go takes it for IPv6 (``To4() == nil``, so
    also when it does not parse) and whether it is unspecified (0.0.0.0, ::)."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return True, False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return False, ip.ipv4_mapped.is_unspecified
    return ip.version == 6, ip.is_unspecified
