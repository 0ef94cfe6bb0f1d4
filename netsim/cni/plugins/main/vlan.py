"""The vlan plugin: ``plugins/main/vlan/vlan.go`` of containernetworking/plugins
v1.1.1 (``loadConf``, ``createVlan``, ``cmdAdd``, ``cmdDel``, ``cmdCheck``,
``validateCniContainerInterface``) as generators of host operations.

Keys: ``master`` (required), ``vlanId`` (0 to 4094), ``mtu`` (0 to the
master's), ``ipam`` (required: without one the delegate is ``no plugin name
provided``), ``dns``.  v1.1.1 has no ``linkInContainer``.

As in the Go code: the vlan device stays in the container when IPAM ADD fails
(and under its ``vethXXXXXXXX`` name when the rename fails); a failure
configuring it runs IPAM DEL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field
from netsim.cni.plugins.main.common import dns_of, exec_ipam, link_by_name
from netsim.cni.plugins.main.iface import configure_iface, validate_ips, validate_routes
from netsim.cni.plugins.main.stacked import (
    conf_int,
    conf_str,
    container_iface,
    container_link,
    create_stacked,
    del_in_netns,
    load_json,
    mtu_by_name,
    prev_result,
)
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface, IPConfig, Result
from netsim.cni.skel import CmdArgs

__all__ = ["VLAN", "VlanConf", "cmd_add", "cmd_check", "cmd_del", "load_conf"]


@dataclass(frozen=True)
class VlanConf:
    """``NetConf`` of vlan.go after ``loadConf``."""

    master: str
    vlan_id: int
    mtu: int
    ipam_type: str
    obj: dict[str, Any]


def _parse(stdin: str) -> VlanConf:
    obj = load_json(stdin)
    ipam = field(obj, "ipam")
    ipam_type = str(field(ipam, "type") or "") if isinstance(ipam, dict) else ""
    return VlanConf(conf_str(obj, "master"), conf_int(obj, "vlanId"), conf_int(obj, "mtu"),
                    ipam_type, obj)  # fmt: skip


def load_conf(stdin: str, host: str) -> PluginGen[VlanConf]:
    """``loadConf``: the master required, the VLAN ID in range, then the master's
    MTU (``Link not found``) and ``mtu`` within it."""
    conf = _parse(stdin)
    if not conf.master:
        raise CniError('"master" field is required. It specifies the host interface name to create the VLAN for.')  # fmt: skip  # noqa: E501
    if not 0 <= conf.vlan_id <= 4094:
        raise CniError(f"invalid VLAN ID {conf.vlan_id} (must be between 0 and 4095 inclusive)")
    master_mtu = yield from mtu_by_name(host, conf.master)
    if conf.mtu < 0 or conf.mtu > master_mtu:
        raise CniError(f"invalid MTU {conf.mtu}, must be [0, master MTU({master_mtu})]")
    return conf


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = yield from load_conf(args.stdin, ctx.host_netns)
    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    iface = yield from create_stacked(ctx, args, ns, kind="vlan", master=conf.master,
                                      mtu=conf.mtu, data={"id": conf.vlan_id})  # fmt: skip
    try:
        ipam = yield from exec_ipam("ADD", conf.ipam_type, args)
    except CniError as e:
        text = f"{e.msg}; {e.details}" if e.details else e.msg  # types.Error.Error()
        raise CniError(f"failed to execute IPAM delegate: {text}") from None
    assert ipam is not None
    if not ipam.ips:
        raise CniError("IPAM plugin returned missing IP config")
    ips = tuple(IPConfig(i.address, i.gateway, 0) for i in ipam.ips)
    result = Result(interfaces=(iface,), ips=ips, routes=ipam.routes)
    try:
        yield from configure_iface(ns, args.ifname, result)
    except CniError:
        try:  # noqa: SIM105
            yield from exec_ipam("DEL", conf.ipam_type, args)
        except CniError:
            pass
        raise
    return Result(interfaces=result.interfaces, ips=result.ips, routes=result.routes,
                  dns=dns_of(field(conf.obj, "dns")))  # fmt: skip


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: loadConf, IPAM DEL (always), then the link."""
    conf = yield from load_conf(args.stdin, ctx.host_netns)
    yield from exec_ipam("DEL", conf.ipam_type, args)
    yield from del_in_netns(ctx, args)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``: the config without loadConf's checks."""
    conf = _parse(args.stdin)
    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    yield from exec_ipam("CHECK", conf.ipam_type, args)
    result = prev_result(conf.obj, "vlan: Required prevResult missing")
    cont = container_iface(args, result)
    if (yield from link_by_name(ctx.host_netns, conf.master)) is None:
        raise CniError(f'failed to lookup master "{conf.master}": Link not found')
    yield from validate_container_iface(ns, cont, conf.vlan_id, conf.mtu)
    yield from validate_ips(ns, args.ifname, result)
    yield from validate_routes(ns, result)


def validate_container_iface(ns: str, intf: Interface, vlan_id: int, mtu: int) -> PluginGen[None]:  # fmt: skip  # noqa: E501
    """``validateCniContainerInterface``; like vlan.go (its own TODO), the
    master's index is not compared."""
    rec = yield from container_link(ns, intf, "vlan", prefix="vlan: ")
    info = rec.get("linkinfo", {})
    if intf.mac and intf.mac != rec.get("address"):
        raise CniError(f"vlan: Interface {intf.name} Mac {intf.mac} doesn't match container Mac: {rec.get('address')}")  # fmt: skip  # noqa: E501
    have = int(info.get("info_data", {}).get("id", 0))
    if vlan_id != have:  # sic: the tuning plugin's words
        raise CniError(f"Error: Tuning link {intf.name} configured promisc is {vlan_id}, current value is {have}")  # fmt: skip  # noqa: E501
    if mtu and mtu != rec.get("mtu"):
        raise CniError(f"Error: Tuning configured MTU of {intf.name} is {mtu}, current value is {rec.get('mtu')}")  # fmt: skip  # noqa: E501


VLAN: Final = GenPlugin("vlan", add=cmd_add, check=cmd_check, delete=cmd_del)
