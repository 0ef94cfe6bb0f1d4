"""``iptables -L [-n] [-v] [-x] [--line-numbers] [CHAIN]`` (iptables 1.8.9,
nf_tables): the table layout of ``print_header()`` and
``print_rule_details()``, and each extension's ``->print``.

Without ``-n`` iptables resolves names; here ``anywhere``, protocol names,
ICMP type names and the service names of common ports (a small copy of
``/etc/services``) are printed; addresses stay numeric, as on a machine
without DNS (``/etc/hosts`` names such as ``localhost`` are not used).
"""

from __future__ import annotations

from typing import Final

from netsim.kernel.netfilter.argv import PROTO_NAMES
from netsim.kernel.netfilter.rule import (
    CT_STATES,
    RTN_NAMES,
    AddrType,
    Comment,
    Conntrack,
    IcmpMatch,
    Mark,
    MarkTarget,
    Match,
    Multiport,
    NatTarget,
    PortMatch,
    Reject,
    Rule,
)
from netsim.kernel.netfilter.table import Chain, Table

__all__ = ["list_table"]

_ICMP_NAMES: Final = {
    (255, 0, 255): "any", (0, 0, 255): "echo-reply", (3, 0, 255): "destination-unreachable",
    (3, 0, 0): "network-unreachable", (3, 1, 1): "host-unreachable",
    (3, 2, 2): "protocol-unreachable", (3, 3, 3): "port-unreachable",
    (3, 4, 4): "fragmentation-needed", (4, 0, 255): "source-quench", (5, 0, 255): "redirect",
    (8, 0, 255): "echo-request", (11, 0, 255): "time-exceeded",
    (11, 0, 0): "ttl-zero-during-transit", (12, 0, 255): "parameter-problem",
    (13, 0, 255): "timestamp-request", (14, 0, 255): "timestamp-reply",
}  # fmt: skip


#: ``getservbyport()`` for the ports Debian's netbase names (a small copy; others print
#: as numbers).
_SERVICES: Final = {
    (1, "tcp"): "tcpmux", (7, "tcp"): "echo", (7, "udp"): "echo", (9, "tcp"): "discard",
    (9, "udp"): "discard", (13, "tcp"): "daytime", (13, "udp"): "daytime",
    (20, "tcp"): "ftp-data", (21, "tcp"): "ftp", (22, "tcp"): "ssh", (23, "tcp"): "telnet",
    (25, "tcp"): "smtp", (53, "tcp"): "domain", (53, "udp"): "domain", (67, "udp"): "bootps",
    (68, "udp"): "bootpc", (69, "udp"): "tftp", (80, "tcp"): "http", (88, "tcp"): "kerberos",
    (88, "udp"): "kerberos", (110, "tcp"): "pop3", (111, "tcp"): "sunrpc",
    (111, "udp"): "sunrpc", (123, "udp"): "ntp", (143, "tcp"): "imap2", (161, "udp"): "snmp",
    (179, "tcp"): "bgp", (389, "tcp"): "ldap", (443, "tcp"): "https", (443, "udp"): "https",
    (514, "tcp"): "shell", (514, "udp"): "syslog", (993, "tcp"): "imaps", (995, "tcp"): "pop3s",
    (2379, "tcp"): "etcd-client", (2380, "tcp"): "etcd-server", (3306, "tcp"): "mysql",
    (5353, "udp"): "mdns", (8080, "tcp"): "http-alt",
}  # fmt: skip


def _num(n: int, *, exact: bool, table: bool = True) -> str:
    """``xtables_print_num()``."""
    if exact:
        return f"{n:8d} " if table else f"{n} "
    if n <= 99999:
        return f"{n:5d} " if table else f"{n} "
    for unit in "KMGT":
        n = (n + 500) // 1000
        if n <= 9999 or unit == "T":
            break
    return f"{n:4d}{unit} " if table else f"{n}{unit} "


def _addr(a: int, m: int, inv: bool, numeric: bool) -> str:
    if not m and not numeric:
        text = "anywhere"
    else:
        host = ".".join(str(a >> s & 255) for s in (24, 16, 8, 0))
        plen = bin(m).count("1")
        text = host if m == 0xFFFFFFFF else f"{host}/{plen}"
    return ("!" if inv else " ") + f"{text:<19} "


def _port(port: int, proto: str, numeric: bool) -> str:
    """``print_port()``: the service name unless ``-n``."""
    return str(port) if numeric else _SERVICES.get((port, proto), str(port))


def _ports(name: str, r: tuple[int, int], inv: bool, proto: str, numeric: bool) -> str:
    if r == (0, 65535) and not inv:
        return ""
    neg = "!" if inv else ""
    lo, hi = _port(r[0], proto, numeric), _port(r[1], proto, numeric)
    return f" {name}:{neg}{lo}" if r[0] == r[1] else f" {name}s:{neg}{lo}:{hi}"


def _match(m: Match, numeric: bool, proto: int) -> str:
    if isinstance(m, Comment):
        return f" /* {m.text} */"
    if isinstance(m, PortMatch):
        sp = _ports("spt", m.sport, m.sport_inv, m.name, numeric)
        return f" {m.name}{sp}" + _ports("dpt", m.dport, m.dport_inv, m.name, numeric)
    if isinstance(m, IcmpMatch):  # " icmp" + print_icmptype(), which starts without a space
        name = _ICMP_NAMES.get((m.type, *m.codes))
        if not numeric and name is not None:
            return f" icmp {'!' if m.inv else ''}{name}"
        out = f" icmp{' !' if m.inv else ''}type {m.type}"
        if m.codes[0] == m.codes[1]:
            return out + f" code {m.codes[0]}"
        return out if m.codes == (0, 255) else out + f" codes {m.codes[0]}-{m.codes[1]}"
    if isinstance(m, Multiport):
        pn = PROTO_NAMES.get(proto, "")
        pairs = [(_port(a, pn, numeric), _port(b, pn, numeric)) for a, b in m.ports]
        ports = ",".join(a if a == b else f"{a}:{b}" for a, b in pairs)
        return f" multiport {m.flag}{' !' if m.inv else ''} {ports}"
    if isinstance(m, Mark):
        mask = "" if m.mask == 0xFFFFFFFF else f"/{m.mask:#x}"
        return f" mark match {'! ' if m.inv else ''}{m.value:#x}{mask}"
    if isinstance(m, AddrType):
        out = " ADDRTYPE match"
        for bits, inv, what in ((m.src, m.src_inv, "src-type"), (m.dst, m.dst_inv, "dst-type")):
            if bits:
                names = ",".join(n for i, n in enumerate(RTN_NAMES) if bits >> i & 1)
                out += f" {what} {'!' if inv else ''}{names}"
        return out + " limit-in" * m.limit_in + " limit-out" * m.limit_out
    if isinstance(m, Conntrack):
        names = ",".join(n for n, bit in CT_STATES if m.states & bit)
        word = "state" if m.name == "state" else "ctstate"
        return f"{' !' if m.inv else ''} {word} {names}"
    return ""


def _target(r: Rule) -> str:
    t = r.target
    if isinstance(t, NatTarget):
        p = t.ports
        ports = "" if p == (0, 0) else (f"{p[0]}" if p[0] == p[1] else f"{p[0]}-{p[1]}")
        if t.name == "MASQUERADE":
            out = f" masq ports: {ports}" if ports else ""
        else:
            a = ".".join(str(t.addr >> s & 255) for s in (24, 16, 8, 0))
            out = f" to:{a}" + (f":{ports}" if ports else "")
        return (
            out
            + " random" * t.random
            + " random-fully" * t.random_fully
            + (" persistent" * t.persistent)
        )
    if isinstance(t, MarkTarget):
        v, m = t.value, t.mask
        if v == 0:
            return f" MARK and {~m & 0xFFFFFFFF:#x}"
        if v == m:
            return f" MARK or {v:#x}"
        if m == 0:
            return f" MARK xor {v:#x}"
        return f" MARK set {v:#x}" if m == 0xFFFFFFFF else f" MARK xset {v:#x}/{m:#x}"
    if isinstance(t, Reject):
        return f" reject-with {t.with_}"
    return ""


def _chain_header(table: Table, ch: Chain, verbose: bool, exact: bool) -> str:
    if not ch.builtin:
        return f"Chain {ch.name} ({table.references(ch.name)} references)\n"
    counts = ""
    if verbose:
        pk, by = _num(ch.pkts, exact=exact, table=False), _num(ch.bytes, exact=exact, table=False)
        counts = f" {pk}packets, {by}bytes"
    return f"Chain {ch.name} (policy {ch.policy}{counts})\n"


def _columns(verbose: bool, exact: bool, lines: bool) -> str:
    out = "num  " if lines else ""
    if verbose:
        out += f"{'pkts':>8} {'bytes':>10} " if exact else " pkts bytes "
    out += "target     prot opt "
    if verbose:
        out += "in     out     "
    return out + f"{'source':<19}  {'destination':<19} \n"


def _row(r: Rule, num: int, *, numeric: bool, verbose: bool, exact: bool, lines: bool,
         pkts: int, nbytes: int) -> str:  # fmt: skip
    out = f"{num:<4d} " if lines else ""
    if verbose:
        out += _num(pkts, exact=exact) + _num(nbytes, exact=exact)
    target = r.target.name if r.target is not None else ""
    proto = str(r.proto) if numeric else ("all" if not r.proto else PROTO_NAMES.get(r.proto, ""))
    proto = proto or str(r.proto)
    out += f"{target:<9} " + ("!" if r.proto_inv else " ") + f"{proto:<4} " + "-- "
    if verbose:
        any_ = "*" if numeric else "any"
        iif = ("!" if r.iif_inv else "") + (r.iif or any_)
        oif = ("!" if r.oif_inv else "") + (r.oif or any_)
        out += f" {iif:<6} {oif:<6} "
    out += _addr(*r.src, r.src_inv, numeric) + _addr(*r.dst, r.dst_inv, numeric)
    out += "".join(_match(m, numeric, r.proto) for m in r.matches) + _target(r)
    return out + "\n"


def list_table(table: Table, chain: str | None, *, numeric: bool, verbose: bool, exact: bool,
               lines: bool) -> str:  # fmt: skip
    """The whole of ``iptables -L`` for one table (or one chain)."""
    chains = [table.chain(chain)] if chain is not None else list(table)
    blocks = []
    for ch in chains:
        text = _chain_header(table, ch, verbose, exact) + _columns(verbose, exact, lines)
        for i, e in enumerate(ch.rules, 1):
            text += _row(e.rule, i, numeric=numeric, verbose=verbose, exact=exact, lines=lines,
                         pkts=e.pkts, nbytes=e.bytes)  # fmt: skip
        blocks.append(text)
    return "\n".join(blocks)
