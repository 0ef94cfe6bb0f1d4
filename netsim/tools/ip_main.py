"""``ip`` (iproute2 6.1): global options, the object dispatch, and ``ip netns``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.errors import KernelError
from netsim.kernel import INIT_NET
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, Opts, matches, run_iproute

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["ip_main"]

_USAGE: Final = (
    "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n"
    "where  OBJECT := { address | link | neighbour | netns | route | rule }\n"
    "       OPTIONS := { -4 | -br[ief] | -d[etails] | -j[son] | -p[retty] |\n"
    "                    -n[etns] name | -s[tatistics] }\n"
)

#: iproute2's object table, in its order (prefixes match the first entry).
_OBJECTS: Final = (
    "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable",
    "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "tap", "token",
    "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf",
    "vrf", "sr", "nexthop", "mptcp", "ioam", "stats", "help",
)  # fmt: skip

#: global option -> Opts attribute (flags); "-n"/"-netns" take a value.
_FLAGS: Final = {
    "-j": "json", "-json": "json", "-p": "pretty", "-pretty": "pretty", "-br": "brief",
    "-brief": "brief", "-d": "details", "-details": "details", "-s": "stats",
    "-stats": "stats", "-statistics": "stats",
}  # fmt: skip


def ip_main(proc: Proc) -> int:
    """``ip [OPTIONS] OBJECT COMMAND ...``."""
    return run_iproute(proc, _ip, kernel_status=2, nodev_status=1)


def _ip(proc: Proc) -> None:
    args = Args(proc.argv[1:], opts=Opts(proc.netns))
    opts = args.opts
    while args and args.peek().startswith("-") and len(args.peek()) > 1:
        opt = args.take()
        if opt.startswith("--"):
            opt = opt[1:]
        if opt in _FLAGS:
            setattr(opts, _FLAGS[opt], True)
        elif opt in ("-n", "-netns"):
            if not args:
                raise IpExit(_USAGE, 255)
            opts.netns = args.take()
            proc.world.netns(opts.netns)  # Cannot open network namespace ...
        elif opt in ("-4", "-family") and (opt == "-4" or args.next_arg() == "inet"):
            opts.family = 4
        elif opt in ("-c", "-color", "-col"):
            pass
        elif opt in ("-h", "-help"):
            proc.out(_USAGE)
            raise IpExit("", 0)
        else:
            raise IpExit(f'Option "{opt}" is unknown, try "ip -help".\n', 255)
    if not args:
        raise IpExit(_USAGE, 255)
    word = args.take()
    obj = next((o for o in _OBJECTS if matches(word, o)), None)
    if obj is None:
        raise IpExit(f'Object "{word}" is unknown, try "ip help".\n', 1)
    handler = _handlers().get(obj)
    if obj == "help":
        proc.out(_USAGE)
        return
    if handler is None:
        raise IpExit(f"netsim: ip {obj}: not supported\n", 1)
    handler(proc, args)


def _handlers() -> dict[str, Callable[[Proc, Args], None]]:
    from netsim.tools.ip_addr import do_ipaddr
    from netsim.tools.ip_link import do_iplink
    from netsim.tools.ip_route import do_ipneigh, do_iproute, do_iprule

    return {
        "address": do_ipaddr,
        "link": do_iplink,
        "route": do_iproute,
        "rule": do_iprule,
        "neighbor": do_ipneigh,
        "neighbour": do_ipneigh,
        "netns": do_netns,
    }


# --- ip netns ---------------------------------------------------------------------------------


def do_netns(proc: Proc, args: Args) -> None:
    w = proc.world
    if not args:
        _netns_list(proc, w, args.opts)
        return
    cmd = args.take()
    if matches(cmd, "list") or cmd in ("show", "lst"):
        _netns_list(proc, w, args.opts)
    elif matches(cmd, "add"):
        if not args:
            raise IpExit("No netns name specified\n", 1)
        try:
            w.netns_add(args.take())
        except KernelError as e:
            raise IpExit(e.message + "\n", 1) from None
    elif matches(cmd, "delete"):
        if not args:
            raise IpExit("No netns name specified\n", 1)
        try:
            w.netns_del(args.take())
        except KernelError as e:
            raise IpExit(e.message + "\n", 1) from None
    elif matches(cmd, "exec"):
        if not args:
            raise IpExit("No netns name specified\n", 1)
        name = args.take()
        if not args:
            raise IpExit("No command specified\n", 1)
        w.netns(name)  # Cannot open network namespace ... (255)
        raise IpExit("", _exec(proc, name, args.words[args.pos :]))
    else:
        raise IpExit(f'Command "{cmd}" is unknown, try "ip netns help".\n', 255)


def _netns_list(proc: Proc, w: World, opts: Opts) -> None:
    here = w.netns(opts.netns)
    names = [n for n in reversed(w.kernel.namespaces) if n != INIT_NET]
    ids = {other.name: nsid for other, nsid in here.netns_ids.items()}
    if opts.json:
        from netsim.tools.ip_util import emit_json

        recs = [{"name": n, **({"id": ids[n]} if n in ids else {})} for n in names]
        emit_json(proc, opts, recs)
        return
    proc.out("".join(f"{n} (id: {ids[n]})\n" if n in ids else f"{n}\n" for n in names))


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
