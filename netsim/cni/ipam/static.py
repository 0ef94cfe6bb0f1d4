"""The static IPAM plugin: ``plugins/ipam/static/main.go`` of
containernetworking/plugins v1.1.1.  Addresses come from the config, then
CNI_ARGS ``IP=``/``GATEWAY=`` (appended), then ``args.cni.ips`` and
``runtimeConfig.ips`` (each replacing the list).  No state; DEL does nothing."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from netsim.cni.args import load_args, parse_string
from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs
from netsim.cni.gojson import field, unmarshal
from netsim.cni.ipam.config import parse_dns, parse_routes
from netsim.cni.ipam.ranges import canonicalize_ip, parse_ip
from netsim.cni.result import DNS, IP, IPConfig, IPNet, Result, Route
from netsim.cni.skel import CmdArgs, Plugin
from netsim.cni.version import greater_than_or_equal

__all__ = ["STATIC", "cmd_add", "cmd_check", "cmd_del", "load_static_config"]


@dataclass(frozen=True)
class StaticConfig:
    """``static.IPAMConfig`` after ``LoadIPAMConfig``."""

    cni_version: str
    addresses: tuple[IPConfig, ...]
    routes: tuple[Route, ...]
    dns: DNS


def _cidr(text: str, what: str) -> IPNet:
    """``net.ParseCIDR`` keeping the address, or the plugin's CIDR error."""
    try:
        if "/" not in text or "%" in text:
            raise ValueError(text)
        n = ipaddress.ip_interface(text)
    except ValueError:
        raise CniError(f"{what}, got: '{text}'") from None
    ip = canonicalize_ip(n.ip)
    return ipaddress.ip_interface(f"{ip}/{n.network.prefixlen}") if ip.version == n.version else n


def _with_gateway(
    addrs: list[tuple[IPNet, IP | None]], gateways: str
) -> list[tuple[IPNet, IP | None]]:
    for item in gateways.split(","):
        try:
            gw = parse_ip(item.strip())
        except CniError:
            raise CniError(f"invalid gateway address: {item}") from None
        addrs = [(a, gw if gw in a.network else g) for a, g in addrs]
    return addrs


def load_static_config(stdin: str, env_args: str) -> StaticConfig:
    """``LoadIPAMConfig`` of the static plugin."""
    obj = unmarshal(stdin)
    ipam = field(obj, "ipam")
    if not isinstance(ipam, dict):
        raise CniError("IPAM config missing 'ipam' key")
    routes, dns = parse_routes(field(ipam, "routes")), parse_dns(field(ipam, "dns"))
    addrs: list[tuple[IPNet, IP | None]] = []
    for a in field(ipam, "addresses") or []:
        gw = field(a, "gateway") if isinstance(a, dict) else None
        text = str(field(a, "address") or "") if isinstance(a, dict) else ""
        addrs.append(
            (
                _cidr(text, "the 'address' field is expected to be in CIDR notation"),
                parse_ip(gw) if gw else None,
            )
        )
    if env_args:
        e = load_args(env_args, {"IP": parse_string, "GATEWAY": parse_string})
        if e.get("IP"):
            for item in e["IP"].split(","):
                addrs.append(
                    (_cidr(item.strip(), "the 'ip' field is expected to be in CIDR notation"), None)
                )
        if e.get("GATEWAY"):
            addrs = _with_gateway(addrs, e["GATEWAY"])
    args = field(obj, "args")
    cni = field(args, "cni") if isinstance(args, dict) else None
    rc = field(obj, "runtimeConfig")
    for source in (
        field(cni, "ips") if isinstance(cni, dict) else None,
        field(rc, "ips") if isinstance(rc, dict) else None,
    ):
        if source:
            addrs = [
                (_cidr(str(s), "an entry in the 'ips' field is NOT in CIDR notation"), None)
                for s in source
            ]
    v4 = sum(1 for a, _ in addrs if a.version == 4)
    version = str(field(obj, "cniVersion") or "")
    if v4 > 1 or len(addrs) - v4 > 1:
        try:
            ok = greater_than_or_equal(version, "0.3.0")
        except CniError:
            ok = False
        if not ok:
            raise CniError(f"CNI version {version} does not support more than 1 address per family")
    ips = tuple(IPConfig(address=a, gateway=g) for a, g in addrs)
    return StaticConfig(version, ips, routes, dns)


def cmd_add(args: CmdArgs, fs: PluginFs) -> str:
    """``cmdAdd``: the configured addresses, routes and dns."""
    conf = load_static_config(args.stdin, args.args)
    return Result(ips=conf.addresses, routes=conf.routes, dns=conf.dns).render(conf.cni_version)


def cmd_del(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdDel``: nothing to release."""


def cmd_check(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdCheck``: every configured address is in ``prevResult`` with its gateway."""
    conf = load_static_config(args.stdin, args.args)
    prev = field(unmarshal(args.stdin), "prevResult")
    if prev is None:
        raise CniError("Required prevResult missing")
    prev_ips = [
        (field(i, "address"), field(i, "gateway"))
        for i in field(prev, "ips") or []
        if isinstance(i, dict)
    ]
    for want in conf.addresses:
        for addr, gw in prev_ips:
            ip = _cidr(str(addr), "invalid address").ip
            if ip != want.address.ip:
                continue
            if want.gateway is None or (gw and parse_ip(str(gw)) == want.gateway):
                break
            raise CniError(f"static: Failed to match addr {ip} on interface {args.ifname}")


STATIC = Plugin("static", add=cmd_add, check=cmd_check, delete=cmd_del)
