"""``ip`` (iproute2 6.1): global options and the object dispatch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, Opts, matches, run_iproute

__all__ = ["ip_main"]

_USAGE: Final = (
    "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n"
    "where  OBJECT := { address | link | neighbour | netns | route | rule }\n"
    "       OPTIONS := { -4 | -6 | -0 | -f[amily] { inet | inet6 | link } | -br[ief] |\n"
    "                    -d[etails] | -j[son] | -p[retty] | -n[etns] name | -s[tatistics] }\n"
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


#: -4, -6, -0 and the ``-f`` names (``read_family()``): 0 any, 4 inet, 6 inet6, 17 link.
_FAMILIES: Final = {"-4": 4, "-6": 6, "-0": 17}
_FAMILY_NAMES: Final = {"inet": 4, "inet6": 6, "link": 17, "packet": 17}


def _family(name: str) -> int:
    if name in _FAMILY_NAMES:
        return _FAMILY_NAMES[name]
    if name in ("help",):
        raise IpExit(_USAGE, 255)
    raise IpExit(f'Error: argument "{name}" is wrong: invalid protocol family\n', 255)


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
        elif opt in _FAMILIES:
            opts.family = _FAMILIES[opt]
        elif opt in ("-f", "-family"):
            if not args:
                raise IpExit(_USAGE, 255)
            opts.family = _family(args.take())
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
    from netsim.tools.ip_neigh import do_ipneigh
    from netsim.tools.ip_netns import do_netns
    from netsim.tools.ip_route import do_iproute
    from netsim.tools.ip_rule import do_iprule

    return {
        "address": do_ipaddr,
        "link": do_iplink,
        "route": do_iproute,
        "rule": do_iprule,
        "neighbor": do_ipneigh,
        "neighbour": do_ipneigh,
        "netns": do_netns,
    }
