"""dnsmasq's command line and configuration file, the DHCP subset
(``option.c`` of dnsmasq 2.90: ``one_opt``, ``parse_dhcp_opt``, the
``dhcp-range`` parser), with its messages.

Supported: ``--conf-file``/``-C``, ``--port``/``-p`` (only 0: netsim has no
DNS server), ``--interface``/``-i``, ``--dhcp-range``
(``START,END[,NETMASK[,BROADCAST]][,LEASE]``), ``--dhcp-option``/``-O``
(a number or ``option:NAME``, addresses with ``/`` descriptors, numbers,
times, names), ``--dhcp-leasefile``/``-l``, ``--pid-file``/``-x`` (empty),
``--user``/``-u``, ``--group``/``-g``, ``--no-ping``, ``--dhcp-authoritative``,
``--dhcp-broadcast``, ``--log-dhcp``, ``--keep-in-foreground``/``-k``,
``--no-daemon``/``-d``.  Anything else dnsmasq knows is refused with
``netsim: dnsmasq: OPTION is not modelled yet``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Final

__all__ = ["Config", "ConfigError", "DhcpRange", "NotModelled", "parse_args", "parse_conf"]

DEFLEASE: Final = 3600
LEASEFILE: Final = "/var/lib/misc/dnsmasq.leases"
CONFFILE: Final = "/etc/dnsmasq.conf"

#: short option -> long name, and whether it takes an argument.
_SHORT: Final = {"C": "conf-file", "p": "port", "i": "interface", "O": "dhcp-option",
                 "l": "dhcp-leasefile", "x": "pid-file", "u": "user", "g": "group",
                 "k": "keep-in-foreground", "d": "no-daemon", "F": "dhcp-range"}  # fmt: skip
_FLAGS: Final = frozenset({"no-ping", "dhcp-authoritative", "dhcp-broadcast", "log-dhcp",
                           "keep-in-foreground", "no-daemon"})  # fmt: skip
_VALUED: Final = frozenset({"conf-file", "port", "interface", "dhcp-range", "dhcp-option",
                            "dhcp-leasefile", "pid-file", "user", "group"})  # fmt: skip
#: dnsmasq options netsim does not model (a few common ones, for a clear refusal).
_KNOWN_OTHER: Final = frozenset({"bind-interfaces", "bind-dynamic", "listen-address",
                                 "except-interface", "dhcp-host", "dhcp-boot", "enable-tftp",
                                 "log-facility", "log-queries", "dhcp-script", "domain",
                                 "server", "no-resolv", "address", "dhcp-option-force",
                                 "dhcp-match", "dhcp-ignore", "conf-dir", "addn-hosts",
                                 "dhcp-sequential-ip", "dhcp-rapid-commit", "quiet-dhcp",
                                 "dhcp-lease-max", "dhcp-relay", "dhcp-mac", "tag-if",
                                 "dhcp-hostsfile", "dhcp-optsfile", "strict-order"})  # fmt: skip

#: option:NAME -> (code, type) for the names netsim knows (``opttab``).
ADDR_LIST, TIME, NAME, DEC, ANY, INTERNAL = "addr", "time", "name", "dec", "any", "internal"
OPTIONS: Final = {
    "netmask": (1, ADDR_LIST), "router": (3, ADDR_LIST), "dns-server": (6, ADDR_LIST),
    "hostname": (12, INTERNAL), "domain-name": (15, NAME), "broadcast": (28, INTERNAL),
    "static-route": (33, ADDR_LIST), "ntp-server": (42, ADDR_LIST), "T1": (58, TIME),
    "T2": (59, TIME), "mtu": (26, DEC), "classless-static-route": (121, ANY),
    "lease-time": (51, INTERNAL), "server-identifier": (54, INTERNAL),
}  # fmt: skip
_TYPES: Final = {code: kind for code, kind in OPTIONS.values()}
_DEC_LEN: Final = {26: 2}


class ConfigError(Exception):
    """``bad command line options: X`` (exit 1) or another startup error with
    its exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.message = message
        self.status = status


class NotModelled(Exception):
    """An option dnsmasq has and netsim does not model."""


@dataclass(frozen=True)
class DhcpRange:
    start: ipaddress.IPv4Address
    end: ipaddress.IPv4Address
    netmask: ipaddress.IPv4Address | None
    broadcast: ipaddress.IPv4Address | None
    lease: int


@dataclass
class Config:
    interfaces: list[str] = field(default_factory=list)
    ranges: list[DhcpRange] = field(default_factory=list)
    #: ``daemon->dhcp_opts``: the newest first, as dnsmasq links them
    options: list[tuple[int, bytes]] = field(default_factory=list)
    leasefile: str = LEASEFILE
    conf_file: str | None = None
    port: int = 53
    pid_file: str | None = None
    no_ping: bool = False
    authoritative: bool = False
    force_broadcast: bool = False
    foreground: bool = False


def _lease_time(text: str) -> int:
    if text in ("infinite", "deprecated"):
        return 0xFFFFFFFF
    fac = {"w": 604800, "W": 604800, "d": 86400, "D": 86400, "h": 3600, "H": 3600,
           "m": 60, "M": 60, "s": 1, "S": 1}.get(text[-1:], 0)  # fmt: skip
    digits = text[:-1] if fac else text
    if not digits.isdigit():
        raise ConfigError("bad dhcp-range")
    return max(int(digits) * (fac or 1), 120)


def _ip(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def parse_range(arg: str) -> DhcpRange:
    """``--dhcp-range=START,END[,NETMASK[,BROADCAST]][,LEASE]``."""
    parts = arg.split(",")
    if any(p.startswith(("tag:", "set:", "net:")) for p in parts) or parts[0] in ("static",):
        raise NotModelled("dhcp-range with tags or modes")
    start = _ip(parts[0])
    if start is None:
        raise ConfigError("bad dhcp-range")
    rest = parts[1:]
    end = _ip(rest[0]) if rest else None
    if rest and end is None and rest[0] in ("static", "proxy"):
        raise NotModelled(f"dhcp-range mode {rest[0]}")
    if end is None:
        raise ConfigError("bad dhcp-range") if rest else NotModelled("dhcp-range with a START only")
    rest = rest[1:]
    addrs = []
    while rest and _ip(rest[0]) is not None:
        addrs.append(_ip(rest.pop(0)))
    if len(addrs) > 2 or len(rest) > 1:
        raise ConfigError("bad dhcp-range")
    lease = _lease_time(rest[0]) if rest else DEFLEASE
    netmask = addrs[0] if addrs else None
    if int(start) > int(end):
        start, end = end, start
    if netmask is not None and int(start) & int(netmask) != int(end) & int(netmask):
        raise ConfigError("inconsistent DHCP range")
    return DhcpRange(start, end, netmask, addrs[1] if len(addrs) > 1 else None, lease)


def parse_option(arg: str) -> tuple[int, bytes]:
    """``parse_dhcp_opt`` for the values netsim models."""
    head, sep, value = arg.partition(",")
    if head.startswith(("tag:", "net:", "vendor:", "encap:", "vi-encap:", "option6:")):
        raise NotModelled(f"dhcp-option {head.split(':')[0]}:")
    if head.isdigit():
        code = int(head)
        kind = _TYPES.get(code, ANY)
    elif head.startswith("option:") and head[7:] in OPTIONS:
        code, kind = OPTIONS[head[7:]]
        if kind == INTERNAL:
            raise ConfigError("bad dhcp-option")
    else:
        raise ConfigError("bad dhcp-option")
    if code > 255:
        raise ConfigError("bad dhcp-option")
    if not sep:
        return code, b""
    return code, _value(code, kind, value)


def _value(code: int, kind: str, value: str) -> bytes:
    has_dig = any(c.isdigit() for c in value)
    is_addr = (
        has_dig and all(c.isdigit() or c in "./," for c in value) and not value.startswith("/")
    )
    is_dec = has_dig and value.isdigit()
    if kind == ADDR_LIST and (not is_addr or "." not in value):
        raise ConfigError("bad IP address")
    if kind == TIME and has_dig:
        fac = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}.get(value[-1:].lower(), 0)
        digits = value[:-1] if fac else value
        n = int(digits) if digits.isdigit() else 0  # atoi()
        return ((n * (fac or 1)) & 0xFFFFFFFF).to_bytes(4, "big")
    if kind == NAME:
        return value.encode()
    if is_dec and kind != ADDR_LIST:
        n = int(value)
        size = _DEC_LEN.get(code) or (4 if n & 0xFFFF0000 else 2 if n & 0xFF00 else 1)
        return (n & (1 << 8 * size) - 1).to_bytes(size, "big")
    if is_addr:
        out = bytearray()
        for part in value.split(","):
            addr, slash, width = part.partition("/")
            ip = _ip(addr)
            if ip is None:
                raise ConfigError("bad IPv4 address")
            if not slash:
                out += ip.packed
                continue
            bits = int(width) if width.isdigit() else 0
            out.append(bits & 0xFF)
            out += ip.packed[: (bits + 7) // 8 if bits > 0 else 0]
        return bytes(out)
    raise NotModelled(f"dhcp-option {code} with the value {value!r}")


def _apply(conf: Config, name: str, value: str | None) -> None:
    if name in _FLAGS:
        if value is not None:
            raise ConfigError("try --help")
        if name == "no-ping":
            conf.no_ping = True
        elif name == "dhcp-authoritative":
            conf.authoritative = True
        elif name == "dhcp-broadcast":
            conf.force_broadcast = True
        elif name in ("keep-in-foreground", "no-daemon"):
            conf.foreground = True
        return
    if name not in _VALUED:
        raise NotModelled(f"--{name}") if name in _KNOWN_OTHER else ConfigError("try --help")
    if value is None:
        raise ConfigError("try --help")
    if name == "conf-file":
        conf.conf_file = value
    elif name == "port":
        if not value.isdigit():
            raise ConfigError("bad port")
        conf.port = int(value)
    elif name == "interface":
        conf.interfaces += [v for v in value.split(",") if v]
    elif name == "dhcp-range":
        conf.ranges.append(parse_range(value))
    elif name == "dhcp-option":
        conf.options.insert(0, parse_option(value))
    elif name == "dhcp-leasefile":
        conf.leasefile = value
    elif name == "pid-file":
        conf.pid_file = value


def parse_args(argv: list[str]) -> Config:
    """The command line (``getopt_long``, then ``one_opt`` for each)."""
    conf = Config()
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if not eq and name in _VALUED:
                if i >= len(argv):
                    raise ConfigError("try --help")
                value, i = argv[i], i + 1
            _apply(conf, name, value if eq or name in _VALUED else None)
        elif a.startswith("-") and len(a) > 1:
            short = _SHORT.get(a[1])
            if short is None:
                raise ConfigError("try --help")
            if short in _FLAGS:
                _apply(conf, short, None)
                continue
            value = a[2:]
            if not value:
                if i >= len(argv):
                    raise ConfigError("try --help")
                value, i = argv[i], i + 1
            _apply(conf, short, value)
        else:
            raise ConfigError("try --help")
    return conf


def parse_conf(conf: Config, text: str, path: str) -> None:
    """A configuration file: ``name[=value]`` per line, ``#`` comments."""
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, eq, value = line.partition("=")
        try:
            _apply(conf, name.strip(), value.strip() if eq else None)
        except ConfigError as e:
            raise ConfigError(f"{e.message} at line {lineno} of {path}", 1) from None
