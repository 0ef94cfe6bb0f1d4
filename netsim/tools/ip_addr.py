"""``ip address``: add, delete, flush, show."""

from __future__ import annotations

from netsim.addr import IfAddr
from netsim.backends.sim.dump_l3 import addr_records
from netsim.errors import NoSuchDevice
from netsim.iproute import ip_addr_show, ip_addr_show_brief
from netsim.shell.proc import Proc
from netsim.tools.ip_inet6 import addr_v6, check_family
from netsim.tools.ip_util import Args, IpExit, emit_json, matches, netns_names

__all__ = ["do_ipaddr"]

_NEED_DEV = 'Not enough information: "dev" argument is required.\n'

#: The keys of the ``link/TYPE ADDR brd BRD`` block ``ip -4|-6 addr`` leaves out.
_LINK_BLOCK = frozenset({"link_type", "address", "broadcast", "permaddr"})


def do_ipaddr(proc: Proc, args: Args) -> None:
    if not args:
        _show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "add"):
        _modify(proc, args, "add")
    elif matches(cmd, "delete"):
        _modify(proc, args, "del")
    elif matches(cmd, "list") or matches(cmd, "show") or matches(cmd, "lst"):
        _show(proc, args)
    elif matches(cmd, "flush"):
        _flush(proc, args)
    elif matches(cmd, "help"):
        raise IpExit("Usage: ip address {add|del} IFADDR dev IFNAME\n", 255)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip address help".\n', 255)


def _garbage(what: str, word: str) -> IpExit:
    return IpExit(f'Error: either "{what}" is duplicate, or "{word}" is a garbage.\n', 255)


def _modify(proc: Proc, args: Args, verb: str) -> None:
    local: str | None = None
    dev: str | None = None
    kw: dict[str, str] = {}
    noprefixroute = False
    metric = 0
    for arg in args:
        word = arg
        if matches(word, "broadcast") or word == "brd":
            kw["broadcast"] = args.next_arg()
        elif word == "scope":
            kw["scope"] = args.next_arg()
        elif word == "dev":
            dev = args.next_arg()
        elif word == "label":
            kw["label"] = args.next_arg()
        elif matches(word, "metric") or matches(word, "priority") or matches(word, "preference"):
            value = args.next_arg()
            try:
                metric = int(value, 0)
            except ValueError:
                msg = f'Error: argument "{value}" is wrong: metric value is invalid\n'
                raise IpExit(msg, 255) from None
        elif word == "noprefixroute":
            noprefixroute = True
        else:
            if matches(word, "local"):
                word = args.next_arg()
            if local is not None:
                raise _garbage("local", word)
            if args.opts.family in (4, 6):
                check_family(word, args.opts.family)
            if ":" not in word:
                _check_prefix(word)
            local = word
    if dev is None:
        raise IpExit(_NEED_DEV, 1)
    if local is None:
        raise IpExit('Not enough information: "local" argument is required.\n', 1)
    if args.opts.family == 6 or ":" in local:
        addr_v6(proc, args, verb, local, dev)
    w = proc.world
    ns = args.opts.netns
    w.netns(ns).dev(dev)
    if verb == "add":
        w.addr_add(local, dev=dev, netns=ns, noprefixroute=noprefixroute, metric=metric, **kw)
    else:
        w.addr_del(local, dev=dev, netns=ns)


def _check_prefix(word: str) -> None:
    try:
        IfAddr.parse(word)
    except ValueError:
        raise IpExit(f'Error: any valid prefix is expected rather than "{word}".\n', 1) from None


def _dev_arg(args: Args) -> str | None:
    dev = None
    for arg in args:
        word = arg
        if word == "dev":
            word = args.next_arg()
        if dev is not None:
            raise _garbage("dev", word)
        dev = word
    return dev


def _flush(proc: Proc, args: Args) -> None:
    dev = _dev_arg(args)
    if dev is None:
        raise IpExit("Flush requires arguments.\n", 1)
    if args.opts.family == 6:
        proc.world.netns(args.opts.netns).dev(dev)  # no IPv6 addresses to flush
        return
    try:
        proc.world.addr_flush(dev=dev, netns=args.opts.netns)
    except NoSuchDevice:
        raise IpExit(f'Device "{dev}" does not exist.\n', 1) from None


def _show(proc: Proc, args: Args) -> None:
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    dev = _dev_arg(args)
    try:
        records = addr_records(ns, dev)
    except NoSuchDevice:
        raise IpExit(f'Device "{dev}" does not exist.\n', 1) from None
    if opts.family in (4, 6):  # links without an address of the family are left out
        fam = "inet" if opts.family == 4 else "inet6"
        records = [
            {**r, "addr_info": [a for a in r.get("addr_info", ()) if a.get("family") == fam]}
            for r in records
        ]
        records = [r for r in records if r["addr_info"]]
        if not opts.details:  # print_linkinfo(): no link/TYPE block under a family filter
            records = [{k: v for k, v in r.items() if k not in _LINK_BLOCK} for r in records]
    elif opts.family == 17:  # -0 / -f link: the links alone
        records = [{**r, "addr_info": []} for r in records]
    if opts.json:
        emit_json(proc, opts, records)
    elif opts.brief:
        proc.out(ip_addr_show_brief(records))
    else:
        proc.out(ip_addr_show(records, details=opts.details, netns_names=netns_names(ns)))
