"""``ping`` (iputils 20221126) as a ``netsim sh`` command, over :func:`netsim.apps.ping.ping`.

Options are parsed as iputils' ``getopt`` does (combined ``-qc1``, options after
the destination, its messages and exit statuses); the run itself, and every line
it prints, come from the library.  Lines iputils writes with ``error()`` or to
stderr (``ping: connect: ...``, ``ping: Do you want to ping broadcast? ...``,
``WARNING: pinging broadcast address``, ``ping: local error: ...``) go to
stderr, the rest to stdout.

Differences from the real command, each deliberate:

* Without ``-c`` and ``-w`` the real ``ping`` runs until interrupted; a script
  cannot interrupt it, so ``netsim: ping: -c COUNT or -w DEADLINE is required
  (ping would run forever)`` and exit status 2.
* There is no DNS: the destination must be an IPv4 address in any form
  ``inet_aton`` takes (``10.1.0.2``, ``127.1``, ``0x7f000001``); a name fails as
  it does on a host without a resolver, ``ping: NAME: Temporary failure in name
  resolution`` (status 2).  ``-n`` is accepted and does nothing.
* Options iputils has but netsim does not model (``-f``, ``-A``, ``-p``, ``-6``,
  ``-I ADDRESS``, source routes, ...) fail with ``netsim: ping: ... not
  supported`` and status 2.
"""

from __future__ import annotations

import re
from typing import Any, Final

from netsim.addr import ip4, ip4_str
from netsim.apps.ping import ping
from netsim.errors import NoSuchDevice
from netsim.kernel.ipv4.route import ip_route_output
from netsim.shell.proc import Proc

__all__ = ["ping_main"]

USAGE: Final = (
    "\n"
    "Usage\n"
    "  ping [options] <destination>\n"
    "\n"
    "Options:\n"
    "  <destination>      dns name or ip address\n"
    "  -a                 use audible ping\n"
    "  -A                 use adaptive ping\n"
    "  -B                 sticky source address\n"
    "  -c <count>         stop after <count> replies\n"
    "  -C                 call connect() syscall on socket creation\n"
    "  -D                 print timestamps\n"
    "  -d                 use SO_DEBUG socket option\n"
    "  -e <identifier>    define identifier for ping session, default is random for\n"
    "                     SOCK_RAW and kernel defined for SOCK_DGRAM\n"
    "                     Imply using SOCK_RAW (for IPv4 only for identifier 0)\n"
    "  -f                 flood ping\n"
    "  -h                 print help and exit\n"
    "  -I <interface>     either interface name or address\n"
    "  -i <interval>      seconds between sending each packet\n"
    "  -L                 suppress loopback of multicast packets\n"
    "  -l <preload>       send <preload> number of packages while waiting replies\n"
    "  -m <mark>          tag the packets going out\n"
    "  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>\n"
    "  -n                 no dns name resolution\n"
    "  -O                 report outstanding replies\n"
    "  -p <pattern>       contents of padding byte\n"
    "  -q                 quiet output\n"
    "  -Q <tclass>        use quality of service <tclass> bits\n"
    "  -s <size>          use <size> as number of data bytes to be sent\n"
    "  -S <size>          use <size> as SO_SNDBUF socket option value\n"
    "  -t <ttl>           define time to live\n"
    "  -U                 print user-to-user latency\n"
    "  -v                 verbose output\n"
    "  -V                 print version and exit\n"
    "  -w <deadline>      reply wait <deadline> in seconds\n"
    "  -W <timeout>       time to wait for response\n"
    "\n"
    "IPv4 options:\n"
    "  -4                 use IPv4\n"
    "  -b                 allow pinging broadcast\n"
    "  -R                 record route\n"
    "  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>\n"
    "\n"
    "IPv6 options:\n"
    "  -6                 use IPv6\n"
    "  -F <flowlabel>     define flow label, default is random\n"
    "  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument\n"
    "\n"
    "For more details see ping(8).\n"
)

VERSION: Final = (
    "ping from iputils 20221126\n"
    "libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n"
)

#: iputils' getopt string: options followed by ":" take an argument.
_OPTSTRING: Final = "h?4bRT:6F:N:aABc:CdDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:"
_WITH_ARG: Final = frozenset(
    c for i, c in enumerate(_OPTSTRING) if _OPTSTRING[i + 1 : i + 2] == ":"
)
_KNOWN: Final = frozenset(_OPTSTRING.replace(":", ""))
#: What netsim models; the other iputils options are refused.
_SUPPORTED: Final = frozenset("46bcilnqsItMwWVh?")
#: iputils' ``MAX_DUP_CHK``: the largest ``-l`` preload.
_MAX_DUP_CHK: Final = 0x10000

_LONG_MAX: Final = 2**63 - 1
_INT_MAX: Final = 2**31 - 1
_FLOAT_PREFIX: Final = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_AF_ERROR: Final = "Address family for hostname not supported"
_FOREVER: Final = "(ping would run forever)"


class _Exit(Exception):
    def __init__(self, status: int, stderr: str = "", stdout: str = "") -> None:
        super().__init__(stderr)
        self.status, self.stderr, self.stdout = status, stderr, stdout


def _getopt(argv: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """glibc ``getopt`` with argument permutation: (options, operands)."""
    opts: list[tuple[str, str]] = []
    operands: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            operands += argv[i:]
            break
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
            continue
        j = 1
        while j < len(arg):
            c = arg[j]
            j += 1
            if c not in _KNOWN or c == ":":
                what = (
                    f"unrecognized option '{arg}'"
                    if arg.startswith("--")
                    else f"invalid option -- '{c}'"
                )
                raise _Exit(2, f"ping: {what}\n{USAGE}")
            if c not in _WITH_ARG:
                opts.append((c, ""))
                continue
            if j < len(arg):
                opts.append((c, arg[j:]))
            elif i < len(argv):
                opts.append((c, argv[i]))
                i += 1
            else:
                raise _Exit(2, f"ping: option requires an argument -- '{c}'\n{USAGE}")
            break
    return opts, operands


def _int(text: str, lo: int, hi: int) -> int:
    """iputils ``strtol_or_err()``: a whole integer within [lo, hi], or status 1."""
    try:
        value = int(text.strip(), 0) if text.strip()[:1] not in ("+", "-") else int(text, 10)
    except ValueError:
        raise _Exit(1, f"ping: invalid argument: '{text}'\n") from None
    if not lo <= value <= hi:
        raise _Exit(1, f"ping: invalid argument: '{text}': out of range: {lo} <= value <= {hi}\n")
    return value


def _float(text: str, err: list[str]) -> float:
    """iputils ``ping_strtod()``: ``strtod`` with a warning for trailing garbage."""
    m = _FLOAT_PREFIX.match(text)
    value = float(m.group(0)) if m else 0.0
    if not m or m.end() != len(text):
        err.append(f"ping: option argument contains garbage: {text[m.end() if m else 0 :]}")
        err.append("ping: this will become fatal error in the future")
    return value


def _inet_aton(text: str) -> str | None:
    """glibc ``inet_aton()`` (numbers in C notation, one to four parts), dotted, or None."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    nums = []
    for p in parts:
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", p):
            nums.append(int(p[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]*", p):
            nums.append(int(p, 8))
        elif re.fullmatch(r"[1-9][0-9]*", p):
            nums.append(int(p))
        else:
            return None
    *head, last = nums
    if any(n > 255 for n in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    value = 0
    for n in head:
        value = value << 8 | n
    value = value << (8 * (4 - len(head))) | last
    return ".".join(str(value >> s & 0xFF) for s in (24, 16, 8, 0))


def ping_main(proc: Proc) -> int:
    """``ping [-4bnq] [-c COUNT] [-i INTERVAL] [-l PRELOAD] [-I IFACE] [-M do|want|dont] [-s SIZE]
    [-t TTL] [-w DEADLINE] [-W TIMEOUT] DESTINATION``."""
    err: list[str] = []
    try:
        status = _ping(proc, err)
    except _Exit as e:
        proc.out(e.stdout)
        proc.err("".join(line + "\n" for line in err) + e.stderr)
        return e.status
    return status


def _options(opts: list[tuple[str, str]], err: list[str]) -> tuple[dict[str, Any], set[str]]:
    """The library's keyword arguments, and the flags (``q``, ``6``) it does not take."""
    kw: dict[str, Any] = {}
    flags: set[str] = set()
    for c, val in opts:
        if c not in _SUPPORTED:
            raise _Exit(2, f"netsim: ping: option -{c} not supported\n")
        if c in "h?":
            raise _Exit(2, USAGE)
        if c == "V":
            raise _Exit(0, stdout=VERSION)
        if c == "c":
            kw["count"] = _int(val, 1, _LONG_MAX)
        elif c == "w":
            kw["deadline"] = _int(val, 0, _INT_MAX)
        elif c == "t":
            kw["ttl"] = _int(val, 0, 255)
        elif c == "s":
            kw["size"] = _int(val, 0, _INT_MAX)
        elif c == "l":
            kw["preload"] = _int(val, 1, _MAX_DUP_CHK)
        elif c in "iW":
            kw["interval" if c == "i" else "timeout"] = max(0.0, _float(val, err))
        elif c == "M":
            if val not in ("do", "dont", "want"):
                raise _Exit(2, f"ping: invalid -M argument: {val}\n")
            kw["pmtudisc"] = val
        elif c == "I":
            kw["interface"] = val
        elif c == "b":
            kw["broadcast"] = True
        else:
            flags.add(c)
    return kw, flags


def _ping(proc: Proc, err: list[str]) -> int:
    opts, operands = _getopt(proc.argv[1:])
    kw, flags = _options(opts, err)
    if not operands:
        raise _Exit(1, "ping: usage error: Destination address required\n")
    if len(operands) > 1:
        raise _Exit(2, "netsim: ping: source routes (more than one destination) not supported\n")
    name = operands[0]
    dst = _inet_aton(name)
    if dst is None:
        if ":" in name:
            raise _Exit(2, "netsim: ping: IPv6 not supported\n")
        raise _Exit(2, f"ping: {name}: Temporary failure in name resolution\n")
    if "6" in flags:
        raise _Exit(2, f"ping: {name}: {_AF_ERROR}\n")
    iface = kw.get("interface")
    if isinstance(iface, str) and _inet_aton(iface) is not None:
        raise _Exit(2, "netsim: ping: -I ADDRESS not supported (use -I INTERFACE)\n")
    if "count" not in kw and "deadline" not in kw:
        raise _Exit(2, f"netsim: ping: -c COUNT or -w DEADLINE is required {_FOREVER}\n")
    kw.setdefault("count", _LONG_MAX)  # -w alone: until the deadline
    try:
        res = ping(proc.world, dst, netns=proc.netns, **kw)
    except NoSuchDevice:
        raise _Exit(2, f"ping: SO_BINDTODEVICE {iface}: No such device\n") from None
    src = ""
    if iface is not None and res.transmitted:  # iputils: "from SOURCE DEVICE: " after -I
        ns = proc.world.netns(proc.netns)
        src = f"from {ip4_str(ip_route_output(ns, ip4(dst), oif=ns.dev(iface)).saddr)} {iface}: "
    proc.err("".join(line + "\n" for line in err))
    for line in res.lines:  # in the order ping writes them (stderr too, for 2>&1)
        if line.startswith(("ping: ", "WARNING: ")):
            proc.err(line + "\n")
        elif line.startswith(header := f"PING {dst} ({dst}) "):
            proc.out(f"PING {name} ({dst}) {src}{line[len(header) :]}\n")
        elif not ("q" in flags and (line.startswith("From ") or " bytes from " in line)):
            proc.out(_named(line, name, dst) + "\n")
    return res.exit_code


def _named(line: str, name: str, dst: str) -> str:
    """iputils names the destination as it was typed (``127.1``) in the statistics (and
    the header), and by its address elsewhere."""
    if name == dst:
        return line
    if line == f"--- {dst} ping statistics ---":
        return f"--- {name} ping statistics ---"
    return line
