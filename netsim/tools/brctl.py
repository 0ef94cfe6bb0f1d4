"""``brctl`` (bridge-utils 1.7): ``addbr``, ``delbr``, ``addif``, ``delif``, ``show``.

brctl talks to the kernel with the old bridge ioctls (``SIOCBRADDBR``,
``SIOCBRADDIF``, ...) and reads ``/sys/class/net``; its messages and exit
statuses are those of ``brctl/brctl_cmd.c``.  Bridges and their ports are
listed sorted by name (``scandir(..., alphasort)``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Final

from netsim.errors import KernelError
from netsim.kernel import Bridge, Link, Netns
from netsim.shell.proc import Proc

__all__ = ["brctl_main"]

#: command -> (arguments it needs, help text), as bridge-utils lists them.
_COMMANDS: Final = {
    "addbr": (1, "<bridge>\t\tadd bridge"),
    "delbr": (1, "<bridge>\t\tdelete bridge"),
    "addif": (2, "<bridge> <device>\tadd interface to bridge"),
    "delif": (2, "<bridge> <device>\tdelete interface from bridge"),
    "hairpin": (3, "<bridge> <port> {on|off}\tturn hairpin on/off"),
    "setageing": (2, "<bridge> <time>\t\tset ageing time"),
    "setbridgeprio": (2, "<bridge> <prio>\t\tset bridge priority"),
    "setfd": (2, "<bridge> <time>\t\tset bridge forward delay"),
    "sethello": (2, "<bridge> <time>\t\tset hello time"),
    "setmaxage": (2, "<bridge> <time>\t\tset max message age"),
    "setpathcost": (3, "<bridge> <port> <cost>\tset path cost"),
    "setportprio": (3, "<bridge> <port> <prio>\tset port priority"),
    "show": (0, "[ <bridge> ]\t\tshow a list of bridges"),
    "showmacs": (1, "<bridge>\t\tshow a list of mac addrs"),
    "showstp": (1, "<bridge>\t\tshow bridge stp info"),
    "stp": (2, "<bridge> {on|off}\tturn stp on/off"),
}


def _help() -> str:
    lines = "".join(f"\t{name:<10}\t{text}\n" for name, (_, text) in _COMMANDS.items())
    return "Usage: brctl [commands]\ncommands:\n" + lines


def brctl_main(proc: Proc) -> int:
    """``brctl COMMAND [BRIDGE] [DEVICE...]``."""
    argv = proc.argv[1:]
    if argv and argv[0] in ("-h", "--help"):
        proc.out(_help())
        return 0
    if argv and argv[0] in ("-V", "--version"):
        proc.out("bridge-utils, 1.7.1\n")
        return 0
    if not argv:
        proc.out(_help())
        return 1
    name, args = argv[0], argv[1:]
    if name not in _COMMANDS:
        proc.err(f"never heard of command [{name}]\n")
        proc.out(_help())
        return 1
    nargs, text = _COMMANDS[name]
    if len(args) < nargs:
        proc.out(f"Incorrect number of arguments for command\nUsage: brctl {name} {text}\n")
        return 1
    handler = _HANDLERS.get(name)
    if handler is None:
        proc.err(f"netsim: brctl {name}: not supported\n")
        return 1
    try:
        ns = proc.world.netns(proc.netns)
        return handler(proc, ns, args)
    except Exception as e:  # never a traceback: say what broke
        proc.err(f"netsim: brctl: internal error: {type(e).__name__}: {e}\n")
        return 1


def _find(ns: Netns, name: str) -> Link | None:
    return ns.dev(name) if name in ns else None


def _addbr(proc: Proc, ns: Netns, args: list[str]) -> int:
    try:
        proc.world.add_bridge(args[0], netns=ns.name)
    except KernelError as e:
        if e.errno == errno.EEXIST:
            proc.err(f"device {args[0]} already exists; can't create bridge with the same name\n")
        else:
            proc.err(f"add bridge failed: {os.strerror(e.errno)}\n")
        return 1
    return 0


def _delbr(proc: Proc, ns: Netns, args: list[str]) -> int:
    """``br_del_bridge()``: ENXIO (missing), EPERM (no bridge), EBUSY (up)."""
    name = args[0]
    dev = _find(ns, name)
    if dev is None:
        proc.err(f"bridge {name} doesn't exist; can't delete it\n")
        return 1
    if not isinstance(dev, Bridge):
        proc.err(f"can't delete bridge {name}: {os.strerror(errno.EPERM)}\n")
        return 1
    if dev.up:
        proc.err(f"bridge {name} is still up; can't delete it\n")
        return 1
    proc.world.kernel.link_del(dev)
    return 0


def _addif(proc: Proc, ns: Netns, args: list[str]) -> int:
    """``br_add_interface()`` for each device; stops at the first failure."""
    brname, k = args[0], proc.world.kernel
    for ifname in args[1:]:
        dev, br = _find(ns, ifname), _find(ns, brname)
        try:
            if dev is None or br is None:
                raise KernelError(errno.ENODEV)
            if not isinstance(br, Bridge):
                raise KernelError(errno.EOPNOTSUPP)
            if dev.master is None:
                k.set_master(dev, br)
            else:  # br_add_if() refuses a port (EBUSY at the latest) before changing anything
                br.add_if(dev)
        except KernelError as e:
            proc.err(_addif_error(e.errno, brname, ifname, dev is None))
            return 1
    return 0


def _addif_error(err: int, brname: str, ifname: str, no_dev: bool) -> str:
    if err == errno.ENODEV:
        if no_dev:
            return f"interface {ifname} does not exist!\n"
        return f"bridge {brname} does not exist!\n"
    if err == errno.EBUSY:
        return (
            f"device {ifname} is already a member of a bridge; can't add it to bridge {brname}.\n"
        )
    if err == errno.ELOOP:
        return (
            f"device {ifname} is a bridge device itself; "
            "can't add a bridge device to a bridge device.\n"
        )
    return f"can't add {ifname} to bridge {brname}: {os.strerror(err)}\n"


def _delif(proc: Proc, ns: Netns, args: list[str]) -> int:
    """``br_del_interface()`` for each device; stops at the first failure."""
    brname = args[0]
    for ifname in args[1:]:
        dev, br = _find(ns, ifname), _find(ns, brname)
        if dev is None:
            proc.err(f"interface {ifname} does not exist!\n")
            return 1
        if br is None:
            proc.err(f"bridge {brname} does not exist!\n")
            return 1
        if not isinstance(br, Bridge):
            proc.err(f"can't delete {ifname} from {brname}: {os.strerror(errno.EOPNOTSUPP)}\n")
            return 1
        if dev.master is not br:
            proc.err(f"device {ifname} is not a port of {brname}\n")
            return 1
        proc.world.kernel.set_master(dev, None)
    return 0


def _show(proc: Proc, ns: Netns, args: list[str]) -> int:
    """``br_cmd_show()`` (bridge-utils 1.7.1): all bridges, or the ones named; the
    header comes before the first bridge shown.  Errors go to stderr at once and
    the table to a (fully buffered) stdout at exit, so folded together the
    errors come first, as they do from the real brctl."""
    header = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n"
    if not args:
        bridges = sorted((d for d in ns if isinstance(d, Bridge)), key=lambda d: d.ifname)
        proc.out(header + "".join(_bridge_line(br) for br in bridges))
        return 0
    out, errs = [], 0
    for name in args:
        dev = _find(ns, name)
        if isinstance(dev, Bridge):
            out.append(header + _bridge_line(dev))
            header = ""
            continue
        errs += 1
        why = "does not exist" if dev is None else "is not a bridge"
        proc.err(f"{'bridge' if dev is None else 'device'} {name} {why}!\n")
    proc.out("".join(out))
    return 1 if errs else 0


def _bridge_line(br: Bridge) -> str:
    """``show_bridge()``: name, ``PRIO.MAC`` bridge id, STP, then the ports."""
    bridge_id = f"{br.priority:04x}.{str(br.bridge_id_addr).replace(':', '')}"
    stp = "yes" if br.stp_state else "no"
    ports = sorted(p.dev.ifname for p in br.ports)
    return f"{br.ifname}\t\t{bridge_id}\t{stp}\t\t" + "\n\t\t\t\t\t\t\t".join(ports) + "\n"


_HANDLERS: Final[dict[str, Callable[[Proc, Netns, list[str]], int]]] = {
    "addbr": _addbr,
    "delbr": _delbr,
    "addif": _addif,
    "delif": _delif,
    "show": _show,
}
