"""``ip route ... nexthop via GW dev D weight W [onlink] nexthop ...``
(iproute2 6.1 ``ip/iproute.c``: ``parse_nexthops()``, ``parse_one_nh()``)."""

from __future__ import annotations

from netsim.addr import ip4
from netsim.errors import NoSuchDevice
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, matches
from netsim.world_ipv4 import MultipathHop

__all__ = ["parse_nexthops"]


def parse_nexthops(proc: Proc, args: Args, family: int) -> list[MultipathHop]:
    """The hops from ``nexthop`` to the end of the line; nothing else may follow
    (``"nexthop" or end of line is expected instead of "X"``)."""
    hops: list[MultipathHop] = []
    while args:
        word = args.take()
        if word != "nexthop":
            msg = f'Error: "nexthop" or end of line is expected instead of "{word}"\n'
            raise IpExit(msg, 255)
        if not args:
            raise IpExit('Error: unexpected end of line after "nexthop"\n', 255)
        hops.append(_one_nh(proc, args, family))
    return hops


def _one_nh(proc: Proc, args: Args, family: int) -> MultipathHop:
    """``parse_one_nh()``: ``via``, ``dev``, ``weight``, ``onlink`` until another
    word (the first ``via`` is the one the kernel takes)."""
    gw: str | None = None
    dev: str | None = None
    weight = 1
    onlink = False
    while args:
        word = args.peek()
        if word == "via":
            args.take()
            value = args.next_arg()
            if value in ("inet", "inet6"):
                value = args.next_arg()
            _gateway(value, family)
            gw = gw or value
        elif word == "dev":
            args.take()
            dev = args.next_arg()
            try:
                proc.world.netns(args.opts.netns).dev(dev)
            except NoSuchDevice as e:
                raise IpExit(f"{e.message}\nError: cannot parse nexthop\n", 255) from None
        elif word == "weight":
            args.take()
            weight = _weight(args.next_arg())
        elif word == "onlink":
            args.take()
            onlink = True
        elif matches(word, "realms") or word in ("encap", "as"):
            raise IpExit(f'netsim: ip route: nexthop "{word}" is not supported\n', 1)
        else:
            break
    return (gw, dev, weight, onlink)


def _gateway(value: str, family: int) -> None:
    if ":" in value and family != 4:
        return  # an IPv6 gateway: the route is refused later
    try:
        ip4(value)
    except ValueError:
        name = "inet6" if family == 6 else "inet"
        raise IpExit(f'Error: {name} address is expected rather than "{value}".\n', 1) from None


def _weight(value: str) -> int:
    """``get_unsigned()``, 1..256 (``rtnh_hops`` is the weight minus one)."""
    try:
        w = int(value, 0)
    except ValueError:
        w = 0
    if not 1 <= w <= 256:
        raise IpExit(f'Error: argument "{value}" is wrong: "weight" is invalid\n\n', 255)
    return w
