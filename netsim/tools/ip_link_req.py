"""``iplink_parse()``: the options every ``ip link`` command shares, up to ``type``."""

from __future__ import annotations

import errno
from dataclasses import dataclass

from netsim.errors import KernelError
from netsim.kernel import INIT_NET
from netsim.kernel.setlink import IFALIASZ
from netsim.shell.proc import Proc
from netsim.tools.ip_neigh import ll_addr_a2n
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
    #: How many bytes ``address`` has (``ll_addr_a2n``); checked against the device.
    addr_len: int = 0
    #: ``alias NAME`` (``IFLA_IFALIAS``; the kernel applies it on set only).
    alias: str | None = None

    def check_addr_len(self, *, existing: bool) -> None:
        """A link-layer address must have the device's 6 bytes: ``ip link set``
        says so itself (``iplink_parse()``); a new device's is the kernel's EINVAL."""
        if self.address is None or self.addr_len == 6:
            return
        if existing:
            msg = f"Invalid address length {self.addr_len} - must be 6 bytes\n"
            raise IpExit(msg, 1)
        raise KernelError(errno.EINVAL)


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
            raw = ll_addr_a2n(args.next_arg())  # "PART" is invalid lladdr.
            req.address = ":".join(f"{b:02x}" for b in raw)
            req.addr_len = len(raw)
        elif matches(word, "alias"):
            req.alias = args.next_arg()
            if len(req.alias.encode()) >= IFALIASZ:
                raise invarg("alias too long\n", req.alias)
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
            req.promisc = _on_off(word, args.next_arg())
        elif word == "allmulticast":
            req.allmulti = _on_off(word, args.next_arg())
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


def _on_off(word: str, value: str) -> bool:
    """``parse_on_off()``: ``on`` or ``off``, else iproute2's message (exit 1)."""
    if value not in ("on", "off"):
        raise IpExit(f'Error: argument of "{word}" must be "on" or "off", not "{value}"\n', 1)
    return value == "on"


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
