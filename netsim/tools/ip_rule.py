"""``ip rule`` (list, add, delete): iproute2's ``ip/iprule.c``
(``iprule_list_flush_or_save``, ``iprule_modify``)."""

from __future__ import annotations

from typing import Any

from netsim.backends.sim.dump_l3 import rule_records
from netsim.iproute import ip_rule_show
from netsim.shell.proc import Proc
from netsim.tools.ip_inet6 import rule_v6
from netsim.tools.ip_util import Args, IpExit, emit_json, int_arg, invarg, matches, rt_table

__all__ = ["do_iprule"]


def _get_u32(text: str) -> int | None:
    """``get_u32(&v, text, 0)``: ``strtoul`` in base 0 (``0x`` hex, ``0`` octal)."""
    try:
        value = int(text, 16 if text[:2].lower() == "0x" else 8 if text[:1] == "0" else 10)
    except ValueError:
        return None
    return value if 0 <= value <= 0xFFFFFFFF else None


def _fwmark(text: str) -> tuple[int, int]:
    """``fwmark MARK[/MASK]``, as ``iprule_modify()`` reads it."""
    mark, slash, mask = text.partition("/")
    value = _get_u32(mark)
    if value is None:
        raise invarg("fwmark value is invalid\n", mark)
    if not slash:
        return value, 0xFFFFFFFF
    fwmask = _get_u32(mask)
    if fwmask is None:
        raise invarg("fwmask value is invalid\n", mask)
    return value, fwmask


def do_iprule(proc: Proc, args: Args) -> None:
    opts = args.opts
    cmd = args.take() if args else "show"
    if opts.family == 6:
        rule_v6(proc, args, cmd)
        return
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
    for arg in args:  # iprule_modify()'s keyword order and matching
        word = arg
        if word == "not":
            kw["invert"] = True
        elif word == "from":
            kw["src"] = args.next_arg()
        elif word == "to":
            kw["dst"] = args.next_arg()
        elif matches(word, "preference") or matches(word, "order") or matches(word, "priority"):
            kw["priority"] = int_arg(args.next_arg(), "preference")
        elif word == "fwmark":
            kw["fwmark"], kw["fwmask"] = _fwmark(args.next_arg())
        elif matches(word, "table") or word == "lookup":
            kw["table"] = rt_table(args.next_arg())
        elif word in ("dev", "iif"):
            kw["iif"] = args.next_arg()
        elif word == "oif":
            kw["oif"] = args.next_arg()
        elif word in ("blackhole", "unreachable", "prohibit"):
            kw["action"] = word
        elif word == "type" and args.peek() in ("blackhole", "unreachable", "prohibit"):
            kw["action"] = args.next_arg()
        else:
            raise IpExit(f'netsim: ip rule: "{word}" is not supported\n', 1)
    w = proc.world
    if matches(cmd, "add"):
        w.rule_add(netns=opts.netns, **kw)
    else:
        kw.pop("invert", None), kw.pop("iif", None), kw.pop("oif", None), kw.pop("action", None)
        w.rule_del(netns=opts.netns, **kw)
