"""``bridge fdb``: add, append, replace, del, show (iproute2 6.1 ``bridge/fdb.c``)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final

from netsim.addr import MacAddr
from netsim.backends.sim.dump import fdb_records
from netsim.iproute import bridge_fdb_show
from netsim.kernel import Bridge
from netsim.kernel.links.vxlan import Vxlan
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, emit_json, invarg, matches

__all__ = ["do_fdb"]

_USAGE: Final = (
    "Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n"
    "              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]\n"
    "              [ sticky ] [ local | static | dynamic ] [ vlan VID ]\n"
    "              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }\n"
    "\t       [ via DEV ] [ src_vni VNI ]\n"
    "       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]\n"
    "              [ state STATE ] [ dynamic ] ]\n"
    "       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV\n"
    "              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]\n"
    "       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]\n"
    "              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]\n"
    "              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]\n"
    "              [ [no]offloaded ]\n"
)

#: ``sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx")`` == 6, for the usual spellings.
_LLADDR: Final = re.compile(r"^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$")

#: keywords ``fdb_modify()`` knows that the model has nothing for.
_NOT_MODELLED: Final = ("nhid", "src_vni", "vlan", "use", "extern_learn", "sticky")


def do_fdb(proc: Proc, args: Args) -> None:
    if not args:
        _show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "add"):
        _modify(proc, args, "add")
    elif matches(cmd, "append"):
        _modify(proc, args, "append")
    elif matches(cmd, "replace"):
        _modify(proc, args, "replace")
    elif matches(cmd, "delete"):
        _modify(proc, args, "del")
    elif matches(cmd, "show") or matches(cmd, "lst") or matches(cmd, "list"):
        _show(proc, args)
    elif matches(cmd, "help"):
        raise IpExit(_USAGE, 255)
    elif matches(cmd, "get") or matches(cmd, "flush"):
        raise IpExit(f"netsim: bridge fdb {cmd}: not supported\n", 1)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "bridge fdb help".\n', 255)


def _number(value: str, limit: int, what: str) -> int:
    """``strtoul(value, &end, 0)`` must take it all and fit (``vni``, ``port``)."""
    try:
        if value[:2].lower() == "0x":
            n = int(value[2:], 16)
        elif value.startswith("0"):
            n = int(value, 8)
        else:
            n = int(value, 10)
    except ValueError:
        n = -1
    if not value.isalnum():  # no signs, blanks or underscores
        n = -1
    if not 0 <= n <= limit:
        raise invarg(f"invalid {what}\n", value)
    return n


@dataclass
class _FdbReq:
    """What ``fdb_modify()`` collects."""

    dev: str | None = None
    addr: str | None = None
    master: bool = False
    self_: bool = False
    state: str = "permanent"
    dst: str | None = None
    port: int | None = None
    vni: int | None = None
    via: str | None = None


def _vxlan_option(word: str, args: Args, req: _FdbReq) -> bool:
    """``dst``, ``port``, ``vni`` and ``via``: for a VXLAN device's own FDB
    (the kernel's bridge and veth ignore them)."""
    if word == "dst":
        value = args.next_arg()
        if req.dst is not None:
            raise IpExit(f'Error: duplicate "dst": "{value}" is the second value.\n', 255)
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            raise IpExit(
                f'Error: any valid address is expected rather than "{value}".\n', 1
            ) from None
        req.dst = value if ip.version == 4 else "::"
    elif word == "port":
        req.port = _number(args.next_arg(), 0xFFFF, "port")
    elif word == "vni":
        req.vni = _number(args.next_arg(), (1 << 24) - 1, "VNI")
    elif word == "via":
        req.via = args.next_arg()
    else:
        return False
    return True


def _parse_modify(args: Args) -> _FdbReq:
    """``fdb_modify()``'s keyword loop, in its order."""
    req = _FdbReq()
    for word in args:
        if word == "dev":
            req.dev = args.next_arg()
        elif _vxlan_option(word, args, req):
            pass
        elif word == "self":
            req.self_ = True
        elif matches(word, "master"):
            req.master = True
        elif matches(word, "local") or matches(word, "permanent"):
            req.state = "permanent"
        elif matches(word, "temp") or matches(word, "static"):
            req.state = "static"
        elif matches(word, "dynamic"):
            req.state = "dynamic"
        elif word in _NOT_MODELLED[:3] or any(
            matches(word, k) for k in ("router", *_NOT_MODELLED[3:])
        ):
            raise IpExit(f'netsim: bridge fdb: "{word}" is not supported\n', 1)
        else:
            addr = args.next_arg() if word == "to" else word
            if matches(addr, "help"):
                raise IpExit(_USAGE, 255)
            if req.addr is not None:
                raise IpExit(f'Error: either "to" is duplicate, or "{addr}" is a garbage.\n', 255)
            req.addr = addr
    return req


def _modify(proc: Proc, args: Args, op: str) -> None:
    """``fdb_modify()``: parse as iproute2 does, then one request to the kernel."""
    req = _parse_modify(args)
    if req.dev is None or req.addr is None:
        raise IpExit("Device and address are required arguments.\n", 255)
    if not _LLADDR.match(req.addr):
        raise IpExit(f"Invalid mac address {req.addr}\n", 255)
    w = proc.world
    ns = args.opts.netns
    if req.dev not in w.netns(ns):
        raise IpExit(f'Cannot find device "{req.dev}"\n', 255)
    if req.via is not None and req.via not in w.netns(ns):
        raise IpExit(f'Cannot find device "{req.via}"\n', 255)
    if req.dst == "::":
        raise IpExit("netsim: bridge fdb: IPv6 VTEP addresses are not modelled\n", 2)
    self_ = req.self_ or not req.master  # neither: self
    mac = MacAddr(":".join(p.zfill(2) for p in req.addr.lower().split(":")))
    dev = w.dev(req.dev, netns=ns)
    if isinstance(dev, Vxlan) and self_:
        _vxlan_modify(proc, req, op, mac, ns)
    elif op == "del":
        w.kernel.fdb_del(dev, mac, master=req.master, self_=self_)
    else:
        w.fdb_add(mac, dev=req.dev, netns=ns, master=req.master, self_=self_, state=req.state,
                  replace=op != "add")  # fmt: skip


def _vxlan_modify(proc: Proc, req: _FdbReq, op: str, mac: MacAddr, ns: str) -> None:
    """``rtnl_fdb_add|del()`` on a VXLAN device: the bridge above first (``master``),
    then the VTEP's own FDB (``vxlan_fdb_add|delete``)."""
    w = proc.world
    assert req.dev is not None
    if req.master and w.dev(req.dev, netns=ns).master is not None:
        if op == "del":
            w.kernel.fdb_del(w.dev(req.dev, netns=ns), mac, master=True)
        else:
            w.fdb_add(mac, dev=req.dev, netns=ns, master=True, self_=False, state=req.state,
                      replace=op != "add")  # fmt: skip
    if op == "del":
        w.vxlan_fdb_del(mac, dev=req.dev, netns=ns, dst=req.dst, port=req.port, vni=req.vni,
                        via=req.via)  # fmt: skip
    else:
        w.vxlan_fdb_add(mac, dev=req.dev, netns=ns, dst=req.dst, port=req.port, vni=req.vni,
                        via=req.via, state=req.state, master=req.master, op=op)  # fmt: skip


def _show(proc: Proc, args: Args) -> None:
    """``fdb_show()``: unknown words are ignored, as there."""
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    br: str | None = None
    dev: str | None = None
    for word in args:
        if word in ("dev", "brport"):
            dev = args.next_arg()
        elif word == "br":
            br = args.next_arg()
        elif word in ("vlan", "state", "dynamic"):
            raise IpExit(f'netsim: bridge fdb show: "{word}" is not supported\n', 1)
        elif matches(word, "help"):
            raise IpExit(_USAGE, 255)
    if br is not None and br not in ns:
        raise IpExit(f'Cannot find bridge device "{br}"\n', 255)
    if dev is not None and dev not in ns:
        raise IpExit(f'Cannot find device "{dev}"\n', 255)
    if br is not None and not isinstance(ns.dev(br), Bridge):
        records = []  # the kernel dumps nothing for a master that is no bridge
    else:
        records = fdb_records(ns, br=br, dev=dev, stats=opts.stats)
    if dev is not None:  # print_fdb() names the device only when not filtering on one
        for rec in records:
            del rec["ifname"]
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(bridge_fdb_show(records, stats=opts.stats))
