"""``/usr/lib/cni/dhcp daemon [flags]``: the daemon half of ``main.go``
(containernetworking/plugins v1.1.1), with Go's ``flag`` package's parsing,
messages and usage text, and ``runDaemon``.

In ``netsim sh`` the daemon runs as a background program: start it with
``&`` (``/usr/lib/cni/dhcp daemon &``, as a script on a real machine does).
In the foreground it would never return, so netsim refuses that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from netsim.apps.cni_dhcp.client import go_duration
from netsim.apps.cni_dhcp.daemon import DEFAULT_SOCKET, Daemon, DaemonLog
from netsim.apps.cni_dhcp.lease import RESEND_DELAY_MAX, LeaseError

if TYPE_CHECKING:
    from netsim.shell.proc import Proc

__all__ = ["DaemonFlags", "daemon_main", "parse_flags"]

#: (name, kind, usage, default shown): ``daemonFlags``, sorted as PrintDefaults sorts.
_FLAGS: Final = (
    ("broadcast", "bool", "broadcast DHCP leases", ""),
    ("hostprefix", "string", "optional prefix to host root", ""),
    ("pidfile", "string", "optional path to write daemon PID to", ""),
    ("resendmax", "duration", "optional dhcp client resend max duration",
     go_duration(RESEND_DELAY_MAX)),
    ("socketpath", "string", "optional dhcp server socketpath", ""),
    ("timeout", "duration", "optional dhcp client timeout duration", "10s"),
)  # fmt: skip
_UNITS: Final = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                 "m": 60.0, "h": 3600.0}  # fmt: skip
_DURATION: Final = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class FlagError(Exception):
    """What ``flag.Parse`` prints before the usage (exit status 2)."""


@dataclass
class DaemonFlags:
    broadcast: bool = False
    hostprefix: str = ""
    pidfile: str = ""
    resendmax: float = RESEND_DELAY_MAX
    socketpath: str = ""
    timeout: float = 10.0
    help: bool = False


def usage() -> str:
    """``flag.PrintDefaults`` under ``Usage of daemon:``."""
    out = ["Usage of daemon:\n"]
    for name, kind, text, default in _FLAGS:
        head = f"  -{name}" + ("" if kind == "bool" else f" {kind}")
        tail = f" (default {default})" if default else ""
        out.append(f"{head}\n    \t{text}{tail}\n")
    return "".join(out)


def parse_duration(text: str) -> float:
    """``time.ParseDuration``; :class:`ValueError` on what it rejects."""
    s = text
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(text)
    total, pos = 0.0, 0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            raise ValueError(text)
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s):
        raise ValueError(text)
    return sign * total


def parse_flags(args: list[str]) -> DaemonFlags:
    """``FlagSet.Parse``: ``-name``, ``--name``, ``-name=value``, ``-name value``."""
    flags = DaemonFlags()
    kinds = {name: kind for name, kind, _, _ in _FLAGS}
    i = 0
    while i < len(args):
        a = args[i]
        if len(a) < 2 or a[0] != "-":
            break
        if a == "--":
            break
        name = a[2:] if a.startswith("--") else a[1:]
        if not name or name[0] in "-=":
            raise FlagError(f"bad flag syntax: {a}")
        name, has_value, value = name.partition("=")
        i += 1
        if name in ("h", "help") and name not in kinds:
            flags.help = True
            return flags
        kind = kinds.get(name)
        if kind is None:
            raise FlagError(f"flag provided but not defined: -{name}")
        if kind == "bool":
            if has_value and value not in _BOOLS:
                raise FlagError(f'invalid boolean value "{value}" for -{name}: parse error')
            flags.broadcast = _BOOLS[value] if has_value else True
            continue
        if not has_value:
            if i >= len(args):
                raise FlagError(f"flag needs an argument: -{name}")
            value, i = args[i], i + 1
        if kind == "duration":
            try:
                setattr(flags, name, parse_duration(value))
            except ValueError:
                raise FlagError(f'invalid value "{value}" for flag -{name}: parse error') from None
        else:
            setattr(flags, name, value)
    return flags


_BOOLS: Final = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
                 "0": False, "f": False, "F": False, "false": False, "FALSE": False,
                 "False": False}  # fmt: skip


def daemon_main(proc: Proc) -> int:
    """``dhcp daemon ...`` started in the background: parse the flags, listen,
    serve.  Errors go to the daemon's stderr as ``log.Print`` writes them."""
    try:
        flags = parse_flags(proc.argv[2:])
    except FlagError as e:
        proc.err(f"{e}\n{usage()}")
        return 2
    if flags.help:
        proc.err(usage())
        return 0
    engine = proc.world.engine
    log = DaemonLog(proc.err, lambda: engine.now)
    if flags.pidfile:
        if not flags.pidfile.startswith("/"):
            log.print(f'Error writing pidfile "{flags.pidfile}": path not absolute')
            return 1
        proc.err(f"netsim: {proc.argv[0]} daemon: -pidfile is not modelled yet (no processes)\n")
        return 2
    if flags.hostprefix:
        proc.err(f"netsim: {proc.argv[0]} daemon: -hostprefix is not modelled yet\n")
        return 2
    if proc.fs is None:
        proc.err(f"netsim: {proc.argv[0]} daemon: needs the shell's filesystem\n")
        return 2
    daemon = Daemon(proc.world, proc.fs, log, timeout=flags.timeout,
                    resend_max=flags.resendmax, broadcast=flags.broadcast)  # fmt: skip
    try:
        daemon.listen(flags.socketpath or DEFAULT_SOCKET)
    except LeaseError as e:
        log.print(f"Error getting listener: {e}")
        return 1
    return 0
