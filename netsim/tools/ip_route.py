"""``ip route`` (add, delete, replace, append, show, get), ``ip rule`` and ``ip neigh``."""

from __future__ import annotations

from typing import Any, Final

from netsim.addr import IfAddr, ip4
from netsim.backends.sim.dump_l3 import neigh_records, route_get_record, route_records, rule_records
from netsim.iproute import (
    ip_neigh_show,
    ip_neigh_show_brief,
    ip_route_get,
    ip_route_show,
    ip_rule_show,
)
from netsim.kernel.ipv4.consts import PROTOS_BY_NAME, TYPES_BY_NAME
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, emit_json, matches

__all__ = ["do_ipneigh", "do_iproute", "do_iprule"]

_TABLES: Final = {"main": 254, "local": 255, "default": 253}


def _garbage(what: str, word: str) -> IpExit:
    return IpExit(f'Error: either "{what}" is duplicate, or "{word}" is a garbage.\n', 255)


def _table(value: str) -> int:
    if value in _TABLES:
        return _TABLES[value]
    try:
        return int(value, 0)
    except ValueError:
        raise IpExit(f'Error: argument "{value}" is wrong: invalid table ID\n\n', 255) from None


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


def _int(value: str, what: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        msg = f'Error: argument "{value}" is wrong: "{what}" value is invalid\n\n'
        raise IpExit(msg, 255) from None


# --- ip route ---------------------------------------------------------------------------------


def do_iproute(proc: Proc, args: Args) -> None:
    if not args:
        _show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "add"):
        _modify(proc, args, "add")
    elif matches(cmd, "change") or cmd == "chg" or matches(cmd, "replace"):
        _modify(proc, args, "replace")
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
    kw: dict[str, Any] = {}
    dst: str | None = None
    for arg in args:
        word = arg
        if word == "src":
            kw["src"] = _inet(args.next_arg())
        elif word == "via":
            kw["via"] = _inet(args.next_arg())
        elif matches(word, "metric") or matches(word, "priority") or matches(word, "preference"):
            kw["metric"] = _int(args.next_arg(), "metric")
        elif word == "scope":
            kw["scope"] = _scope(args.next_arg())
        elif word in ("dev", "oif"):
            kw["dev"] = args.next_arg()
        elif matches(word, "table"):
            value = args.next_arg()
            kw["table"] = _table(value)
        elif matches(word, "protocol"):
            kw["proto"] = args.next_arg()
        elif word == "onlink":
            kw["onlink"] = True
        else:
            if matches(word, "to"):
                word = args.next_arg()
            if not word[:1].isdigit() and word in TYPES_BY_NAME and "type" not in kw:
                kw["type"] = word
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = _prefix(word)
    if dst is None:
        raise IpExit('Error: "to" argument is required.\n', 1)
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
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    table: int | str = 254
    for arg in args:
        word = arg
        if matches(word, "table"):
            value = args.next_arg()
            table = _TABLES.get(value, value) if value != "all" else "all"
            if isinstance(table, str) and table != "all":
                table = _table(table)
        else:
            raise IpExit(f'netsim: ip route show: "{word}" is not supported\n', 1)
    records = route_records(ns, table)
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(ip_route_show(records, details=opts.details))


def _flush(proc: Proc, args: Args) -> None:
    """``ip route flush SELECTOR``: every route of the table (main by default) that
    matches ``dev``/``proto`` is deleted, one RTM_DELROUTE each, as iproute2 does."""
    ns = proc.world.netns(args.opts.netns)
    if not args:
        raise IpExit('"ip route flush" requires arguments.\n', 1)
    table, dev, proto = 254, None, None
    for word in args:
        if matches(word, "table"):
            table = _table(args.next_arg())
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
        if dev is not None and (r.nh is None or r.nh.dev is not dev):
            continue
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
        elif word in ("oif", "dev"):
            kw["oif"] = args.next_arg()
        elif word == "mark":
            kw["mark"] = _int(args.next_arg(), "mark")
        else:
            if matches(word, "to"):
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = _prefix(word)
    if dst is None:
        raise IpExit("need at least a destination address\n", 1)
    w = proc.world
    if "oif" in kw:
        w.netns(opts.netns).dev(kw["oif"])
    records = [route_get_record(w.route_get(dst, netns=opts.netns, **kw))]
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(ip_route_get(records, details=opts.details))


# --- ip rule ----------------------------------------------------------------------------------


def do_iprule(proc: Proc, args: Args) -> None:
    opts = args.opts
    cmd = args.take() if args else "show"
    if matches(cmd, "list") or matches(cmd, "show") or matches(cmd, "lst"):
        records = rule_records(proc.world.netns(opts.netns))
        if opts.json:
            emit_json(proc, opts, records)
        else:
            proc.out(ip_rule_show(records, details=opts.details))
        return
    if not (matches(cmd, "add") or matches(cmd, "delete")):
        raise IpExit(f'Command "{cmd}" is unknown, try "ip rule help".\n', 255)
    kw: dict[str, Any] = {}
    for arg in args:
        word = arg
        if word == "not":
            kw["invert"] = True
        elif word in ("pref", "priority", "preference", "order"):
            kw["priority"] = _int(args.next_arg(), "preference")
        elif word == "from":
            kw["src"] = args.next_arg()
        elif word == "to":
            kw["dst"] = args.next_arg()
        elif word in ("iif", "dev"):
            kw["iif"] = args.next_arg()
        elif word == "oif":
            kw["oif"] = args.next_arg()
        elif word in ("table", "lookup"):
            value = args.next_arg()
            kw["table"] = _table(value)
        elif word in ("blackhole", "unreachable", "prohibit"):
            kw["action"] = word
        else:
            raise IpExit(f'netsim: ip rule: "{word}" is not supported\n', 1)
    w = proc.world
    if matches(cmd, "add"):
        w.rule_add(netns=opts.netns, **kw)
    else:
        kw.pop("invert", None), kw.pop("iif", None), kw.pop("oif", None), kw.pop("action", None)
        w.rule_del(netns=opts.netns, **kw)


# --- ip neigh ---------------------------------------------------------------------------------


def do_ipneigh(proc: Proc, args: Args) -> None:
    cmd = args.take() if args else "show"
    if matches(cmd, "add"):
        _neigh_modify(proc, args, "add")
    elif matches(cmd, "change") or cmd == "chg" or matches(cmd, "replace"):
        _neigh_modify(proc, args, "replace")
    elif matches(cmd, "delete"):
        _neigh_modify(proc, args, "del")
    elif matches(cmd, "show") or matches(cmd, "list") or matches(cmd, "lst"):
        _neigh_show(proc, args)
    elif matches(cmd, "flush"):
        _neigh_flush(proc, args)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip neigh help".\n', 255)


_NUD_STATES: Final = ("permanent", "noarp", "reachable", "stale", "delay", "probe", "failed",
                      "incomplete")  # fmt: skip


def _neigh_modify(proc: Proc, args: Args, verb: str) -> None:
    dst: str | None = None
    dev: str | None = None
    kw: dict[str, Any] = {}
    for arg in args:
        word = arg
        if word == "lladdr":
            kw["lladdr"] = args.next_arg()
        elif word == "nud":
            value = args.next_arg()
            if value not in _NUD_STATES:
                raise IpExit(f'Error: argument "{value}" is wrong: nud state is bad\n', 255)
            kw["nud"] = value
        elif word == "dev":
            dev = args.next_arg()
        else:
            if matches(word, "to"):
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = _inet(word)
    if dst is None or dev is None:
        raise IpExit("Device and destination are required arguments.\n", 255)
    w = proc.world
    ns = args.opts.netns
    w.netns(ns).dev(dev)
    if verb == "del":
        w.neigh_del(dst, dev=dev, netns=ns)
    else:
        w.neigh_add(dst, dev=dev, netns=ns, replace=verb == "replace", **kw)


def _neigh_flush(proc: Proc, args: Args) -> None:
    dev: str | None = None
    for word in args:
        if word == "dev":
            dev = args.next_arg()
            proc.world.netns(args.opts.netns).dev(dev)
        elif word != "all":
            raise IpExit(f'netsim: ip neigh flush: "{word}" is not supported\n', 1)
    proc.world.neigh_flush(dev=dev, netns=args.opts.netns)


def _neigh_show(proc: Proc, args: Args) -> None:
    opts = args.opts
    dev: str | None = None
    for word in args:
        if word == "dev":
            dev = args.next_arg()
            proc.world.netns(opts.netns).dev(dev)
        else:
            raise IpExit(f'netsim: ip neigh show: "{word}" is not supported\n', 1)
    records = neigh_records(proc.world.netns(opts.netns))
    if dev is not None:
        records = [{k: v for k, v in r.items() if k != "dev"} for r in records if r["dev"] == dev]
    if opts.json:
        emit_json(proc, opts, records)
    elif opts.brief:
        proc.out(ip_neigh_show_brief(records))
    else:
        proc.out(ip_neigh_show(records, stats=opts.stats))
