"""``tc qdisc show`` and ``tc filter show`` output (iproute2 6.1), text and
``-j`` JSON, rendered from netlink-shaped messages
(:func:`netsim.kernel.sched.api.qdisc_dump` / ``filter_dump`` records).

Mirrors ``print_qdisc`` (``tc/tc_qdisc.c``), ``print_tcstats2_attr``
(``tc/tc_util.c``), ``tbf_print_opt``, ``prio_print_opt`` (pfifo_fast),
``ingress_print_opt``, ``print_filter`` (``tc/tc_filter.c``),
``u32_print_opt``, ``tc_dump_action`` and ``print_mirred``, with
``print_rate``, ``sprint_size``, ``sprint_time`` and ``print_tc_classid``:
every field in the C code's order and spacing, trailing blanks included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["TcFlags", "classid_str", "filters_show", "qdiscs_show", "rate_str", "size_str"]

TC_H_ROOT: Final = 0xFFFFFFFF
TIME_UNITS_PER_SEC: Final = 1_000_000
#: ``tick_in_usec`` of ``tc_core_init`` for ``/proc/net/psched``
#: ``000003e8 00000040 000f4240 ...``: 1000 ns per us / 64 ns per tick.
TICK_IN_USEC: Final = 1000 / 64
#: ``ll_proto_n2a`` names of the protocols a filter may carry.
_PROTO: Final = {0x0003: "all", 0x0800: "ip", 0x0806: "arp", 0x86DD: "ipv6", 0x8100: "802.1Q"}
_LINKLAYER: Final = {0: "unspec", 1: "ethernet", 2: "atm"}
_MIRRED: Final = {1: ("Egress Redirect", "redirect", "egress"),
                  2: ("Egress Mirror", "mirror", "egress"),
                  3: ("Ingress Redirect", "redirect", "ingress"),
                  4: ("Ingress Mirror", "mirror", "ingress")}  # fmt: skip
_ACTIONS: Final = {-1: "continue", 0: "pass", 1: "reclassify", 2: "drop", 3: "pipe",
                   4: "stolen", 8: "trap"}  # fmt: skip


@dataclass(frozen=True)
class TcFlags:
    """``tc``'s global options: ``-s``, ``-d``, ``-r``, ``-j``, ``-p``, ``-iec``."""

    stats: bool = False
    details: bool = False
    raw: bool = False
    json: bool = False
    pretty: bool = False
    iec: bool = False


def rate_str(rate: int, *, iec: bool = False) -> str:
    """``print_rate``: bytes per second as ``1Mbit``, ``1500Kbit``, ``800bit``."""
    kilo = 1024 if iec else 1000
    units = ("", "K", "M", "G", "T")
    bits = rate << 3
    i = 0
    while i < len(units) - 1:
        if bits < kilo or (bits % kilo and bits < 1000 * kilo):
            break
        bits //= kilo
        i += 1
    return f"{bits}{units[i]}{'i' if iec and i else ''}bit"


def size_str(sz: int) -> str:
    """``sprint_size``: ``12500b``, ``10Kb``, ``2Mb``."""
    kilo, mega = 1024, 1024 * 1024
    if sz >= mega and abs(mega * round(sz / mega) - sz) < 1024:
        return f"{_g(round(sz / mega))}Mb"
    if sz >= kilo and abs(kilo * round(sz / kilo) - sz) < 16:
        return f"{_g(round(sz / kilo))}Kb"
    return f"{sz}b"


def _g(v: float, digits: int = 6) -> str:
    return f"{v:.{digits}g}"


def time_str(usec: int) -> str:
    """``sprint_time`` of microseconds: ``25ms``, ``1.5s``, ``800us``."""
    if usec >= TIME_UNITS_PER_SEC:
        return f"{usec / TIME_UNITS_PER_SEC:.3g}s"
    if usec >= TIME_UNITS_PER_SEC // 1000:
        return f"{usec / 1000:.3g}ms"
    return f"{usec}us"


def classid_str(h: int) -> str:
    """``print_tc_classid``: ``root``, ``none``, ``:5``, ``1:``, ``1:1``."""
    if h == TC_H_ROOT:
        return "root"
    if h == 0:
        return "none"
    if h >> 16 == 0:
        return f":{h & 0xFFFF:x}"
    if h & 0xFFFF == 0:
        return f"{h >> 16:x}:"
    return f"{h >> 16:x}:{h & 0xFFFF:x}"


def tick2time(ticks: int) -> int:
    """``tc_core_tick2time``."""
    return int(ticks / TICK_IN_USEC) & 0xFFFFFFFF


def _xmitsize(rate: int, ticks: int) -> int:
    """``tc_calc_xmitsize``."""
    return int(rate * tick2time(ticks) / TIME_UNITS_PER_SEC) & 0xFFFFFFFF


@dataclass
class _Out:
    """``print_*`` of lib/json_print.c: text, or JSON objects in order."""

    json: bool
    text: list[str] = field(default_factory=list)
    stack: list[dict[str, Any]] = field(default_factory=list)

    def fp(self, s: str) -> None:
        if not self.json:
            self.text.append(s)

    def js(self, key: str, value: Any) -> None:
        if self.json:
            self.stack[-1][key] = value

    def any(self, key: str, text: str, value: Any) -> None:
        self.fp(text)
        self.js(key, value)

    def nl(self) -> None:
        self.fp("\n")

    def open(self, key: str) -> None:
        if self.json:
            obj: dict[str, Any] = {}
            self.stack[-1][key] = obj
            self.stack.append(obj)

    def close(self) -> None:
        if self.json:
            self.stack.pop()


Names = Callable[[int], str]


# --- qdiscs ----------------------------------------------------------------------------------


def _tbf_opt(o: _Out, opts: dict[str, Any], fl: TcFlags) -> None:
    rate = int(opts.get("rate64") or opts.get("rate", 0))
    o.any("rate", f"rate {rate_str(rate, iec=fl.iec)} ", rate)
    buffer = _xmitsize(rate, int(opts.get("buffer", 0)))
    if fl.details:
        burst = f"{size_str(buffer)}/{1 << int(opts.get('cell_log', 0))}"
        o.any("burst", f"burst {burst} ", burst)
        o.any("mpu", f"mpu {size_str(int(opts.get('mpu', 0)))} ", int(opts.get("mpu", 0)))
    else:
        o.any("burst", f"burst {size_str(buffer)} ", buffer)
    if fl.raw:
        o.any("burst_raw", f"[{int(opts.get('buffer', 0)):08x}] ", f"{int(opts.get('buffer', 0)):x}")  # fmt: skip  # noqa: E501
    prate = int(opts.get("prate64") or opts.get("peakrate", 0))
    limit = int(opts.get("limit", 0))
    latency = TIME_UNITS_PER_SEC * (limit / rate if rate else float("inf"))
    latency -= tick2time(int(opts.get("buffer", 0)))
    if prate:
        o.fp(f"peakrate {rate_str(prate, iec=fl.iec)} ")
        mtu_t = int(opts.get("mtu", 0))
        if mtu_t or opts.get("peak_mpu"):
            mtu = _xmitsize(prate, mtu_t)
            if fl.details:
                text = f"{size_str(mtu)}/1"
                o.any("mtu", f"mtu {text} ", text)
                o.any("mpu", f"mpu {size_str(int(opts.get('peak_mpu', 0)))} ", int(opts.get("peak_mpu", 0)))  # fmt: skip  # noqa: E501
            else:
                o.any("minburst", f"minburst {size_str(mtu)} ", mtu)
            if fl.raw:
                o.any("mtu_raw", f"[{mtu_t:08x}] ", f"{mtu_t:x}")
        lat2 = TIME_UNITS_PER_SEC * (limit / prate) - tick2time(mtu_t)
        latency = max(latency, lat2)
    if latency >= 0.0:
        o.js("lat", int(latency))
        o.fp(f"lat {time_str(int(latency) & 0xFFFFFFFF)} ")
    if fl.raw or latency < 0.0:
        o.any("limit", f"limit {size_str(limit)} ", limit)
    if opts.get("overhead"):
        o.any("overhead", f"overhead {int(opts['overhead'])} ", int(opts["overhead"]))
    ll = int(opts.get("linklayer", 0))
    if ll > 1 or fl.details:
        name = _LINKLAYER.get(ll, str(ll))
        o.any("linklayer", f"linklayer {name} ", name)


def _prio_opt(o: _Out, opts: dict[str, Any], fl: TcFlags) -> None:
    o.any("bands", f"bands {opts.get('bands', 3)} ", int(opts.get("bands", 3)))
    pmap = [int(b) for b in opts.get("priomap", [])]
    o.fp("priomap" + "".join(f" {b}" for b in pmap))
    o.js("priomap", pmap)
    o.js("multiqueue", False)


def _stats(o: _Out, st: dict[str, Any], prefix: str) -> None:
    """``print_tcstats2_attr``: basic and queue stats (no rate estimator)."""
    o.fp(prefix)
    o.any("bytes", f"Sent {st['bytes']} bytes", st["bytes"])
    o.any("packets", f" {st['packets']} pkt", st["packets"])
    o.any("drops", f" (dropped {st['drops']}", st["drops"])
    o.any("overlimits", f", overlimits {st['overlimits']}", st["overlimits"])
    o.any("requeues", f" requeues {st['requeues']}) ", st["requeues"])
    o.nl()
    o.fp(prefix)
    o.any("backlog", f"backlog {size_str(st['backlog'])}", st["backlog"])
    o.any("qlen", f" {st['qlen']}p", st["qlen"])
    o.fp(f" requeues {st['requeues']}")


def _qdisc(o: _Out, m: dict[str, Any], fl: TcFlags, names: Names, one_dev: bool) -> None:
    o.stack.append({})
    kind = str(m["kind"])
    o.any("kind", f"qdisc {kind}", kind)
    handle = int(m["handle"])
    o.any("handle", f" {handle >> 16:x}:", f"{handle >> 16:x}:")
    if fl.raw:
        o.fp(f"[{handle:08x}]")
    o.fp(" ")
    if not one_dev:
        o.any("dev", f"dev {names(int(m['ifindex']))} ", names(int(m["ifindex"])))
    parent = int(m["parent"])
    if parent == TC_H_ROOT:
        o.any("root", "root ", True)
    elif parent:
        o.any("parent", f"parent {classid_str(parent)} ", classid_str(parent))
    if int(m["info"]) != 1:
        o.any("refcnt", f"refcnt {m['info']} ", int(m["info"]))
    o.open("options")
    opts = m.get("options")
    if opts is not None:
        printer = {"tbf": _tbf_opt, "pfifo_fast": _prio_opt}.get(kind)
        if printer is not None:
            printer(o, opts, fl)
        elif kind == "ingress":
            o.fp("---------------- ")
    o.close()
    o.nl()
    if fl.stats:
        _stats(o, m["stats"], " ")
        o.nl()


def qdiscs_show(msgs: Iterable[dict[str, Any]], fl: TcFlags, names: Names, *,
                one_dev: bool = False) -> str:  # fmt: skip
    """``tc [-s] [-d] [-r] [-j] qdisc show [dev DEV]`` of ``msgs``."""
    return _render(msgs, fl, lambda o, m: _qdisc(o, m, fl, names, one_dev))


def _render(msgs: Iterable[dict[str, Any]], fl: TcFlags,
            one: Callable[[_Out, dict[str, Any]], None]) -> str:  # fmt: skip
    o = _Out(fl.json)
    objs: list[dict[str, Any]] = []
    for m in msgs:
        one(o, m)
        if fl.json:
            objs.append(o.stack.pop())
    if not fl.json:
        return "".join(o.text)
    if fl.pretty:
        return json.dumps(objs, indent=4) + "\n"
    return json.dumps(objs, separators=(",", ":")) + "\n"


# --- filters ----------------------------------------------------------------------------------


def _u32_handle(h: int) -> str:
    """``sprint_u32_handle``."""
    if h == 0:
        return "none"
    out = f"{h >> 20:x}:" if h & 0xFFF00000 else ""
    bucket, node = (h >> 12) & 0xFF, h & 0xFFF
    if node | bucket:
        out += f"{bucket:x}" if bucket else ""
        out += f":{node:x}" if node else ""
    return out


def _mirred(o: _Out, a: dict[str, Any], fl: TcFlags, names: Names) -> None:
    o.any("kind", "mirred ", "mirred")
    text, act, direction = _MIRRED.get(int(a["eaction"]), ("unknown", "unknown", "unknown"))
    o.fp(f"({text}")
    o.js("mirred_action", act)
    o.js("direction", direction)
    dev = names(int(a["ifindex"]))
    o.any("to_dev", f" to device {dev})", dev)
    o.fp(" ")
    o.open("control_action")
    verdict = _ACTIONS.get(int(a["action"]), str(a["action"]))
    o.any("type", verdict, verdict)
    o.close()
    o.nl()
    o.any("index", f"\tindex {a['index']}", int(a["index"]))
    o.any("ref", f" ref {a['ref']}", int(a["ref"]))
    o.any("bind", f" bind {a['bind']}", int(a["bind"]))
    tm = a.get("tm")
    if fl.stats and tm is not None:  # print_tm(), in seconds of USER_HZ 100 ticks
        for key, name, text in (("install", "installed", "installed"),
                                ("lastuse", "last_used", "used"),
                                ("firstuse", "first_used", "firstused")):  # fmt: skip
            if tm[key]:
                o.any(name, f" {text} {tm[key] // 100} sec", tm[key] // 100)
    o.nl()
    if fl.stats:
        st = a["stats"]
        o.fp("\tAction statistics:")
        o.nl()
        o.open("stats")
        _stats(o, {"bytes": st["bytes"], "packets": st["packets"], "drops": st["drops"],
                   "overlimits": st["overlimits"], "requeues": 0, "backlog": 0, "qlen": 0},
               "\t")  # fmt: skip
        o.close()
        o.nl()


def _u32_opt(o: _Out, m: dict[str, Any], fl: TcFlags, names: Names) -> None:
    opts = m["options"]
    handle = int(m["handle"])
    if handle:
        o.any("fh", f"fh {_u32_handle(handle)} ", _u32_handle(handle))
    if handle & 0xFFF:
        o.any("order", f"order {handle & 0xFFF} ", handle & 0xFFF)
    if "divisor" in opts:
        o.any("ht_divisor", f"ht divisor {opts['divisor']} ", int(opts["divisor"]))
    else:
        htid = int(opts["hash"])
        o.any("key_ht", f"key ht {(htid >> 20) & 0xFFF:x} ", f"{(htid >> 20) & 0xFFF:x}")
        o.any("bkt", f"bkt {(htid >> 12) & 0xFF:x} ", f"{(htid >> 12) & 0xFF:x}")
    terminal = int(opts.get("flags", 0)) & 1
    if opts.get("classid"):
        if terminal:
            o.fp("*")
        o.any("flowid", f"flowid {classid_str(int(opts['classid']))} ", classid_str(int(opts["classid"])))  # fmt: skip  # noqa: E501
    elif terminal and "keys" in opts:
        o.fp("terminal flowid ")
    if opts.get("not_in_hw"):
        o.any("not_in_hw", "not_in_hw ", True)
    for k in opts.get("keys", []):
        o.open("match")
        o.nl()
        o.any("value", f"  match {int(k['val']):08x}", f"{int(k['val']):x}")
        o.any("mask", f"/{int(k['mask']):08x} ", f"{int(k['mask']):x}")
        o.any("offmask", f"at {'nexthdr+' if k.get('offmask') else ''}", "nexthdr+" if k.get("offmask") else "")  # fmt: skip  # noqa: E501
        o.any("off", f"{int(k['off'])}", int(k["off"]))
        o.close()
    if opts.get("actions"):
        acts: list[dict[str, Any]] = []
        if o.json:
            o.stack[-1]["actions"] = acts
        for a in opts["actions"]:
            if o.json:
                o.stack.append({})
            o.nl()
            o.any("order", f"\taction order {a['order']}: ", int(a["order"]))
            _mirred(o, a, fl, names)
            if o.json:
                acts.append(o.stack.pop())


def _filter(o: _Out, m: dict[str, Any], fl: TcFlags, names: Names,
            want_parent: int | None) -> None:  # fmt: skip
    o.stack.append({})
    o.fp("filter ")
    if want_parent is None:
        o.any("dev", f"dev {names(int(m['ifindex']))} ", names(int(m["ifindex"])))
    parent = int(m["parent"])
    if want_parent is None or want_parent != parent:
        if parent == TC_H_ROOT:
            o.any("root", "root ", True)
        elif parent == 0xFFFFFFF2:
            o.any("ingress", "ingress ", True)
        elif parent == 0xFFFFFFF3:
            o.any("egress", "egress ", True)
        else:
            o.any("parent", f"parent {classid_str(parent)} ", classid_str(parent))
    proto = _PROTO.get(int(m["protocol"]), f"[{int(m['protocol'])}]")
    o.any("protocol", f"protocol {proto} ", proto)
    o.any("pref", f"pref {m['prio']} ", int(m["prio"]))
    o.any("kind", f"{m['kind']} ", m["kind"])
    o.any("chain", f"chain {m['chain']} ", int(m["chain"]))
    if "options" in m:
        o.open("options")
        _u32_opt(o, m, fl, names)
        o.close()
    o.nl()


def filters_show(msgs: Iterable[dict[str, Any]], fl: TcFlags, names: Names, *,
                 parent: int | None) -> str:  # fmt: skip
    """``tc [-s] [-j] filter show dev DEV parent P`` of ``msgs`` (``parent`` as
    asked: the records' own is printed only when it differs)."""
    return _render(msgs, fl, lambda o, m: _filter(o, m, fl, names, parent))
