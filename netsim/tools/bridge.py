"""``bridge`` (iproute2 6.1): global options, the object dispatch, and ``bridge link``.

``bridge fdb`` is in :mod:`netsim.tools.bridge_fdb`.  Unlike ``ip``, ``bridge``
exits with 255 (``exit(-1)``/``return -1``) for almost every error, kernel
refusals (``RTNETLINK answers: ...``) included.
"""

from __future__ import annotations

from typing import Any, Final

from netsim.backends.sim.dump import bridge_link_records
from netsim.iproute import bridge_link_show
from netsim.kernel.bridge.port import BridgePort
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, Opts, emit_json, matches, run_iproute

__all__ = ["bridge_main"]

USAGE: Final = (
    "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n"
    "       bridge [ -force ] -batch filename\n"
    "where  OBJECT := { link | fdb | mdb | vlan | monitor }\n"
    "       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n"
    "                    -o[neline] | -t[imestamp] | -n[etns] name |\n"
    "                    -c[ompressvlans] -color -p[retty] -j[son] }\n"
)

_LINK_USAGE: Final = (
    "Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]\n"
    "                               [ guard {on | off} ]\n"
    "                               [ hairpin {on | off} ]\n"
    "                               [ fastleave {on | off} ]\n"
    "                               [ root_block {on | off} ]\n"
    "                               [ learning {on | off} ]\n"
    "                               [ learning_sync {on | off} ]\n"
    "                               [ flood {on | off} ]\n"
    "                               [ mcast_router MULTICAST_ROUTER ]\n"
    "                               [ mcast_flood {on | off} ]\n"
    "                               [ bcast_flood {on | off} ]\n"
    "                               [ mcast_to_unicast {on | off} ]\n"
    "                               [ neigh_suppress {on | off} ]\n"
    "                               [ vlan_tunnel {on | off} ]\n"
    "                               [ isolated {on | off} ]\n"
    "                               [ locked {on | off} ]\n"
    "                               [ hwmode {vepa | veb} ]\n"
    "                               [ backup_port DEVICE ] [ nobackup_port ]\n"
    "                               [ self ] [ master ]\n"
    "       bridge link show [dev DEV]\n"
)

#: iproute2's object table, in its order (prefixes match the first entry).
_OBJECTS: Final = ("link", "fdb", "mdb", "vlan", "monitor", "help")

#: global option (as matched by ``matches``) -> Opts attribute.
_FLAGS: Final = (
    ("-stats", "stats"), ("-statistics", "stats"), ("-details", "details"),
    ("-json", "json"), ("-pretty", "pretty"),
)  # fmt: skip

#: options bridge accepts that change nothing here.
_IGNORED: Final = ("-oneline", "-timestamp", "-compressvlans", "-color", "-force")

#: ``bridge link set`` on/off flags the model has (``strcmp`` in iproute2).
_PORT_FLAGS: Final = ("hairpin", "learning", "flood", "mcast_flood", "bcast_flood")

#: ``bridge link set`` keywords the model does not have.
_NOT_MODELLED: Final = (
    "guard", "fastleave", "root_block", "learning_sync", "mcast_to_unicast", "cost",
    "priority", "state", "hwmode", "mcast_router", "isolated", "locked", "backup_port",
    "nobackup_port", "self",
)  # fmt: skip


def bridge_main(proc: Proc) -> int:
    """``bridge [OPTIONS] OBJECT COMMAND ...``."""
    return run_iproute(proc, _bridge, kernel_status=255, nodev_status=255)


def _bridge(proc: Proc) -> None:
    args = Args(proc.argv[1:], opts=Opts(proc.netns))
    opts = args.opts
    while args and args.peek().startswith("-"):
        opt = args.take()
        if opt == "--":
            break
        if opt.startswith("--"):
            opt = opt[1:]
        flag = next((attr for name, attr in _FLAGS if matches(opt, name)), None)
        if matches(opt, "-help"):
            raise IpExit(USAGE, 255)
        if matches(opt, "-Version"):
            proc.out("bridge utility, 6.1.0\n")
            raise IpExit("", 0)
        if flag is not None:
            setattr(opts, flag, True)
        elif matches(opt, "-netns"):
            opts.netns = args.next_arg()
            proc.world.netns(opts.netns)  # Cannot open network namespace ...
        elif any(matches(opt, name) for name in _IGNORED):
            pass
        else:
            raise IpExit(f'Option "{opt}" is unknown, try "bridge help".\n', 255)
    if not args:
        raise IpExit(USAGE, 255)
    word = args.take()
    obj = next((o for o in _OBJECTS if matches(word, o)), None)
    if obj is None:
        raise IpExit(f'Object "{word}" is unknown, try "bridge help".\n', 255)
    if obj == "help":
        raise IpExit(USAGE, 255)
    if obj == "link":
        do_link(proc, args)
    elif obj == "fdb":
        from netsim.tools.bridge_fdb import do_fdb

        do_fdb(proc, args)
    else:
        raise IpExit(f"netsim: bridge {obj}: not supported\n", 1)


# --- bridge link ------------------------------------------------------------------------------


def do_link(proc: Proc, args: Args) -> None:
    if not args:
        _link_show(proc, args)
        return
    cmd = args.take()
    if matches(cmd, "set") or matches(cmd, "change"):
        _link_set(proc, args)
    elif matches(cmd, "show") or matches(cmd, "lst") or matches(cmd, "list"):
        _link_show(proc, args)
    elif matches(cmd, "help"):
        raise IpExit(_LINK_USAGE, 255)
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "bridge link help".\n', 255)


def _on_off(key: str, value: str) -> bool:
    """iproute2's ``parse_on_off()``: its error exits with ``-EINVAL`` (234)."""
    if value in ("on", "off"):
        return value == "on"
    raise IpExit(f'Error: argument of "{key}" must be one of "off", "on", not "{value}"\n', 234)


def _link_set(proc: Proc, args: Args) -> None:
    """``brlink_modify()``."""
    dev: str | None = None
    flags: dict[str, bool] = {}
    for word in args:
        if word == "dev":
            dev = args.next_arg()
        elif word in _PORT_FLAGS:
            flags[word] = _on_off(word, args.next_arg())
        elif word == "master":
            pass
        elif (
            word in _NOT_MODELLED or matches(word, "neigh_suppress") or matches(word, "vlan_tunnel")
        ):
            raise IpExit(f'netsim: bridge link set: "{word}" is not supported\n', 1)
        else:
            raise IpExit(_LINK_USAGE, 255)
    if dev is None:
        raise IpExit("Device is a required argument.\n", 255)
    if dev not in proc.world.netns(args.opts.netns):
        raise IpExit(f'Cannot find bridge device "{dev}"\n', 255)
    proc.world.bridge_link_set(dev, netns=args.opts.netns, **flags)


def _link_show(proc: Proc, args: Args) -> None:
    """``brlink_show()``: words other than ``dev DEV`` are ignored, as there."""
    opts = args.opts
    ns = proc.world.netns(opts.netns)
    dev: str | None = None
    for word in args:
        if word == "dev":
            value = args.next_arg()
            if dev is not None:
                raise IpExit(f'Error: duplicate "dev": "{value}" is the second value.\n', 255)
            dev = value
    if dev is not None and dev not in ns:
        raise IpExit(f'Cannot find device "{dev}"\n', 255)
    records = [r for r in bridge_link_records(ns) if dev is None or r["ifname"] == dev]
    if opts.details:
        for rec in records:
            rec.update(_protinfo(ns.dev(rec["ifname"]).rx_handler_data))
    if opts.json:
        emit_json(proc, opts, records)
    else:
        proc.out(bridge_link_show(records, details=opts.details))


def _protinfo(port: Any) -> dict[str, Any]:
    """The ``IFLA_PROTINFO`` flags ``bridge -d link`` adds, in the kernel's order;
    what the model does not have is at the kernel's default."""
    assert isinstance(port, BridgePort)
    return {
        "hairpin": port.hairpin,
        "guard": False,
        "root_block": False,
        "fastleave": False,
        "learning": port.learning,
        "flood": port.flood,
        "mcast_flood": port.mcast_flood,
        "bcast_flood": port.bcast_flood,
        "mcast_router": 1,
        "mcast_to_unicast": False,
        "neigh_suppress": False,
        "vlan_tunnel": False,
        "isolated": False,
        "locked": False,
    }
