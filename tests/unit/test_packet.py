"""Packet headers: wire encoding, decoding, checksums, and their round trips."""

from __future__ import annotations

import dataclasses
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from netaddr import IPAddress

from netsim.addr import BROADCAST, ZERO, MacAddr
from netsim.packet import (
    ARP,
    ARP_LEN,
    ARPOP_REPLY,
    ARPOP_REQUEST,
    DF,
    ETH_P_8021Q,
    ETH_P_ARP,
    ETH_P_IP,
    ETH_ZLEN,
    ICMP,
    ICMP_DEST_UNREACH,
    ICMP_ECHO,
    ICMP_FRAG_NEEDED,
    ICMP_PORT_UNREACH,
    ICMP_QUOTING_TYPES,
    ICMP_TIME_EXCEEDED,
    IPPROTO_ICMP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    MF,
    TCP,
    TCP_ACK,
    TCP_SYN,
    UDP,
    VXLAN,
    VXLAN_PORTS,
    DecodeError,
    Dot1Q,
    Ethernet,
    IPv4,
    internet_checksum,
    ipv4_addr,
    ones_complement_sum,
    pseudo_header_sum,
)

A_MAC = MacAddr("02:00:00:00:00:01")
B_MAC = MacAddr("02:00:00:00:00:02")
A_IP = ipv4_addr("10.0.0.1")
B_IP = ipv4_addr("10.0.0.2")


def udp_frame(payload: bytes = b"hi", sport: int = 1000, dport: int = 2000) -> Ethernet:
    return Ethernet(
        B_MAC, A_MAC, ETH_P_IP, IPv4(A_IP, B_IP, IPPROTO_UDP, UDP(sport, dport, payload))
    )


def vxlan_frame() -> Ethernet:
    inner = Ethernet(
        MacAddr("02:00:00:00:01:02"),
        MacAddr("02:00:00:00:01:01"),
        ETH_P_IP,
        IPv4(
            ipv4_addr("192.168.100.1"),
            ipv4_addr("192.168.100.2"),
            IPPROTO_ICMP,
            ICMP.echo_request(0x4321, 7, b"ping"),
            flags=DF,
        ),
    )
    outer_udp = UDP(54321, 4789, VXLAN(100, inner))
    return Ethernet(B_MAC, A_MAC, ETH_P_IP, IPv4(A_IP, B_IP, IPPROTO_UDP, outer_udp))


# --- checksums -------------------------------------------------------------


def test_rfc1071_example() -> None:
    # RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert ones_complement_sum(data) == 0xDDF2
    assert internet_checksum(data) == 0x220D


def test_checksum_odd_length_pads_a_zero_octet() -> None:
    assert ones_complement_sum(b"\x01\x02\x03") == 0x0102 + 0x0300
    assert internet_checksum(b"\xab") == ~0xAB00 & 0xFFFF


def test_checksum_of_zeros_and_of_negative_zero() -> None:
    assert internet_checksum(b"") == 0xFFFF
    assert internet_checksum(bytes(20)) == 0xFFFF
    # A non-zero sum never folds to +0: 0xffff + 0xffff -> 0xffff, checksum 0.
    assert ones_complement_sum(b"\xff\xff\xff\xff") == 0xFFFF
    assert internet_checksum(b"\xff\xff\xff\xff") == 0


def test_checksum_initial_partial_sum_is_added() -> None:
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert ones_complement_sum(data[4:], ones_complement_sum(data[:4])) == 0xDDF2


def test_ipv4_header_checksum_known_value() -> None:
    # The header from Wikipedia's "IPv4 header checksum" example: checksum 0xb861.
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert internet_checksum(header) == 0xB861
    ip = IPv4(
        ipv4_addr("192.168.0.1"),
        ipv4_addr("192.168.0.199"),
        IPPROTO_UDP,
        bytes(0x73 - 20),
        flags=DF,
    )
    # proto 17 and a raw payload is not a well-formed UDP datagram; check the header only.
    assert ip.encode()[:20] == header[:10] + b"\xb8\x61" + header[12:]


def test_pseudo_header_sum() -> None:
    # 0a00 + 0001 + 0a00 + 0002 + 0011 + 0008
    assert pseudo_header_sum(int(A_IP), int(B_IP), IPPROTO_UDP, 8) == 0x141C


def test_udp_checksum_hand_computed() -> None:
    # pseudo 0x141c + header 0001 + 0002 + 0008 = 0x1427 -> ~ = 0xebd8
    assert UDP(1, 2).encode(A_IP, B_IP) == bytes.fromhex("000100020008ebd8")


def test_udp_checksum_zero_goes_out_as_ffff() -> None:
    # Same as above with two payload bytes making the sum 0xffff (CSUM_MANGLED_0).
    udp = UDP(1, 2, b"\xeb\xd4")
    wire = udp.encode(A_IP, B_IP)
    assert wire[6:8] == b"\xff\xff"
    assert UDP.decode(wire, A_IP, B_IP) == udp


def test_udp_zero_checksum_is_representable() -> None:
    udp = UDP(1, 4789, VXLAN(1, udp_frame()), checksum=0)
    wire = udp.encode()  # no addresses needed: nothing to compute
    assert wire[6:8] == b"\x00\x00"
    assert UDP.decode(wire, A_IP, B_IP) == udp


def test_udp_computed_checksum_needs_addresses() -> None:
    with pytest.raises(ValueError, match="src and dst"):
        UDP(1, 2, b"x").encode()
    with pytest.raises(ValueError, match="src and dst"):
        TCP(1, 2).encode()


def test_tcp_checksum_hand_computed() -> None:
    # A bare SYN 1 -> 2, seq 0, window 0: header words sum 0001 + 0002 + 5002 = 0x5005,
    # pseudo 0a00+0001+0a00+0002+0006+0014 = 0x141d; total 0x6422 -> ~ = 0x9bdd
    wire = TCP(1, 2, flags=TCP_SYN).encode(A_IP, B_IP)
    assert wire[16:18] == b"\x9b\xdd"


def test_icmp_echo_checksum_hand_computed() -> None:
    # 0800 0000 1234 0001: sum 0x1a35 -> checksum 0xe5ca
    assert ICMP.echo_request(0x1234, 1).encode() == bytes.fromhex("0800e5ca12340001")


def test_bad_checksums_are_kept_so_the_frame_round_trips() -> None:
    wire = bytearray(udp_frame().encode())
    wire[24] ^= 0xFF  # IPv4 header checksum
    wire[40] ^= 0xFF  # UDP checksum
    frame = Ethernet.decode(bytes(wire))
    assert isinstance(frame.payload, IPv4)
    assert frame.payload.checksum is not None
    assert isinstance(frame.payload.payload, UDP)
    assert frame.payload.payload.checksum is not None
    assert frame.encode() == bytes(wire)


# --- layouts ---------------------------------------------------------------


def test_arp_request_layout() -> None:
    frame = Ethernet(BROADCAST, A_MAC, ETH_P_ARP, ARP.request(A_MAC, "10.0.0.1", "10.0.0.2"))
    wire = frame.encode()
    assert len(wire) == frame.wire_len == 42
    assert isinstance(frame.payload, ARP)
    assert frame.payload.wire_len == ARP_LEN
    assert wire == bytes.fromhex(
        "ffffffffffff" "020000000001" "0806"
        "0001" "0800" "06" "04" "0001" "020000000001" "0a000001" "000000000000" "0a000002"
    )  # fmt: skip
    assert Ethernet.decode(wire) == frame


def test_arp_reply_helper() -> None:
    arp = ARP.reply(B_MAC, "10.0.0.2", A_MAC, "10.0.0.1")
    assert (arp.op, arp.sha, arp.spa, arp.tha, arp.tpa) == (
        ARPOP_REPLY,
        B_MAC,
        IPAddress("10.0.0.2"),
        A_MAC,
        IPAddress("10.0.0.1"),
    )
    assert ARP.request(A_MAC, "10.0.0.1", "10.0.0.2").tha == ZERO
    assert ARP.request(A_MAC, "10.0.0.1", "10.0.0.2").op == ARPOP_REQUEST


def test_ipv4_layout_and_flags() -> None:
    ip = IPv4(A_IP, B_IP, 253, b"abcd", ttl=7, tos=0x10, ident=0xBEEF, flags=DF | MF)
    ip = dataclasses.replace(ip, frag_offset=0x10)
    wire = ip.encode()
    assert wire[0] == 0x45
    assert wire[1] == 0x10
    assert struct.unpack("!H", wire[2:4])[0] == 24
    assert wire[4:6] == b"\xbe\xef"
    assert struct.unpack("!H", wire[6:8])[0] == 0x6000 | 0x10
    assert wire[8] == 7
    assert wire[9] == 253
    assert internet_checksum(wire[:20]) == 0
    assert ip.df and ip.mf and ip.is_fragment
    assert IPv4.decode(wire) == ip


def test_ipv4_options_set_ihl() -> None:
    ip = IPv4(A_IP, B_IP, IPPROTO_UDP, UDP(1, 2, b"x"), options=b"\x94\x04\x00\x00")  # RA
    wire = ip.encode()
    assert wire[0] == 0x46
    assert ip.header_len == 24
    assert IPv4.decode(wire) == ip
    with pytest.raises(ValueError, match="multiple of 4"):
        IPv4(A_IP, B_IP, 253, b"", options=b"\x01").encode()


def test_fragment_payload_stays_bytes() -> None:
    udp_bytes = UDP(1, 2, b"x" * 16).encode(A_IP, B_IP)
    first = IPv4(A_IP, B_IP, IPPROTO_UDP, udp_bytes[:16], flags=MF)
    decoded = IPv4.decode(first.encode())
    assert decoded.payload == udp_bytes[:16]
    assert decoded == first


def test_ipv4_proto_must_match_payload() -> None:
    with pytest.raises(ValueError, match="proto"):
        IPv4(A_IP, B_IP, IPPROTO_TCP, UDP(1, 2)).encode()
    with pytest.raises(ValueError, match="ethertype"):
        Ethernet(B_MAC, A_MAC, ETH_P_ARP, IPv4(A_IP, B_IP, 253, b"")).encode()


def test_tcp_layout() -> None:
    mss = b"\x02\x04\x05\xb4"
    tcp = TCP(40001, 80, seq=1, ack=2, flags=TCP_SYN | TCP_ACK, window=512, options=mss)
    wire = tcp.encode(A_IP, B_IP)
    assert len(wire) == tcp.wire_len == 24
    assert wire[12] >> 4 == 6
    assert wire[13] == 0x12
    assert wire[20:] == mss
    assert TCP.decode(wire, A_IP, B_IP) == tcp
    # Without addresses the checksum cannot be checked and is kept.
    assert TCP.decode(wire).checksum == struct.unpack("!H", wire[16:18])[0]


def test_icmp_helpers() -> None:
    echo = ICMP.echo_request(0x1234, 0x0102, b"data")
    assert (echo.type, echo.ident, echo.seq, echo.is_error) == (ICMP_ECHO, 0x1234, 0x0102, False)
    quoted = IPv4(A_IP, B_IP, IPPROTO_UDP, UDP(1, 2, b"x"))
    frag = ICMP.dest_unreachable(ICMP_FRAG_NEEDED, quoted, mtu=1450)
    assert (frag.type, frag.code, frag.mtu, frag.is_error) == (ICMP_DEST_UNREACH, 4, 1450, True)
    assert ICMP.time_exceeded(quoted).type == ICMP_TIME_EXCEEDED


def test_icmp_error_quotes_a_truncated_datagram() -> None:
    original = IPv4(A_IP, B_IP, IPPROTO_UDP, UDP(1000, 53, bytes(1000)))
    quote = original.encode()[:28]  # IP header + 8 bytes, RFC 792's minimum
    icmp = ICMP(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quote)
    decoded = ICMP.decode(icmp.encode())
    assert isinstance(decoded.payload, IPv4)
    assert decoded.payload.total_length == 1028
    assert decoded.payload.payload == quote[20:]
    assert (decoded.payload.src, decoded.payload.dst) == (A_IP, B_IP)
    assert decoded.encode() == icmp.encode()


def test_icmp_error_with_unparseable_quote_keeps_bytes() -> None:
    icmp = ICMP(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, b"\x60" + bytes(27))  # IPv6
    assert ICMP.decode(icmp.encode()).payload == icmp.payload


def test_dot1q_tag_layout() -> None:
    frame = Ethernet(
        B_MAC, A_MAC, ETH_P_IP, IPv4(A_IP, B_IP, 253, b"x"), vlan=Dot1Q(10, pcp=5, dei=1)
    )
    wire = frame.encode()
    assert wire[12:14] == b"\x81\x00"
    assert wire[14:16] == bytes([0xB0, 0x0A])  # PCP 5, DEI 1, VID 10
    assert wire[16:18] == b"\x08\x00"
    assert frame.wire_len == len(wire) == 14 + 4 + 21
    decoded = Ethernet.decode(wire)
    assert decoded == frame
    assert decoded.vlan is not None
    assert decoded.vlan.tci == 0xB00A
    assert Dot1Q.from_tci(0xB00A) == Dot1Q(10, 5, 1)


def test_tag_belongs_in_vlan_field() -> None:
    with pytest.raises(ValueError, match="vlan="):
        Ethernet(B_MAC, A_MAC, ETH_P_8021Q, b"\x00\x0a\x08\x00").encode()
    with pytest.raises(ValueError, match=r"802\.1Q"):
        Dot1Q(4096).encode()


def test_unknown_ethertype_stays_bytes() -> None:
    frame = Ethernet(B_MAC, A_MAC, 0x86DD, b"\x60" + bytes(39))
    assert Ethernet.decode(frame.encode()) == frame


# --- padding ---------------------------------------------------------------


def test_encode_does_not_pad_but_padded_does() -> None:
    frame = Ethernet(BROADCAST, A_MAC, ETH_P_ARP, ARP.request(A_MAC, "10.0.0.1", "10.0.0.2"))
    assert len(frame.encode()) == 42
    padded = frame.padded()
    assert padded.wire_len == len(padded.encode()) == ETH_ZLEN
    assert padded.trailer == bytes(18)
    assert padded.padded() is padded


def test_decode_accepts_padding_after_arp() -> None:
    frame = Ethernet(BROADCAST, A_MAC, ETH_P_ARP, ARP.request(A_MAC, "10.0.0.1", "10.0.0.2"))
    wire = frame.encode() + b"\xaa" * 18
    decoded = Ethernet.decode(wire)
    assert decoded.payload == frame.payload
    assert decoded.trailer == b"\xaa" * 18
    assert decoded.encode() == wire


def test_decode_accepts_padding_after_ipv4() -> None:
    frame = udp_frame(b"x")
    assert frame.wire_len == 14 + 20 + 8 + 1
    wire = frame.padded().encode()
    assert len(wire) == 60
    decoded = Ethernet.decode(wire)
    assert isinstance(decoded.payload, IPv4)
    assert decoded.payload == frame.payload
    assert decoded.trailer == bytes(60 - 43)
    assert decoded.encode() == wire


# --- VXLAN -----------------------------------------------------------------


def test_vxlan_nesting_inner_frame_survives() -> None:
    frame = vxlan_frame()
    wire = frame.encode()
    assert len(wire) == frame.wire_len
    decoded = Ethernet.decode(wire)
    assert decoded == frame
    assert isinstance(decoded.payload, IPv4)
    udp = decoded.payload.payload
    assert isinstance(udp, UDP)
    assert isinstance(udp.payload, VXLAN)
    assert udp.payload.vni == 100
    inner = udp.payload.payload
    assert isinstance(inner.payload, IPv4)
    assert isinstance(inner.payload.payload, ICMP)
    assert inner.payload.payload.seq == 7
    # VXLAN header on the wire: flags 0x08, VNI 100, reserved zero.
    assert wire[42:50] == bytes.fromhex("0800000000006400")


def test_vxlan_ports_are_configurable() -> None:
    wire = vxlan_frame().encode()
    assert 4789 in VXLAN_PORTS
    assert 8472 in VXLAN_PORTS
    plain = Ethernet.decode(wire, vxlan_ports=())
    assert isinstance(plain.payload, IPv4)
    assert isinstance(plain.payload.payload, UDP)
    assert isinstance(plain.payload.payload.payload, bytes)
    assert plain.encode() == wire


def test_vxlan_header_is_validated() -> None:
    inner = udp_frame().encode()
    with pytest.raises(DecodeError, match="I \\(valid VNI\\)"):
        VXLAN.decode(bytes.fromhex("0000000000006400") + inner)
    with pytest.raises(DecodeError, match="reserved"):
        VXLAN.decode(bytes.fromhex("0800000100006400") + inner)
    with pytest.raises(DecodeError, match="reserved"):
        VXLAN.decode(bytes.fromhex("0800000000006401") + inner)
    with pytest.raises(ValueError, match="24 bits"):
        VXLAN(1 << 24, udp_frame()).encode()


# --- malformed and truncated input -----------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        udp_frame(),
        vxlan_frame(),
        Ethernet(BROADCAST, A_MAC, ETH_P_ARP, ARP.request(A_MAC, "10.0.0.1", "10.0.0.2")),
        Ethernet(
            B_MAC,
            A_MAC,
            ETH_P_IP,
            IPv4(A_IP, B_IP, IPPROTO_TCP, TCP(1, 2, options=b"\x01\x01\x01\x00", payload=b"d")),
            vlan=Dot1Q(3),
        ),
    ],
    ids=["udp", "vxlan", "arp", "tcp-vlan"],
)
def test_every_truncation_raises_decode_error(frame: Ethernet) -> None:
    wire = frame.encode()
    for n in range(len(wire)):
        with pytest.raises(DecodeError):
            Ethernet.decode(wire[:n])


def test_truncation_message_is_clear() -> None:
    with pytest.raises(DecodeError, match=r"truncated Ethernet header: need 14 bytes, got 3"):
        Ethernet.decode(b"abc")
    with pytest.raises(DecodeError, match=r"truncated IPv4 datagram: total length 30, got 29"):
        IPv4.decode(IPv4(A_IP, B_IP, 253, bytes(10)).encode()[:-1])


def test_decode_error_is_a_value_error() -> None:
    assert issubclass(DecodeError, ValueError)


def ip_bytes(changes: dict[int, int]) -> bytes:
    wire = bytearray(IPv4(A_IP, B_IP, 253, bytes(8)).encode())
    for offset, value in changes.items():
        wire[offset] = value
    return bytes(wire)


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (ip_bytes({0: 0x65}), "IP version 6"),
        (ip_bytes({0: 0x44}), "below the 20-byte minimum"),
        (ip_bytes({0: 0x4F}), "truncated IPv4 header with options"),
        (ip_bytes({2: 0, 3: 10}), "shorter than its 20-byte header"),
    ],
)
def test_malformed_ipv4(wire: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        IPv4.decode(wire)


def test_malformed_l4() -> None:
    with pytest.raises(DecodeError, match="UDP length field 9 but 8"):
        UDP.decode(bytes.fromhex("0001000200090000"))
    with pytest.raises(DecodeError, match="UDP length field 8 but 9"):
        UDP.decode(bytes.fromhex("000100020008000000"))
    with pytest.raises(DecodeError, match="TCP data offset 16"):
        TCP.decode(bytes(12) + b"\x40" + bytes(7))
    with pytest.raises(DecodeError, match="truncated TCP header with options"):
        TCP.decode(bytes(12) + b"\x60" + bytes(7))
    with pytest.raises(DecodeError, match="truncated ICMP header"):
        ICMP.decode(b"\x08\x00")


def test_malformed_arp() -> None:
    wire = bytearray(ARP.request(A_MAC, "10.0.0.1", "10.0.0.2").encode())
    wire[4] = 8
    with pytest.raises(DecodeError, match="hlen 8"):
        ARP.decode(bytes(wire))


def test_udp_to_vxlan_port_must_hold_vxlan() -> None:
    frame = udp_frame(b"not vxlan", dport=4789)
    with pytest.raises(DecodeError, match="VXLAN"):
        Ethernet.decode(frame.encode())


def test_wire_len_does_not_encode(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = vxlan_frame()
    expected = len(frame.encode())

    def boom(*_: object) -> bytes:
        raise AssertionError("wire_len encoded")

    for cls in (Ethernet, IPv4, UDP, VXLAN, ICMP):
        monkeypatch.setattr(cls, "encode", boom)
    assert frame.wire_len == expected


def test_headers_are_frozen() -> None:
    frame = udp_frame()
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.src = B_MAC  # type: ignore[misc]
    assert not hasattr(frame, "__dict__")


# --- property tests --------------------------------------------------------

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
macs = st.integers(0, (1 << 48) - 1).map(MacAddr)
ips = u32.map(lambda i: IPAddress(i, 4))
raw = st.binary(max_size=48)
word_bytes = st.integers(0, 10).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))
small_word_bytes = st.integers(0, 3).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))
L4_PROTOS = (IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP)

arps = st.builds(ARP, op=u16, sha=macs, spa=ips, tha=macs, tpa=ips, htype=u16, ptype=u16)
tcps = st.builds(
    TCP,
    sport=u16,
    dport=u16,
    seq=u32,
    ack=u32,
    flags=st.integers(0, 0xFFF),
    window=u16,
    payload=raw,
    options=word_bytes,
    urgent=u16,
)
ip_flags = st.sampled_from([0, DF, 0b100, DF | 0b100])


def ipv4s(l4: st.SearchStrategy[ICMP | UDP | TCP]) -> st.SearchStrategy[IPv4]:
    """Well-formed datagrams: parsed payloads match proto; raw ones cannot be parsed."""
    header = {
        "src": ips,
        "dst": ips,
        "ttl": u8,
        "tos": u8,
        "ident": u16,
        "options": small_word_bytes,
    }

    def with_l4(p: ICMP | UDP | TCP) -> st.SearchStrategy[IPv4]:
        proto = IPPROTO_ICMP if isinstance(p, ICMP) else IPPROTO_UDP
        proto = IPPROTO_TCP if isinstance(p, TCP) else proto
        return st.builds(IPv4, proto=st.just(proto), payload=st.just(p), flags=ip_flags, **header)

    parsed = l4.flatmap(with_l4)
    unknown = st.builds(
        IPv4, proto=u8.filter(lambda p: p not in L4_PROTOS), payload=raw, flags=ip_flags, **header
    )
    fragment = st.builds(
        IPv4,
        proto=st.sampled_from(L4_PROTOS),
        payload=raw,
        flags=st.sampled_from([MF, MF | DF]),
        frag_offset=st.integers(0, 0x1FFF),
        **header,
    )
    return st.one_of(parsed, unknown, fragment)


def truncated_quotes() -> st.SearchStrategy[IPv4]:
    """What an ICMP error quotes of a long datagram: header plus a cut-off payload."""

    def build(ip: IPv4, extra: int) -> IPv4:
        return dataclasses.replace(ip, total_length=ip.wire_len + extra)

    base = st.builds(IPv4, src=ips, dst=ips, proto=u8, payload=raw, ident=u16, flags=ip_flags)
    return st.builds(build, base, st.integers(1, 1000))


echo_types = u8.filter(lambda t: t not in ICMP_QUOTING_TYPES)
plain_udps = st.builds(
    UDP,
    sport=u16,
    dport=u16.filter(lambda p: p not in VXLAN_PORTS),
    payload=raw,
    checksum=st.sampled_from([None, 0]),
)
plain_icmps = st.builds(ICMP, type=echo_types, code=u8, rest_of_header=u32, payload=raw)
quoted_ipv4s = st.one_of(ipv4s(st.one_of(plain_udps, tcps, plain_icmps)), truncated_quotes())
error_icmps = st.builds(
    ICMP,
    type=st.sampled_from(sorted(ICMP_QUOTING_TYPES)),
    code=u8,
    rest_of_header=u32,
    payload=quoted_ipv4s,
)
icmps = st.one_of(plain_icmps, error_icmps)


def ethernets(udps: st.SearchStrategy[UDP]) -> st.SearchStrategy[Ethernet]:
    vlans = st.none() | st.builds(
        Dot1Q, vid=st.integers(0, 4095), pcp=st.integers(0, 7), dei=u8.map(lambda b: b & 1)
    )
    header = {"dst": macs, "src": macs, "vlan": vlans}
    l3 = st.one_of(
        st.builds(Ethernet, ethertype=st.just(ETH_P_ARP), payload=arps, trailer=raw, **header),
        st.builds(
            Ethernet,
            ethertype=st.just(ETH_P_IP),
            payload=ipv4s(st.one_of(icmps, udps, tcps)),
            trailer=raw,
            **header,
        ),
        st.builds(
            Ethernet,
            ethertype=u16.filter(lambda t: t not in (ETH_P_IP, ETH_P_ARP, ETH_P_8021Q)),
            payload=raw,
            **header,
        ),
    )
    return l3


inner_frames = ethernets(plain_udps)
vxlans = st.builds(
    VXLAN, vni=st.integers(0, (1 << 24) - 1), payload=inner_frames, flags=u8.map(lambda f: f | 8)
)
vxlan_udps = st.builds(
    UDP,
    sport=u16,
    dport=st.sampled_from(sorted(VXLAN_PORTS)),
    payload=vxlans,
    checksum=st.sampled_from([None, 0]),
)
frames = ethernets(st.one_of(plain_udps, vxlan_udps))


@given(frames)
def test_decode_encode_round_trip(frame: Ethernet) -> None:
    wire = frame.encode()
    assert len(wire) == frame.wire_len
    assert Ethernet.decode(wire) == frame


@given(ipv4s(st.one_of(icmps, plain_udps, vxlan_udps, tcps)))
def test_ipv4_round_trip(ip: IPv4) -> None:
    wire = ip.encode()
    assert len(wire) == ip.wire_len
    assert internet_checksum(wire[: ip.header_len]) == 0
    assert IPv4.decode(wire) == ip


@given(st.one_of(plain_udps, vxlan_udps), ips, ips)
def test_udp_round_trip(udp: UDP, src: IPAddress, dst: IPAddress) -> None:
    assert UDP.decode(udp.encode(src, dst), src, dst) == udp


@given(tcps, ips, ips)
def test_tcp_round_trip(tcp: TCP, src: IPAddress, dst: IPAddress) -> None:
    wire = tcp.encode(src, dst)
    pseudo = pseudo_header_sum(int(src), int(dst), IPPROTO_TCP, len(wire))
    assert internet_checksum(wire, pseudo) == 0
    assert TCP.decode(wire, src, dst) == tcp


@given(icmps)
def test_icmp_round_trip(icmp: ICMP) -> None:
    wire = icmp.encode()
    assert internet_checksum(wire) == 0
    assert ICMP.decode(wire) == icmp


@given(frames, st.data())
def test_mutated_frames_decode_cleanly_or_not_at_all(frame: Ethernet, data: st.DataObject) -> None:
    """Any damage gives a DecodeError or a frame that encodes back to the same bytes."""
    wire = bytearray(frame.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] = data.draw(u8)
    cut = data.draw(st.integers(0, len(wire)))
    damaged = bytes(wire[:cut])
    try:
        decoded = Ethernet.decode(damaged)
    except DecodeError:
        return
    assert decoded.encode() == damaged


@given(st.binary(max_size=200))
def test_random_bytes_decode_cleanly_or_not_at_all(data: bytes) -> None:
    try:
        decoded = Ethernet.decode(data)
    except DecodeError:
        return
    assert decoded.encode() == data
