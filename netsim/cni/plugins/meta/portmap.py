"""The portmap plugin: ``plugins/meta/portmap/main.go`` (``parseConfig``,
``cmdAdd``, ``cmdDel``, ``cmdCheck``) and ``portmap.go`` (``forwardPorts``,
``checkPorts``, ``unforwardPorts``, ``maybeGetIptables``,
``enableLocalnetRouting``, ``deletePortmapStaleConnections``) with
``utils.go``'s ``getRoutableHostIF``, containernetworking/plugins v1.1.1.

A chained plugin: hostPorts of ``runtimeConfig.portMappings`` are DNATed to the
first IPv4 and first IPv6 address of the container in ``prevResult``, through
the nat chains of :mod:`~netsim.cni.plugins.meta.portmap_chain`, changed with
go-iptables in the namespace the plugin runs in; ``route_localnet=1`` on the
host interface routing to the container; stale UDP conntrack entries for the
host ports deleted (``ConntrackDelete``; a failure only logged, as Go logs
it, and here not printed).  The ``prevResult`` is passed through.

On a node ip6tables is always there: CHECK checks both tables (so an IPv4
container fails with ``could not check ipv6 dnat: chain CNI-DN-... not found
in iptables table nat``, cni.md §6.5) and DEL tears down in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field, unmarshal
from netsim.cni.iptables import IPTables, IptablesError
from netsim.cni.plugins.main.common import errstr
from netsim.cni.plugins.meta.conf import get
from netsim.cni.plugins.meta.portmap_chain import (
    PortMapEntry,
    fill_dnat_rules,
    gen_dnat_chain,
    gen_mark_masq_chain,
    gen_old_snat_chain,
    gen_set_mark_chain,
    gen_toplevel_dnat_chain,
)
from netsim.cni.prevresult import parse_prev_result
from netsim.cni.result import IPNet, Result
from netsim.cni.skel import CmdArgs
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import ConntrackDelete, RouteGet, SysctlSet

__all__ = ["PORTMAP", "PortMapConf", "cmd_add", "cmd_check", "cmd_del", "parse_config"]

#: ``DefaultMarkBit``: Kubernetes uses 14 and 15, Calico 20-31.
DEFAULT_MARK_BIT: Final = 13
_ENTRY_TYPE: Final = "[]main.PortMapEntry"
_RC_TYPE: Final = 'struct { PortMaps []main.PortMapEntry "json:\\"portMappings,omitempty\\"" }'


@dataclass
class PortMapConf:
    """``PortMapConf`` after ``parseConfig``: defaults filled, container addresses picked."""

    name: str
    cni_version: str
    snat: bool = True
    conditions_v4: list[str] | None = None
    conditions_v6: list[str] | None = None
    mark_masq_bit: int = DEFAULT_MARK_BIT
    mark_given: bool = False
    external_set_mark_chain: str | None = None
    port_maps: tuple[PortMapEntry, ...] = ()
    prev_result: Result | None = None
    container_id: str = ""
    cont_ipv4: IPNet | None = None
    cont_ipv6: IPNet | None = None


def _entries(conf: dict[str, Any]) -> tuple[PortMapEntry, ...]:
    rc = get(conf, "runtimeConfig", _RC_TYPE, "PortMapConf.runtimeConfig", kind="object")
    maps = get(rc, "portMappings", _ENTRY_TYPE, "PortMapConf.runtimeConfig.portMappings",
               kind="array") or []  # fmt: skip
    out: list[PortMapEntry] = []
    for m in maps:
        if not isinstance(m, dict):
            raise CniError(f"json: cannot unmarshal {'string' if isinstance(m, str) else 'number'}"
                           " into Go value of type main.PortMapEntry")  # fmt: skip
        where = "PortMapEntry.runtimeConfig.portMappings."
        out.append(PortMapEntry(
            int(get(m, "hostPort", "int", where + "hostPort") or 0),
            int(get(m, "containerPort", "int", where + "containerPort") or 0),
            str(get(m, "protocol", "string", where + "protocol") or ""),
            str(get(m, "hostIP", "string", where + "hostIP") or ""),
        ))  # fmt: skip
    return tuple(out)


def _decode(stdin: str) -> PortMapConf:
    """``json.Unmarshal(stdin, &conf)``: :class:`CniError` with Go's text."""
    conf = unmarshal(stdin)
    if not isinstance(conf, dict):
        raise CniError("json: cannot unmarshal into Go value of type main.PortMapConf")
    version = field(conf, "cniVersion")
    out = PortMapConf(str(field(conf, "name") or ""), str(version or ""))
    snat = get(conf, "snat", "bool", "PortMapConf.snat")
    out.conditions_v4 = get(conf, "conditionsV4", "[]string", "PortMapConf.conditionsV4")
    out.conditions_v6 = get(conf, "conditionsV6", "[]string", "PortMapConf.conditionsV6")
    bit = get(conf, "markMasqBit", "int", "PortMapConf.markMasqBit")
    chain = get(conf, "externalSetMarkChain", "string", "PortMapConf.externalSetMarkChain")
    out.port_maps = _entries(conf)
    get(conf, "prevResult", "map[string]interface {}", "PortMapConf.prevResult")
    out.snat = True if snat is None else bool(snat)
    out.mark_given = bit is not None
    out.mark_masq_bit = DEFAULT_MARK_BIT if bit is None else int(bit)
    out.external_set_mark_chain = chain
    return out


def parse_config(stdin: str, ifname: str) -> PortMapConf:
    """``parseConfig``: decode, the prevResult, defaults, validation, and the
    container's first IPv4/IPv6 address (an IP whose ``interface`` names a
    known host-side interface, or another ifname, is skipped)."""
    try:
        conf = _decode(stdin)
    except CniError as e:
        raise CniError(f"failed to parse network configuration: {e.msg}") from None
    raw = field(unmarshal(stdin), "prevResult")
    if raw is not None:
        try:
            conf.prev_result = parse_prev_result(raw, conf.cni_version)
        except CniError as e:
            raise CniError(f"could not parse prevResult: {e.msg}") from None
    if conf.mark_given and conf.external_set_mark_chain is not None:
        raise CniError("Cannot specify externalSetMarkChain and markMasqBit")
    if not 0 <= conf.mark_masq_bit <= 31:
        raise CniError("MasqMarkBit must be between 0 and 31")
    for pm in conf.port_maps:
        if pm.container_port <= 0:
            raise CniError(f"Invalid container port number: {pm.container_port}")
        if pm.host_port <= 0:
            raise CniError(f"Invalid host port number: {pm.host_port}")
    result = conf.prev_result
    for ipc in result.ips if result is not None else ():
        v4 = ipc.address.version == 4
        if (v4 and conf.cont_ipv4 is not None) or (not v4 and conf.cont_ipv6 is not None):
            continue
        i = ipc.interface
        if i is not None and 0 <= i < len(result.interfaces):  # type: ignore[union-attr]
            iface = result.interfaces[i]  # type: ignore[union-attr]
            if iface.name != ifname or not iface.sandbox:
                continue
        if v4:
            conf.cont_ipv4 = ipc.address
        else:
            conf.cont_ipv6 = ipc.address
    return conf


def _parse(args: CmdArgs, *, prefix: str) -> PortMapConf:
    try:
        return parse_config(args.stdin, args.ifname)
    except CniError as e:
        raise CniError(prefix + e.msg) from None


# --- ADD ---------------------------------------------------------------------------------------


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``: forward the ports to each family's address, then drop stale UDP
    conntrack entries of the host ports; the prevResult passed through."""
    conf = _parse(args, prefix="failed to parse config: ")
    if conf.prev_result is None:
        raise CniError("must be called as chained plugin")
    if not conf.port_maps:
        return conf.prev_result
    conf.container_id = args.container_id
    for net in (conf.cont_ipv4, conf.cont_ipv6):
        if net is None:
            continue
        yield from forward_ports(ctx.host_netns, conf, net)
        yield from _delete_stale_udp(ctx.host_netns, conf, net.version == 6)
    return conf.prev_result


def forward_ports(netns: str, conf: PortMapConf, net: IPNet) -> PluginGen[None]:
    """``forwardPorts``: the mark chains (when ``snat``), ``route_localnet`` (IPv4),
    the top-level DNAT chain, then the container's chain."""
    v6 = net.version == 6
    ipt = IPTables(netns, ipv6=v6)
    if conf.snat:
        if conf.external_set_mark_chain is None:
            set_mark = gen_set_mark_chain(conf.mark_masq_bit)
            for chain in (set_mark, gen_mark_masq_chain(conf.mark_masq_bit)):
                try:
                    yield from chain.setup(ipt)
                except CniError as e:  # Go names the SETMARK chain for both
                    raise CniError(f"unable to create chain {set_mark.name}: {e.msg}") from None
        if not v6:
            host_if = yield from routable_host_if(netns, net.ip)
            if host_if:
                yield from _enable_localnet_routing(netns, host_if)
    top = gen_toplevel_dnat_chain()
    try:
        yield from top.setup(ipt)
    except CniError as e:
        raise CniError(f"failed to create top-level DNAT chain: {e.msg}") from None
    dnat = gen_dnat_chain(conf.name, conf.container_id)
    fill_dnat_rules(dnat, conf, net)
    try:
        yield from dnat.setup(ipt)
    except CniError as e:
        raise CniError(f"unable to setup DNAT: {e.msg}") from None


def routable_host_if(netns: str, ip: Any) -> PluginGen[str]:
    """``getRoutableHostIF``: the device of the route to the container (``""`` if none)."""
    try:
        records = yield RouteGet(netns=netns, dst=str(ip))
    except NetsimError:
        return ""
    for rec in records or []:
        if rec.get("dev"):
            return str(rec["dev"])
    return ""


def _enable_localnet_routing(netns: str, ifname: str) -> PluginGen[None]:
    """``enableLocalnetRouting``: ``net/ipv4/conf/IF/route_localnet`` = 1."""
    path = f"net/ipv4/conf/{ifname}/route_localnet"
    try:
        yield SysctlSet(netns=netns, key=path, value="1")
    except NetsimError as e:
        raise CniError(f"unable to enable route_localnet: open /proc/sys/{path}: "
                       f"{errstr(e)}") from None  # fmt: skip


def _delete_stale_udp(netns: str, conf: PortMapConf, v6: bool) -> PluginGen[None]:
    """``deletePortmapStaleConnections``: UDP entries to each host port (failures are
    only logged by the plugin)."""
    for pm in conf.port_maps:
        if pm.protocol.lower() != "udp":
            continue
        try:
            yield ConntrackDelete(netns=netns, proto=17, dport=pm.host_port & 0xFFFF, ipv6=v6)
        except (NetsimError, KernelError):
            return


# --- DEL and CHECK -----------------------------------------------------------------------------


def _maybe_iptables(netns: str, v6: bool) -> PluginGen[IPTables | None]:
    """``maybeGetIptables``: a handle if ``-t nat -S OUTPUT`` works."""
    ipt = IPTables(netns, ipv6=v6)
    try:
        yield from ipt.list_rules("nat", "OUTPUT")
    except IptablesError:
        return None
    return ipt


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel`` / ``unforwardPorts``: the container's chain (and an old
    ``CNI-SN-`` one) torn down in both families, whatever the ADD did."""
    conf = _parse(args, prefix="failed to parse config: ")
    if not conf.port_maps:
        return
    dnat = gen_dnat_chain(conf.name, args.container_id)
    old_snat = gen_old_snat_chain(conf.name, args.container_id)
    ip4t = yield from _maybe_iptables(ctx.host_netns, False)
    ip6t = yield from _maybe_iptables(ctx.host_netns, True)
    if ip4t is None and ip6t is None:
        raise CniError("neither iptables nor ip6tables usable")
    for fam, ipt in (("ipv4", ip4t), ("ipv6", ip6t)):
        if ipt is None:
            continue
        try:
            yield from dnat.teardown(ipt)
        except CniError as e:
            raise CniError(f"could not teardown {fam} dnat: {e.msg}") from None
        try:  # noqa: SIM105
            yield from old_snat.teardown(ipt)
        except CniError:
            pass


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck`` / ``checkPorts``: each address's chain checked in iptables
    *and* ip6tables, as the plugin does."""
    conf = parse_config(args.stdin, args.ifname)
    if conf.prev_result is None:
        raise CniError("Required prevResult missing")
    if not conf.port_maps:
        return
    conf.container_id = args.container_id
    for net in (conf.cont_ipv4, conf.cont_ipv6):
        if net is None:
            continue
        dnat = gen_dnat_chain(conf.name, conf.container_id)
        fill_dnat_rules(dnat, conf, net)
        ip4t = yield from _maybe_iptables(ctx.host_netns, False)
        ip6t = yield from _maybe_iptables(ctx.host_netns, True)
        if ip4t is None and ip6t is None:
            raise CniError("neither iptables nor ip6tables usable")
        for fam, ipt in (("ipv4", ip4t), ("ipv6", ip6t)):
            if ipt is None:
                continue
            try:
                yield from dnat.check(ipt)
            except CniError as e:
                raise CniError(f"could not check {fam} dnat: {e.msg}") from None


PORTMAP: Final = GenPlugin("portmap", add=cmd_add, check=cmd_check, delete=cmd_del)
