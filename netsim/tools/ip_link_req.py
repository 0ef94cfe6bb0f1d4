"""``iplink_parse()``: the options every ``ip link`` command shares, up to ``type``."""

from __future__ import annotations

import errno
from dataclasses import dataclass

from netsim.errors import KernelError
from netsim.kernel import INIT_NET
from netsim.shell.proc import Proc
from netsim.tools.ip_util import Args, IpExit, invarg, matches

__all__ = ["UNSET", "LinkReq", "iplink_parse", "is_lladdr", "parse_int"]

UNSET = object()


@dataclass
class LinkReq:
    """What ``iplink_parse()`` collects."""

    dev: str | None = None
    name: str | None = None
    up: bool | None = None
    address: str | None = None
    mtu: int | None = None
    netns: str | None = None
    master: object = UNSET
    type: str | None = None
    promisc: bool | None = None
    allmulti: bool | None = None
    #: ``link DEV``: the lower device (vlan, macvlan, ipvlan, a veth peer's ...).
    link: str | None = None


def parse_int(value: str, what: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        raise invarg(f'Invalid "{what}" value\n', value) from None


def iplink_parse(proc: Proc, args: Args, req: LinkReq, ns: str) -> None:
    """``iplink_parse()``, in its keyword order, up to and including ``type``."""
    while args:
        word = args.take()
        if word == "up":
            req.up = True
        elif word == "down":
            req.up = False
        elif word == "name":
            req.name = args.next_arg()
        elif matches(word, "link"):
            req.link = args.next_arg()
        elif matches(word, "address"):
            req.address = args.next_arg()
            if not is_lladdr(req.address):
                raise IpExit(f'"{req.address}" is invalid lladdr.\n', 1)
        elif (
            matches(word, "broadcast")
            or word == "brd"
            or matches(word, "txqueuelen")
            or word == "qlen"
            or matches(word, "txqlen")
        ):
            raise IpExit(f'netsim: ip link: "{word}" is not supported\n', 1)
        elif word == "mtu":
            req.mtu = parse_int(args.next_arg(), "mtu")
        elif word == "promisc":
            value = args.next_arg()
            if value not in ("on", "off"):
                msg = f'Error: argument of "promisc" must be "on" or "off", not "{value}"\n'
                raise IpExit(msg, 1)
            req.promisc = value == "on"
        elif word == "allmulticast":
            value = args.next_arg()
            if value not in ("on", "off"):
                msg = f'Error: argument of "allmulticast" must be "on" or "off", not "{value}"\n'
                raise IpExit(msg, 1)
            req.allmulti = value == "on"
        elif word == "netns":
            req.netns = _netns_value(proc, args.next_arg())
        elif word == "master":
            value = args.next_arg()
            if value not in proc.world.netns(ns):
                raise invarg("Device does not exist\n", value)
            req.master = value
        elif matches(word, "nomaster"):
            req.master = None
        elif matches(word, "type"):
            req.type = args.next_arg()
            return
        else:
            if matches(word, "help"):
                raise IpExit("Usage: ip link { add | set | delete | show } ...\n", 255)
            if word == "dev":
                word = args.next_arg()
            if req.dev is not None:
                raise IpExit(f'Error: either "dev" is duplicate, or "{word}" is a garbage.\n', 255)
            req.dev = word


def _netns_value(proc: Proc, value: str) -> str:
    """A name under /run/netns, else a PID (``IFLA_NET_NS_PID``): netsim's only
    process is PID 1, init, which lives in the initial namespace."""
    if value in proc.world.kernel.namespaces:
        return value
    try:
        pid = int(value, 0)
    except ValueError:
        raise invarg('Invalid "netns" value\n', value) from None
    if pid != 1:
        raise KernelError(errno.ESRCH)  # rtnl_link_get_net(): find_task_by_pid() found none
    return INIT_NET


def is_lladdr(text: str) -> bool:
    parts = text.split(":")
    return len(parts) == 6 and all(len(p) in (1, 2) and _hex(p) for p in parts)


def _hex(p: str) -> bool:
    try:
        int(p, 16)
    except ValueError:
        return False
    return True
