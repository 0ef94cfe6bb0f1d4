"""The loopback plugin: ``plugins/main/loopback/loopback.go`` of
containernetworking/plugins v1.1.1 (``cmdAdd``, ``cmdDel``, ``cmdCheck``).

ADD ignores ``CNI_IFNAME`` (it is always ``lo``), sets ``lo`` up in
``CNI_NETNS`` and reports its first IPv4 and first IPv6 address (refusing a
non-loopback one); with a ``prevResult`` it passes that through instead.
DEL sets ``lo`` down (a missing namespace is success), CHECK fails with
``loopback interface is down``.

IPv6: the model has none, but a real kernel with IPv6 enabled gives ``lo``
``::1/128`` as it comes up, and the real plugin reports it (fact sheet T6).
So when the Host lists no IPv6 address on ``lo`` and says IPv6 is not disabled
there (``net.ipv6.conf.lo.disable_ipv6`` reads ``0``), the plugin reports
``::1/128`` as the kernel would have it; where IPv6 is off (a
``KernelHost(ipv6=False)`` namespace) it reports none, like the real plugin.
"""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import GoJsonError, field, unmarshal
from netsim.cni.ipcache import ip_interface
from netsim.cni.plugins.netns import NSPathNotExist, open_netns
from netsim.cni.result import Interface, IPConfig, IPNet, Result
from netsim.cni.runtime_result import result_from_json
from netsim.cni.skel import CmdArgs
from netsim.cni.version import CURRENT
from netsim.errors import KernelError
from netsim.host.ops import Dump, LinkSet, SysctlGet

__all__ = ["LOOPBACK", "cmd_add", "cmd_check", "cmd_del"]

LO: Final = "lo"
#: What the kernel puts on ``lo`` when it comes up with IPv6 enabled.
IPV6_LOOPBACK: Final = ip_interface("::1/128")


def _conf_version(stdin: str) -> str:
    conf = unmarshal(stdin)
    version = field(conf, "cniVersion") if isinstance(conf, dict) else None
    return version if isinstance(version, str) and version else CURRENT


def _prev_result(stdin: str) -> Result | None:
    """``parseNetConf``: the config's ``prevResult`` as a current result, if any."""
    try:
        conf = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"failed to parse network config: {e}") from None
    prev = field(conf, "prevResult") if isinstance(conf, dict) else None
    if prev is None:
        return None
    try:
        return result_from_json(prev)
    except CniError as e:
        raise CniError(f"failed to parse prevResult: {e.msg}") from None


def _find_lo(links: list[dict[str, Any]]) -> dict[str, Any]:
    """``netlink.LinkByName("lo")``."""
    for link in links:
        if link.get("ifname") == LO:
            return link
    raise CniError("Link not found")


def _addresses(records: list[dict[str, Any]], family: str) -> list[IPNet]:
    out: list[IPNet] = []
    for rec in records:
        if rec.get("ifname") != LO:
            continue
        for a in rec.get("addr_info", []):
            if a.get("family") == family:
                out.append(ip_interface(f"{a['local']}/{a['prefixlen']}"))
    return out


def _ipv6_enabled(netns: str) -> PluginGen[bool]:
    try:
        value = yield SysctlGet(netns=netns, key="net.ipv6.conf.lo.disable_ipv6")
    except KernelError:
        return False  # no /proc/sys/net/ipv6: a kernel without IPv6
    return str(value).strip() == "0"


def _first_loopback(addrs: list[IPNet]) -> IPNet | None:
    for a in addrs:
        if not a.ip.is_loopback:
            raise CniError(f'loopback interface found with non-loopback address "{a.ip}"')
    return addrs[0] if addrs else None


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``: ``lo`` up; its addresses, or the ``prevResult`` passed through."""
    prev = _prev_result(args.stdin)
    netns, links = yield from open_netns(ctx, args.netns)
    _find_lo(links)
    yield LinkSet(netns=netns, ifname=LO, up=True)
    records = yield Dump(netns=netns, what="addr")
    v4 = _first_loopback(_addresses(records, "inet"))
    v6_addrs = _addresses(records, "inet6")
    if not v6_addrs and (yield from _ipv6_enabled(netns)):
        v6_addrs = [IPV6_LOOPBACK]  # what the kernel adds; the model has no IPv6
    v6 = _first_loopback(v6_addrs)
    if prev is not None:
        return prev
    ips = tuple(IPConfig(address=a, interface=0) for a in (v4, v6) if a is not None)
    iface = Interface(name=LO, mac="00:00:00:00:00:00", sandbox=args.netns)
    # labelled with the config's version, as the Go code builds it (see driver.print_result)
    return Result(_conf_version(args.stdin), interfaces=(iface,), ips=ips)


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: ``lo`` down; nothing to do without a namespace or when it is gone."""
    if not args.netns:
        return
    try:
        netns, links = yield from open_netns(ctx, args.netns)
    except NSPathNotExist:
        return
    _find_lo(links)
    yield LinkSet(netns=netns, ifname=LO, up=False)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``: ``lo`` must be up."""
    _, links = yield from open_netns(ctx, args.netns)
    if "UP" not in _find_lo(links).get("flags", []):
        raise CniError("loopback interface is down")


LOOPBACK: Final = GenPlugin("loopback", add=cmd_add, check=cmd_check, delete=cmd_del)
