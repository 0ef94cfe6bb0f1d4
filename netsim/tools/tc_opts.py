"""Argument parsing of ``tc`` (iproute2 6.1): sizes, rates, times and handles
(``lib/utils_math.c``, ``lib/utils.c``, ``tc/tc_util.c``), ``tbf_parse_opt``
(``tc/q_tbf.c``, what it computes and sends: ``TCA_TBF_PARMS`` with the buffer
in ticks and the limit, plus ``TCA_TBF_BURST``), and the u32 + mirred words
the bandwidth plugin's filter needs (``tc/f_u32.c``, ``tc/m_mirred.c``)."""

from __future__ import annotations

import math
import re
from typing import Any, Final

from netsim.kernel.sched.psched import TIME_UNITS_PER_SEC, time2tick
from netsim.tools.ip_util import IpExit, matches

__all__ = [
    "get_qdisc_handle",
    "get_rate64",
    "get_size",
    "get_tc_classid",
    "get_time",
    "mirred_parse",
    "tbf_parse",
    "u32_parse",
]

_NUM: Final = re.compile(
    r"\s*[+-]?(?:0[xX][0-9a-fA-F]+|inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
    re.IGNORECASE,
)
_RATE_SUFFIXES: Final = (
    ("bit", 1.0), ("Kibit", 1024.0), ("kbit", 1000.0), ("mibit", 1024.0**2), ("mbit", 1e6),
    ("gibit", 1024.0**3), ("gbit", 1e9), ("tibit", 1024.0**4), ("tbit", 1e12), ("Bps", 8.0),
    ("KiBps", 8.0 * 1024), ("KBps", 8000.0), ("MiBps", 8.0 * 1024**2), ("MBps", 8e6),
    ("GiBps", 8.0 * 1024**3), ("GBps", 8e9), ("TiBps", 8.0 * 1024**4), ("TBps", 8e12),
)  # fmt: skip
_TBF_EXPLAIN: Final = (
    "Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n"
    "\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]\n"
)


def _strtod(text: str) -> tuple[float, str] | None:
    """``strtod``: the number at the start and the rest, or None."""
    m = _NUM.match(text)
    if m is None:
        return None
    word = m.group(0).strip()
    value = float(int(word, 16)) if word.lower().startswith(("0x", "+0x", "-0x")) else float(word)
    return value, text[m.end():]  # fmt: skip


_SIZE_UNITS: Final = {"kb": 1024, "k": 1024, "gb": 1024**3, "g": 1024**3, "gbit": 1024**3 // 8,
                      "mb": 1024**2, "m": 1024**2, "mbit": 1024**2 // 8, "kbit": 1024 // 8,
                      "b": 1}  # fmt: skip


def get_size(text: str) -> int | None:
    """``get_size``: bytes (``b``, ``k``/``kb``, ``m``/``mb``, ``g``/``gb``, ``kbit``...)."""
    parsed = _strtod(text)
    if parsed is None:
        return None
    sz, rest = parsed
    scale = _SIZE_UNITS
    if rest:
        if rest.lower() not in scale:
            return None
        sz *= scale[rest.lower()]
    if math.isnan(sz) or sz < 0 or sz > 0xFFFFFFFF or sz != math.floor(sz):
        return None
    return int(sz)


def get_rate64(text: str) -> int | None:
    """``get_rate64``: bits per second (``bit`` default, ``kbit``, ``mbit``, ``bps``...)
    as bytes per second."""
    parsed = _strtod(text)
    if parsed is None:
        return None
    bps, rest = parsed
    for name, scale in _RATE_SUFFIXES:
        if rest.lower() == name.lower():
            bps *= scale
            rest = ""
            break
    if rest or math.isnan(bps):
        return None
    return max(int(bps / 8), 0) & 0xFFFFFFFFFFFFFFFF


def get_time(text: str) -> int | None:
    """``get_time``: microseconds (``s``, ``ms``, ``us`` and their long forms)."""
    parsed = _strtod(text)
    if parsed is None:
        return None
    t, rest = parsed
    scale = {"s": 1e6, "sec": 1e6, "secs": 1e6, "ms": 1e3, "msec": 1e3, "msecs": 1e3,
             "us": 1.0, "usec": 1.0, "usecs": 1.0}  # fmt: skip
    if rest:
        if rest.lower() not in scale:
            return None
        t *= scale[rest.lower()]
    return int(t) & 0xFFFFFFFF


def get_tc_classid(text: str) -> int | None:
    """``get_tc_classid``: ``root``, ``none``, ``X:``, ``X:Y``, ``:Y`` (hex)."""
    if text == "root":
        return 0xFFFFFFFF
    if text == "none":
        return 0
    m = re.fullmatch(r"([0-9a-fA-F]{0,4}):([0-9a-fA-F]{0,4})", text)
    if m is None:
        m2 = re.fullmatch(r"[0-9a-fA-F]{1,4}", text)
        return None if m2 is None else int(text, 16) << 16
    maj = int(m.group(1), 16) if m.group(1) else 0
    minor = int(m.group(2), 16) if m.group(2) else 0
    return maj << 16 | minor


def get_qdisc_handle(text: str) -> int | None:
    """``get_qdisc_handle``: ``X:`` or ``X`` (hex major), ``none``."""
    if text == "none":
        return 0
    m = re.fullmatch(r"([0-9a-fA-F]{1,4}):?", text)
    return None if m is None else int(m.group(1), 16) << 16


def _explain1(arg: str, val: str) -> IpExit:
    """q_tbf.c's ``explain1``."""
    return IpExit(f'tbf: illegal value for "{arg}": "{val}"\n', 1)


#: tbf keywords: (matches by prefix, canonical name, parser, slot).
_TBF_WORDS: Final = (
    (True, "limit", "size", "limit"), (True, "latency", "time", "latency"),
    (True, "burst", "size", "buffer"), (False, "buffer", "size", "buffer"),
    (False, "maxburst", "size", "buffer"), (False, "mtu", "size", "mtu"),
    (False, "minburst", "size", "mtu"), (False, "mpu", "size", "mpu"),
    (False, "rate", "rate", "rate"), (True, "peakrate", "rate", "prate"),
    (True, "overhead", "u16", "overhead"), (True, "linklayer", "linklayer", "linklayer"),
)  # fmt: skip
_DUPLICATE: Final = {"limit": "limit", "latency": "latency", "buffer": "buffer/burst/maxburst",
                     "mtu": "mtu/minburst", "mpu": "mpu", "rate": "rate", "prate": "peakrate",
                     "overhead": "overhead"}  # fmt: skip


def _tbf_value(parser: str, text: str) -> int | None:
    if parser == "size":
        return get_size(text.split("/", 1)[0])
    if parser == "time":
        return get_time(text)
    if parser == "rate":
        return get_rate64(text)
    if parser == "u16":
        return int(text) if text.isdigit() and int(text) <= 0xFFFF else None
    return {"ethernet": 1, "atm": 2, "adsl": 2}.get(text)


def _tbf_words(words: list[str]) -> dict[str, int]:
    """The keyword loop of ``tbf_parse_opt``, with its duplicate and conflict checks."""
    got: dict[str, int] = {}
    it = iter(words)
    for w in it:
        entry = next((e for e in _TBF_WORDS if (matches(w, e[1]) if e[0] else w == e[1])), None)
        if entry is None:
            raise IpExit(f'tbf: unknown parameter "{w}"\n{_TBF_EXPLAIN}', 1)
        _, _, parser, slot = entry
        text = next(it, None)
        if text is None:
            raise IpExit('Command line is not complete. Try option "help"\n', 255)
        if got.get(slot) and slot in _DUPLICATE:
            raise IpExit(f'tbf: duplicate "{_DUPLICATE[slot]}" specification\n', 1)
        if slot == "limit" and got.get("latency"):
            raise IpExit('tbf: specifying both "latency" and "limit" is not allowed\n', 1)
        if slot == "latency" and got.get("limit"):
            raise IpExit('tbf: specifying both "limit" and "/latency" is not allowed\n', 1)
        value = _tbf_value(parser, text)
        if value is None:
            raise _explain1(w, text)
        got[slot] = value
    return got


def tbf_parse(words: list[str]) -> dict[str, Any]:
    """``tbf_parse_opt``: the raw ``tc_tbf_qopt`` fields and ``burst`` tc sends."""
    got = _tbf_words(words)
    rate, prate, buffer, mtu = (got.get(k, 0) for k in ("rate", "prate", "buffer", "mtu"))
    limit, latency = got.get("limit", 0), got.get("latency", 0)
    err: list[str] = []
    if rate == 0:
        err.append('tbf: the "rate" parameter is mandatory.\n')
    if not buffer:
        err.append('tbf: the "burst" parameter is mandatory.\n')
    if prate and not mtu:
        err.append('tbf: when "peakrate" is specified, "mtu" must also be specified.\n')
    if limit == 0 and latency == 0:
        err.append('tbf: either "limit" or "latency" is required.\n')
    if err:
        raise IpExit("".join(err) + _TBF_EXPLAIN, 1)
    r32 = 0xFFFFFFFF if rate >= 1 << 32 else rate
    p32 = 0xFFFFFFFF if prate >= 1 << 32 else prate
    if limit == 0:
        lim = rate * latency / TIME_UNITS_PER_SEC + buffer
        if prate:
            lim = min(lim, prate * latency / TIME_UNITS_PER_SEC + mtu)
        limit = int(lim) & 0xFFFFFFFF
    mpu, linklayer = got.get("mpu", 0), got.get("linklayer", 1)
    opts: dict[str, Any] = {"rate": r32, "limit": limit, "mpu": mpu,
                            "overhead": got.get("overhead", 0), "linklayer": linklayer,
                            "buffer": _xmittime(r32, buffer), "burst": buffer}  # fmt: skip
    if rate >= 1 << 32:
        opts["rate64"] = rate
    if p32:
        opts.update(peakrate=p32, peak_mpu=mpu, peak_linklayer=linklayer, pburst=mtu,
                    mtu=_xmittime(p32, mtu))  # fmt: skip
        if prate >= 1 << 32:
            opts["prate64"] = prate
    return opts


def _xmittime(rate: int, size: int) -> int:
    """``tc_calc_xmittime``."""
    return time2tick(int(TIME_UNITS_PER_SEC * (size / rate)) & 0xFFFFFFFF) if rate else 0


def u32_parse(words: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The u32 words the model knows: ``match u32 VAL MASK [at OFF]`` and
    ``flowid|classid X:Y``; returns the options and the words left (actions)."""
    keys: list[dict[str, int]] = []
    opts: dict[str, Any] = {"flags": 1}
    i = 0
    while i < len(words):
        w = words[i]
        if w == "match":
            if words[i + 1 : i + 2] != ["u32"] or len(words) < i + 4:
                raise IpExit("netsim: tc: u32 matches other than 'match u32 VAL MASK' are not modelled yet\n", 1)  # fmt: skip  # noqa: E501
            val, mask = int(words[i + 2], 0), int(words[i + 3], 0)
            off = 0
            i += 4
            if words[i : i + 1] == ["at"]:
                off = int(words[i + 1])
                i += 2
            keys.append({"val": val & mask, "mask": mask, "off": off, "offmask": 0})
            continue
        if w in ("flowid", "classid"):
            got = get_tc_classid(words[i + 1]) if i + 1 < len(words) else None
            if got is None:
                raise IpExit('Illegal "classid"\n', 1)
            opts["classid"] = got
            i += 2
            continue
        if w in ("action", "actions"):
            break
        raise IpExit(f'netsim: tc: u32 "{w}" is not modelled yet\n', 1)
    opts["keys"] = keys or [{"val": 0, "mask": 0, "off": 0, "offmask": 0}]
    return opts, words[i:]


_EACTIONS: Final = {("egress", "redirect"): 1, ("egress", "mirror"): 2,
                    ("ingress", "redirect"): 3, ("ingress", "mirror"): 4}  # fmt: skip
_CONTROLS: Final = {"pass": 0, "ok": 0, "continue": -1, "drop": 2, "shot": 2, "pipe": 3,
                    "reclassify": 1, "stolen": 4}  # fmt: skip


def mirred_parse(words: list[str]) -> list[dict[str, Any]]:
    """``action mirred egress redirect|mirror dev DEV [CONTROL]``, repeated
    (``parse_direction``: a redirect defaults to ``stolen``, a mirror to ``pipe``)."""
    actions: list[dict[str, Any]] = []
    i = 0
    while i < len(words):
        if words[i] not in ("action", "actions") or words[i + 1 : i + 2] != ["mirred"]:
            raise IpExit(f'netsim: tc: action "{" ".join(words[i:i + 2])}" is not modelled yet\n', 1)  # fmt: skip  # noqa: E501
        i += 2
        if len(words) < i + 4 or words[i + 2] != "dev":
            raise IpExit('Illegal "mirred"\n', 1)
        eaction = _EACTIONS.get((words[i], words[i + 1]))
        if eaction is None:
            raise IpExit('Illegal "mirred"\n', 1)
        spec: dict[str, Any] = {"kind": "mirred", "eaction": eaction, "dev": words[i + 3],
                                "action": 4 if eaction in (1, 3) else 3}  # fmt: skip
        i += 4
        if i < len(words) and words[i] in _CONTROLS:
            spec["action"] = _CONTROLS[words[i]]
            i += 1
        actions.append(spec)
    return actions
