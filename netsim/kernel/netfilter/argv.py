"""iptables rule specifications: argv -> :class:`~.rule.Rule` and back.

:func:`parse_rule` reads what follows ``iptables -A CHAIN`` (``-s``, ``-d``,
``-i``, ``-o``, ``-p``, ``-m NAME --opt ...``, ``-j TARGET --opt ...``, each
with ``!``), as ``iptables/xshared.c: do_parse()`` and the libxt extensions
do, with their error messages.  :func:`save_rule` prints a rule the way
``iptables -S`` / ``iptables-save`` do: addresses, interfaces and protocol
first, then each match (``-m NAME`` and its options, in load order), then the
target.  CNI plugins use both through :mod:`netsim.kernel.netfilter`.
"""

from __future__ import annotations

from typing import Final

from netsim.kernel.netfilter.addrs import AddrSyntaxError, cidr, parse_net, parse_to
from netsim.kernel.netfilter.rule import (
    CT_STATES,
    RTN_NAMES,
    AddrType,
    Comment,
    Conntrack,
    IcmpMatch,
    Jump,
    Mark,
    MarkTarget,
    Match,
    Multiport,
    NatTarget,
    PortMatch,
    Reject,
    Rule,
    Target,
)

__all__ = ["PROTO_NAMES", "NotModelled", "RuleSyntaxError", "parse_rule", "save_rule"]

PROTO_NAMES: Final = {1: "icmp", 2: "igmp", 4: "ipencap", 6: "tcp", 17: "udp", 47: "gre",
                      50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp",
                      136: "udplite"}  # fmt: skip
_PROTO_NUMS: Final = {**{v: k for k, v in PROTO_NAMES.items()}, "icmpv6": 58}
_PORT_PROTOS: Final = frozenset((6, 17, 33, 132, 136))

_MATCH_OPTS: Final[dict[str, dict[str, int]]] = {
    "tcp": {"sport": 1, "source-port": 1, "dport": 1, "destination-port": 1},
    "udp": {"sport": 1, "source-port": 1, "dport": 1, "destination-port": 1},
    "icmp": {"icmp-type": 1},
    "multiport": {
        "dports": 1,
        "destination-ports": 1,
        "sports": 1,
        "source-ports": 1,
        "ports": 1,
    },
    "comment": {"comment": 1},
    "mark": {"mark": 1},
    "addrtype": {"src-type": 1, "dst-type": 1, "limit-iface-in": 0, "limit-iface-out": 0},
    "conntrack": {"ctstate": 1},
    "state": {"state": 1},
}
_TARGET_OPTS: Final[dict[str, dict[str, int]]] = {
    "MASQUERADE": {"to-ports": 1, "random": 0, "random-fully": 0},
    "SNAT": {"to-source": 1, "random": 0, "random-fully": 0, "persistent": 0},
    "DNAT": {"to-destination": 1, "random": 0, "persistent": 0},
    "MARK": {"set-xmark": 1, "set-mark": 1},
    "REJECT": {"reject-with": 1},
}
_CANON: Final = {"source-port": "sport", "destination-port": "dport",
                 "destination-ports": "dports", "source-ports": "sports"}  # fmt: skip
_ICMP_TYPES: Final = {
    "any": (255, 0, 255), "echo-reply": (0, 0, 255), "pong": (0, 0, 255),
    "destination-unreachable": (3, 0, 255), "network-unreachable": (3, 0, 0),
    "host-unreachable": (3, 1, 1), "protocol-unreachable": (3, 2, 2),
    "port-unreachable": (3, 3, 3), "fragmentation-needed": (3, 4, 4),
    "source-quench": (4, 0, 255), "redirect": (5, 0, 255), "echo-request": (8, 0, 255),
    "ping": (8, 0, 255), "time-exceeded": (11, 0, 255), "ttl-exceeded": (11, 0, 255),
    "ttl-zero-during-transit": (11, 0, 0), "parameter-problem": (12, 0, 255),
    "timestamp-request": (13, 0, 255), "timestamp-reply": (14, 0, 255),
}  # fmt: skip
_REJECT_WITH: Final = frozenset((
    "icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
    "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited",
    "icmp-admin-prohibited", "tcp-reset"))  # fmt: skip
STANDARD_TARGETS: Final = frozenset(("ACCEPT", "DROP", "RETURN"))


class NotModelled(Exception):
    """A part of a rule netsim does not model (ip6tables' ICMPv6 and REJECT types)."""


class RuleSyntaxError(Exception):
    """A rule iptables refuses to parse (exit status 2).  ``prefixed``: the message
    follows ``iptables v1.8.9 (nf_tables): `` (``xtables_error(PARAMETER_PROBLEM)``)."""

    def __init__(self, message: str, *, prefixed: bool = True) -> None:
        super().__init__(message)
        self.message, self.prefixed = message, prefixed


def _addr(text: str, v6: bool = False) -> tuple[int, int]:
    """``xtables_ipparse_multiple()`` (``ip6parse`` for IPv6) for one entry: (network, mask)."""
    try:
        return parse_net(text, v6=v6)
    except AddrSyntaxError as e:
        raise RuleSyntaxError(str(e)) from None


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise RuleSyntaxError(f"invalid port/service `{text}' specified")
    return int(text)


def _range(text: str, sep: str = ":") -> tuple[int, int]:
    lo, has_sep, hi = text.partition(sep)
    a = _port(lo) if lo else 0
    return a, _port(hi) if hi else (65535 if has_sep else a)


def _proto(text: str) -> int:
    low = text.lower()
    if low == "all":
        return 0
    if low.isdigit() and int(low) < 256:
        return int(low)
    if low in _PROTO_NUMS:
        return _PROTO_NUMS[low]
    raise RuleSyntaxError(f'unknown protocol "{text}" specified')


def _num(text: str) -> tuple[int, int]:
    """``V[/M]`` as ``xtables_strtoui`` reads it (any base)."""
    v, _, m = text.partition("/")
    try:
        return int(v, 0), int(m, 0) if m else 0xFFFFFFFF
    except ValueError:
        raise RuleSyntaxError(f'Bad MARK value "{text}"') from None


def _types(text: str) -> int:
    bits = 0
    for name in text.split(","):
        up = name.upper()
        if up not in RTN_NAMES:
            raise RuleSyntaxError(f"addrtype: bad type `{name}'")
        bits |= 1 << RTN_NAMES.index(up)
    return bits


def _states(text: str, what: str) -> int:
    bits = 0
    states = dict(CT_STATES)
    for name in text.split(","):
        if name.upper() not in states:
            raise RuleSyntaxError(f'Bad {what} "{name}"')
        bits |= states[name.upper()]
    return bits


Opts = dict[str, tuple[str, bool]]


def _build_match(name: str, o: Opts, proto: int, proto_inv: bool) -> Match:
    if name in ("tcp", "udp"):
        s, si = o.get("sport", ("", False))
        d, di = o.get("dport", ("", False))
        return PortMatch(name, _range(s) if s else (0, 65535), _range(d) if d else (0, 65535),
                         si, di)  # fmt: skip
    if name == "icmp":
        t, inv = o.get("icmp-type", ("any", False))
        if t in _ICMP_TYPES:
            typ, lo, hi = _ICMP_TYPES[t]
        else:
            a, _, c = t.partition("/")
            if not a.isdigit() or (c and not c.isdigit()):
                raise RuleSyntaxError(f"Invalid ICMP type `{t}'")
            typ, lo, hi = int(a), int(c or 0), int(c) if c else 255
        return IcmpMatch(typ, (lo, hi), inv)
    if name == "multiport":
        if proto not in _PORT_PROTOS or proto_inv:
            raise RuleSyntaxError("multiport needs `-p tcp', `-p udp', `-p udplite', "
                                  "`-p sctp' or `-p dccp'")  # fmt: skip
        (flag, (v, inv)), *_ = o.items()
        return Multiport(flag, tuple(_range(x) for x in v.split(",")), inv)
    if name == "comment":
        text = o.get("comment", ("", False))[0]  # xt_comment keeps 255 bytes (strncpy)
        return Comment(text.encode()[:255].decode(errors="ignore"))
    if name == "mark":
        v, inv = o.get("mark", ("", False))
        return Mark(*_num(v), inv=inv)
    if name == "addrtype":
        s, si = o.get("src-type", ("", False))
        d, di = o.get("dst-type", ("", False))
        return AddrType(_types(s) if s else 0, _types(d) if d else 0, si, di,
                        "limit-iface-in" in o, "limit-iface-out" in o)  # fmt: skip
    key = "state" if name == "state" else "ctstate"
    v, inv = o.get(key, ("", False))
    return Conntrack(_states(v, key), inv, name)


def _nat_spec(text: str, need_ports: bool, v6: bool) -> tuple[int, tuple[int, int]]:
    try:
        addr, ports = parse_to(text, v6=v6)
    except AddrSyntaxError as e:
        raise RuleSyntaxError(str(e)) from None
    if ports and need_ports:
        raise RuleSyntaxError("Need TCP, UDP, SCTP or DCCP with port specification")
    return addr, _range(ports, "-") if ports else (0, 0)


def _build_target(name: str, o: Opts, proto: int, goto: bool, v6: bool) -> Target:
    noport = proto not in _PORT_PROTOS
    rnd, fully, persistent = ("random" in o), ("random-fully" in o), ("persistent" in o)
    if name == "MASQUERADE":
        ports = o.get("to-ports", ("", False))[0]
        if ports and noport:
            raise RuleSyntaxError("Need TCP, UDP, SCTP or DCCP with port specification")
        return NatTarget(name, 0, _range(ports, "-") if ports else (0, 0), rnd, fully,
                         persistent)  # fmt: skip
    if name in ("SNAT", "DNAT"):
        opt = "to-source" if name == "SNAT" else "to-destination"
        if opt not in o:
            raise RuleSyntaxError(f'{name}: option "--{opt}" must be specified\n')
        addr, span = _nat_spec(o[opt][0], noport, v6)
        return NatTarget(name, addr, span, rnd, fully, persistent, v6)
    if name == "MARK":
        if "set-mark" in o:
            v, m = _num(o["set-mark"][0])
            return MarkTarget(v, m if "/" in o["set-mark"][0] else 0xFFFFFFFF)
        if "set-xmark" in o:
            return MarkTarget(*_num(o["set-xmark"][0]))
        raise RuleSyntaxError("MARK target: Parameter --set/and/or/xor-mark is required")
    if name == "REJECT":
        if v6:
            raise NotModelled("-j REJECT (its ICMPv6 types)")
        w = o.get("reject-with", ("icmp-port-unreachable", False))[0]
        if w not in _REJECT_WITH:
            raise RuleSyntaxError(f'REJECT: unknown reject type "{w}"')
        return Reject(w)
    return Jump(name, goto)


def _lookup(opts: dict[str, int], opt: str) -> str | None:
    """getopt_long: the exact option, or a unique prefix of one."""
    if opt in opts:
        return opt
    hits = [o for o in opts if o.startswith(opt)]
    return hits[0] if len(hits) == 1 else None


def parse_rule(argv: list[str], *, v6: bool = False) -> list[Rule]:
    """A rule specification as iptables (``v6``: ip6tables) reads it; ``-s A,B``
    gives one rule per address."""
    srcs: list[tuple[int, int]] = [(0, 0)]
    dsts: list[tuple[int, int]] = [(0, 0)]
    base: dict[str, object] = {}
    mods: list[tuple[str, Opts]] = []
    target, goto = "", False
    target_opts: Opts = {}
    inv = False
    i = 0

    def arg() -> str:
        if i + 1 >= len(argv):
            raise RuleSyntaxError(f'option "{argv[i]}" requires an argument')
        return argv[i + 1]

    while i < len(argv):
        a = argv[i]
        if a == "!":
            inv, i = True, i + 1
            continue
        if a in ("-s", "--source", "--src", "-d", "--destination", "--dst"):
            key = "src" if a in ("-s", "--source", "--src") else "dst"
            addrs = [_addr(x, v6) for x in arg().split(",")]
            srcs, dsts = (addrs, dsts) if key == "src" else (srcs, addrs)
            base[key + "_inv"] = inv
        elif a in ("-p", "--protocol"):
            base["proto"], base["proto_inv"] = _proto(arg()), inv
        elif a in ("-i", "--in-interface", "-o", "--out-interface"):
            key = "iif" if a in ("-i", "--in-interface") else "oif"
            base[key], base[key + "_inv"] = arg(), inv
        elif a in ("-m", "--match"):
            name = arg()
            if v6 and name in ("icmp", "icmp6"):
                raise NotModelled(f"-m {name}")
            if name not in _MATCH_OPTS:
                raise RuleSyntaxError(f"Couldn't load match `{name}':No such file or directory\n")
            mods.append((name, {}))
        elif a in ("-j", "--jump", "-g", "--goto"):
            target, goto = arg(), a in ("-g", "--goto")
        elif a.startswith("--") and len(a) > 2:
            i = _module_opt(argv, i, inv, mods, target, target_opts, base)
            inv = False
            continue
        elif a.startswith("-") and len(a) > 1:
            raise RuleSyntaxError(f'unknown option "{a}"')
        else:
            raise RuleSyntaxError(f"Bad argument `{a}'", prefixed=False)
        inv, i = False, i + 2
    proto = int(base.get("proto", 0))  # type: ignore[call-overload]
    pinv = bool(base.get("proto_inv", False))
    matches = tuple(_build_match(n, o, proto, pinv) for n, o in mods)
    tgt = _build_target(target, target_opts, proto, goto, v6) if target else None
    kw = {k: v for k, v in base.items()}
    return [Rule(src=s, dst=d, matches=matches, target=tgt, v6=v6, **kw)  # type: ignore[arg-type]
            for s in srcs for d in dsts]  # fmt: skip


def _module_opt(argv: list[str], i: int, inv: bool, mods: list[tuple[str, Opts]],
                target: str, target_opts: Opts, base: dict[str, object]) -> int:  # fmt: skip
    """Give ``--opt`` to the extension that owns it (``command_default()``),
    loading the protocol's match implicitly (``-p tcp --dport 80``)."""
    opt = argv[i][2:]
    owners: list[tuple[dict[str, int], Opts]] = []
    if target in _TARGET_OPTS:
        owners.append((_TARGET_OPTS[target], target_opts))
    owners += [(_MATCH_OPTS[n], o) for n, o in mods]
    pname = PROTO_NAMES.get(int(base.get("proto", 0)), "")  # type: ignore[call-overload]
    if pname in ("tcp", "udp", "icmp") and all(n != pname for n, _ in mods):
        implicit: Opts = {}
        if _lookup(_MATCH_OPTS[pname], opt) and not any(_lookup(s, opt) for s, _ in owners):
            mods.append((pname, implicit))
            owners.append((_MATCH_OPTS[pname], implicit))
    for spec, store in owners:
        full = _lookup(spec, opt)
        if full is None:
            continue
        if spec[full]:
            if i + 1 >= len(argv):
                raise RuleSyntaxError(f'option "{argv[i]}" requires an argument')
            store[_CANON.get(full, full)] = (argv[i + 1], inv)
            return i + 2
        store[full] = ("", inv)
        return i + 1
    raise RuleSyntaxError(f'unknown option "{argv[i]}"')


def save_rule(rule: Rule) -> str:
    """The options of ``-A CHAIN ...`` as ``iptables -S`` prints them."""
    out: list[str] = []
    neg = {True: "! ", False: ""}
    if rule.src[1]:
        out.append(f"{neg[rule.src_inv]}-s {cidr(rule.src, v6=rule.v6)}")
    if rule.dst[1]:
        out.append(f"{neg[rule.dst_inv]}-d {cidr(rule.dst, v6=rule.v6)}")
    if rule.iif:
        out.append(f"{neg[rule.iif_inv]}-i {rule.iif}")
    if rule.oif:
        out.append(f"{neg[rule.oif_inv]}-o {rule.oif}")
    if rule.proto:
        out.append(f"{neg[rule.proto_inv]}-p {PROTO_NAMES.get(rule.proto, rule.proto)}")
    for m in rule.matches:
        opts = m.save()
        out.append(f"-m {m.name} {opts}" if opts else f"-m {m.name}")
    t = rule.target
    if t is not None:
        flag = "-g" if isinstance(t, Jump) and t.goto else "-j"
        opts = t.save()
        out.append(f"{flag} {t.name} {opts}" if opts else f"{flag} {t.name}")
    return " ".join(out)
