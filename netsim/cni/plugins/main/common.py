"""What the main plugins share: the helpers of containernetworking/plugins v1.1.1
they call, as generators yielding :mod:`netsim.host.ops` (driven by
:mod:`netsim.cni.driver`):

* ``netlink.LinkByName`` / ``AddrList`` (:func:`link_by_name`, :func:`addrs_of`);
* ``ip.SetupVeth`` (:func:`setup_veth`, ``pkg/ip/link_linux.go``);
* ``ip.DelLinkByNameAddr`` (:func:`del_link_by_name_addr`);
* ``ipam.ExecAdd/ExecDel/ExecCheck`` (:func:`exec_ipam`): a
  :class:`~netsim.cni.driver.Delegate` to the IPAM plugin found on ``CNI_PATH``
  (its error keeps its code);
* ``sysctl.Sysctl``, ``ip.EnableIP4Forward`` and the wait for a link's
  operational state (:func:`wait_oper_up`).

A plugin's own namespace (``Context.host_netns``) is the one the command runs
in (``ip netns exec node ...`` makes it ``node``)."""

from __future__ import annotations

import errno as _errno
import ipaddress
import os
import random
from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.driver import Context, Delegate, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.ipcache import ip_interface
from netsim.cni.result import DNS, Result
from netsim.cni.skel import CmdArgs
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import (
    Dump,
    LinkAdd,
    LinkDel,
    LinkGet,
    LinkSet,
    Sleep,
    SysctlGet,
    SysctlSet,
)

__all__ = [
    "Veth",
    "addrs_of",
    "del_link_by_name_addr",
    "dns_conf_set",
    "dns_of",
    "enable_forward",
    "errstr",
    "exec_ipam",
    "link_by_name",
    "parse_mac",
    "random_veth_name",
    "setup_veth",
    "sysctl_ignore",
    "wait_oper_up",
]

#: ``retries`` of bridge.go's port-state wait, in seconds.
OPER_UP_RETRIES: Final = (0.0, 0.05, 0.5, 1.0, 1.0)


def errstr(e: NetsimError) -> str:
    """Go's ``syscall.Errno.Error()`` of a refusal (``file exists``)."""
    if isinstance(e, KernelError) and e.errno:
        return os.strerror(e.errno).lower()
    return str(e)


def link_by_name(netns: str, ifname: str) -> PluginGen[dict[str, Any] | None]:
    """``netlink.LinkByName``: the ``ip -j -d link`` record, None if absent
    (``RTM_GETLINK``, so the device's pending link-watch event is run first)."""
    try:
        records = yield LinkGet(netns=netns, ifname=ifname)
    except KernelError as e:
        if e.errno == _errno.ENODEV:
            return None
        raise
    return dict(records[0]) if records else None


def addrs_of(netns: str, ifname: str) -> PluginGen[list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]]:  # fmt: skip  # noqa: E501
    """``netlink.AddrList(link, FAMILY_ALL)``, newest first as the kernel lists them
    (the dump narrowed to the link, as ``AddrList`` filters it by index)."""
    records = yield Dump(netns=netns, what="addr", dev=ifname)
    assert isinstance(records, list)
    out: list[ipaddress.IPv4Interface | ipaddress.IPv6Interface] = []
    for r in records:
        if r.get("ifname") != ifname:
            continue
        for a in r.get("addr_info", []):
            out.append(ip_interface(f"{a['local']}/{a['prefixlen']}"))
    return out


def parse_mac(text: str, prefix: str = "") -> str:
    """Go's ``net.ParseMAC``: 6, 8 or 20 octets as ``aa:bb:..``, ``aa-bb-..`` or
    ``aabb.ccdd...``, returned as ``HardwareAddr.String()``; else a
    :class:`CniError` ``<prefix>address X: invalid MAC address``."""
    octets = _mac_octets(text)
    if octets is None:
        raise CniError(f"{prefix}address {text}: invalid MAC address")
    return ":".join(f"{b:02x}" for b in octets)


def _mac_octets(s: str) -> list[int] | None:
    def hex2(part: str) -> int | None:
        ok = len(part) == 2 and all(c in "0123456789abcdefABCDEF" for c in part)
        return int(part, 16) if ok else None

    if len(s) < 14:
        return None
    if s[2] in ":-":
        if (len(s) + 1) % 3 or (len(s) + 1) // 3 not in (6, 8, 20):
            return None
        groups = [s[i : i + 2] for i in range(0, len(s), 3)]
        seps = {s[i] for i in range(2, len(s), 3)}
    elif s[4] == ".":
        if (len(s) + 1) % 5 or 2 * (len(s) + 1) // 5 not in (6, 8, 20):
            return None
        groups = [s[i + j : i + j + 2] for i in range(0, len(s), 5) for j in (0, 2)]
        seps = {s[i] for i in range(4, len(s), 5)}
    else:
        return None
    values = [hex2(g) for g in groups]
    if len(seps) > 1 or any(v is None for v in values):
        return None
    return [v for v in values if v is not None]


def random_veth_name(rng: random.Random) -> str:
    """``ip.RandomVethName``: ``veth`` + 8 hex digits of 4 random bytes."""
    return f"veth{rng.getrandbits(32):08x}"


@dataclass(frozen=True)
class Veth:
    """What ``ip.SetupVeth`` returns: each end's name and MAC."""

    host_name: str
    host_mac: str
    cont_name: str
    cont_mac: str


def setup_veth(ctx: Context, netns: str, ifname: str, mtu: int, mac: str) -> PluginGen[Veth]:
    """``ip.SetupVeth`` (``makeVeth``/``makeVethPair``): the pair made in ``netns``
    with name ``ifname``, the peer ``vethXXXXXXXX`` straight in the host namespace
    (name retried up to 10 times on a clash); the host end UP, ``accept_ra=0``;
    the container end stays DOWN."""
    for _ in range(10):
        peer = random_veth_name(ctx.rng)
        data: dict[str, Any] = {"peer": peer, "peer_netns": ctx.host_netns}
        if mtu > 0:
            data["peer_mtu"] = mtu
        try:
            yield LinkAdd(netns=netns, ifname=ifname, kind="veth", mtu=mtu if mtu > 0 else None,
                          address=mac or None, txqlen=0, data=data)  # fmt: skip
        except KernelError as e:
            if e.errno == _errno.EEXIST:
                if (yield from link_by_name(netns, peer)) is not None:
                    continue
                raise CniError(f"container veth name provided ({ifname}) already exists") from None
            raise CniError(f"failed to make veth pair: {errstr(e)}") from None
        cont = yield from link_by_name(netns, ifname)
        if cont is None:
            yield LinkDel(netns=netns, ifname=ifname)
            raise CniError("Link not found")
        host = yield from link_by_name(ctx.host_netns, peer)
        if host is None:
            raise CniError(f'failed to lookup "{peer}" in "/proc/self/ns/net": Link not found')
        try:
            yield LinkSet(netns=ctx.host_netns, ifname=peer, up=True)
        except NetsimError as e:
            raise CniError(f'failed to set "{peer}" up: {errstr(e)}') from None
        yield from sysctl_ignore(ctx.host_netns, f"net.ipv6.conf.{peer}.accept_ra", "0")
        return Veth(peer, str(host.get("address", "")), ifname, str(cont.get("address", "")))
    raise CniError("failed to find a unique veth name")


def sysctl_ignore(netns: str, key: str, value: str) -> PluginGen[None]:
    """``_, _ = sysctl.Sysctl(key, value)``: a write whose failure is ignored."""
    try:  # noqa: SIM105
        yield SysctlSet(netns=netns, key=key, value=value)
    except NetsimError:
        pass


def enable_forward(netns: str, family: int) -> PluginGen[None]:
    """``ip.EnableIP4Forward`` / ``EnableIP6Forward`` (``echo1``: write only if not 1)."""
    key = "net.ipv4.ip_forward" if family == 4 else "net.ipv6.conf.all.forwarding"
    current = yield SysctlGet(netns=netns, key=key)
    if str(current).strip() != "1":
        yield SysctlSet(netns=netns, key=key, value="1")


def del_link_by_name_addr(netns: str, ifname: str) -> PluginGen[list[Any] | None]:
    """``ip.DelLinkByNameAddr``: delete ``ifname`` and return its global unicast
    addresses; None for ``ErrLinkNotFound``."""
    if (yield from link_by_name(netns, ifname)) is None:
        return None
    addrs = yield from addrs_of(netns, ifname)
    try:
        yield LinkDel(netns=netns, ifname=ifname)
    except NetsimError as e:
        raise CniError(f'failed to delete "{ifname}": {errstr(e)}') from None
    return [a for a in addrs if _global_unicast(a.ip)]


def _global_unicast(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Go's ``net.IP.IsGlobalUnicast``."""
    bad = ip.is_unspecified or ip.is_loopback or ip.is_multicast or ip.is_link_local
    return not bad and ip != ipaddress.IPv4Address("255.255.255.255")


# --- IPAM delegation (pkg/ipam, cni/pkg/invoke) ---------------------------------------------


def exec_ipam(command: str, ipam_type: str, args: CmdArgs) -> PluginGen[Result | None]:
    """``ipam.ExecAdd`` / ``ExecDel`` / ``ExecCheck``: the IPAM plugin ``ipam_type``
    found on ``CNI_PATH``, with the same environment and the whole config; the
    result for ADD.  Its failure is raised as the :class:`CniError` it printed."""
    result: Result | None = yield Delegate(command, ipam_type, args.stdin)
    return result


def wait_oper_up(netns: str, ifname: str) -> PluginGen[str]:
    """bridge.go's port-state wait: sleep 0, 50, 500, 1000 and 1000 ms, reading the
    link after each, until it is oper-UP (the link watcher may take up to a
    second); else ``bridge port in error state: <state>``.  The last state read."""
    state = ""
    for delay in OPER_UP_RETRIES:
        yield Sleep(seconds=delay)
        rec = yield from link_by_name(netns, ifname)
        if rec is None:
            raise CniError("Link not found")
        state = str(rec.get("operstate", "")).lower()
        if state == "up":
            return state
    raise CniError(f"bridge port in error state: {state}")


def dns_of(obj: Any) -> DNS:
    """``types.DNS`` from JSON."""
    if not isinstance(obj, dict):
        return DNS()
    return DNS(tuple(obj.get("nameservers") or ()), str(obj.get("domain") or ""),
               tuple(obj.get("search") or ()), tuple(obj.get("options") or ()))  # fmt: skip


def dns_conf_set(obj: Any) -> bool:
    """``dnsConfSet``: some list field non-nil (even empty) or a domain."""
    if not isinstance(obj, dict):
        return False
    lists = any(obj.get(k) is not None for k in ("nameservers", "search", "options"))
    return lists or bool(obj.get("domain"))
