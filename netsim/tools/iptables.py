"""``iptables`` (1.8.9, nf_tables backend) as a ``netsim sh`` command, over a
namespace's :class:`~netsim.kernel.netfilter.hooks.Netfilter`.

Commands ``-A``, ``-I [N]``, ``-D`` (by specification or number), ``-C``,
``-N``, ``-X``, ``-F``, ``-Z``, ``-S [CHAIN [N]]``, ``-L [CHAIN]``, ``-P``; options ``-t``,
``-w [SECS]``/``-W`` (accepted, nothing to wait for), ``-n``/``-v``/``-x``/
``--line-numbers`` for ``-L``.  Messages and exit statuses are iptables'
(1: the kernel refused, 2: a parameter problem, 3: no such table, 4: a
netlink error).  Tables filter and nat act on traffic; mangle and raw keep
their rules without acting on packets.  ``iptables-save`` is in
:mod:`netsim.tools.iptables_save`.

Run as ``ip6tables`` it works on the namespace's IPv6 tables
(:class:`~netsim.kernel.netfilter.ipv6.Netfilter6`), which keep their rules
but see no traffic (the model has no IPv6 data path); its ``-L``, ICMPv6
matches and REJECT types are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from netsim.kernel.netfilter.argv import NotModelled, RuleSyntaxError, parse_rule, save_rule
from netsim.kernel.netfilter.hooks import Netfilter
from netsim.kernel.netfilter.ipv6 import Netfilter6
from netsim.kernel.netfilter.rule import Jump, Rule
from netsim.kernel.netfilter.table import NfError, Table
from netsim.shell.proc import Proc
from netsim.tools.iptables_list import list_table

__all__ = ["PROG", "iptables_main", "list_rules"]

PROG: Final = "iptables v1.8.9 (nf_tables)"
TRY: Final = "Try `iptables -h' or 'iptables --help' for more information.\n"
PROG6: Final = "ip6tables v1.8.9 (nf_tables)"
TRY6: Final = "Try `ip6tables -h' or 'ip6tables --help' for more information.\n"
_COMMANDS: Final = {
    "-A": "A", "--append": "A", "-I": "I", "--insert": "I", "-D": "D", "--delete": "D",
    "-C": "C", "--check": "C", "-N": "N", "--new-chain": "N", "--new": "N",
    "-X": "X", "--delete-chain": "X", "-F": "F", "--flush": "F", "-Z": "Z", "--zero": "Z",
    "-S": "S", "--list-rules": "S", "-L": "L", "--list": "L", "-P": "P", "--policy": "P",
}  # fmt: skip
_FLAGS: Final = frozenset(("-n", "--numeric", "-v", "--verbose", "-x", "--exact",
                           "--line-numbers", "-W", "--wait-interval"))  # fmt: skip
_MAX_CHAIN: Final = 29
_BUNDLE: Final = frozenset("nvxWLSAIDCNXFZP")
_FLAG_NAMES: Final = {"-n": "numeric", "--numeric": "numeric", "-v": "verbose",
                      "--verbose": "verbose", "-x": "exact", "--exact": "exact",
                      "--line-numbers": "lines", "-W": "", "--wait-interval": ""}  # fmt: skip


class _Exit(Exception):
    def __init__(self, status: int, stderr: str) -> None:
        super().__init__(stderr)
        self.status, self.stderr = status, stderr


def _problem(msg: str, *, prefixed: bool = True) -> _Exit:
    """``xtables_error(PARAMETER_PROBLEM, ...)`` (in iptables' words: :func:`_v6_words`
    makes them ip6tables')."""
    head = f"{PROG}: " if prefixed else ""
    return _Exit(2, f"{head}{msg}\n{TRY}")


def _v6_words(text: str) -> str:
    """ip6tables says the same as iptables, with its own name."""
    return (
        text.replace(PROG, PROG6)
        .replace(TRY, TRY6)
        .replace("iptables: ", "ip6tables: ")
        .replace("Perhaps iptables ", "Perhaps ip6tables ")
    )


@dataclass
class _Cmd:
    table: str = "filter"
    cmd: str = ""
    flag: str = ""
    chain: str | None = None
    args: list[str] = field(default_factory=list)
    spec: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _unbundle(argv: list[str]) -> list[str]:
    """getopt's bundled short options: ``-nvL`` is ``-n -v -L``."""
    out: list[str] = []
    for a in argv:
        if len(a) > 2 and a[0] == "-" and a[1] != "-" and all(x in _BUNDLE for x in a[1:]):
            out += [f"-{x}" for x in a[1:]]
        else:
            out.append(a)
    return out


def _parse(argv: list[str]) -> _Cmd:
    c = _Cmd()
    argv = _unbundle(argv)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-t", "--table"):
            if i + 1 >= len(argv):
                raise _problem(f'option "{a}" requires an argument')
            c.table, i = argv[i + 1], i + 2
            continue
        if a.startswith("-t") and len(a) > 2 and not a.startswith("--"):
            c.table, i = a[2:], i + 1
            continue
        if a in ("-w", "--wait"):
            i += 2 if i + 1 < len(argv) and argv[i + 1].isdigit() else 1
            continue
        if a in _FLAGS or a.startswith("--wait="):
            c.flags.add(_FLAG_NAMES.get(a, a))
            i += 1
            continue
        if a in _COMMANDS:
            if c.cmd:
                raise _problem(f"Cannot use {a} with {c.flag}")
            c.cmd, c.flag = _COMMANDS[a], a
            i = _command_args(c, argv, i + 1)
            continue
        if a in ("-h", "--help", "-V", "--version"):
            raise _Exit(0, "")
        c.spec.append(a)
        i += 1
    if not c.cmd:
        raise _problem("no command specified")
    return c


def _command_args(c: _Cmd, argv: list[str], i: int) -> int:
    """The chain, and the rule number or policy, that follow a command."""

    def optional(j: int) -> str | None:
        return argv[j] if j < len(argv) and argv[j][:1] not in ("-", "!") else None

    first = optional(i)
    if c.cmd == "N" and i < len(argv):
        first = argv[i]
    if first is None:
        if c.cmd in "AIDCNP":
            raise _problem(f'option "{c.flag}" requires an argument')
        return i
    c.chain, i = first, i + 1
    nxt = optional(i)
    if nxt is None:
        if c.cmd == "P":
            raise _problem("-P requires a chain and a policy")
        return i
    if c.cmd in "IDSLP":
        c.args.append(nxt)
        i += 1
    return i


def _rule_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise _problem(f"Invalid rule number `{text}'")
    return int(text)


def _message(e: NfError, c: _Cmd) -> _Exit:
    """What iptables-nft prints for a refused operation."""
    simple = {
        "exists": "iptables: Chain already exists.",
        "norule": "iptables: Bad rule (does a matching rule exist in that chain?).",
        "delindex": "iptables: Index of deletion too big.",
        "insindex": "iptables: Index of insertion too big.",
        "builtin": "iptables: Bad built-in chain name.",
        "policy": "iptables: Bad policy name. Run `dmesg' for more information.",
    }
    if e.kind == "nochain":
        if c.cmd == "C" or (c.cmd == "D" and not c.args):  # by specification: no such rule
            return _Exit(1, simple["norule"] + "\n")
        if c.cmd in "SL":
            return _Exit(1, f"{PROG}: chain `{e.chain}' in table `{c.table}' is incompatible, "
                            "use 'nft' tool.\n")  # fmt: skip
        return _Exit(1, "iptables: No chain/target/match by that name.\n")
    if e.kind in simple:
        return _Exit(1, simple[e.kind] + "\n")
    if e.kind == "busy":
        return _Exit(4, f"{PROG}:  CHAIN_DEL failed (Device or resource busy): chain {e.chain}\n")
    if e.kind == "hook":
        return _Exit(4, f"{PROG}:  {e.op} failed (Invalid argument): rule in chain {e.chain}\n")
    if e.kind == "notarget":
        return _problem(f"Chain '{e.chain}' does not exist")
    return _Exit(3, f"{PROG}: table '{e.chain}' does not exist\n"
                    "Perhaps iptables or your kernel needs to be upgraded.\n")  # fmt: skip


def iptables_main(proc: Proc) -> int:
    """``iptables [-t TABLE] COMMAND [CHAIN] [RULE-SPECIFICATION]`` (``ip6tables``
    when so called)."""
    v6 = proc.argv[0].rsplit("/", 1)[-1].startswith("ip6tables")
    words = _v6_words if v6 else (lambda text: text)
    try:
        c = _parse(proc.argv[1:])
        ns = proc.world.netns(proc.netns)
        nf = ns.netfilter6 if v6 else ns.netfilter
        try:
            return _run(proc, nf, c)
        except NfError as e:
            raise _message(e, c) from None
    except _Exit as e:
        if not e.stderr and e.status == 0:
            proc.out(f"{PROG6 if v6 else PROG}\n")
        proc.err(words(e.stderr))
        return e.status
    except RuleSyntaxError as e:
        text = f"{PROG}: {e.message}\n{TRY}" if e.prefixed else f"{e.message}\n{TRY}"
        proc.err(words(text))
        return 2
    except NotModelled as e:
        proc.err(f"netsim: ip6tables {e} is not modelled yet\n")
        return 2


def _rules(c: _Cmd, table: Table, v6: bool) -> list[Rule]:
    rules = parse_rule(c.spec, v6=v6)
    for r in rules:
        t = r.target
        if table.name == "nat" and isinstance(t, Jump) and t.name == "DROP":
            raise _problem('\nThe "nat" table is not intended for filtering, the use of DROP '
                           "is therefore inhibited.\n\n")  # fmt: skip
    return rules


def _no_spec(c: _Cmd) -> None:
    if c.spec:
        raise _problem(f"Bad argument `{c.spec[0]}'", prefixed=False)


def _run(proc: Proc, nf: Netfilter | Netfilter6, c: _Cmd) -> int:
    table = nf.table(c.table)
    v6 = isinstance(nf, Netfilter6)
    chain = c.chain
    if c.cmd == "N":
        _no_spec(c)
        assert chain is not None
        _check_name(chain)
        table.new_chain(chain)
    elif c.cmd in "XFZ":
        _no_spec(c)
        {"X": table.delete_chain, "F": table.flush, "Z": table.zero}[c.cmd](chain)
    elif c.cmd == "P":
        _no_spec(c)
        assert chain is not None
        if c.table == "nat" and c.args[0] == "DROP":
            raise _problem('\nThe "nat" table is not intended for filtering, the use of DROP '
                           "is therefore inhibited.\n\n")  # fmt: skip
        table.set_policy(chain, c.args[0])
    elif c.cmd == "S":
        _no_spec(c)
        proc.out(list_rules(table, chain, _rule_number(c.args[0]) if c.args else 0))
    elif c.cmd == "L":
        _no_spec(c)
        if v6:
            raise NotModelled("-L")
        f = c.flags
        proc.out(list_table(table, chain, numeric="numeric" in f, verbose="verbose" in f,
                            exact="exact" in f, lines="lines" in f))  # fmt: skip
    else:
        return _rule_command(table, c, v6)
    return 0


def _rule_command(table: Table, c: _Cmd, v6: bool) -> int:
    chain = c.chain
    assert chain is not None
    if c.cmd == "D" and c.args:
        _no_spec(c)
        table.delete(chain, _rule_number(c.args[0]))
        return 0
    num = _rule_number(c.args[0]) if c.cmd == "I" and c.args else 1
    rules = _rules(c, table, v6)
    for r in rules:
        if c.cmd == "A":
            table.append(chain, r)
        elif c.cmd == "I":
            table.insert(chain, r, num)
        elif c.cmd == "D":
            table.chain(chain)
            _known_target(table, r)
            table.delete(chain, r)
        else:
            _known_target(table, r)  # nf_tables resolves the jump first
            if not table.check(chain, r):
                raise NfError("norule", chain)
    return 0


def _known_target(table: Table, r: Rule) -> None:
    t = r.target
    standard = ("ACCEPT", "DROP", "RETURN")
    if isinstance(t, Jump) and t.name not in standard and t.name not in table.chains:
        raise NfError("notarget", t.name)


def _check_name(name: str) -> None:
    if len(name) >= _MAX_CHAIN:
        raise _problem(f"chain name `{name}' too long (must be under {_MAX_CHAIN} chars)")
    if name.startswith("-"):
        raise _problem("chain name not allowed to start with `-'")
    if any(ch.isspace() for ch in name) or name in ("ACCEPT", "DROP", "RETURN", "QUEUE"):
        raise _problem(f"Invalid chain name `{name}'")


def list_rules(table: Table, chain: str | None = None, num: int = 0) -> str:
    """``iptables -S [CHAIN [NUM]]``."""
    chains = [table.chain(chain)] if chain is not None else list(table)
    out: list[str] = []
    if not num:
        for ch in chains:
            out.append(f"-P {ch.name} {ch.policy}" if ch.builtin else f"-N {ch.name}")
    for ch in chains:
        for i, e in enumerate(ch.rules, 1):
            if num and i != num:
                continue
            spec = save_rule(e.rule)
            out.append(f"-A {ch.name} {spec}" if spec else f"-A {ch.name}")
    return "".join(line + "\n" for line in out)
