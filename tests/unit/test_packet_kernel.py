"""Packet headers against frames the real Linux kernel sent.

``tests/data/kernel_frames.json`` was recorded by ``tests/data/capture_frames.sh``
in a throwaway user + network namespace (two netns joined by a veth pair, two
VXLAN tunnels over it, TX checksum offload off so every checksum is the
kernel's own).  Each test decodes a frame, checks the fields the kernel chose,
and rebuilds the frame from fields to show that our encoding, lengths and
checksums give the kernel's bytes exactly.  Values the kernel draws at random
(IP IDs, TCP ISN and timestamps, VXLAN source ports) are taken from the
decoded frame.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netaddr import IPAddress

from netsim.addr import BROADCAST, MacAddr
from netsim.packet import (
    ARP,
    ARPOP_REPLY,
    ARPOP_REQUEST,
    DF,
    ETH_P_ARP,
    ETH_P_IP,
    ICMP,
    ICMP_PORT_UNREACH,
    IPPROTO_ICMP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    TCP,
    TCP_ACK,
    TCP_RST,
    TCP_SYN,
    UDP,
    VXLAN,
    Ethernet,
    IPv4,
    ipv4_addr,
)

DATA = Path(__file__).parent.parent / "data"
FIXTURE = json.loads((DATA / "kernel_frames.json").read_text())
FRAMES: dict[str, dict[str, Any]] = FIXTURE["frames"]

A_MAC = MacAddr("02:00:00:00:00:01")
B_MAC = MacAddr("02:00:00:00:00:02")
A_IP = ipv4_addr("10.0.0.1")
B_IP = ipv4_addr("10.0.0.2")
VX0_A_MAC = MacAddr("02:00:00:00:01:01")
VX0_B_MAC = MacAddr("02:00:00:00:01:02")
VX1_A_MAC = MacAddr("02:00:00:00:02:01")
VX1_B_MAC = MacAddr("02:00:00:00:02:02")
PING_PAYLOAD = bytes(range(0x10, 0x10 + 56))


def wire(name: str) -> bytes:
    return bytes.fromhex(FRAMES[name]["hex"])


def decoded(name: str) -> Ethernet:
    return Ethernet.decode(wire(name))


def ip_of(frame: Ethernet) -> IPv4:
    assert isinstance(frame.payload, IPv4)
    return frame.payload


def udp_of(frame: Ethernet) -> UDP:
    udp = ip_of(frame).payload
    assert isinstance(udp, UDP)
    return udp


def icmp_of(frame: Ethernet) -> ICMP:
    icmp = ip_of(frame).payload
    assert isinstance(icmp, ICMP)
    return icmp


def tcp_of(frame: Ethernet) -> TCP:
    tcp = ip_of(frame).payload
    assert isinstance(tcp, TCP)
    return tcp


def vxlan_of(frame: Ethernet) -> VXLAN:
    vx = udp_of(frame).payload
    assert isinstance(vx, VXLAN)
    return vx


def headers(h: object) -> Iterator[object]:
    """Every header nested in *h*, *h* first."""
    while not isinstance(h, bytes):
        yield h
        h = getattr(h, "payload", b"")


def test_fixture_provenance() -> None:
    assert FIXTURE["generated_by"] == "tests/data/capture_frames.sh"
    assert (DATA / "capture_frames.sh").is_file()
    assert (DATA / "capture_frames.py").is_file()
    assert FIXTURE["kernel"]
    for frame in FRAMES.values():
        assert frame["description"]
    assert not any(f.get("vlan_tag_from_auxdata") for f in FRAMES.values())


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_kernel_frame_round_trips(name: str) -> None:
    frame = decoded(name)
    assert frame.encode() == wire(name)
    assert frame.wire_len == len(wire(name))
    assert frame.trailer == b""  # veth does not pad short frames


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_our_checksums_equal_the_kernels(name: str) -> None:
    """Decoding leaves ``checksum=None`` only where our computed value equals the wire's."""
    for h in headers(decoded(name)):
        if isinstance(h, VXLAN):
            for inner in headers(h.payload):
                assert getattr(inner, "checksum", None) is None, inner
        elif isinstance(h, UDP) and name.startswith("vxlan_noudpcsum"):
            assert h.checksum == 0
        else:
            assert getattr(h, "checksum", None) is None, h


def test_arp_request() -> None:
    frame = decoded("arp_request")
    assert len(wire("arp_request")) == 42  # not padded to 60 on veth
    arp = frame.payload
    assert isinstance(arp, ARP)
    assert arp.op == ARPOP_REQUEST
    assert (arp.sha, arp.spa, arp.tpa) == (A_MAC, A_IP, B_IP)
    assert arp.tha == MacAddr(0)  # arp_send() with no target hardware address
    built = Ethernet(BROADCAST, A_MAC, ETH_P_ARP, ARP.request(A_MAC, "10.0.0.1", "10.0.0.2"))
    assert built.encode() == wire("arp_request")


def test_arp_reply() -> None:
    arp = decoded("arp_reply").payload
    assert isinstance(arp, ARP)
    assert arp.op == ARPOP_REPLY
    built = Ethernet(A_MAC, B_MAC, ETH_P_ARP, ARP.reply(B_MAC, "10.0.0.2", A_MAC, "10.0.0.1"))
    assert built.encode() == wire("arp_reply")


def test_udp_datagram() -> None:
    frame = decoded("udp_datagram")
    ip = ip_of(frame)
    assert (ip.src, ip.dst, ip.proto, ip.ttl, ip.tos) == (A_IP, B_IP, IPPROTO_UDP, 64, 0)
    assert ip.flags == DF  # PMTU discovery is on by default: IP_PMTUDISC_WANT
    udp = udp_of(frame)
    assert (udp.sport, udp.dport, udp.payload) == (40000, 5001, b"hello from netsim\n")
    assert udp.checksum is None
    built = IPv4(
        A_IP, B_IP, IPPROTO_UDP, UDP(40000, 5001, b"hello from netsim\n"), ident=ip.ident, flags=DF
    )
    assert Ethernet(B_MAC, A_MAC, ETH_P_IP, built).encode() == wire("udp_datagram")


def test_icmp_port_unreachable_quotes_the_datagram() -> None:
    frame = decoded("icmp_port_unreachable")
    ip = ip_of(frame)
    assert (ip.src, ip.dst, ip.ttl) == (B_IP, A_IP, 64)
    assert ip.tos == 0xC0  # icmp_send(): IPTOS_PREC_INTERNETCONTROL
    assert ip.flags == 0  # ICMP errors go out without DF
    icmp = icmp_of(frame)
    assert (icmp.type, icmp.code, icmp.rest_of_header) == (3, ICMP_PORT_UNREACH, 0)
    # The whole offending datagram is quoted, exactly as it arrived.
    assert icmp.payload == ip_of(decoded("udp_datagram"))
    built = IPv4(
        B_IP,
        A_IP,
        IPPROTO_ICMP,
        ICMP.dest_unreachable(ICMP_PORT_UNREACH, ip_of(decoded("udp_datagram"))),
        tos=0xC0,
        ident=ip.ident,
    )
    assert Ethernet(A_MAC, B_MAC, ETH_P_IP, built).encode() == wire("icmp_port_unreachable")


def test_icmp_echo_request() -> None:
    frame = decoded("icmp_echo_request")
    ip = ip_of(frame)
    assert (ip.ttl, ip.flags) == (64, DF)  # a ping socket sets DF
    icmp = icmp_of(frame)
    assert (icmp.type, icmp.code, icmp.ident, icmp.seq) == (8, 0, 0x1234, 1)
    assert icmp.payload == PING_PAYLOAD
    built = IPv4(
        A_IP,
        B_IP,
        IPPROTO_ICMP,
        ICMP.echo_request(0x1234, 1, PING_PAYLOAD),
        ident=ip.ident,
        flags=DF,
    )
    assert Ethernet(B_MAC, A_MAC, ETH_P_IP, built).encode() == wire("icmp_echo_request")


def test_icmp_echo_reply() -> None:
    frame = decoded("icmp_echo_reply")
    ip = ip_of(frame)
    assert (ip.ttl, ip.flags) == (64, 0)  # icmp_reply() does not set DF
    icmp = icmp_of(frame)
    assert (icmp.type, icmp.code, icmp.ident, icmp.seq) == (0, 0, 0x1234, 1)
    built = IPv4(B_IP, A_IP, IPPROTO_ICMP, ICMP.echo_reply(0x1234, 1, PING_PAYLOAD), ident=ip.ident)
    assert Ethernet(A_MAC, B_MAC, ETH_P_IP, built).encode() == wire("icmp_echo_reply")


def test_tcp_syn() -> None:
    frame = decoded("tcp_syn")
    ip = ip_of(frame)
    assert (ip.ttl, ip.flags, ip.proto) == (64, DF, IPPROTO_TCP)
    tcp = tcp_of(frame)
    assert (tcp.sport, tcp.dport, tcp.ack, tcp.flags) == (40001, 5002, 0, TCP_SYN)
    assert tcp.window == 64240  # 44 * MSS 1460
    opts = tcp.options
    assert len(opts) == 20
    assert opts[0:4] == b"\x02\x04\x05\xb4"  # MSS 1460
    assert opts[4:6] == b"\x04\x02"  # SACK permitted
    assert opts[6:8] == b"\x08\x0a"  # timestamps; TSval is random, TSecr 0
    assert opts[12:16] == bytes(4)
    assert opts[16:19] == b"\x01\x03\x03"  # NOP, window scale
    built = IPv4(
        A_IP,
        B_IP,
        IPPROTO_TCP,
        TCP(40001, 5002, seq=tcp.seq, flags=TCP_SYN, window=64240, options=opts),
        ident=ip.ident,
        flags=DF,
    )
    assert Ethernet(B_MAC, A_MAC, ETH_P_IP, built).encode() == wire("tcp_syn")


def test_tcp_rst_ack_from_closed_port() -> None:
    syn = tcp_of(decoded("tcp_syn"))
    frame = decoded("tcp_rst_ack")
    ip = ip_of(frame)
    # tcp_v4_send_reset(): DF set and IP ID 0.
    assert (ip.ttl, ip.flags, ip.ident) == (64, DF, 0)
    tcp = tcp_of(frame)
    assert (tcp.sport, tcp.dport) == (5002, 40001)
    assert (tcp.seq, tcp.ack, tcp.flags, tcp.window) == (0, syn.seq + 1, TCP_RST | TCP_ACK, 0)
    assert tcp.options == b""
    built = IPv4(
        B_IP,
        A_IP,
        IPPROTO_TCP,
        TCP(5002, 40001, seq=0, ack=syn.seq + 1, flags=TCP_RST | TCP_ACK),
        flags=DF,
    )
    assert Ethernet(A_MAC, B_MAC, ETH_P_IP, built).encode() == wire("tcp_rst_ack")


def vxlan_outer(
    name: str, src: IPAddress, dst: IPAddress, vx: VXLAN, checksum: int | None
) -> bytes:
    """Rebuild the outer frame around *vx* with the kernel's random outer fields."""
    frame = decoded(name)
    outer_ip, outer_udp = ip_of(frame), udp_of(frame)
    udp = UDP(outer_udp.sport, 4789, vx, checksum)
    ip = IPv4(src, dst, IPPROTO_UDP, udp, ident=outer_ip.ident)
    smac, dmac = (A_MAC, B_MAC) if ip.src == A_IP else (B_MAC, A_MAC)
    return Ethernet(dmac, smac, ETH_P_IP, ip).encode()


@pytest.mark.parametrize("name", [n for n in sorted(FRAMES) if n.startswith("vxlan_")])
def test_vxlan_outer_headers(name: str) -> None:
    frame = decoded(name)
    ip, udp = ip_of(frame), udp_of(frame)
    assert (ip.ttl, ip.tos) == (64, 0)
    assert ip.flags == 0  # vxlan "df unset" is the default
    assert udp.dport == 4789
    assert 32768 <= udp.sport <= 60999  # udp_flow_src_port() over ip_local_port_range
    vx = vxlan_of(frame)
    assert vx.flags == 0x08
    assert vx.vni == (200 if "noudpcsum" in name else 100)
    if "noudpcsum" in name:
        assert wire(name)[40:42] == b"\x00\x00"
    else:
        assert wire(name)[40:42] != b"\x00\x00"  # udpcsum is on unless noudpcsum is given


def test_vxlan_arp_request() -> None:
    vx = vxlan_of(decoded("vxlan_arp_request"))
    inner = Ethernet(
        BROADCAST,
        VX0_A_MAC,
        ETH_P_ARP,
        ARP.request(VX0_A_MAC, "192.168.100.1", "192.168.100.2"),
    )
    assert vx.payload == inner
    built = vxlan_outer("vxlan_arp_request", A_IP, B_IP, VXLAN(100, inner), None)
    assert built == wire("vxlan_arp_request")


def test_vxlan_arp_reply() -> None:
    inner = Ethernet(
        VX0_A_MAC,
        VX0_B_MAC,
        ETH_P_ARP,
        ARP.reply(VX0_B_MAC, "192.168.100.2", VX0_A_MAC, "192.168.100.1"),
    )
    assert vxlan_of(decoded("vxlan_arp_reply")).payload == inner
    built = vxlan_outer("vxlan_arp_reply", B_IP, A_IP, VXLAN(100, inner), None)
    assert built == wire("vxlan_arp_reply")


def test_vxlan_icmp_echo_request_and_reply() -> None:
    request = vxlan_of(decoded("vxlan_icmp_echo_request")).payload
    reply = vxlan_of(decoded("vxlan_icmp_echo_reply")).payload
    req_ip, rep_ip = ip_of(request), ip_of(reply)
    assert (req_ip.flags, rep_ip.flags) == (DF, 0)
    inner_req = Ethernet(
        VX0_B_MAC,
        VX0_A_MAC,
        ETH_P_IP,
        IPv4(
            ipv4_addr("192.168.100.1"),
            ipv4_addr("192.168.100.2"),
            IPPROTO_ICMP,
            ICMP.echo_request(0x4321, 7, PING_PAYLOAD),
            ident=req_ip.ident,
            flags=DF,
        ),
    )
    inner_rep = Ethernet(
        VX0_A_MAC,
        VX0_B_MAC,
        ETH_P_IP,
        IPv4(
            ipv4_addr("192.168.100.2"),
            ipv4_addr("192.168.100.1"),
            IPPROTO_ICMP,
            ICMP.echo_reply(0x4321, 7, PING_PAYLOAD),
            ident=rep_ip.ident,
        ),
    )
    assert (request, reply) == (inner_req, inner_rep)
    assert vxlan_outer("vxlan_icmp_echo_request", A_IP, B_IP, VXLAN(100, inner_req), None) == wire(
        "vxlan_icmp_echo_request"
    )
    assert vxlan_outer("vxlan_icmp_echo_reply", B_IP, A_IP, VXLAN(100, inner_rep), None) == wire(
        "vxlan_icmp_echo_reply"
    )
    # The source port hashes the inner flow symmetrically: both directions use the same one.
    assert (
        udp_of(decoded("vxlan_icmp_echo_request")).sport
        == udp_of(decoded("vxlan_icmp_echo_reply")).sport
    )


def test_vxlan_noudpcsum_sends_a_zero_checksum() -> None:
    frame = decoded("vxlan_noudpcsum_icmp_echo_request")
    assert udp_of(frame).checksum == 0
    inner = vxlan_of(frame).payload
    inner_ip = ip_of(inner)
    rebuilt_inner = Ethernet(
        VX1_B_MAC,
        VX1_A_MAC,
        ETH_P_IP,
        IPv4(
            ipv4_addr("192.168.200.1"),
            ipv4_addr("192.168.200.2"),
            IPPROTO_ICMP,
            ICMP.echo_request(0x5678, 9, PING_PAYLOAD),
            ident=inner_ip.ident,
            flags=DF,
        ),
    )
    assert inner == rebuilt_inner
    built = vxlan_outer("vxlan_noudpcsum_icmp_echo_request", A_IP, B_IP, VXLAN(200, inner), 0)
    assert built == wire("vxlan_noudpcsum_icmp_echo_request")
