"""``ip link add|set NAME type vxlan OPTIONS``: iproute2 6.1 ``ip/iplink_vxlan.c``
(``vxlan_parse_opt``), its messages and exit statuses."""

from __future__ import annotations

import errno
import ipaddress
from typing import Any, Final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.vxlan import Vxlan, VxlanConfig
from netsim.kernel.links.vxlan_rtnl import vxlan_changelink, vxlan_newlink
from netsim.shell.proc import Proc
from netsim.tools.ip_link_req import LinkReq
from netsim.tools.ip_util import Args, IpExit, invarg, matches

__all__ = ["vxlan_add", "vxlan_set"]

_USAGE: Final = """Usage: ... vxlan id VNI
\t\t[ { group | remote } IP_ADDRESS ]
\t\t[ local ADDR ]
\t\t[ ttl TTL ]
\t\t[ tos TOS ]
\t\t[ df DF ]
\t\t[ flowlabel LABEL ]
\t\t[ dev PHYS_DEV ]
\t\t[ dstport PORT ]
\t\t[ srcport MIN MAX ]
\t\t[ [no]learning ]
\t\t[ [no]proxy ]
\t\t[ [no]rsc ]
\t\t[ [no]l2miss ]
\t\t[ [no]l3miss ]
\t\t[ ageing SECONDS ]
\t\t[ maxaddress NUMBER ]
\t\t[ [no]udpcsum ]
\t\t[ [no]udp6zerocsumtx ]
\t\t[ [no]udp6zerocsumrx ]
\t\t[ [no]remcsumtx ] [ [no]remcsumrx ]
\t\t[ [no]external ] [ gbp ] [ gpe ]
\t\t[ [no]vnifilter ]

Where:\tVNI\t:= 0-16777215
\tADDR\t:= { IP_ADDRESS | any }
\tTOS\t:= { NUMBER | inherit }
\tTTL\t:= { 1..255 | auto | inherit }
\tDF\t:= { unset | set | inherit }
\tLABEL := 0-1048575
"""

_DSTPORT_WARNING: Final = (
    "vxlan: destination port not specified\n"
    "Will use Linux kernel default (non-standard value)\n"
    "Use 'dstport 4789' to get the IANA assigned value\n"
    "Use 'dstport 0' to get default and quiet this message\n"
)

#: on/off keywords -> VxlanConfig field (``[no]KEYWORD``).
_FLAGS: Final = {
    "learning": "learning",
    "proxy": "proxy",
    "rsc": "rsc",
    "l2miss": "l2miss",
    "l3miss": "l3miss",
    "udpcsum": "udp_csum",
}
#: flags iproute2 knows that the model has nothing for.
_NOT_MODELLED: Final = ("udp6zerocsumtx", "udp6zerocsumrx", "remcsumtx", "remcsumrx",
                        "external", "gbp", "gpe", "vnifilter", "flowlabel", "df")  # fmt: skip


def _strtoul(text: str, base: int = 0) -> int | None:
    """``strtoul()`` that must consume the whole word (iproute2's ``get_u*``)."""
    try:
        if base == 0 and text[:2].lower() == "0x":
            return int(text[2:], 16)
        if base == 0 and len(text) > 1 and text.startswith("0"):
            return int(text[1:], 8)
        return int(text, base or 10) if text.isalnum() else None
    except ValueError:
        return None


def _u(text: str, limit: int, what: str) -> int:
    n = _strtoul(text)
    if n is None or not 0 <= n <= limit:
        raise invarg(what, text)
    return n


def _addr(text: str) -> int:
    """``get_addr(AF_UNSPEC)``: an IPv4 address (IPv6 underlays are not modelled)."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        if text == "any":
            return 0
        raise IpExit(f'Error: any valid address is expected rather than "{text}".\n', 1) from None
    if ip.version != 4:
        raise IpExit("netsim: vxlan: IPv6 underlays are not modelled\n", 2)
    return int(ip)


def _where(proc: Proc, args: Args, ns: str, word: str, got: dict[str, Any]) -> bool:
    """``id``, ``group``, ``remote``, ``local`` and ``dev``."""
    if matches(word, "id") or matches(word, "vni"):
        value = args.next_arg()
        n = _strtoul(value)
        if n is None or n >= 1 << 24:
            raise invarg("invalid id", value)
        got["vni"] = n
    elif matches(word, "group") or matches(word, "remote") or matches(word, "local"):
        key = "group" if word[0] == "g" else "remote" if word[0] == "r" else "local"
        value = args.next_arg()
        ip = _addr(value)
        if (ip >> 28 == 0xE) != (key == "group"):
            raise invarg(f"invalid {key} address", value)
        got[key] = ip
    elif matches(word, "dev"):
        value = args.next_arg()
        if value not in proc.world.netns(ns):
            raise IpExit(f'Cannot find device "{value}"\n', 255)
        got["link"] = proc.world.netns(ns).dev(value).ifindex
    else:
        return False
    return True


def _how(args: Args, word: str, got: dict[str, Any]) -> bool:
    """``ttl``, ``tos``, ``ageing``, ``maxaddress``, ``srcport`` and ``dstport``."""
    if matches(word, "ttl") or matches(word, "hoplimit"):
        value = args.next_arg()
        if value == "inherit":
            got["ttl"], got["ttl_inherit"] = 0, True
            return True
        n = 0 if value == "auto" else _strtoul(value)
        if n is None:
            raise invarg("invalid TTL", value)
        if n > 255:
            raise invarg("TTL must be <= 255", value)
        got["ttl"], got["ttl_inherit"] = n, False
    elif matches(word, "tos") or matches(word, "dsfield"):
        value = args.next_arg()
        n = 1 if value == "inherit" else _strtoul(value, 16)
        if n is None or n > 255:
            raise invarg("bad TOS value", value)
        got["tos"] = n
    elif matches(word, "ageing"):
        value = args.next_arg()
        got["ageing"] = 0 if value == "none" else _u(value, 2**32 - 1, "ageing")
    elif matches(word, "maxaddress"):
        value = args.next_arg()
        got["addrmax"] = 0 if value == "unlimited" else _u(value, 2**32 - 1, "max addresses")
    elif matches(word, "port") or matches(word, "srcport"):
        low = _u(args.next_arg(), 0xFFFF, "min port")
        high = _u(args.next_arg(), 0xFFFF, "max port")
        got["port_min"], got["port_max"] = low, high
    elif matches(word, "dstport"):
        got["dst_port"] = _u(args.next_arg(), 0xFFFF, "dst port")
    else:
        return False
    return True


def _parse(proc: Proc, args: Args, ns: str, *, set_op: bool) -> tuple[dict[str, Any], bool]:
    """The option loop; returns the given fields and whether ``dstport`` was."""
    got: dict[str, Any] = {}
    for word in args:
        if _where(proc, args, ns, word, got) or _how(args, word, got):
            continue
        if word.removeprefix("no") in _FLAGS:
            got[_FLAGS[word.removeprefix("no")]] = not word.startswith("no")
        elif word.removeprefix("no") in _NOT_MODELLED:
            raise IpExit(f'netsim: vxlan: "{word}" is not supported\n', 1)
        elif matches(word, "help"):
            raise IpExit(_USAGE, 255)
        else:
            raise IpExit(f'vxlan: unknown command "{word}"?\n{_USAGE}', 1)
    if "group" in got and "remote" in got:
        raise IpExit("vxlan: both group and remote cannot be specified\n", 1)
    if not set_op and "vni" not in got:
        raise IpExit("vxlan: missing virtual network identifier\n", 1)
    if "group" in got and "link" not in got:
        raise IpExit("vxlan: 'group' requires 'dev' to be specified\n", 1)
    if "group" in got:
        got["remote"] = got.pop("group")
    return got, "dst_port" in got


def vxlan_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``ip link add NAME [address MAC] [mtu N] type vxlan id VNI ...``."""
    got, port_given = _parse(proc, args, ns, set_op=False)
    if not port_given:
        proc.err(_DSTPORT_WARNING)
    if not got.get("dst_port"):
        got["dst_port"] = 8472  # the module's udp_port
    if got.get("port_min", 0) > got.get("port_max", 0):
        raise KernelError(errno.EINVAL, "Invalid source port range")
    vni = got.pop("vni")
    cfg = VxlanConfig(vni, **got)
    address = MacAddr(req.address) if req.address is not None else None
    vxlan_newlink(proc.world.kernel, proc.world.netns(ns), name, cfg, address=address,
                  mtu=req.mtu)  # fmt: skip


def vxlan_set(proc: Proc, args: Args, ns: str, dev: str) -> None:
    """``ip link set DEV type vxlan ...`` (``vxlan_changelink``)."""
    link = proc.world.netns(ns).dev(dev)
    got, _ = _parse(proc, args, ns, set_op=True)
    if not isinstance(link, Vxlan):
        raise KernelError(errno.EOPNOTSUPP)
    if got.get("dst_port") == 0:
        got["dst_port"] = link.cfg.dst_port
    vxlan_changelink(proc.world.kernel, link, **got)
