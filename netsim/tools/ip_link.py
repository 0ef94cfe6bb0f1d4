"""``ip link``: add (veth, bridge), set, delete, show."""

from __future__ import annotations

from dataclasses import dataclass

from netsim.backends.sim.dump import link_records
from netsim.errors import KernelError, NoSuchDevice
from netsim.iproute import ip_link_show, ip_link_show_brief
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, emit_json, invarg, matches, netns_names

__all__ = ["do_iplink"]

_UNSET = object()


@dataclass
class LinkReq:
    """What ``iplink_parse()`` collects."""

    dev: str | None = None
    name: str | None = None
    up: bool | None = None
    address: str | None = None
    mtu: int | None = None
    netns: str | None = None
    master: object = _UNSET
    type: str | None = None
    promisc: bool | None = None


def _parse_int(value: str, what: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        raise invarg(f'Invalid "{what}" value\n', value) from None


def iplink_parse(proc: Proc, args: Args, req: LinkReq, ns: str) -> None:
    """``iplink_parse()``, in its keyword order, up to and including ``type``."""
    while args:
        word = args.take()
        if word == "up":
            req.up = True
        elif word == "down":
            req.up = False
        elif word == "name":
            req.name = args.next_arg()
        elif matches(word, "link"):
            raise IpExit(f'netsim: ip link: "{word}" is not supported\n', 1)
        elif matches(word, "address"):
            req.address = args.next_arg()
            if not _is_lladdr(req.address):
                raise IpExit(f'"{req.address}" is invalid lladdr.\n', 1)
        elif (
            matches(word, "broadcast")
            or word == "brd"
            or matches(word, "txqueuelen")
            or word == "qlen"
            or matches(word, "txqlen")
        ):
            raise IpExit(f'netsim: ip link: "{word}" is not supported\n', 1)
        elif word == "mtu":
            req.mtu = _parse_int(args.next_arg(), "mtu")
        elif word == "promisc":
            value = args.next_arg()
            if value not in ("on", "off"):
                msg = f'Error: argument of "promisc" must be "on" or "off", not "{value}"\n'
                raise IpExit(msg, 1)
            req.promisc = value == "on"
        elif word == "netns":
            value = args.next_arg()
            if value not in proc.world.kernel.namespaces:
                raise invarg('Invalid "netns" value\n', value)
            req.netns = value
        elif word == "master":
            value = args.next_arg()
            if value not in proc.world.netns(ns):
                raise invarg("Device does not exist\n", value)
            req.master = value
        elif matches(word, "nomaster"):
            req.master = None
        elif matches(word, "type"):
            req.type = args.next_arg()
            return
        else:
            if matches(word, "help"):
                raise IpExit("Usage: ip link { add | set | delete | show } ...\n", 255)
            if word == "dev":
                word = args.next_arg()
            if req.dev is not None:
                raise IpExit(f'Error: either "dev" is duplicate, or "{word}" is a garbage.\n', 255)
            req.dev = word


def _is_lladdr(text: str) -> bool:
    parts = text.split(":")
    return len(parts) == 6 and all(len(p) in (1, 2) and _hex(p) for p in parts)


def _hex(p: str) -> bool:
    try:
        int(p, 16)
    except ValueError:
        return False
    return True


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
    else:
        raise KernelError(0, message="Error: Unknown device type.")
    if req.netns is not None:
        w.link_set(name, netns=ns, to_netns=req.netns)
    if req.master is not _UNSET or req.up is not None:
        w.link_set(name, netns=req.netns or ns, up=req.up,
                   **({} if req.master is _UNSET else {"master": req.master}))  # type: ignore[arg-type]  # fmt: skip


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
    if req.type is not None:
        raise IpExit('netsim: ip link set: "type" is not supported\n', 1)
    w = proc.world
    w.netns(ns).dev(req.dev)  # Cannot find device
    extra = {} if req.master is _UNSET else {"master": req.master}
    w.link_set(req.dev, netns=ns, up=req.up, to_netns=req.netns, name=req.name, mtu=req.mtu,
               address=req.address, promisc=req.promisc, **extra)  # type: ignore[arg-type]  # fmt: skip


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
