"""rtnetlink constants (``include/uapi/linux/rtnetlink.h``) and their iproute2 names."""

from __future__ import annotations

from typing import Final

# route scopes (rtm_scope)
RT_SCOPE_UNIVERSE: Final = 0
RT_SCOPE_SITE: Final = 200
RT_SCOPE_LINK: Final = 253
RT_SCOPE_HOST: Final = 254
RT_SCOPE_NOWHERE: Final = 255

SCOPE_NAMES: Final = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

# route types (rtm_type)
RTN_UNSPEC: Final = 0
RTN_UNICAST: Final = 1
RTN_LOCAL: Final = 2
RTN_BROADCAST: Final = 3
RTN_ANYCAST: Final = 4
RTN_MULTICAST: Final = 5
RTN_BLACKHOLE: Final = 6
RTN_UNREACHABLE: Final = 7
RTN_PROHIBIT: Final = 8
RTN_THROW: Final = 9

TYPE_NAMES: Final = {
    1: "unicast",
    2: "local",
    3: "broadcast",
    4: "anycast",
    5: "multicast",
    6: "blackhole",
    7: "unreachable",
    8: "prohibit",
    9: "throw",
}
TYPES_BY_NAME: Final = {v: k for k, v in TYPE_NAMES.items()}

# route protocols (rtm_protocol)
RTPROT_UNSPEC: Final = 0
RTPROT_REDIRECT: Final = 1
RTPROT_KERNEL: Final = 2
RTPROT_BOOT: Final = 3
RTPROT_STATIC: Final = 4

PROTO_NAMES: Final = {
    1: "redirect",
    2: "kernel",
    3: "boot",
    4: "static",
    8: "gated",
    9: "ra",
    10: "mrt",
    11: "zebra",
    12: "bird",
    13: "dnrouted",
    14: "xorp",
    15: "ntk",
    16: "dhcp",
    42: "babel",
    186: "bgp",
    187: "isis",
    188: "ospf",
    189: "rip",
    192: "eigrp",
}
PROTOS_BY_NAME: Final = {v: k for k, v in PROTO_NAMES.items()}

# tables
RT_TABLE_UNSPEC: Final = 0
RT_TABLE_DEFAULT: Final = 253
RT_TABLE_MAIN: Final = 254
RT_TABLE_LOCAL: Final = 255

TABLE_NAMES: Final = {253: "default", 254: "main", 255: "local"}


def table_name(table: int) -> str:
    """What iproute2 prints for a table id."""
    return TABLE_NAMES.get(table, str(table))
