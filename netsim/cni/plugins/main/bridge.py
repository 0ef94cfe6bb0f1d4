"""The bridge plugin: ``plugins/main/bridge/bridge.go`` of containernetworking/plugins
v1.1.1 (``loadNetConf``, ``ensureBridge``, ``setupVeth``, ``calcGateways``,
``ensureAddr``, ``cmdAdd``, ``cmdDel``, ``cmdCheck``) as generators of host operations.

Not modelled (a ``netsim: ...`` error when asked for): ``vlan``/``vlanTrunk``,
``macspoofchk``, IPv6 addresses.  The wait for the host veth to be oper-UP
sleeps as the plugin does (simulated time on the model)."""

from __future__ import annotations

import contextlib
import dataclasses
import errno as _errno
from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.args import load_args, parse_string
from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import GoJsonError, unmarshal
from netsim.cni.ipcache import ip_interface
from netsim.cni.plugins.ipmasq import setup_ip_masq, teardown_ip_masq
from netsim.cni.plugins.main.common import (
    addrs_of,
    del_link_by_name_addr,
    dns_of,
    enable_forward,
    errstr,
    exec_ipam,
    link_by_name,
    setup_veth,
    sysctl_ignore,
    wait_oper_up,
)
from netsim.cni.plugins.main.iface import addr_add, configure_iface
from netsim.cni.plugins.netns import NSPathNotExist, get_ns
from netsim.cni.result import IP, Interface, IPConfig, IPNet, Result, Route
from netsim.cni.skel import CmdArgs
from netsim.cni.utils import format_chain_name, format_comment
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import AddrDel, BridgePortSet, LinkAdd, LinkSet

__all__ = ["BRIDGE", "BridgeConf", "cmd_add", "cmd_check", "cmd_del", "load_conf"]


@dataclass(frozen=True)
class BridgeConf:
    """``NetConf`` of bridge.go after ``loadNetConf``."""

    name: str
    cni_version: str
    bridge: str = "cni0"
    is_gw: bool = False
    is_default_gw: bool = False
    force_address: bool = False
    ip_masq: bool = False
    mtu: int = 0
    hairpin: bool = False
    promisc: bool = False
    vlan: int = 0
    macspoofchk: bool = False
    enable_dad: bool = False
    ipam_type: str = ""
    dns: Any = None
    mac: str = ""
    prev_result: Any = None


_KEYS = {"bridge": "bridge", "isGateway": "is_gw", "isDefaultGateway": "is_default_gw",
         "forceAddress": "force_address", "ipMasq": "ip_masq", "mtu": "mtu",
         "hairpinMode": "hairpin", "promiscMode": "promisc", "vlan": "vlan",
         "macspoofchk": "macspoofchk", "enabledad": "enable_dad"}  # fmt: skip


def load_conf(stdin: str, env_args: str) -> BridgeConf:
    """``loadNetConf``: defaults, the VLAN range, the MAC from CNI_ARGS < args < runtimeConfig."""
    try:
        obj = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"failed to load netconf: {e}") from None
    values: dict[str, Any] = {}
    for key, attr in _KEYS.items():
        if obj.get(key) is not None:
            values[attr] = obj[key]
    conf = BridgeConf(name=str(obj.get("name", "")), cni_version=str(obj.get("cniVersion", "")),
                      ipam_type=str((obj.get("ipam") or {}).get("type", "")),
                      dns=obj.get("dns"), prev_result=obj.get("prevResult"), **values)  # fmt: skip
    if not 0 <= conf.vlan <= 4094:
        raise CniError(f"invalid VLAN ID {conf.vlan} (must be between 0 and 4094)")
    mac = ""
    if env_args:
        mac = str(load_args(env_args, {"MAC": parse_string}).get("MAC", ""))
    mac = str(((obj.get("args") or {}).get("cni") or {}).get("mac") or mac)
    mac = str((obj.get("runtimeConfig") or {}).get("mac") or mac)
    if conf.is_default_gw:
        conf = dataclasses.replace(conf, is_gw=True)
    return dataclasses.replace(conf, mac=mac)


def ensure_bridge(ctx: Context, conf: BridgeConf) -> PluginGen[dict[str, Any]]:
    """``ensureBridge`` (wrapped by ``setupBridge``): create unless it exists,
    promisc, check it is a bridge, ``accept_ra=0``, UP.  The bridge's record."""
    ns, name = ctx.host_netns, conf.bridge

    def fail(msg: str) -> CniError:
        return CniError(f'failed to create bridge "{name}": {msg}')

    try:
        yield LinkAdd(netns=ns, ifname=name, kind="bridge", mtu=conf.mtu or None)
    except KernelError as e:
        if e.errno != _errno.EEXIST:
            raise fail(f'could not add "{name}": {errstr(e)}') from None
    if conf.promisc:
        try:
            yield LinkSet(netns=ns, ifname=name, promisc=True)
        except NetsimError as e:
            raise fail(f'could not set promiscuous mode on "{name}": {errstr(e)}') from None
    br = yield from bridge_by_name(ns, name, wrap=fail)
    yield from sysctl_ignore(ns, f"net.ipv6.conf.{name}.accept_ra", "0")
    try:
        yield LinkSet(netns=ns, ifname=name, up=True)
    except NetsimError as e:
        raise fail(errstr(e)) from None
    return br


def bridge_by_name(ns: str, name: str, wrap: Any = CniError) -> PluginGen[dict[str, Any]]:
    """``bridgeByName``."""
    rec = yield from link_by_name(ns, name)
    if rec is None:
        raise wrap(f'could not lookup "{name}": Link not found')
    if rec.get("linkinfo", {}).get("info_kind") != "bridge":
        raise wrap(f'"{name}" already exists but is not a bridge')
    return rec


def calc_gateways(result: Result, conf: BridgeConf) -> tuple[Result, list[list[IPNet]], int]:
    """``calcGateways``: every IP on interface 2, a gateway (network+1) where
    isGateway and IPAM gave none, a default route per family when
    isDefaultGateway and no default route with a gateway exists.  The result,
    the gateways per family ([v4, v6]) and how many routes were appended."""
    ips: list[IPConfig] = []
    routes = list(result.routes)
    gws: list[list[IPNet]] = [[], []]
    found = [False, False]
    appended = 0
    for ipc in result.ips:
        fam = 0 if ipc.address.version == 4 else 1
        gw: IP | None = ipc.gateway
        if gw is None and conf.is_gw:
            gw = ipc.address.network.network_address + 1
        ipc = IPConfig(ipc.address, gw, 2)  # noqa: PLW2901
        ips.append(ipc)
        if conf.is_default_gw:
            zero = ip_interface("0.0.0.0/0" if fam == 0 else "::/0")
            if any(r.gw is not None and r.dst == zero for r in routes):
                found[fam] = True
            if not found[fam]:
                routes.append(Route(zero, gw))
                appended += 1
                found[fam] = True
        if conf.is_gw and gw is not None:
            gws[fam].append(ip_interface(f"{gw}/{ipc.address.network.prefixlen}"))
    return dataclasses.replace(result, ips=tuple(ips), routes=tuple(routes)), gws, appended


def ensure_addr(ns: str, br: dict[str, Any], gw: IPNet, force: bool) -> PluginGen[None]:
    """``ensureAddr``: the gateway address on the bridge (an IPv4 address
    already there conflicts unless forceAddress), then the bridge's MAC set to
    the one it had at ensureBridge (pinning it)."""
    name = str(br["ifname"])
    have = [a for a in (yield from addrs_of(ns, name)) if a.version == gw.version]
    want = f"{gw.ip}/{gw.network.prefixlen}"
    for a in have:
        if f"{a.ip}/{a.network.prefixlen}" == want:
            return
        if gw.version == 4 or gw.ip in a.network or a.ip in gw.network:
            if not force:
                raise CniError(f'"{name}" already has an IP address different from {want}')
            try:
                yield AddrDel(netns=ns, ifname=name, address=f"{a.ip}/{a.network.prefixlen}")
            except NetsimError as e:
                raise CniError(f'could not remove IP address from "{name}": {errstr(e)}') from None  # fmt: skip  # noqa: E501
    try:
        yield addr_add(ns, name, gw)
    except KernelError as e:
        if e.errno != _errno.EEXIST:
            raise CniError(f'could not add IP address to "{name}": {errstr(e)}') from None
    try:
        yield LinkSet(netns=ns, ifname=name, address=str(br.get("address", "")))
    except NetsimError as e:
        raise CniError(f"could not set bridge's mac: {errstr(e)}") from None


def _unmodelled(conf: BridgeConf) -> None:
    for flag, what in ((conf.vlan, "vlan"), (conf.macspoofchk, "macspoofchk")):
        if flag:
            raise CniError(f"netsim: {what} is not modelled yet")


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = load_conf(args.stdin, args.args)
    if conf.hairpin and conf.promisc:
        raise CniError("cannot set hairpin mode and promiscuous mode at the same time.")
    _unmodelled(conf)
    host = ctx.host_netns
    br = yield from ensure_bridge(ctx, conf)
    try:
        cont_ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    veth = yield from setup_veth(ctx, cont_ns, args.ifname, conf.mtu, conf.mac)
    try:
        yield LinkSet(netns=host, ifname=veth.host_name, master=conf.bridge)
    except NetsimError as e:
        raise CniError(f'failed to connect "{veth.host_name}" to bridge {conf.bridge}: {errstr(e)}') from None  # fmt: skip  # noqa: E501
    try:
        yield BridgePortSet(netns=host, ifname=veth.host_name, hairpin=conf.hairpin)
    except NetsimError as e:
        raise CniError(f"failed to setup hairpin mode for {veth.host_name}: {errstr(e)}") from None  # fmt: skip  # noqa: E501
    ifaces = (Interface(conf.bridge, str(br.get("address", ""))), Interface(veth.host_name),
              Interface(args.ifname, veth.cont_mac, args.netns))  # fmt: skip
    result = Result(interfaces=ifaces)
    if conf.ipam_type:
        ipam = yield from exec_ipam("ADD", conf.ipam_type, args)
        assert ipam is not None
        try:
            result = yield from _add_l3(args, ctx, conf, br, cont_ns, result, ipam)
        except Exception:
            try:  # noqa: SIM105
                yield from exec_ipam("DEL", conf.ipam_type, args)
            except CniError:
                pass
            raise
    else:
        if (yield from link_by_name(cont_ns, args.ifname)) is None:
            raise CniError("failed to retrieve link: Link not found")
        try:
            yield LinkSet(netns=cont_ns, ifname=args.ifname, up=True)
        except NetsimError as e:
            raise CniError(f'failed to set "{args.ifname}" up: {errstr(e)}') from None
        yield from wait_oper_up(host, veth.host_name)
    host_rec = yield from link_by_name(host, veth.host_name)
    br = yield from bridge_by_name(host, conf.bridge)
    ifaces = (Interface(conf.bridge, str(br.get("address", ""))),
              Interface(veth.host_name, str((host_rec or {}).get("address", ""))), ifaces[2])  # fmt: skip  # noqa: E501
    return dataclasses.replace(result, interfaces=ifaces, dns=dns_of(conf.dns))


def _add_l3(args: CmdArgs, ctx: Context, conf: BridgeConf, br: dict[str, Any], cont_ns: str,
            result: Result, ipam: Result) -> PluginGen[Result]:  # fmt: skip
    """``cmdAdd`` after IPAM ADD: gateways, the container side, the bridge side."""
    if not ipam.ips:
        raise CniError("IPAM plugin returned missing IP config")
    result = dataclasses.replace(result, ips=ipam.ips, routes=ipam.routes)
    result, gws, appended = calc_gateways(result, conf)
    if conf.enable_dad:
        yield from sysctl_ignore(cont_ns, f"net.ipv6.conf.{args.ifname}.enhanced_dad", "1")
        yield from sysctl_ignore(cont_ns, f"net.ipv6.conf.{args.ifname}.accept_dad", "1")
    else:
        yield from sysctl_ignore(cont_ns, f"net.ipv6.conf.{args.ifname}.accept_dad", "0")
    yield from sysctl_ignore(cont_ns, f"net.ipv4.conf.{args.ifname}.arp_notify", "1")
    yield from configure_iface(cont_ns, args.ifname, result, appended=appended)
    yield from wait_oper_up(ctx.host_netns, result.interfaces[1].name)
    if conf.is_gw:
        for fam, fam_gws in zip((4, 6), gws, strict=True):
            for gw in fam_gws:
                try:
                    yield from ensure_addr(ctx.host_netns, br, gw, conf.force_address)
                except CniError as e:
                    raise CniError(f"failed to set bridge addr: {e.msg}") from None
            if fam_gws:
                try:
                    yield from enable_forward(ctx.host_netns, fam)
                except NetsimError as e:
                    raise CniError(f"failed to enable forwarding: {errstr(e)}") from None
    if conf.ip_masq:
        chain, comment = format_chain_name(conf.name, args.container_id), format_comment(conf.name, args.container_id)  # fmt: skip  # noqa: E501
        for ipc in result.ips:
            yield from setup_ip_masq(ctx.host_netns, ipc.address, chain, comment)
    return result


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: the container interface deleted (absent or no netns: fine),
    then IPAM DEL; the bridge, its addresses and forwarding stay."""
    conf = load_conf(args.stdin, args.args)
    cont_ns = None
    if args.netns:
        with contextlib.suppress(NSPathNotExist):  # gone already: only IPAM DEL
            cont_ns = yield from get_ns(ctx, args.netns)
    ipnets = []
    if cont_ns is not None:
        ipnets = (yield from del_link_by_name_addr(cont_ns, args.ifname)) or []
    if conf.ipam_type:
        yield from exec_ipam("DEL", conf.ipam_type, args)
    if conf.ipam_type and conf.ip_masq:  # only for the addresses the interface had
        chain, comment = format_chain_name(conf.name, args.container_id), format_comment(conf.name, args.container_id)  # fmt: skip  # noqa: E501
        for ipn in ipnets:
            yield from teardown_ip_masq(ctx.host_netns, ipn, chain, comment)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``."""
    from netsim.cni.plugins.main.bridge_check import check

    conf = load_conf(args.stdin, args.args)
    yield from check(args, ctx, conf)


BRIDGE: Final = GenPlugin("bridge", add=cmd_add, check=cmd_check, delete=cmd_del)
