"""``ip netns`` (iproute2 6.1 ``ip/ipnetns.c``): list, add, del, exec, identify,
set, list-id, pids.

The model has no processes: ``identify`` without a PID names the namespace
the command runs in (``ip netns exec NS ...``, ``ip -n NS ...``), an empty line
in the initial one; a PID names no process (``Cannot open network namespace:
No such file or directory``); ``pids NS`` lists none.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Final

from netsim.errors import KernelError, NoSuchNetns
from netsim.kernel import INIT_NET
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, Opts, emit_json, matches

if TYPE_CHECKING:
    from netsim.kernel import Netns
    from netsim.world import World

__all__ = ["do_netns"]

_USAGE: Final = (
    "Usage:\tip netns list\n"
    "\tip netns add NAME\n"
    "\tip netns attach NAME PID\n"
    "\tip netns set NAME NETNSID\n"
    "\tip [-all] netns delete [NAME]\n"
    "\tip netns identify [PID]\n"
    "\tip netns pids NAME\n"
    "\tip [-all] netns exec [NAME] cmd ...\n"
    "\tip netns monitor\n"
    "\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n"
    "NETNSID := auto | POSITIVE-INT\n"
)
_NO_NAME: Final = "No netns name specified\n"
_NO_PROC: Final = "Cannot open network namespace: No such file or directory\n"


def _invalid_name(name: str) -> bool:
    """``invalid_name()``: empty, too long, a ``/``, ``.`` or ``..``."""
    return not name or len(name.encode()) > 255 or "/" in name or name in (".", "..")


def do_netns(proc: Proc, args: Args) -> None:
    """``do_netns()``: the subcommand, after checking the name argument."""
    w = proc.world
    if not args:
        _netns_list(proc, w, args.opts)
        return
    cmd = args.take()
    if args and _invalid_name(args.peek()):
        raise IpExit(f'Invalid netns name "{args.peek()}"\n', 255)
    if matches(cmd, "list") or cmd in ("show", "lst"):
        _netns_list(proc, w, args.opts)
    elif matches(cmd, "list-id"):
        _list_id(proc, w, args)
    elif matches(cmd, "help"):
        raise IpExit(_USAGE, 255)
    elif matches(cmd, "add"):
        _add_del(w, args, add=True)
    elif matches(cmd, "delete"):
        _add_del(w, args, add=False)
    elif matches(cmd, "set"):
        _set(w, args)
    elif matches(cmd, "identify"):
        _identify(proc, args)
    elif matches(cmd, "pids"):
        _pids(w, args)
    elif matches(cmd, "exec"):
        if not args:
            raise IpExit(_NO_NAME, 1)
        name = args.take()
        if not args:
            raise IpExit("No command specified\n", 1)
        w.netns(name)  # Cannot open network namespace ... (255)
        raise IpExit("", _exec(proc, name, args.words[args.pos :]))
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip netns help".\n', 255)


def _add_del(w: World, args: Args, *, add: bool) -> None:
    if not args:
        raise IpExit(_NO_NAME, 1)
    try:
        if add:
            w.netns_add(args.take())
        else:
            w.netns_del(args.take())
    except KernelError as e:
        raise IpExit(e.message + "\n", 1) from None


def _netns_list(proc: Proc, w: World, opts: Opts) -> None:
    """``netns_list()``: /run/netns newest first, with the nsid the current
    namespace has for each (``(id: N)``)."""
    here = w.netns(opts.netns)
    names = [n for n in reversed(w.kernel.namespaces) if n != INIT_NET]
    ids = {other.name: nsid for other, nsid in here.netns_ids.items()}
    if opts.json:
        recs = [{"name": n, **({"id": ids[n]} if n in ids else {})} for n in names]
        emit_json(proc, opts, recs)
        return
    proc.out("".join(f"{n} (id: {ids[n]})\n" if n in ids else f"{n}\n" for n in names))


def _target(w: World, name: str) -> Netns:
    try:
        return w.netns(name)
    except NoSuchNetns as e:
        raise IpExit(e.message + "\n", 1) from None


def _set(w: World, args: Args) -> None:
    """``netns_set()`` → RTM_NEWNSID (``rtnl_net_newid()``)."""
    if not args:
        raise IpExit(_NO_NAME, 1)
    name = args.take()
    if not args:
        raise IpExit("No nsid specified\n", 1)
    value = args.take()
    nsid = -1 if value == "auto" else _nsid(value)
    here = w.netns(args.opts.netns)
    peer = _target(w, name)
    if peer in here.netns_ids:
        raise KernelError(errno.EEXIST, "Peer netns already has a nsid assigned")
    used = set(here.netns_ids.values())
    if nsid >= 0 and nsid in used:
        raise KernelError(errno.ENOSPC, "The specified nsid is already used")
    if nsid < 0:
        here.peernet_id(peer)
    else:
        here.netns_ids[peer] = nsid


def _nsid(value: str) -> int:
    try:
        nsid = int(value, 0)
    except ValueError:
        nsid = None
    if nsid is None or not -(2**31) <= nsid < 2**31:
        raise IpExit(f'Error: argument "{value}" is wrong: Invalid "netnsid" value\n', 255)
    if nsid < 0:
        raise IpExit(f'Error: argument "{value}" is wrong: "netnsid" value should be >= 0\n', 255)
    return nsid


def _list_id(proc: Proc, w: World, args: Args) -> None:
    """``ip netns list-id [nsid N]``: the ids the current namespace has assigned,
    by id, each with the name of its namespace under /run/netns."""
    want: int | None = None
    for word in args:
        if word == "nsid":
            want = _nsid(args.next_arg())
        else:
            raise IpExit(f'netsim: ip netns list-id: "{word}" is not supported\n', 1)
    here = w.netns(args.opts.netns)
    ids = sorted((nsid, o.name) for o, nsid in here.netns_ids.items())
    ids = [(nsid, n) for nsid, n in ids if want is None or nsid == want]
    if args.opts.json:
        recs = [{"nsid": i, **({"name": n} if n != INIT_NET else {})} for i, n in ids]
        emit_json(proc, args.opts, recs)
        return
    proc.out("".join(
        f"nsid {i} " + (f"(iproute2 netns name: {n})" if n != INIT_NET else "") + "\n"
        for i, n in ids
    ))  # fmt: skip


def _identify(proc: Proc, args: Args) -> None:
    """``netns_identify()``: the name of the namespace of PID (default: self)."""
    if len(args.words) - args.pos > 1:
        raise IpExit("extra arguments specified\n", 1)
    if args:
        pid = args.take()
        if not pid.isdigit():
            raise IpExit(f"Specified string '{pid}' is not a pid\n", 1)
        raise IpExit(_NO_PROC, 1)  # the model has no processes
    name = args.opts.netns
    proc.out(("" if name == INIT_NET else name) + "\n")


def _pids(w: World, args: Args) -> None:
    """``netns_pids()``: the processes in NAME; the model has none."""
    if not args:
        raise IpExit(_NO_NAME, 1)
    name = args.take()
    if name not in w.kernel.namespaces or name == INIT_NET:
        raise IpExit(_NO_PROC, 1)


def _exec(proc: Proc, netns: str, argv: list[str]) -> int:
    from netsim.tools import TOOLS

    if proc.run is not None:  # in a shell: builtins (cat, ls, ...) run there too
        inner = Proc(proc.world, netns, list(argv), proc.stdin, dict(proc.env), proc.stdout,
                     proc.stderr, proc.run)  # fmt: skip
        return proc.run(inner)
    tool = TOOLS.get(argv[0])
    if tool is None:
        proc.err(f"netsim: {argv[0]}: command not supported\n")
        return 127
    inner = Proc(proc.world, netns, list(argv), proc.stdin, dict(proc.env), proc.stdout,
                 proc.stderr)  # fmt: skip
    return tool(inner)
