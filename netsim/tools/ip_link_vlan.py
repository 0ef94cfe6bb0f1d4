"""``ip link add link DEV NAME type vlan OPTIONS``: iproute2 6.1
``ip/iplink_vlan.c`` (``vlan_parse_opt``), its messages and exit statuses."""

from __future__ import annotations

from typing import Final

from netsim.kernel.links.vlan import (
    VLAN_FLAG_BRIDGE_BINDING,
    VLAN_FLAG_GVRP,
    VLAN_FLAG_LOOSE_BINDING,
    VLAN_FLAG_MVRP,
    VLAN_FLAG_REORDER_HDR,
)
from netsim.shell.proc import Proc
from netsim.tools.ip_link_macvlan import lower_name
from netsim.tools.ip_link_req import LinkReq
from netsim.tools.ip_util import Args, IpExit, invarg, matches

__all__ = ["vlan_add"]

_USAGE: Final = """Usage: ... vlan id VLANID
\t\t[ protocol VLANPROTO ]
\t\t[ reorder_hdr { on | off } ]
\t\t[ gvrp { on | off } ]
\t\t[ mvrp { on | off } ]
\t\t[ loose_binding { on | off } ]
\t\t[ bridge_binding { on | off } ]
\t\t[ ingress-qos-map QOS-MAP ]
\t\t[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO
"""

_FLAGS: Final = (
    ("reorder_hdr", VLAN_FLAG_REORDER_HDR),
    ("gvrp", VLAN_FLAG_GVRP),
    ("mvrp", VLAN_FLAG_MVRP),
    ("loose_binding", VLAN_FLAG_LOOSE_BINDING),
    ("bridge_binding", VLAN_FLAG_BRIDGE_BINDING),
)

#: ``ll_proto_a2n()``'s names (a few of them; case does not matter).
_PROTOCOLS: Final = {"802.1q": 0x8100, "802.1ad": 0x88A8, "ip": 0x0800, "arp": 0x0806,
                     "ipv6": 0x86DD}  # fmt: skip


def _u16(text: str) -> int | None:
    """``get_u16(..., 0)``: decimal, 0x hex or 0 octal, 0-65535."""
    try:
        value = int(text, 16 if text.lower().startswith("0x") else 8 if text[:1] == "0" else 10)
    except ValueError:
        return None
    return value if 0 <= value <= 0xFFFF else None


def _protocol(text: str) -> int:
    proto = _PROTOCOLS.get(text.lower())
    if proto is None:
        proto = _u16(text)
    if proto is None:
        raise invarg("protocol is invalid", text)
    return proto


def vlan_add(proc: Proc, args: Args, req: LinkReq, ns: str, name: str) -> None:
    """``vlan_parse_opt()``, then ``RTM_NEWLINK``."""
    link = lower_name(proc, req, ns)
    has_data = bool(args)
    vid: int | None = None
    protocol = 0x8100
    flags = mask = 0
    while args:
        word = args.take()
        if matches(word, "protocol"):
            protocol = _protocol(args.next_arg())
        elif matches(word, "id"):
            value = args.next_arg()
            vid = _u16(value)
            if vid is None:
                raise invarg("id is invalid", value)
        elif matches(word, "ingress-qos-map") or matches(word, "egress-qos-map"):
            raise IpExit(f'netsim: ip link: vlan "{word}" is not supported\n', 1)
        elif matches(word, "help"):
            raise IpExit(_USAGE, 1)
        else:
            for key, bit in _FLAGS:
                if matches(word, key):
                    value = args.next_arg()
                    if value not in ("on", "off"):
                        raise IpExit(
                            f'Error: argument of "{key}" must be "on" or "off", not "{value}"\n',
                            1,
                        )
                    mask |= bit
                    flags = flags | bit if value == "on" else flags & ~bit
                    break
            else:
                raise IpExit(f'vlan: unknown command "{word}"?\n' + _USAGE, 1)
    proc.world.add_vlan(name, link, vid, netns=ns, protocol=protocol, flags=flags,
                        flags_mask=mask, address=req.address, mtu=req.mtu,
                        has_data=has_data)  # fmt: skip
