"""``ip neigh`` (iproute2 6.1 ``ip/ipneigh.c``): add, replace, change, del,
show, flush, with ``proxy`` entries and ``-s`` statistics.

IPv6 neighbours: the model's devices have no IPv6 (as with
``disable_ipv6=1``), so ``add`` gives the kernel's ``IPv6 is disabled on this
device``, ``del`` finds nothing, show and flush find nothing.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from typing import Any, Final

from netsim.addr import ip4, mask4
from netsim.backends.sim.dump_l3 import neigh_records, proxy_records
from netsim.errors import KernelError
from netsim.iproute import ip_neigh_show, ip_neigh_show_brief
from netsim.kernel.ipv4.neigh import NUD_NOARP, NUD_PERMANENT
from netsim.shell.proc import Proc
from netsim.tools.ip_inet6 import not_modelled
from netsim.tools.ip_util import Args, IpExit, Opts, emit_json, matches
from netsim.world_neigh import NUD, NUD_FILTER_NONE

__all__ = ["do_ipneigh", "ll_addr_a2n"]

_FAMILY_NAMES: Final = {0: "any valid", 4: "inet", 6: "inet6", 17: "link"}


def do_ipneigh(proc: Proc, args: Args) -> None:
    """``do_ipneigh()``."""
    cmd = args.take() if args else "show"
    if matches(cmd, "add"):
        _modify(proc, args, "add")
    elif matches(cmd, "change") or cmd == "chg":
        _modify(proc, args, "change")
    elif matches(cmd, "replace"):
        _modify(proc, args, "replace")
    elif matches(cmd, "delete"):
        _modify(proc, args, "del")
    elif matches(cmd, "show") or matches(cmd, "list") or matches(cmd, "lst"):
        _show_or_flush(proc, args, flush=False)
    elif matches(cmd, "flush"):
        _show_or_flush(proc, args, flush=True)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip neigh help".\n', 255)


def _garbage(what: str, word: str) -> IpExit:
    return IpExit(f'Error: either "{what}" is duplicate, or "{word}" is a garbage.\n', 255)


def _addr(word: str, family: int) -> tuple[int, str]:
    """``get_addr()``: (family, text) of an address; exits 1 on anything else."""
    fam = 6 if ":" in word else 4
    ok = "/" not in word and (fam == 6 or _is_ip4(word))
    if not ok or (family in (4, 6) and fam != family):
        name = _FAMILY_NAMES.get(family, "any valid")
        raise IpExit(f'Error: {name} address is expected rather than "{word}".\n', 1)
    return fam, word


def _is_ip4(word: str) -> bool:
    try:
        ip4(word)
    except ValueError:
        return False
    return True


def ll_addr_a2n(arg: str) -> bytes:
    """``ll_addr_a2n()``: ``aa:bb:...`` hex bytes (any count, each ≤ 0xff), or a
    dotted IPv4 address as 4 bytes; ``"X" is invalid lladdr.`` (exit 1) else."""
    if "." in arg:
        try:
            return socket.inet_aton(arg)
        except OSError:
            raise IpExit(f'"{arg}" is invalid lladdr.\n', 1) from None
    out = bytearray()
    for part in arg.split(":"):
        digits = part[2:] if part[:2].lower() == "0x" else part
        hexpart = ""
        for c in digits.lstrip():
            if c not in "0123456789abcdefABCDEF":
                break
            hexpart += c
        if not hexpart or int(hexpart, 16) > 255:
            raise IpExit(f'"{part}" is invalid lladdr.\n', 1)
        out.append(int(hexpart, 16))
    return bytes(out)


def _modify(proc: Proc, args: Args, verb: str) -> None:
    """``ipneigh_modify()``."""
    dst: tuple[int, str] | None = None
    dev: str | None = None
    lla: str | None = None
    kw: dict[str, Any] = {}
    family = args.opts.family
    for arg in args:
        word = arg
        if matches(word, "lladdr"):
            value = args.next_arg()
            if lla is not None:
                raise IpExit(f'Error: duplicate "lladdr": "{value}" is the second value.\n', 255)
            lla = value
        elif word == "nud":
            value = args.next_arg()
            if value not in NUD:
                raise IpExit(f'Error: argument "{value}" is wrong: nud state is bad\n', 255)
            kw["nud"] = value
        elif matches(word, "proxy"):
            value = args.next_arg()
            if dst is not None:
                raise IpExit(f'Error: duplicate "address": "{value}" is the second value.\n', 255)
            dst = _addr(value, family)
            kw["proxy"] = True
        elif word == "router":
            kw["router"] = True
        elif word == "dev":
            dev = args.next_arg()
        else:
            if word == "to":
                word = args.next_arg()
            if dst is not None:
                raise _garbage("to", word)
            dst = _addr(word, family)
    if dst is None or (dev is None and not kw.get("proxy")):
        raise IpExit("Device and destination are required arguments.\n", 255)
    mac = ll_addr_a2n(lla) if lla is not None and lla != "null" else None
    w = proc.world
    ns = args.opts.netns
    if dev is not None:
        w.netns(ns).dev(dev)  # Cannot find device
    fam, ip = dst
    if fam == 6:
        _v6_modify(verb, dev, mac, kw)
    if verb == "del":
        w.neigh_del(ip, dev=dev, netns=ns, proxy=bool(kw.get("proxy")))
        return
    w.neigh_add(ip, dev=dev, netns=ns, lladdr=mac, replace=verb != "add",
                create=verb != "change", **kw)  # fmt: skip
    w.run(w.now)  # timers due now (a DELAY or PROBE entry probes at once)


def _v6_modify(verb: str, dev: str | None, mac: bytes | None, kw: dict[str, Any]) -> None:
    """What the kernel answers for an IPv6 neighbour when the device has IPv6
    disabled; a proxy entry, which it would keep, is not modelled."""
    if verb == "del" or kw.get("proxy"):
        if verb == "del" and not kw.get("proxy"):
            raise KernelError(errno.ENOENT)
        raise not_modelled()
    if mac is not None and len(mac) < 6:
        raise KernelError(errno.EINVAL, "Invalid link address")
    raise KernelError(errno.EINVAL, "IPv6 is disabled on this device")


@dataclass
class _Filter:
    """The filters of ``do_show_or_flush()``."""

    state: int
    dev: str | None = None
    proxy: bool = False
    family: int = 0
    net: int = 0
    plen: int = 0


def _parse_filter(args: Args, *, flush: bool) -> _Filter:
    f = _Filter(~(NUD_PERMANENT | NUD_NOARP) if flush else 0xFF & ~NUD_NOARP)
    f.family = args.opts.family
    state_given = False
    for arg in args:
        word = arg
        if word == "dev":
            f.dev = args.next_arg()
        elif word == "nud":
            value = args.next_arg()
            if not state_given:
                state_given, f.state = True, 0
            if value == "all":
                f.state |= ~NUD_NOARP if flush else ~0
            elif value in NUD:
                f.state |= NUD[value] or NUD_FILTER_NONE
            else:
                raise IpExit(f'Error: argument "{value}" is wrong: nud state is bad\n', 255)
        elif word == "proxy":
            f.proxy = True
        elif word in ("unused", "nomaster", "master", "vrf") or matches(word, "protocol"):
            raise IpExit(f'netsim: ip neigh: "{word}" is not supported\n', 1)
        else:
            if word == "to":
                word = args.next_arg()
            f.net, f.plen, fam = _filter_prefix(word, f.family)
            f.family = f.family or fam
    return f


def _show_or_flush(proc: Proc, args: Args, *, flush: bool) -> None:
    """``do_show_or_flush()``: the filters ``dev``, ``nud``, ``proxy``, ``to PREFIX``."""
    opts = args.opts
    if flush and not args:
        raise IpExit("Flush requires arguments.\n", 1)
    f = _parse_filter(args, flush=flush)
    ns = proc.world.netns(opts.netns)
    if f.dev is not None:
        ns.dev(f.dev)  # Cannot find device
    if f.family not in (0, 4):  # no IPv6 neighbours, no others
        records: list[dict[str, Any]] = []
    elif f.proxy:
        records = proxy_records(ns)
    else:
        records = neigh_records(ns, nud=f.state, stats=opts.stats and not flush)
    records = [r for r in records if (ip4(r["dst"]) ^ f.net) & mask4(f.plen) == 0]
    if f.dev is not None:
        records = [
            {k: v for k, v in r.items() if k != "dev"} for r in records if r.get("dev") == f.dev
        ]
    if flush:
        _flush(proc, opts, records, dev=f.dev, proxy=f.proxy)
    elif opts.json:
        emit_json(proc, opts, records)
    elif opts.brief:
        proc.out(ip_neigh_show_brief(records))
    else:
        proc.out(ip_neigh_show(records, stats=opts.stats))


def _filter_prefix(word: str, family: int) -> tuple[int, int, int]:
    """``get_prefix()`` for a filter: (network, length, family); ``all`` and
    ``default`` are everything."""
    if word in ("all", "any", "default"):
        return 0, 0, family
    addr, _, plen = word.partition("/")
    if ":" in addr:
        return 0, 0, 6
    try:
        bits = int(plen) if plen else 32
        if not 0 <= bits <= 32:
            raise ValueError(plen)
        return ip4(addr), bits, 4
    except ValueError:
        name = _FAMILY_NAMES.get(family, "any valid")
        raise IpExit(f'Error: {name} prefix is expected rather than "{word}".\n', 1) from None


def _flush(proc: Proc, opts: Opts, records: list[dict[str, Any]], *, dev: str | None,
           proxy: bool) -> None:  # fmt: skip
    """One RTM_DELNEIGH per listed entry; ``-s`` counts the rounds."""
    w = proc.world
    for r in records:
        w.neigh_del(r["dst"], dev=r.get("dev", dev), netns=opts.netns, proxy=proxy)
    if not opts.stats:
        return
    if not records:
        proc.out("Nothing to flush.\n")
        return
    proc.out(f"\n*** Round 1, deleting {len(records)} entries ***\n"
             "*** Flush is complete after 1 round ***\n")  # fmt: skip
