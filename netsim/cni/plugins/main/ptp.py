"""The ptp plugin: ``plugins/main/ptp/ptp.go`` of containernetworking/plugins v1.1.1
(``cmdAdd``, ``setupContainerVeth``, ``setupHostVeth``, ``cmdDel``, ``cmdCheck``)
as generators of host operations.

IPAM first (exhaustion leaves nothing behind), forwarding, the veth pair; the
container gets its address, IPAM's routes, then its subnet route replaced by
``<gw> dev IF scope link src <ip>`` and ``<subnet> via <gw> src <ip>``; the host
veth gets ``<gw>/32`` and ``<ip>/32 dev VETH scope host``; ``ipMasq`` adds the
masquerade chain.  IPv6 is not modelled."""

from __future__ import annotations

import dataclasses
import errno as _errno
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import GoJsonError, unmarshal
from netsim.cni.plugins.ipmasq import setup_ip_masq, teardown_ip_masq
from netsim.cni.plugins.main.common import (
    del_link_by_name_addr,
    dns_conf_set,
    dns_of,
    enable_forward,
    errstr,
    exec_ipam,
    link_by_name,
    setup_veth,
)
from netsim.cni.plugins.main.iface import configure_iface, validate_ips, validate_routes
from netsim.cni.plugins.netns import NSPathNotExist, get_ns
from netsim.cni.result import Interface, IPConfig, Result
from netsim.cni.runtime_result import result_from_json
from netsim.cni.skel import CmdArgs
from netsim.cni.utils import format_chain_name, format_comment
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import AddrAdd, RouteAdd, RouteDel

__all__ = ["PTP", "cmd_add", "cmd_check", "cmd_del"]


def _conf(stdin: str) -> dict[str, Any]:
    try:
        obj = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"failed to load netconf: {e}") from None
    assert isinstance(obj, dict)
    return obj


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``: IPAM ADD, forwarding, container veth, host veth; IPAM DEL on failure."""
    conf = _conf(args.stdin)
    ipam_type = str((conf.get("ipam") or {}).get("type", ""))
    result = yield from exec_ipam("ADD", ipam_type, args)
    assert result is not None
    try:
        result = yield from _add(args, ctx, conf, result)
    except Exception:
        try:  # noqa: SIM105
            yield from exec_ipam("DEL", ipam_type, args)
        except CniError:
            pass
        raise
    return result


def _add(args: CmdArgs, ctx: Context, conf: dict[str, Any], result: Result) -> PluginGen[Result]:
    if not result.ips:
        raise CniError("IPAM plugin returned missing IP config")
    for fam in sorted({ipc.address.version for ipc in result.ips}):
        try:
            yield from enable_forward(ctx.host_netns, fam)
        except NetsimError as e:
            raise CniError(f"Could not enable IP forwarding: {errstr(e)}") from None
    try:
        cont_ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    mtu = int(conf.get("mtu") or 0)
    result = yield from setup_container_veth(ctx, cont_ns, args, mtu, result)
    yield from setup_host_veth(ctx.host_netns, result.interfaces[0].name, result)
    if conf.get("ipMasq"):
        name = str(conf.get("name", ""))
        chain, comment = format_chain_name(name, args.container_id), format_comment(name, args.container_id)  # fmt: skip  # noqa: E501
        for ipc in result.ips:
            yield from setup_ip_masq(ctx.host_netns, ipc.address, chain, comment)
    if dns_conf_set(conf.get("dns")):
        result = dataclasses.replace(result, dns=dns_of(conf.get("dns")))
    return result


def setup_container_veth(ctx: Context, ns: str, args: CmdArgs, mtu: int, result: Result) -> PluginGen[Result]:  # fmt: skip  # noqa: E501
    """``setupContainerVeth``."""
    veth = yield from setup_veth(ctx, ns, args.ifname, mtu, "")
    ips = tuple(IPConfig(i.address, i.gateway, 1) for i in result.ips)
    ifaces = (Interface(veth.host_name, veth.host_mac),
              Interface(veth.cont_name, veth.cont_mac, args.netns))  # fmt: skip
    result = dataclasses.replace(result, interfaces=ifaces, ips=ips)
    yield from configure_iface(ns, args.ifname, result)
    for ipc in result.ips:
        net = ipc.address.network
        subnet = f"{net.network_address}/{net.prefixlen}"
        try:
            yield RouteDel(netns=ns, dst=subnet, dev=args.ifname)
        except NetsimError as e:
            raise CniError(f"failed to delete route {{Dst: {subnet}}}: {errstr(e)}") from None
        src = str(ipc.address.ip)
        gw = str(ipc.gateway)
        link = RouteAdd(netns=ns, dst=f"{gw}/32", dev=args.ifname, scope="link", src=src)
        via = RouteAdd(netns=ns, dst=subnet, via=gw, dev=args.ifname, src=src)
        for op in (link, via):
            try:
                yield op
            except NetsimError as e:
                raise CniError(f"failed to add route {{Dst: {op.dst}}}: {errstr(e)}") from None
    return result


def setup_host_veth(ns: str, veth: str, result: Result) -> PluginGen[None]:
    """``setupHostVeth``: ``<gw>/32`` on the host veth and ``<ip>/32 dev VETH scope host``."""
    if (yield from link_by_name(ns, veth)) is None:
        raise CniError(f'failed to lookup "{veth}": Link not found')
    for ipc in result.ips:
        try:
            yield AddrAdd(netns=ns, ifname=veth, address=f"{ipc.gateway}/32")
        except NetsimError as e:
            raise CniError(f"failed to add IP addr ({ipc.gateway}/32) to veth: {errstr(e)}") from None  # fmt: skip  # noqa: E501
        try:
            yield RouteAdd(netns=ns, dst=f"{ipc.address.ip}/32", dev=veth, scope="host")
        except KernelError as e:
            if e.errno != _errno.EEXIST:
                raise CniError(f"failed to add route on host: {errstr(e)}") from None


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: IPAM DEL first, then the container link (absent or no netns: fine)."""
    conf = _conf(args.stdin)
    yield from exec_ipam("DEL", str((conf.get("ipam") or {}).get("type", "")), args)
    if not args.netns:
        return None
    try:
        ns = yield from get_ns(ctx, args.netns)
    except NSPathNotExist:
        return None
    ipnets = (yield from del_link_by_name_addr(ns, args.ifname)) or []
    if ipnets and conf.get("ipMasq"):
        name = str(conf.get("name", ""))
        chain, comment = format_chain_name(name, args.container_id), format_comment(name, args.container_id)  # fmt: skip  # noqa: E501
        failure: CniError | None = None
        for ipn in ipnets:  # each tried; the last one's error is returned
            try:
                yield from teardown_ip_masq(ctx.host_netns, ipn, chain, comment)
            except CniError as e:
                failure = e
            else:
                failure = None
        if failure is not None:
            raise failure
    return None


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``: IPAM CHECK, the container veth, its addresses and routes."""
    conf = _conf(args.stdin)
    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    yield from exec_ipam("CHECK", str((conf.get("ipam") or {}).get("type", "")), args)
    if conf.get("prevResult") is None:
        raise CniError("ptp: Required prevResult missing")
    result = result_from_json(conf["prevResult"])
    cont = next((i for i in result.interfaces
                 if i.name == args.ifname and i.sandbox == args.netns), Interface(""))  # fmt: skip
    if args.netns != cont.sandbox:
        raise CniError(f"Sandbox in prevResult {cont.sandbox} doesn't match configured netns: {args.netns}")  # fmt: skip  # noqa: E501
    if not cont.name:
        raise CniError("Container interface name missing in prevResult: ")
    rec = yield from link_by_name(ns, cont.name)
    if rec is None:
        raise CniError(f"ptp: Container Interface name in prevResult: {cont.name} not found")
    if rec.get("linkinfo", {}).get("info_kind") != "veth":
        raise CniError(f"Error: Container interface {cont.name} not of type veth/p2p")
    if cont.mac and cont.mac != rec.get("address"):
        raise CniError(f"ptp: Interface {cont.name} Mac {cont.mac} doesn't match container Mac: {rec.get('address')}")  # fmt: skip  # noqa: E501
    yield from validate_ips(ns, args.ifname, result)
    yield from validate_routes(ns, result)


PTP: Final = GenPlugin("ptp", add=cmd_add, check=cmd_check, delete=cmd_del)
