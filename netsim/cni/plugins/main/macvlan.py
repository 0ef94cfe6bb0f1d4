"""The macvlan plugin: ``plugins/main/macvlan/macvlan.go`` of containernetworking/plugins
v1.1.1 (``loadConf``, ``modeFromString``/``modeToString``, ``createMacvlan``,
``cmdAdd``, ``cmdDel``, ``cmdCheck``, ``validateCniContainerInterface``) as
generators of host operations.

Keys: ``master`` (default: the default route's device), ``mode`` (``bridge``
unless set: ``private``, ``vepa``, ``passthru``), ``mtu`` (0 to the master's),
``mac`` (then CNI_ARGS ``MAC``, then ``runtimeConfig.mac``), ``ipam`` (none:
L2 only, the link just set UP), ``dns``.  v1.1.1 has no ``linkInContainer``.

As in the Go code, where an error variable is shadowed: a failing IPAM ADD
leaves the macvlan in the container, and a failure configuring it runs IPAM DEL
but leaves the link too; only the L2 path deletes the link when it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.args import load_args, parse_string
from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field
from netsim.cni.plugins.main.common import (
    dns_of,
    errstr,
    exec_ipam,
    link_by_name,
    parse_mac,
    sysctl_ignore,
)
from netsim.cni.plugins.main.iface import configure_iface
from netsim.cni.plugins.main.stacked import (
    check_stacked,
    conf_int,
    conf_str,
    container_link,
    create_stacked,
    default_route_interface,
    del_in_netns,
    del_link_by_name,
    load_json,
    mtu_by_name,
)
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface, IPConfig, Result
from netsim.cni.skel import CmdArgs
from netsim.errors import NetsimError
from netsim.host.ops import LinkSet

__all__ = ["MACVLAN", "MacvlanConf", "cmd_add", "cmd_check", "cmd_del", "load_conf"]

#: ``netlink.MacvlanMode`` values (``MACVLAN_MODE_*`` of ``if_link.h``).
MODES: Final = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8, "source": 16}


@dataclass(frozen=True)
class MacvlanConf:
    """``NetConf`` of macvlan.go after ``loadConf``."""

    master: str
    mode: str
    mtu: int
    mac: str
    ipam_type: str
    obj: dict[str, Any]


def load_conf(stdin: str, env_args: str, host: str) -> PluginGen[MacvlanConf]:
    """``loadConf``: the master (default route's device if unset), its MTU and
    ``mtu`` within it, the MAC from ``mac`` < CNI_ARGS ``MAC`` < ``runtimeConfig.mac``."""
    obj = load_json(stdin)
    master, mode, mtu = conf_str(obj, "master"), conf_str(obj, "mode"), conf_int(obj, "mtu")
    mac = conf_str(obj, "mac")
    if not master:
        master = yield from default_route_interface(host)
    master_mtu = yield from mtu_by_name(host, master)
    if mtu < 0 or mtu > master_mtu:
        raise CniError(f"invalid MTU {mtu}, must be [0, master MTU({master_mtu})]")
    if env_args:
        mac = str(load_args(env_args, {"MAC": parse_string}).get("MAC") or mac)
    runtime = field(obj, "runtimeConfig")
    if isinstance(runtime, dict) and field(runtime, "mac"):
        mac = str(field(runtime, "mac"))
    ipam = field(obj, "ipam")
    ipam_type = str(field(ipam, "type") or "") if isinstance(ipam, dict) else ""
    return MacvlanConf(master, mode, mtu, mac, ipam_type, obj)


def mode_from_string(s: str) -> int:
    """``modeFromString``: ``""`` is ``bridge``."""
    if s == "":
        return MODES["bridge"]
    if s in ("bridge", "private", "vepa", "passthru"):
        return MODES[s]
    raise CniError(f'unknown macvlan mode: "{s}"')


def mode_to_string(mode: int) -> str:
    """``modeToString``; an unknown one is printed as Go's ``%q`` of a number."""
    for name in ("bridge", "private", "vepa", "passthru"):
        if MODES[name] == mode:
            return name
    raise CniError(f"unknown macvlan mode: {go_quote_rune(mode)}")


def go_quote_rune(n: int) -> str:
    """Go's ``%q`` of an integer: ``strconv.QuoteRune`` (``'\\x00'``, ``'\\x10'``)."""
    c = chr(n)
    if c.isprintable() and c not in "'\\":
        return f"'{c}'"
    escapes = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r",
               39: "\\'", 92: "\\\\"}  # fmt: skip
    if n in escapes:
        return f"'{escapes[n]}'"
    return f"'\\x{n:02x}'" if n < 0x80 else f"'\\u{n:04x}'"


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = yield from load_conf(args.stdin, args.args, ctx.host_netns)
    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:  # Go prints the nil NetNS it got back, not the path
        raise CniError(f"failed to open netns %!q(<nil>): {e.msg}") from None
    mode = mode_from_string(conf.mode)
    address = None
    if conf.mac:
        address = parse_mac(conf.mac, f"invalid args {conf.mac} for MAC addr: ")
        if address.count(":") != 5:  # macvlan_validate(): IFLA_ADDRESS of ETH_ALEN only
            raise CniError("failed to create macvlan: invalid argument")
    mode_name = next(k for k, v in MODES.items() if v == mode)
    iface = yield from create_stacked(ctx, args, ns, kind="macvlan", master=conf.master,
                                      mtu=conf.mtu, data={"mode": mode_name}, address=address,
                                      delete_on_rename_failure=True)  # fmt: skip
    result = Result(interfaces=(iface,))
    if conf.ipam_type:
        ipam = yield from exec_ipam("ADD", conf.ipam_type, args)  # failure: the link stays
        assert ipam is not None
        if not ipam.ips:
            raise CniError("IPAM plugin returned missing IP config")
        ips = tuple(IPConfig(i.address, i.gateway, 0) for i in ipam.ips)
        result = Result(interfaces=(iface,), ips=ips, routes=ipam.routes)
        try:
            yield from sysctl_ignore(ns, f"net/ipv4/conf/{args.ifname}/arp_notify", "1")
            yield from configure_iface(ns, args.ifname, result)
        except CniError:
            try:  # noqa: SIM105
                yield from exec_ipam("DEL", conf.ipam_type, args)
            except CniError:
                pass
            raise
    else:
        try:
            if (yield from link_by_name(ns, args.ifname)) is None:
                raise CniError(f'failed to find interface name "{iface.name}": Link not found')
            try:
                yield LinkSet(netns=ns, ifname=args.ifname, up=True)
            except NetsimError as e:
                raise CniError(f'failed to set "{args.ifname}" UP: {errstr(e)}') from None
        except CniError:
            yield from _del_quietly(ns, args.ifname)
            raise
    return Result(interfaces=result.interfaces, ips=result.ips, routes=result.routes,
                  dns=dns_of(field(conf.obj, "dns")))  # fmt: skip


def _del_quietly(ns: str, ifname: str) -> PluginGen[None]:
    """The deferred ``ip.DelLinkByName(args.IfName)`` whose error is dropped."""
    try:  # noqa: SIM105
        yield from del_link_by_name(ns, ifname)
    except CniError:
        pass


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: loadConf (so a missing master fails), IPAM DEL for L3, then the
    link in the namespace (absent, or the namespace gone: fine)."""
    conf = yield from load_conf(args.stdin, args.args, ctx.host_netns)
    if conf.ipam_type:
        yield from exec_ipam("DEL", conf.ipam_type, args)
    yield from del_in_netns(ctx, args)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``."""
    conf = yield from load_conf(args.stdin, args.args, ctx.host_netns)
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
    rec = yield from container_link(ns, intf, "macvlan")
    info = rec.get("linkinfo", {})
    try:
        want = mode_from_string(mode_expected)
    except CniError:
        want = 0  # modeFromString's error is not looked at
    have = MODES.get(str(info.get("info_data", {}).get("mode", "")), 0)
    if have != want:
        raise CniError(f"Container macvlan mode {mode_to_string(have)} does not match expected value: {mode_to_string(want)}")  # fmt: skip  # noqa: E501
    if intf.mac and intf.mac != rec.get("address"):
        raise CniError(f"Interface {intf.name} Mac {intf.mac} doesn't match container Mac: {rec.get('address')}")  # fmt: skip  # noqa: E501


MACVLAN: Final = GenPlugin("macvlan", add=cmd_add, check=cmd_check, delete=cmd_del)
