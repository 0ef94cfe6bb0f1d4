"""``ip -6 ...`` and IPv6 addresses given to ``ip``: the model has no IPv6.

Every namespace behaves as a real one whose devices all have
``net.ipv6.conf.*.disable_ipv6=1``: ``ip -6 addr``/``route``/``neigh`` list
nothing, ``ip -6 rule`` the two default rules, and requests the kernel would
refuse in that state get the kernel's answer (``Error: ipv6: IPv6 is disabled
on this device.``, ``Error: IPv6 is disabled on nexthop device.``,
``RTNETLINK answers: No route to host`` / ``Network is unreachable``).  What
such a kernel would accept and keep (an ``unreachable`` IPv6 route, an IPv6
rule, an IPv6 proxy neighbour) is refused with ``netsim: IPv6 is not
modelled`` (exit status 2) rather than silently dropped.
"""

from __future__ import annotations

import errno
from typing import Any, Final

from netsim.errors import KernelError
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, Opts, emit_json, matches

__all__ = [
    "NOT_MODELLED",
    "addr_v6",
    "check_family",
    "not_modelled",
    "route_v6",
    "route_v6_show",
    "rule_v6",
]

NOT_MODELLED: Final = "netsim: IPv6 is not modelled"

#: ``ip -6 rule`` in a fresh namespace (``fib6_rules_net_init``).
_RULES: Final = [
    {"priority": 0, "src": "all", "table": "local"},
    {"priority": 32766, "src": "all", "table": "main"},
]


def not_modelled() -> KernelError:
    return KernelError(errno.EAFNOSUPPORT, message=NOT_MODELLED)


def check_family(word: str, family: int, what: str = "prefix") -> None:
    """``get_prefix()``/``get_addr()`` under ``-4``/``-6``: the other family's
    address is refused (exit 1)."""
    v6 = ":" in word
    if family == 4 and v6:
        raise IpExit(f'Error: inet {what} is expected rather than "{word}".\n', 1)
    if family == 6 and not v6:
        raise IpExit(f'Error: inet6 {what} is expected rather than "{word}".\n', 1)


def route_v6(proc: Proc, opts: Opts, dst: str, verb: str, kw: dict[str, Any]) -> None:
    """``ip [-6] route add|del|... IPV6-PREFIX ...`` on devices without IPv6."""
    check_family(dst, opts.family or 6)
    if "dev" in kw:
        proc.world.netns(opts.netns).dev(kw["dev"])  # Cannot find device
    if verb == "del":
        raise KernelError(errno.ESRCH)
    rtype = kw.get("type", "unicast")
    if rtype not in ("unicast", "local"):
        raise not_modelled()  # blackhole & co: no device needed, the kernel keeps them
    hops = kw.get("nexthops") or [(kw.get("via"), kw.get("dev"), 1)]
    if any(hop[1] is not None for hop in hops):
        raise KernelError(errno.EACCES, "IPv6 is disabled on nexthop device")
    if any(hop[0] is not None for hop in hops):
        raise KernelError(errno.EHOSTUNREACH)
    raise KernelError(errno.ENODEV)


def route_v6_show(proc: Proc, opts: Opts) -> None:
    """``ip -6 route show|flush ...``: no IPv6 routes."""
    if opts.json:
        emit_json(proc, opts, [])


def addr_v6(proc: Proc, args: Args, verb: str, local: str, dev: str) -> None:
    """``ip addr add|del IPV6/LEN dev D``: ``addrconf`` refuses both."""
    check_family(local, args.opts.family or 6)
    proc.world.netns(args.opts.netns).dev(dev)  # Cannot find device
    if verb == "add":
        raise KernelError(errno.EPERM, "ipv6: IPv6 is disabled on this device")
    raise KernelError(errno.EADDRNOTAVAIL, "ipv6: address not found")


def rule_v6(proc: Proc, args: Args, cmd: str) -> None:
    """``ip -6 rule``: the two default rules; changes are not modelled."""
    if matches(cmd, "list") or matches(cmd, "show") or matches(cmd, "lst"):
        from netsim.iproute import ip_rule_show

        if args.opts.json:
            emit_json(proc, args.opts, _RULES)
        else:
            proc.out(ip_rule_show(_RULES, details=args.opts.details))
        return
    raise not_modelled()
