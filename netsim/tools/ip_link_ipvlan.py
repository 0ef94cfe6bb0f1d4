"""``ip link add NAME link DEV type ipvlan OPTIONS``: iproute2 6.1
``ip/iplink_ipvlan.c`` (``ipvlan_parse_opt``), its messages and exit statuses."""

from __future__ import annotations

from typing import Final

from netsim.shell.proc import Proc
from netsim.tools.ip_link_macvlan import lower_name
from netsim.tools.ip_link_req import LinkReq
from netsim.tools.ip_util import Args, IpExit, matches

__all__ = ["ipvlan_add"]

#: The mode flags, in ``ipvlan_parse_opt()``'s order (each only once).
_FLAGS: Final = ("private", "vepa", "bridge")

_USAGE: Final = """Usage: ... ipvlan [ mode MODE ] [ FLAGS ]

MODE: l3 | l3s | l2
FLAGS: bridge | private | vepa
(first values are the defaults if nothing is specified).
"""


def ipvlan_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``ipvlan_parse_opt()``, then ``RTM_NEWLINK`` (``IFLA_IPVLAN_FLAGS`` is
    always sent, so the latest ipvlan on a lower resets the port's flag)."""
    link = lower_name(proc, req, ns)
    mode: str | None = None
    flag = "bridge"
    flag_given = False
    while args:
        word = args.take()
        if matches(word, "mode"):
            mode = args.next_arg()
            if mode not in ("l2", "l3", "l3s"):
                raise IpExit('Error: argument of "mode" must be either "l2", "l3" or "l3s"\n', 1)
        elif not flag_given and any(matches(word, f) for f in _FLAGS):
            flag = next(f for f in _FLAGS if matches(word, f))
            flag_given = True
        elif matches(word, "help"):
            raise IpExit(_USAGE, 1)
        else:
            raise IpExit(f'ipvlan: unknown option "{word}"?\n' + _USAGE, 1)
    proc.world.add_ipvlan(name, link, netns=ns, mode=mode, flag=flag, mtu=req.mtu)
