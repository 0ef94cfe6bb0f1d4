"""Immutable packet headers with wire encoding and decoding.

Each header is a frozen, slotted dataclass holding the fields a simulated
kernel reads and writes; nesting follows the wire: :class:`Ethernet` carries
:class:`ARP` or :class:`IPv4`, :class:`IPv4` carries :class:`ICMP`,
:class:`UDP` or :class:`TCP`, :class:`UDP` carries :class:`VXLAN`, which
carries an :class:`Ethernet` again, or :class:`DHCP`.  Anything else stays ``bytes``.

``wire_len`` gives a header's encoded size without encoding (the forwarding
path uses it for MTU checks); ``encode()`` and ``decode()`` are for captures
and tests only.  Checksums and lengths are computed on encode; decoding raises
:class:`DecodeError` on truncated or malformed input.
"""

from __future__ import annotations

from netsim.packet.arp import (
    ARP,
    ARP_LEN,
    ARPHRD_ETHER,
    ARPOP_REPLY,
    ARPOP_REQUEST,
    ETH_P_ARP,
)
from netsim.packet.checksum import internet_checksum, ones_complement_sum, pseudo_header_sum
from netsim.packet.dhcp import DHCP
from netsim.packet.errors import DecodeError
from netsim.packet.ethernet import (
    ETH_HLEN,
    ETH_P_8021Q,
    ETH_ZLEN,
    VLAN_HLEN,
    Dot1Q,
    Ethernet,
)
from netsim.packet.icmp import (
    ICMP,
    ICMP_DEST_UNREACH,
    ICMP_ECHO,
    ICMP_ECHOREPLY,
    ICMP_EXC_FRAGTIME,
    ICMP_EXC_TTL,
    ICMP_FRAG_NEEDED,
    ICMP_HLEN,
    ICMP_HOST_UNREACH,
    ICMP_NET_UNREACH,
    ICMP_PARAMETERPROB,
    ICMP_PORT_UNREACH,
    ICMP_PROT_UNREACH,
    ICMP_QUOTING_TYPES,
    ICMP_REDIRECT,
    ICMP_SOURCE_QUENCH,
    ICMP_TIME_EXCEEDED,
    IPPROTO_ICMP,
)
from netsim.packet.ipv4 import DF, ETH_P_IP, IPV4_HLEN, MF, IPv4, ipv4_addr
from netsim.packet.tcp import (
    IPPROTO_TCP,
    TCP,
    TCP_ACK,
    TCP_CWR,
    TCP_ECE,
    TCP_FIN,
    TCP_HLEN,
    TCP_PSH,
    TCP_RST,
    TCP_SYN,
    TCP_URG,
)
from netsim.packet.udp import IPPROTO_UDP, UDP, UDP_HLEN
from netsim.packet.vxlan import (
    IANA_VXLAN_UDP_PORT,
    VXLAN,
    VXLAN_FLAG_I,
    VXLAN_HLEN,
    VXLAN_LINUX_UDP_PORT,
    VXLAN_PORTS,
)

__all__ = [
    "ARP",
    "ARPHRD_ETHER",
    "ARPOP_REPLY",
    "ARPOP_REQUEST",
    "ARP_LEN",
    "DF",
    "DHCP",
    "ETH_HLEN",
    "ETH_P_8021Q",
    "ETH_P_ARP",
    "ETH_P_IP",
    "ETH_ZLEN",
    "IANA_VXLAN_UDP_PORT",
    "ICMP",
    "ICMP_DEST_UNREACH",
    "ICMP_ECHO",
    "ICMP_ECHOREPLY",
    "ICMP_EXC_FRAGTIME",
    "ICMP_EXC_TTL",
    "ICMP_FRAG_NEEDED",
    "ICMP_HLEN",
    "ICMP_HOST_UNREACH",
    "ICMP_NET_UNREACH",
    "ICMP_PARAMETERPROB",
    "ICMP_PORT_UNREACH",
    "ICMP_PROT_UNREACH",
    "ICMP_QUOTING_TYPES",
    "ICMP_REDIRECT",
    "ICMP_SOURCE_QUENCH",
    "ICMP_TIME_EXCEEDED",
    "IPPROTO_ICMP",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "IPV4_HLEN",
    "MF",
    "TCP",
    "TCP_ACK",
    "TCP_CWR",
    "TCP_ECE",
    "TCP_FIN",
    "TCP_HLEN",
    "TCP_PSH",
    "TCP_RST",
    "TCP_SYN",
    "TCP_URG",
    "UDP",
    "UDP_HLEN",
    "VLAN_HLEN",
    "VXLAN",
    "VXLAN_FLAG_I",
    "VXLAN_HLEN",
    "VXLAN_LINUX_UDP_PORT",
    "VXLAN_PORTS",
    "DecodeError",
    "Dot1Q",
    "Ethernet",
    "IPv4",
    "internet_checksum",
    "ipv4_addr",
    "ones_complement_sum",
    "pseudo_header_sum",
]
