"""What the main plugins share: the context a plugin runs in, the loop that
applies its operations, and the helpers of containernetworking/plugins v1.1.1
they call, as generators yielding :mod:`netsim.host.ops`:

* ``ns.GetNS`` (:func:`get_ns`): a ``CNI_NETNS`` path to a namespace name;
* ``netlink.LinkByName`` / ``AddrList`` (:func:`link_by_name`, :func:`addrs_of`);
* ``ip.SetupVeth`` (:func:`setup_veth`, ``pkg/ip/link_linux.go``);
* ``ip.DelLinkByNameAddr`` (:func:`del_link_by_name_addr`);
* ``ipam.ExecAdd/ExecDel/ExecCheck`` (:func:`exec_ipam`): the IPAM plugin found
  through ``CNI_PATH`` (``invoke.FindInPath``) and run in-process, its output
  parsed as ``invoke`` does (its error JSON keeps its code).

The plugin's own namespace (``Context.host_netns``) is the one the command runs
in (``ip netns exec node ...`` makes it ``node``)."""

from __future__ import annotations

import errno as _errno
import ipaddress
import os
import posixpath
import random
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, unmarshal
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.ipam.static import STATIC
from netsim.cni.result import DNS, Interface, IPConfig, Result, Route
from netsim.cni.skel import CmdArgs, Plugin, plugin_main
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import Dump, LinkAdd, LinkDel, LinkSet, Op, SysctlGet, SysctlSet
from netsim.host.protocol import Host, OpResult

__all__ = [
    "IPAM_PLUGINS",
    "Context",
    "NsPathNotExist",
    "PluginGen",
    "addrs_of",
    "del_link_by_name_addr",
    "drive",
    "errstr",
    "exec_ipam",
    "get_ns",
    "link_by_name",
    "parse_result",
    "setup_veth",
]

T = TypeVar("T")
#: A plugin command or helper: yields operations, gets their results, returns ``T``.
PluginGen = Generator[Op, OpResult, T]

#: IPAM plugin type -> plugin, for delegation.
IPAM_PLUGINS: Final[dict[str, Plugin]] = {p.name: p for p in (HOST_LOCAL, STATIC)}
#: Where ``ip netns add`` puts its bind mounts (``/var/run`` is a link to ``/run``).
NETNS_DIRS: Final = ("/run/netns", "/var/run/netns")
#: ``TMPFS_MAGIC``: what ``ns.GetNS`` finds on a path that is a plain file.
TMPFS_MAGIC: Final = 0x1021994


@dataclass(frozen=True)
class Context:
    """Where a main plugin runs: its own namespace, the filesystem (for IPAM
    delegation) and the random source for veth names (the world's seeded RNG)."""

    host_netns: str
    fs: PluginFs
    rng: random.Random


class NsPathNotExist(CniError):
    """``ns.NSPathNotExistErr``: DEL treats it as success."""


def drive(gen: PluginGen[T], host: Host) -> T:
    """Run ``gen`` against ``host``: send each result back, throw each refusal
    (:class:`~netsim.errors.NetsimError`) in.  A minimal stand-in for the
    driver of :mod:`netsim.cni.driver`."""
    send: OpResult = None
    error: NetsimError | None = None
    while True:
        try:
            op = gen.throw(error) if error is not None else gen.send(send)
        except StopIteration as stop:
            value: T = stop.value
            return value
        error, send = None, None
        try:
            send = host.apply(op)
        except NetsimError as e:
            error = e


def errstr(e: NetsimError) -> str:
    """Go's ``syscall.Errno.Error()`` of a refusal (``file exists``)."""
    if isinstance(e, KernelError) and e.errno:
        return os.strerror(e.errno).lower()
    return str(e)


def _exists(fs: PluginFs, path: str) -> bool:
    if fs.is_dir(path):
        return True
    try:
        fs.read(path)
    except PluginFsError:
        return False
    return True


def get_ns(ctx: Context, path: str) -> PluginGen[str]:
    """``ns.GetNS``: the namespace ``path`` names, else ``failed to Statfs "P": no
    such file or directory`` (:class:`NsPathNotExist`) or ``unknown FS magic``."""
    parent, _, name = path.rpartition("/")
    if parent in NETNS_DIRS and name:
        try:
            yield Dump(netns=name, what="link")
        except NetsimError:
            pass
        else:
            return name
    if _exists(ctx.fs, path):
        raise CniError(f'unknown FS magic on "{path}": {TMPFS_MAGIC:x}')
    raise NsPathNotExist(f'failed to Statfs "{path}": no such file or directory')


def link_by_name(netns: str, ifname: str) -> PluginGen[dict[str, Any] | None]:
    """``netlink.LinkByName``: the ``ip -j -d link`` record, None if absent."""
    records = yield Dump(netns=netns, what="link")
    assert isinstance(records, list)
    return next((r for r in records if r.get("ifname") == ifname), None)


def addrs_of(netns: str, ifname: str) -> PluginGen[list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]]:  # fmt: skip  # noqa: E501
    """``netlink.AddrList(link, FAMILY_ALL)``, newest first as the kernel lists them."""
    records = yield Dump(netns=netns, what="addr")
    assert isinstance(records, list)
    out: list[ipaddress.IPv4Interface | ipaddress.IPv6Interface] = []
    for r in records:
        if r.get("ifname") != ifname:
            continue
        for a in r.get("addr_info", []):
            out.append(ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}"))
    return out


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


def find_in_path(fs: PluginFs, plugin: str, path: str) -> str:
    """``invoke.FindInPath``."""
    if not plugin:
        raise CniError("no plugin name provided")
    dirs = path.split(":") if path else []
    for d in dirs:
        full = posixpath.join(d, plugin)
        if _exists(fs, full):
            return full
    raise CniError(f'failed to find plugin "{plugin}" in path [{" ".join(dirs)}]')


def exec_ipam(ctx: Context, command: str, ipam_type: str, args: CmdArgs) -> str:
    """``ipam.ExecAdd`` / ``ExecDel`` / ``ExecCheck``: run the IPAM plugin with the
    same environment and the whole config; its stdout, or its error as it printed it."""
    find_in_path(ctx.fs, ipam_type, args.path)
    plugin = IPAM_PLUGINS.get(ipam_type)
    if plugin is None:
        raise CniError(f"netsim: {ipam_type!r} cannot run as an IPAM plugin here")
    env = {"CNI_COMMAND": command, "CNI_CONTAINERID": args.container_id,
           "CNI_NETNS": args.netns, "CNI_IFNAME": args.ifname, "CNI_ARGS": args.args,
           "CNI_PATH": args.path}  # fmt: skip
    out = plugin_main(plugin, env, args.stdin, ctx.fs)
    if out.status == 0:
        return out.stdout
    if not out.stdout:
        raise CniError(f"netplugin failed with no error message: exit status {out.status}")
    try:
        err = unmarshal(out.stdout)
    except GoJsonError as e:
        raise CniError(f"netplugin failed but error parsing its diagnostic message {out.stdout!r}: {e}") from None  # fmt: skip  # noqa: E501
    raise CniError(str(err.get("msg", "")), code=int(err.get("code", 0)),
                   details=str(err.get("details", "")))  # fmt: skip


def parse_result(text: str) -> Result:
    """``current.NewResultFromResult`` of an IPAM plugin's output (1.0.0,
    0.3.x/0.4.0 with ``version``, or 0.1.0/0.2.0 with ``ip4``/``ip6``)."""
    obj = unmarshal(text)
    ips: list[IPConfig] = []
    routes: list[Route] = []
    if "ips" in obj or ("ip4" not in obj and "ip6" not in obj):
        for ip in obj.get("ips") or []:
            gw = ip.get("gateway")
            ips.append(IPConfig(ipaddress.ip_interface(ip["address"]),
                                ipaddress.ip_address(gw) if gw else None))  # fmt: skip
        raw_routes = list(obj.get("routes") or [])
    else:
        raw_routes = []
        for key in ("ip4", "ip6"):
            ipc = obj.get(key)
            if ipc:
                gw = ipc.get("gateway")
                ips.append(IPConfig(ipaddress.ip_interface(ipc["ip"]),
                                    ipaddress.ip_address(gw) if gw else None))  # fmt: skip
                raw_routes += ipc.get("routes") or []
    for r in raw_routes:
        gw = r.get("gw")
        routes.append(Route(ipaddress.ip_interface(r["dst"]), ipaddress.ip_address(gw) if gw else None))  # fmt: skip  # noqa: E501
    return Result(ips=tuple(ips), routes=tuple(routes), dns=dns_of(obj.get("dns")))


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


def parse_prev_result(obj: Any) -> Result:
    """``version.ParsePrevResult`` + ``NewResultFromResult`` of a 1.0.0/0.4.0 prevResult."""
    from netsim.cni.gojson import marshal_compact

    base = parse_result(marshal_compact(obj))
    ifaces = tuple(Interface(str(i.get("name", "")), str(i.get("mac", "")), str(i.get("sandbox", "")))  # noqa: E501
                   for i in obj.get("interfaces") or [])  # fmt: skip
    ips = tuple(IPConfig(ip.address, ip.gateway, raw.get("interface"))
                for ip, raw in zip(base.ips, obj.get("ips") or [], strict=False))  # fmt: skip
    return Result(interfaces=ifaces, ips=ips, routes=base.routes, dns=base.dns)
