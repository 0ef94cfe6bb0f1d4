"""CHECK of the bridge plugin: ``cmdCheck``, ``validateCniBrInterface``,
``validateCniContainerInterface``, ``validateCniVethInterface`` of
``plugins/main/bridge/bridge.go`` (v1.1.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netsim.cni.driver import Context, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.plugins.main.common import exec_ipam, link_by_name
from netsim.cni.plugins.main.iface import validate_ips, validate_routes
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface
from netsim.cni.runtime_result import result_from_json
from netsim.cni.skel import CmdArgs

if TYPE_CHECKING:
    from netsim.cni.plugins.main.bridge import BridgeConf

__all__ = ["check"]


def _kind(rec: dict[str, Any]) -> str:
    return str(rec.get("linkinfo", {}).get("info_kind", ""))


def _validate(ns: str, intf: Interface, in_sb: bool) -> PluginGen[dict[str, Any]]:
    """``validateInterface``."""
    if not intf.name:
        raise CniError("Interface name missing ")
    rec = yield from link_by_name(ns, intf.name)
    if rec is None:
        raise CniError(f"Interface name {intf.name} not found")
    if in_sb and not intf.sandbox:
        raise CniError(f"Interface {intf.name} is expected to be in a sandbox")
    if not in_sb and intf.sandbox:
        raise CniError(f"Interface {intf.name} should not be in sandbox")
    return rec


def check(args: CmdArgs, ctx: Context, conf: BridgeConf) -> PluginGen[None]:
    """``cmdCheck``: IPAM CHECK, then bridge, container veth, host veth, IPs, routes."""
    try:
        cont_ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    yield from exec_ipam("CHECK", conf.ipam_type, args)
    if conf.prev_result is None:
        raise CniError("Required prevResult missing")
    result = result_from_json(conf.prev_result)
    br_map = next((i for i in result.interfaces if i.name == conf.bridge), Interface(""))
    cont_map = next((i for i in result.interfaces if i.name == args.ifname
                     and i.sandbox == args.netns and i.name != conf.bridge), Interface(""))  # fmt: skip  # noqa: E501
    host = ctx.host_netns
    br = yield from _validate(host, br_map, False)
    if _kind(br) != "bridge":
        raise CniError(f"Interface {br_map.name} does not have link type of bridge")
    if br_map.mac and br_map.mac != br.get("address"):
        raise CniError(f"Bridge interface {br_map.name} Mac doesn't match: {br_map.mac}")
    promisc = int(br.get("promiscuity", 0)) != 0
    if promisc != conf.promisc:
        b = str(conf.promisc).lower()
        raise CniError(f"Bridge interface {br_map.name} configured Promisc Mode {b} doesn't match current state: {str(promisc).lower()} ")  # fmt: skip  # noqa: E501
    if args.netns != cont_map.sandbox:
        raise CniError(f"Sandbox in prevResult {cont_map.sandbox} doesn't match configured netns: {args.netns}")  # fmt: skip  # noqa: E501
    cont = yield from _validate(cont_ns, cont_map, True)
    if _kind(cont) != "veth":
        raise CniError(f"Error: Container interface {cont_map.name} not of type veth")
    if cont_map.mac and cont_map.mac != cont.get("address"):
        raise CniError(f"Interface {cont_map.name} Mac {cont_map.mac} doesn't match container Mac: {cont.get('address')}")  # fmt: skip  # noqa: E501
    found = False
    for intf in result.interfaces:
        if intf.name in (br_map.name, cont_map.name):
            continue
        rec = yield from _validate(host, intf, False)
        if _kind(rec) != "veth":
            continue
        if rec.get("link_index") != cont.get("ifindex") or cont.get("link_index") != rec.get("ifindex"):  # fmt: skip  # noqa: E501
            continue
        if rec.get("master") != conf.bridge:
            continue
        if intf.mac and intf.mac != rec.get("address"):
            raise CniError(f"Interface {intf.name} Mac doesn't match: {intf.mac} not found")
        found = True
        break
    if not found:
        raise CniError(f"CNI veth created for bridge {conf.bridge} was not found")
    yield from validate_ips(cont_ns, args.ifname, result)
    yield from validate_routes(cont_ns, result)
