"""``ip route`` (add, delete, replace, append, show, get, flush): iproute2's
``ip/iproute.c``.  ``ip rule`` is in :mod:`netsim.tools.ip_rule`."""

from __future__ import annotations

import errno
from typing import Any, Final

from netsim.addr import IfAddr, ip4, mask4
from netsim.backends.sim.dump_l3 import route_get_record, route_input_record, route_records
from netsim.errors import KernelError
from netsim.iproute import ip_route_get, ip_route_show
from netsim.kernel.ipv4.consts import PROTOS_BY_NAME, TYPES_BY_NAME
from netsim.kernel.ipv4.route_input import ip_route_input
from netsim.shell.proc import Proc
from netsim.tools.ip_inet6 import check_family, route_v6, route_v6_show
from netsim.tools.ip_nexthop import parse_nexthops
from netsim.tools.ip_util import RT_TABLES, Args, IpExit, emit_json, int_arg, matches, rt_table

__all__ = ["do_iproute"]


def _garbage(what: str, word: str) -> IpExit:
    return IpExit(f'Error: either "{what}" is duplicate, or "{word}" is a garbage.\n', 255)


def _scope(value: str) -> str:
    if value not in ("global", "site", "link", "host", "nowhere") and not value.isdigit():
        raise IpExit(f'Error: argument "{value}" is wrong: invalid "scope" value\n\n', 255)
    return value


def _prefix(word: str) -> str:
    if word != "default":
        try:
            IfAddr.parse(word)
        except ValueError:
            msg = f'Error: any valid prefix is expected rather than "{word}".\n'
            raise IpExit(msg, 1) from None
    return word


def _inet(value: str, what: str = "address") -> str:
    try:
        ip4(value)
    except ValueError:
        raise IpExit(f'Error: inet {what} is expected rather than "{value}".\n', 1) from None
    return value


# --- ip route ---------------------------------------------------------------------------------


def do_iproute(proc: Proc, args: Args) -> None:
    if not args:
        _show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "add"):
        _modify(proc, args, "add")
    elif matches(cmd, "change") or cmd == "chg":
        _modify(proc, args, "change")
    elif matches(cmd, "replace"):
        _modify(proc, args, "replace")
    elif matches(cmd, "prepend"):
        _modify(proc, args, "prepend")
    elif matches(cmd, "append"):
        _modify(proc, args, "append")
    elif matches(cmd, "delete"):
        _modify(proc, args, "del")
    elif matches(cmd, "list") or matches(cmd, "show") or matches(cmd, "lst"):
        _show(proc, args)
    elif matches(cmd, "get"):
        _get(proc, args)
    elif matches(cmd, "flush"):
        _flush(proc, args)
    elif matches(cmd, "help"):
        raise IpExit("Usage: ip route { list | add | del | replace | append | get } ...\n", 255)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip route help".\n', 255)


def _modify(proc: Proc, args: Args, verb: str) -> None:
    """``iproute_modify()``; ``nexthop`` ends the options, the rest is the hops."""
    kw: dict[str, Any] = {}
    dst: str | None = None
    family = args.opts.family
    for arg in args:
        word = arg
        if word == "src":
            kw["src"] = _inet(args.next_arg())
        elif word == "via":
            kw["via"] = args.next_arg()
        elif matches(word, "metric") or matches(word, "priority") or matches(word, "preference"):
            kw["metric"] = int_arg(args.next_arg(), "metric")
        elif word == "scope":
            kw["scope"] = _scope(args.next_arg())
        elif word in ("dev", "oif"):
            kw["dev"] = args.next_arg()
        elif matches(word, "table"):
            value = args.next_arg()
            kw["table"] = rt_table(value)
        elif matches(word, "protocol"):
            kw["proto"] = args.next_arg()
        elif word == "onlink":
            kw["onlink"] = True
        elif word == "nexthop":
            args.pos -= 1
            kw["nexthops"] = parse_nexthops(proc, args, family)
        else:
            if matches(word, "to"):
                word = args.next_arg()
            if not word[:1].isdigit() and word in TYPES_BY_NAME and "type" not in kw:
                kw["type"] = word
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = word
            family = family or (6 if ":" in word else 0)
    if dst is None:
        raise IpExit('Error: "to" argument is required.\n', 1)
    _apply(proc, args, verb, dst, family, kw)


def _apply(proc: Proc, args: Args, verb: str, dst: str, family: int, kw: dict[str, Any]) -> None:
    if family:
        check_family(dst, family)
    if family == 6 or ":" in dst:
        route_v6(proc, args.opts, dst, verb, kw)
        return
    _prefix(dst)
    if "via" in kw:
        kw["via"] = _inet(kw["via"])
    w = proc.world
    ns = args.opts.netns
    if "dev" in kw:
        w.netns(ns).dev(kw["dev"])  # Cannot find device
    if verb == "del":
        kw.pop("onlink", None)
        w.route_del(dst, netns=ns, **kw)
    else:
        w.route_add(dst, netns=ns, mode=verb, **kw)


def _show(proc: Proc, args: Args) -> None:
    """``iproute_list_flush_or_save()`` for ``show``: ``table T|all``, ``dev``,
    ``via``, ``proto``, ``scope``, ``type`` and ``[to] [root|match|exact] PREFIX``;
    a field that is filtered on exactly is left out of the output, as iproute2
    does (``ip route show dev eth0`` prints no ``dev``)."""
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    table: int | str = 254
    keep: dict[str, str] = {}  # record key -> the value it must have (then dropped)
    want_type: str | None = None
    root = match = None
    for arg in args:
        word = arg
        if matches(word, "table"):
            value = args.next_arg()
            table = RT_TABLES.get(value, value) if value != "all" else "all"
            if isinstance(table, str) and table != "all":
                table = rt_table(table)
        elif word in ("dev", "oif"):
            keep["dev"] = ns.dev(args.next_arg()).ifname
        elif word == "via":
            keep["gateway"] = _inet(args.next_arg())
        elif matches(word, "protocol"):
            keep["protocol"] = args.next_arg()
        elif word == "scope":
            keep["scope"] = _scope(args.next_arg())
        elif word == "type":
            want_type = args.next_arg()
        else:
            if matches(word, "to"):
                word = args.next_arg()
            how = "exact"
            for kind in ("root", "match", "exact"):
                if matches(word, kind):
                    how, word = kind, args.next_arg()
                    break
            if opts.family == 6 or ":" in word:
                opts.family = 6
                continue
            pfx = _filter_prefix(word)
            root = pfx if how in ("root", "exact") else root
            match = pfx if how in ("match", "exact") else match
    if opts.family == 6:
        route_v6_show(proc, opts)
        return
    if isinstance(table, int) and table not in ns.ipv4.tables and table not in (253, 254, 255):
        raise IpExit("Error: ipv4: FIB table does not exist.\nDump terminated\n", 2)
    records = [
        _details(f, _show_defaults(table)) if opts.details else f
        for r in route_records(ns, table)
        if (f := _filtered(r, keep)) is not None
        and (want_type is None or f.get("type", "unicast") == want_type)
        and _prefix_ok(f["dst"], root, match)
    ]
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(ip_route_show(records, details=opts.details))


_DEFAULTS: Final = {"protocol": "boot", "scope": "global"}


def _show_defaults(table: int | str) -> dict[str, Any]:
    return {"type": "unicast", **({"table": "main"} if table == "all" else {}), **_DEFAULTS}


def _filtered(rec: dict[str, Any], keep: dict[str, str]) -> dict[str, Any] | None:
    """``rec`` without the fields filtered on, or None when one differs."""
    for key, value in keep.items():
        if str(rec.get(key, _DEFAULTS.get(key, ""))) != value:
            return None
    return {k: v for k, v in rec.items() if k not in keep}


#: The order of a route record's keys (``print_route()``), for ``-d`` defaults.
_ORDER: Final = ("type", "dst", "from", "gateway", "dev", "table", "protocol", "scope",
                 "prefsrc", "metric", "flags", "mark", "uid", "cache", "iif",
                 "nexthops")  # fmt: skip


def _details(rec: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What ``ip -d`` adds: ``type`` (and for ``show``: ``protocol``, ``scope``;
    for ``table all`` and ``get``: ``table main``) even when default."""
    out = {**defaults, **rec}
    return dict(sorted(out.items(), key=lambda kv: _ORDER.index(kv[0])))


def _filter_prefix(word: str) -> tuple[int, int]:
    if word in ("default", "all", "any"):
        return 0, 0
    addr, _, plen = word.partition("/")
    try:
        return ip4(addr), int(plen) if plen else 32
    except ValueError:
        raise IpExit(f'Error: any valid prefix is expected rather than "{word}".\n', 1) from None


def _prefix_ok(dst: str, root: tuple[int, int] | None, match: tuple[int, int] | None) -> bool:
    """``root``: the route lies within the prefix; ``match``: it covers it."""
    net, plen = _filter_prefix(dst)
    if root is not None and (plen < root[1] or (net ^ root[0]) & mask4(root[1])):
        return False
    return match is None or (plen <= match[1] and not (net ^ match[0]) & mask4(plen))


def _flush(proc: Proc, args: Args) -> None:
    """``ip route flush SELECTOR``: every route of the table (main by default) that
    matches ``dev``/``proto`` is deleted, one RTM_DELROUTE each, as iproute2 does."""
    ns = proc.world.netns(args.opts.netns)
    if not args:
        raise IpExit('"ip route flush" requires arguments.\n', 1)
    if args.opts.family == 6:
        return
    table, dev, proto = 254, None, None
    for word in args:
        if matches(word, "table"):
            table = rt_table(args.next_arg())
        elif word in {"dev", "oif"}:
            dev = ns.dev(args.next_arg())
        elif matches(word, "protocol"):
            value = args.next_arg()
            proto = PROTOS_BY_NAME[value] if value in PROTOS_BY_NAME else _number(value)
        else:
            raise IpExit(f'netsim: ip route flush: "{word}" is not supported\n', 1)
    t = ns.ipv4.tables.get(table)
    if t is None:
        raise IpExit("Error: ipv4: FIB table does not exist.\nFlush terminated\n", 2)
    for r in list(t):
        if dev is not None and (len(r.nexthops) != 1 or r.nexthops[0].dev is not dev):
            continue  # a multipath route has no RTA_OIF to match
        if proto is not None and r.protocol != proto:
            continue
        t.remove(r)


def _number(value: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        msg = f'Error: argument "{value}" is wrong: "protocol" value is invalid\n\n'
        raise IpExit(msg, 255) from None


def _get(proc: Proc, args: Args) -> None:
    opts = args.opts
    dst: str | None = None
    kw: dict[str, Any] = {}
    for arg in args:
        word = arg
        if word == "from":
            kw["src"] = _inet(args.next_arg(), "prefix")
        elif word == "dev" or matches(word, "oif"):
            kw["oif"] = args.next_arg()
        elif matches(word, "iif"):
            kw["iif"] = args.next_arg()
        elif word == "mark":
            kw["mark"] = int_arg(args.next_arg(), "mark")
        else:
            if matches(word, "to"):
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = word
    if dst is None:
        raise IpExit("need at least a destination address\n", 1)
    if opts.family == 6 or ":" in dst:
        check_family(dst, opts.family or 6)
        raise KernelError(errno.ENETUNREACH)  # no IPv6 route at all
    _prefix(dst)
    w = proc.world
    ns = w.netns(opts.netns)
    for key in ("iif", "oif"):  # ll_name_to_index(): nodev()
        if key in kw and kw[key] not in ns:
            raise IpExit(f'Cannot find device "{kw[key]}"\n', 1)
    if "iif" in kw:  # an input route; the kernel ignores oif then
        route = ip_route_input(ns, ip4(dst), ip4(kw["src"]) if "src" in kw else 0,
                               ns.dev(kw["iif"]), mark=kw.get("mark", 0))  # fmt: skip
        records = [route_input_record(route)]
    else:
        records = [route_get_record(w.route_get(dst, netns=opts.netns, **kw))]
    if opts.details:
        records = [_details(r, {"type": "unicast", "table": "main"}) for r in records]
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(ip_route_get(records, details=opts.details))
