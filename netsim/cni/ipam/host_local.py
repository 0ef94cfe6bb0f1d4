"""The host-local IPAM plugin: ``plugins/ipam/host-local/main.go`` of
containernetworking/plugins v1.1.1 (``cmdAdd``, ``cmdDel``, ``cmdCheck``)."""

from __future__ import annotations

from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.ipam.allocator import IPAllocator
from netsim.cni.ipam.config import load_host_local_config
from netsim.cni.ipam.disk import Store
from netsim.cni.ipam.ranges import set_contains
from netsim.cni.result import DNS, IP, IPConfig, Result
from netsim.cni.skel import CmdArgs, Plugin

__all__ = ["HOST_LOCAL", "cmd_add", "cmd_check", "cmd_del", "parse_resolv_conf"]


def parse_resolv_conf(fs: PluginFs, path: str) -> DNS:
    """``parseResolvConf`` (dns.go): nameserver, domain, search, options lines."""
    try:
        text = fs.read(path)
    except PluginFsError as e:
        raise CniError(str(e)) from None
    ns: list[str] = []
    domain = ""
    search: list[str] = []
    options: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        if fields[0] == "nameserver":
            ns.append(fields[1])
        elif fields[0] == "domain":
            domain = fields[1]
        elif fields[0] == "search":
            search += fields[1:]
        elif fields[0] == "options":
            options += fields[1:]
    return DNS(tuple(ns), domain, tuple(search), tuple(options))


def cmd_add(args: CmdArgs, fs: PluginFs) -> str:
    """``cmdAdd``: one address per range set, released again on any failure."""
    conf = load_host_local_config(args.stdin, args.args)
    dns = parse_resolv_conf(fs, conf.resolv_conf) if conf.resolv_conf else DNS()
    store = Store(fs, conf.name, conf.data_dir)
    requested: dict[str, IP] = {str(ip): ip for ip in conf.requested}
    allocs: list[IPAllocator] = []
    ips: list[IPConfig] = []
    for idx, rs in enumerate(conf.ranges):
        alloc = IPAllocator(rs, store, idx)
        want = next((k for k, ip in requested.items() if set_contains(rs, ip)), None)
        try:
            ips.append(
                alloc.get(args.container_id, args.ifname, requested.pop(want) if want else None)
            )
        except CniError as e:
            for a in allocs:
                a.release(args.container_id, args.ifname)
            raise CniError(f"failed to allocate for range {idx}: {e.msg}") from None
        allocs.append(alloc)
    if requested:
        for a in allocs:
            a.release(args.container_id, args.ifname)
        raise CniError("failed to allocate all requested IPs: " + " ".join(requested))
    result = Result(ips=tuple(ips), routes=conf.routes or (), dns=dns)
    return result.render(conf.cni_version)


def cmd_del(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdDel``: release (id, ifname) once per range set; always succeeds."""
    conf = load_host_local_config(args.stdin, args.args)
    store = Store(fs, conf.name, conf.data_dir)
    for idx, rs in enumerate(conf.ranges):
        IPAllocator(rs, store, idx).release(args.container_id, args.ifname)


def cmd_check(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdCheck``: some address is held by (id, ifname) or the legacy id."""
    conf = load_host_local_config(args.stdin, args.args)
    store = Store(fs, conf.name, conf.data_dir)
    if not store.find_by_id(args.container_id, args.ifname):
        raise CniError(f"host-local: Failed to find address added by container {args.container_id}")


HOST_LOCAL = Plugin("host-local", add=cmd_add, check=cmd_check, delete=cmd_del)
