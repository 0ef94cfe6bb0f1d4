"""The firewall plugin: ``plugins/meta/firewall/firewall.go`` (``parseConf``,
``getBackend``, ``cmdAdd``, ``cmdDel``, ``cmdCheck``) and its iptables backend
``iptables.go`` (``setupChains``, ``addRules``, ``delRules``, ``checkRules``),
containernetworking/plugins v1.1.1.  Versions 0.4.0 and 1.0.0 only.

In the filter table of the namespace the plugin runs in: chains ``CNI-FORWARD``
and ``CNI-ADMIN`` (``iptablesAdminChainName``), each jumped to first (FORWARD
→ CNI-FORWARD → CNI-ADMIN, with their comments), and per container address
``-d IP -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`` and
``-s IP -j ACCEPT`` appended to CNI-FORWARD (ip6tables for IPv6 addresses).
DEL deletes the per-address rules only.  ``ingressPolicy`` is in
:mod:`~netsim.cni.plugins.meta.firewall_ingress`.

The firewalld backend (D-Bus) is not modelled: ``backend: firewalld`` is an
error; with no backend named, firewalld is taken as not running (the model's
nodes have no D-Bus), so iptables is used, as on such a node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field, unmarshal
from netsim.cni.iptables import IPTables, IptablesError
from netsim.cni.iptables_utils import ensure_chain
from netsim.cni.plugins.meta.conf import get
from netsim.cni.plugins.meta.firewall_ingress import setup_ingress_policy, teardown_ingress_policy
from netsim.cni.prevresult import parse_prev_result
from netsim.cni.result import IPConfig, Result
from netsim.cni.skel import CmdArgs
from netsim.cni.version import CURRENT

__all__ = ["FIREWALL", "FirewallConf", "cmd_add", "cmd_check", "cmd_del", "parse_conf"]

#: ``version.VersionsStartingFrom("0.4.0")``.
SUPPORTED: Final = ("0.4.0", "1.0.0")
PRIV_CHAIN: Final = "CNI-FORWARD"
FIREWALLD_NOT_MODELLED: Final = (
    "netsim: the firewall plugin's firewalld backend is not modelled yet"
)


@dataclass(frozen=True)
class FirewallConf:
    """``FirewallNetConf`` after ``parseConf``."""

    backend: str
    admin_chain: str
    ingress_policy: str
    #: the prevResult as a current result; None when the config has none
    prev_result: Result | None


def parse_conf(stdin: str) -> FirewallConf:
    """``parseConf`` (the zone default ``trusted`` only matters to firewalld)."""
    where = "FirewallNetConf."
    try:
        conf = unmarshal(stdin)
        if not isinstance(conf, dict):
            raise CniError("json: cannot unmarshal into Go value of type main.FirewallNetConf")
        backend = get(conf, "backend", "string", where + "backend") or ""
        admin = get(conf, "iptablesAdminChainName", "string", where + "iptablesAdminChainName")
        get(conf, "firewalldZone", "string", where + "firewalldZone")
        policy = get(conf, "ingressPolicy", "string", where + "ingressPolicy") or ""
        get(conf, "prevResult", "map[string]interface {}", where + "prevResult")
    except CniError as e:
        raise CniError(f"failed to load netconf: {e.msg}") from None
    raw = field(conf, "prevResult")
    prev = None
    if raw is not None:
        try:
            prev = parse_prev_result(raw, str(field(conf, "cniVersion") or ""))
        except CniError as e:
            raise CniError(f"could not parse prevResult: {e.msg}") from None
    return FirewallConf(str(backend), str(admin or "CNI-ADMIN"), str(policy), prev)


def _backend(conf: FirewallConf) -> None:
    """``getBackend``: iptables, unless firewalld is named (not modelled) — with
    no D-Bus on the node, firewalld is never found running."""
    if conf.backend == "firewalld":
        raise CniError(FIREWALLD_NOT_MODELLED)


def _ip_string(ipc: IPConfig) -> str:
    """``ipString``: the address as ``/32`` or ``/128``."""
    a = ipc.address
    return f"{a.ip}/{32 if a.version == 4 else 128}"


def _priv_chain_rules(result: Result, v6: bool) -> list[list[str]]:
    """``getPrivChainRules`` for each address of the family."""
    rules: list[list[str]] = []
    for ipc in result.ips:
        if (ipc.address.version == 6) == v6:
            ip = _ip_string(ipc)
            rules.append(["-d", ip, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                          "-j", "ACCEPT"])  # fmt: skip
            rules.append(["-s", ip, "-j", "ACCEPT"])
    return rules


def _filter_rule() -> list[str]:
    return ["-m", "comment", "--comment", "CNI firewall plugin rules", "-j", PRIV_CHAIN]


def _admin_rule(admin: str) -> list[str]:
    return ["-m", "comment", "--comment", "CNI firewall plugin admin overrides", "-j", admin]


def _ensure_first(ipt: IPTables, chain: str, rule: list[str]) -> PluginGen[None]:
    """``ensureFirstChainRule``: ``-I CHAIN 1`` unless the rule is there."""
    if not (yield from ipt.exists("filter", chain, *rule)):
        yield from ipt.insert("filter", chain, 1, *rule)


def _setup_chains(ipt: IPTables, admin: str) -> PluginGen[None]:
    """``setupChains``."""
    yield from ensure_chain(ipt, "filter", PRIV_CHAIN)
    yield from ensure_chain(ipt, "filter", admin)
    yield from _ensure_first(ipt, "FORWARD", _filter_rule())
    yield from _ensure_first(ipt, PRIV_CHAIN, _admin_rule(admin))


def _cleanup(ipt: IPTables, rules: list[list[str]]) -> PluginGen[None]:
    """``cleanupRules``: ``-D`` each, errors ignored."""
    for rule in rules:
        try:  # noqa: SIM105
            yield from ipt.delete("filter", PRIV_CHAIN, *rule)
        except IptablesError:
            pass


def _add_rules(ipt: IPTables, admin: str, result: Result) -> PluginGen[None]:
    """``addRules``: the chains, then each rule appended once (all removed again
    if one fails)."""
    rules = _priv_chain_rules(result, ipt.ipv6)
    if not rules:
        return
    yield from _setup_chains(ipt, admin)
    for rule in rules:
        try:
            yield from ipt.append_unique("filter", PRIV_CHAIN, *rule)
        except CniError:
            yield from _cleanup(ipt, rules)
            raise


def _check_rules(ipt: IPTables, admin: str, result: Result) -> PluginGen[None]:
    """``checkRules``: the chains (made if missing), both jumps, each rule."""
    rules = _priv_chain_rules(result, ipt.ipv6)
    if not rules:
        return
    yield from ensure_chain(ipt, "filter", PRIV_CHAIN)
    yield from ensure_chain(ipt, "filter", admin)
    for chain, rule in (("FORWARD", _filter_rule()), (PRIV_CHAIN, _admin_rule(admin))):
        if not (yield from ipt.exists("filter", chain, *rule)):
            raise CniError(f"expected {chain} rule [{' '.join(rule)}] not found")
    for rule in rules:
        if not (yield from ipt.exists("filter", PRIV_CHAIN, *rule)):
            raise CniError(f"expected rule [{' '.join(rule)}] not found")


def _families(netns: str) -> tuple[IPTables, IPTables]:
    """``newIptablesBackend``'s handles (Go ranges over a map: the order is
    random there, IPv4 first here)."""
    return IPTables(netns), IPTables(netns, ipv6=True)


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``: the backend's rules, the ingress policy; the prevResult passed on."""
    conf = parse_conf(args.stdin)
    if conf.prev_result is None:
        raise CniError("missing prevResult from earlier plugin")
    _backend(conf)
    for ipt in _families(ctx.host_netns):
        yield from _add_rules(ipt, conf.admin_chain, conf.prev_result)
    yield from setup_ingress_policy(ctx.host_netns, conf.ingress_policy, conf.prev_result)
    return conf.prev_result


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: the per-address rules of the prevResult's addresses (none
    without one); chains and jumps stay."""
    conf = parse_conf(args.stdin)
    _backend(conf)
    result = conf.prev_result or Result(CURRENT)
    for ipt in _families(ctx.host_netns):
        rules = _priv_chain_rules(result, ipt.ipv6)
        if rules:
            yield from _cleanup(ipt, rules)
    teardown_ingress_policy(conf.ingress_policy)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``."""
    conf = parse_conf(args.stdin)
    if conf.prev_result is None:
        raise CniError("missing prevResult from earlier plugin")
    _backend(conf)
    for ipt in _families(ctx.host_netns):
        yield from _check_rules(ipt, conf.admin_chain, conf.prev_result)


FIREWALL: Final = GenPlugin("firewall", add=cmd_add, check=cmd_check, delete=cmd_del,
                            supported=SUPPORTED)  # fmt: skip
