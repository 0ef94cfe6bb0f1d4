"""``ip link``: add (veth, bridge), set, delete, show."""

from __future__ import annotations

from netsim.backends.sim.dump import link_records
from netsim.errors import KernelError, NoSuchDevice
from netsim.iproute import ip_link_show, ip_link_show_brief
from netsim.shell.proc import Proc
from netsim.tools.ip_link_kinds import KINDS
from netsim.tools.ip_link_req import UNSET, LinkReq, iplink_parse
from netsim.tools.ip_link_vxlan import vxlan_set
from netsim.tools.ip_util import Args, IpExit, emit_json, matches, netns_names

__all__ = ["do_iplink"]


def do_iplink(proc: Proc, args: Args) -> None:
    if not args:
        _show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "add"):
        _add(proc, args)
    elif matches(cmd, "delete"):
        _delete(proc, args)
    elif matches(cmd, "set") or matches(cmd, "change") or cmd == "chg":
        _set(proc, args)
    elif matches(cmd, "show") or matches(cmd, "lst") or matches(cmd, "list"):
        _show(proc, args)
    elif matches(cmd, "help"):
        raise IpExit("Usage: ip link { add | set | delete | show } ...\n", 255)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip link help".\n', 255)


def _add(proc: Proc, args: Args) -> None:
    ns = args.opts.netns
    req = LinkReq()
    iplink_parse(proc, args, req, ns)
    name = req.name or req.dev
    if req.type is None:
        raise IpExit('Not enough information: "type" argument is required\n', 1)
    if name is None:
        raise IpExit('Not enough information: "dev" argument is required.\n', 255)
    w = proc.world
    req.check_addr_len(existing=False)
    if req.type == "veth":
        peer = LinkReq()
        if args:
            if args.take() != "peer":
                raise IpExit("Usage: ip link <options> type veth [peer <options>]\n", 255)
            iplink_parse(proc, args, peer, ns)
        w.add_veth(name, peer.name or peer.dev or "veth%d", netns=ns,
                   peer_netns=peer.netns, address=req.address, peer_address=peer.address,
                   mtu=req.mtu)  # fmt: skip
        if peer.mtu is not None:
            w.link_set(peer.name or peer.dev or "", netns=peer.netns or ns, mtu=peer.mtu)
    elif req.type == "bridge":
        if args:
            raise IpExit(f'netsim: ip link: bridge option "{args.peek()}" is not supported\n', 1)
        w.add_bridge(name, netns=ns, address=req.address)
        if req.mtu is not None:
            w.link_set(name, netns=ns, mtu=req.mtu)
    elif req.type in KINDS:
        KINDS[req.type](proc, args, req, ns, name)
    else:
        raise KernelError(0, message="Error: Unknown device type.")
    if req.netns is not None:
        w.link_set(name, netns=ns, to_netns=req.netns)
    if req.master is not UNSET or req.up is not None:
        w.link_set(name, netns=req.netns or ns, up=req.up,
                   **({} if req.master is UNSET else {"master": req.master}))  # type: ignore[arg-type]  # fmt: skip


def _delete(proc: Proc, args: Args) -> None:
    ns = args.opts.netns
    req = LinkReq()
    iplink_parse(proc, args, req, ns)
    if req.dev is None:
        raise IpExit('Not enough information: "dev" argument is required.\n', 255)
    proc.world.link_del(req.dev, netns=ns)


def _set(proc: Proc, args: Args) -> None:
    ns = args.opts.netns
    req = LinkReq()
    iplink_parse(proc, args, req, ns)
    if req.dev is None:
        raise IpExit('Not enough information: "dev" argument is required.\n', 255)
    w = proc.world
    w.netns(ns).dev(req.dev)  # Cannot find device
    req.check_addr_len(existing=True)
    if req.type == "vxlan":  # rtnl_newlink(): the kind's changelink before do_setlink
        vxlan_set(proc, args, ns, req.dev)
    elif req.type is not None:
        raise IpExit(f'netsim: ip link set: "type {req.type}" is not supported\n', 1)
    extra = {} if req.master is UNSET else {"master": req.master}
    w.link_set(req.dev, netns=ns, up=req.up, to_netns=req.netns, name=req.name, mtu=req.mtu,
               address=req.address, promisc=req.promisc, alias=req.alias, allmulti=req.allmulti,
               **extra)  # type: ignore[arg-type]  # fmt: skip


def _show(proc: Proc, args: Args) -> None:
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    dev: str | None = None
    while args:
        word = args.take()
        if word == "dev":
            word = args.next_arg()
        elif word in ("up", "type", "master"):
            raise IpExit(f'netsim: ip link show: "{word}" is not supported\n', 1)
        if dev is not None:
            raise IpExit(f'Error: either "dev" is duplicate, or "{word}" is a garbage.\n', 255)
        dev = word
    try:
        records = link_records(ns, dev, details=opts.details)
    except NoSuchDevice:
        raise IpExit(f'Device "{dev}" does not exist.\n', 1) from None
    if opts.json:
        emit_json(proc, opts, records)
    elif opts.brief:
        proc.out(ip_link_show_brief(records))
    else:
        proc.out(ip_link_show(records, details=opts.details, netns_names=netns_names(ns)))
