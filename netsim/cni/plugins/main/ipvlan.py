"""The ipvlan plugin: ``plugins/main/ipvlan/ipvlan.go`` of containernetworking/plugins
v1.1.1 (``loadConf``, ``modeFromString``/``modeToString``, ``createIpvlan``,
``cmdAdd``, ``cmdDel``, ``cmdCheck``, ``validateCniContainerInterface``) as
generators of host operations.

Keys: ``master`` (default: the default route's device, or, chained, the one
interface of ``prevResult``), ``mode`` (``l2`` unless set: ``l3``, ``l3s``),
``mtu``, ``ipam`` (none: the addresses of ``prevResult``), ``dns``.  Unlike
macvlan, loadConf checks neither the master nor the MTU.

As in the Go code: nothing deletes the ipvlan when a later step fails (a failed
rename leaves it under its ``vethXXXXXXXX`` name), and because the IPAM DEL
``defer`` watches a shadowed error, a failure configuring the interface does
not release the address either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field
from netsim.cni.plugins.main.common import dns_of, exec_ipam, sysctl_ignore
from netsim.cni.plugins.main.iface import configure_iface
from netsim.cni.plugins.main.macvlan import go_quote_rune
from netsim.cni.plugins.main.stacked import (
    check_stacked,
    conf_int,
    conf_str,
    container_link,
    create_stacked,
    default_route_interface,
    del_in_netns,
    load_json,
)
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface, IPConfig, Result
from netsim.cni.runtime_result import result_from_json
from netsim.cni.skel import CmdArgs

__all__ = ["IPVLAN", "IpvlanConf", "cmd_add", "cmd_check", "cmd_del", "load_conf"]

#: ``netlink.IPVlanMode`` values (``IPVLAN_MODE_*`` of ``if_link.h``).
MODES: Final = {"l2": 0, "l3": 1, "l3s": 2}


@dataclass(frozen=True)
class IpvlanConf:
    """``NetConf`` of ipvlan.go after ``loadConf``."""

    master: str
    mode: str
    mtu: int
    ipam_type: str
    prev: Result | None
    obj: dict[str, Any]


def load_conf(stdin: str, host: str, *, check: bool = False) -> PluginGen[IpvlanConf]:
    """``loadConf``: for CHECK the config as it is; else the prevResult parsed and
    the master defaulted (prevResult's only interface when chained)."""
    obj = load_json(stdin)
    master, mode, mtu = conf_str(obj, "master"), conf_str(obj, "mode"), conf_int(obj, "mtu")
    ipam = field(obj, "ipam")
    ipam_type = str(field(ipam, "type") or "") if isinstance(ipam, dict) else ""
    prev = None
    if not check:
        raw = field(obj, "prevResult")
        if raw is not None:
            try:
                prev = result_from_json(raw)
            except CniError as e:
                raise CniError(f"could not parse prevResult: {e.msg}") from None
        if not master:
            if prev is None:
                master = yield from default_route_interface(host)
            elif len(prev.interfaces) == 1 and prev.interfaces[0].name:
                master = prev.interfaces[0].name
            else:
                raise CniError("chained master failure. PrevResult lacks a single named interface")  # fmt: skip  # noqa: E501
    return IpvlanConf(master, mode, mtu, ipam_type, prev, obj)


def mode_from_string(s: str) -> int:
    """``modeFromString``: ``""`` is ``l2``."""
    if s == "":
        return MODES["l2"]
    if s in MODES:
        return MODES[s]
    raise CniError(f'unknown ipvlan mode: "{s}"')


def mode_to_string(mode: int) -> str:
    """``modeToString``."""
    for name, value in MODES.items():
        if value == mode:
            return name
    raise CniError(f"unknown ipvlan mode: {go_quote_rune(mode)}")


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = yield from load_conf(args.stdin, ctx.host_netns)
    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    mode = mode_from_string(conf.mode)
    data = {"mode": mode_to_string(mode)}
    iface = yield from create_stacked(ctx, args, ns, kind="ipvlan", master=conf.master,
                                      mtu=conf.mtu, data=data)  # fmt: skip
    result = None
    if not conf.ipam_type and conf.prev is not None and conf.prev.ips:
        result = conf.prev
    if result is None:
        result = yield from exec_ipam("ADD", conf.ipam_type, args)
        assert result is not None
        if not result.ips:
            raise CniError("IPAM plugin returned missing IP config")
    ips = tuple(IPConfig(i.address, i.gateway, 0) for i in result.ips)
    result = Result(interfaces=(iface,), ips=ips, routes=result.routes)
    yield from sysctl_ignore(ns, f"net/ipv4/conf/{args.ifname}/arp_notify", "1")
    yield from configure_iface(ns, args.ifname, result)  # failure: no IPAM DEL (shadowed err)
    return Result(interfaces=result.interfaces, ips=result.ips, routes=result.routes,
                  dns=dns_of(field(conf.obj, "dns")))  # fmt: skip


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: IPAM DEL when there is an IPAM block, then the link."""
    conf = yield from load_conf(args.stdin, ctx.host_netns)
    if conf.ipam_type:
        yield from exec_ipam("DEL", conf.ipam_type, args)
    yield from del_in_netns(ctx, args)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck`` (the master as configured: no default for CHECK)."""
    conf = yield from load_conf(args.stdin, ctx.host_netns, check=True)
    yield from check_stacked(
        args,
        ctx,
        conf.obj,
        conf.ipam_type,
        conf.master,
        lambda ns, cont: validate_container_iface(ns, cont, conf.mode),
    )


def validate_container_iface(ns: str, intf: Interface, mode_expected: str) -> PluginGen[None]:
    """``validateCniContainerInterface``: the link, its kind, mode and MAC."""
    rec = yield from container_link(ns, intf, "ipvlan")
    info = rec.get("linkinfo", {})
    try:
        want = mode_from_string(mode_expected)
    except CniError:
        want = 0  # modeFromString's error is not looked at: l2
    have = MODES.get(str(info.get("info_data", {}).get("mode", "")), 0)
    if have != want:
        raise CniError(f"Container IPVlan mode {mode_to_string(have)} does not match expected value: {mode_to_string(want)}")  # fmt: skip  # noqa: E501
    if intf.mac and intf.mac != rec.get("address"):
        raise CniError(f"Interface {intf.name} Mac {intf.mac} doesn't match container Mac: {rec.get('address')}")  # fmt: skip  # noqa: E501


IPVLAN: Final = GenPlugin("ipvlan", add=cmd_add, check=cmd_check, delete=cmd_del)
