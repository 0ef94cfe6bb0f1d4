"""``ip link add NAME link DEV type macvlan|dummy|ifb OPTIONS``: iproute2 6.1
``ip/iplink_macvlan.c`` (``macvlan_parse_opt``), its messages and exit
statuses; ``dummy`` and ``ifb`` have no options parser (anything after it is ignored)."""

from __future__ import annotations

from typing import Final

from netsim.addr import MacAddr
from netsim.shell.proc import Proc
from netsim.tools.ip_link_req import LinkReq, is_lladdr
from netsim.tools.ip_util import Args, IpExit, matches

__all__ = ["dummy_add", "ifb_add", "lower_name", "macvlan_add"]

_USAGE: Final = """Usage: ... macvlan mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
\tmacaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]
"""

_MODES: Final = ("private", "vepa", "bridge", "passthru", "source")


def lower_name(proc: Proc, req: LinkReq, ns: str) -> str | None:
    """``link DEV``: iproute2 resolves the name first (``Cannot find device``)."""
    if req.link is None:
        return None
    proc.world.netns(ns).dev(req.link)
    return req.link


def dummy_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``type dummy``: iproute2 has no parser for it and sends the rest unread."""
    for _ in args:
        pass
    proc.world.add_dummy(name, netns=ns, address=req.address, mtu=req.mtu)


def ifb_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``type ifb``: no parser either."""
    for _ in args:
        pass
    proc.world.add_ifb(name, netns=ns, address=req.address, mtu=req.mtu)


def _usage(msg: str = "") -> IpExit:
    return IpExit(msg + _USAGE, 1)


def _macaddrs(args: Args, out: list[MacAddr]) -> None:
    """``macaddr add|del|flush|set ...`` at creation (``macvlan_changelink_sources``)."""
    how = args.next_arg()
    if how in ("add", "del"):
        mac = args.next_arg()
        if not is_lladdr(mac):
            raise IpExit(f'"{mac}" is invalid lladdr.\n', 1)
        if how == "add" and MacAddr(mac) not in out:
            out.append(MacAddr(mac))
    elif how == "set":
        out.clear()
        while args and is_lladdr(args.peek()):
            one = MacAddr(args.take())
            if one not in out:
                out.append(one)
    elif how != "flush":
        raise _usage()


def macvlan_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``macvlan_parse_opt()``, then ``RTM_NEWLINK``."""
    link = lower_name(proc, req, ns)
    mode: str | None = None
    flags = 0
    has_flags = False
    bcqueuelen = 1000
    macs: list[MacAddr] = []
    macaddr_given = False
    while args:
        word = args.take()
        if matches(word, "mode"):
            mode = args.next_arg()
            if mode not in _MODES:
                raise IpExit(
                    'Error: argument of "mode" must be "private", "vepa", "bridge", '
                    f'"passthru" or "source", not "{mode}"\n',
                    1,
                )
        elif matches(word, "flag"):
            value = args.next_arg()
            if value not in ("nopromisc", "nodst", "null"):
                raise IpExit(
                    'Error: argument of "flag" must be "nopromisc", "nodst" or "null", '
                    f'not "{value}"\n',
                    1,
                )
            flags |= {"nopromisc": 1, "nodst": 2, "null": 0}[value]
            has_flags = True
        elif matches(word, "macaddr"):
            macaddr_given = True
            _macaddrs(args, macs)
        elif matches(word, "nopromisc"):
            flags, has_flags = flags | 1, True
        elif matches(word, "nodst"):
            flags, has_flags = flags | 2, True
        elif matches(word, "bcqueuelen"):
            value = args.next_arg()
            if not value.isdigit() or int(value) > 0xFFFFFFFF:
                raise IpExit(
                    'Error: argument of "bcqueuelen" must be a positive integer '
                    f'[0-4294967295], not "{value}"\n',
                    1,
                )
            bcqueuelen = int(value)
        elif matches(word, "help"):
            raise _usage()
        else:
            raise _usage(f'macvlan: unknown option "{word}"?\n')
    if has_flags and flags & 1 and mode != "passthru":
        raise _usage("macvlan: nopromisc flag only valid in passthru mode\n")
    proc.world.add_macvlan(name, link, netns=ns, mode=mode, nopromisc=bool(flags & 1),
                           nodst=bool(flags & 2), address=req.address, mtu=req.mtu,
                           bcqueuelen=bcqueuelen,
                           macaddrs=tuple(macs) if macaddr_given else None)  # fmt: skip
