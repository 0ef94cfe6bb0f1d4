"""The DHCP message against frames captured on the kernel (tests/data/dhcp/*.hex:
the real dhcp IPAM daemon of containernetworking-plugins 1.1.1 and dnsmasq 2.90),
and the client's messages built as d2g/dhcp4client builds them."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from netaddr import IPAddress

from netsim.apps.cni_dhcp.client import Client, add_options, pad_to_min_size
from netsim.capture import Capture
from netsim.packet import UDP, Ethernet, IPv4
from netsim.packet.dhcp import (
    BOOTREPLY,
    BOOTREQUEST,
    DHCP,
    DHCPACK,
    DHCPDISCOVER,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    OPT_CLIENT_ID,
    OPT_PARAM_REQUEST,
)
from netsim.packet.errors import DecodeError
from netsim.packet.tcpdump import summary

DATA = Path(__file__).parent.parent / "data" / "dhcp"
CLIENT_ID = b"\x00ctr1/mynet/eth0"
MAC = bytes.fromhex("020000000011")


def frames(name: str) -> list[bytes]:
    lines = (DATA / f"{name}.hex").read_text().splitlines()
    return [bytes.fromhex(x) for x in lines if x and not x.startswith("#")]


def dhcp_of(frame: bytes) -> DHCP:
    ip = Ethernet.decode(frame).payload
    assert isinstance(ip, IPv4) and isinstance(ip.payload, UDP)
    msg = ip.payload.payload
    assert isinstance(msg, DHCP)
    return msg


@pytest.mark.parametrize("name", ["broadcast", "unicast"])
def test_captured_frames_round_trip_byte_for_byte(name: str) -> None:
    for raw in frames(name):
        assert Ethernet.decode(raw).encode() == raw


def test_captured_exchange_fields() -> None:
    disc, offer, req, ack, rel = (dhcp_of(f) for f in frames("broadcast"))
    assert [m.message_type for m in (disc, offer, req, ack, rel)] == [
        DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK, DHCPRELEASE,
    ]  # fmt: skip
    assert disc.op == BOOTREQUEST and offer.op == BOOTREPLY
    assert disc.broadcast and offer.broadcast and not rel.broadcast
    assert str(disc.mac) == "02:00:00:00:00:11"
    assert disc.option(OPT_CLIENT_ID) == CLIENT_ID
    assert offer.yiaddr == IPAddress("10.22.0.35") and offer.siaddr == IPAddress("10.22.0.1")
    assert [c for c, _ in offer.options] == [53, 54, 51, 58, 59, 1, 28, 3]
    # d2g pads to 272 bytes, dnsmasq to 300
    assert (disc.wire_len, req.wire_len, offer.wire_len, rel.wire_len) == (272, 278, 300, 272)
    assert rel.ciaddr == IPAddress("10.22.0.35") and rel.xid != disc.xid


def test_tcpdump_lines_match_the_real_tcpdump() -> None:
    # tcpdump -nn -e -r on the capture (4.99.3)
    want = [
        "02:00:00:00:00:11 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 314: "
        "0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 02:00:00:00:00:11, length 272",
        "82:7d:b0:1c:89:75 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: "
        "10.22.0.1.67 > 255.255.255.255.68: BOOTP/DHCP, Reply, length 300",
    ]
    assert [summary(Ethernet.decode(f)) for f in frames("broadcast")[:2]] == want


def test_malformed_messages() -> None:
    raw = dhcp_of(frames("unicast")[0]).encode()
    with pytest.raises(DecodeError, match="truncated DHCP message"):
        DHCP.decode(raw[:200])
    with pytest.raises(DecodeError, match="magic cookie"):
        DHCP.decode(raw[:236] + b"\x00\x00\x00\x00" + raw[240:])
    with pytest.raises(DecodeError, match="runs past the end"):
        DHCP.decode(raw[:240] + b"\x3d\x20abc")
    # UDP between other ports, or not a DHCP message, stays bytes
    udp = UDP.decode(UDP(68, 67, b"xyz", checksum=0).encode())
    assert udp.payload == b"xyz"


class _Conn:
    """What Client needs of a PacketConn to build messages."""

    def __init__(self) -> None:
        self.rng = random.Random(0)
        self.sent: list[DHCP] = []

        class _Engine:
            env = None

        class _Kernel:
            engine = _Engine()

        class _Ns:
            kernel = _Kernel()

        self.ns = _Ns()

    def write(self, msg: DHCP) -> None:
        self.sent.append(msg)


def test_client_messages_are_the_real_clients_bytes() -> None:
    """The unicast capture's DISCOVER, REQUEST and RELEASE, built again with
    its transaction ids (option order 53, 61, 55 as netsim sends them)."""
    disc, offer, req, ack, rel = (dhcp_of(f) for f in frames("unicast"))
    c = Client(MAC, _Conn(), timeout=10, broadcast=False)  # type: ignore[arg-type]
    opts = [(OPT_CLIENT_ID, CLIENT_ID), (OPT_PARAM_REQUEST, bytes([3, 1]))]
    mine = pad_to_min_size(add_options(c.discover_packet(), opts))
    assert _with_xid(mine, disc.xid).encode() == disc.encode()
    mine = pad_to_min_size(add_options(c.request_packet(offer), opts))
    assert mine.encode() == req.encode()
    mine = pad_to_min_size(add_options(c.release_packet(ack), [(OPT_CLIENT_ID, CLIENT_ID)]))
    assert _with_xid(mine, rel.xid).encode() == rel.encode()


def _with_xid(msg: DHCP, xid: int) -> DHCP:
    import dataclasses

    return dataclasses.replace(msg, xid=xid)


def test_tshark_decodes_a_capture_of_the_model(tmp_path: Path) -> None:
    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.skip("tshark is not installed (Debian package tshark)")
    from netsim import World

    w = World(seed=1)
    w.netns_add("a")
    w.netns_add("b")
    w.add_veth("v0", "v1", netns="a", peer_netns="b")
    w.link_set("v0", netns="a", up=True)
    w.link_set("v1", netns="b", up=True)
    with w.capture("v1", netns="b") as cap:
        w.send(Ethernet.decode(frames("broadcast")[0]), dev="v0", netns="a")
        w.sleep(0.01)
    assert isinstance(cap, Capture)
    pcap = cap.write(tmp_path / "dhcp.pcap")
    out = subprocess.run([tshark, "-r", str(pcap), "-T", "fields", "-e", "dhcp.option.dhcp",
                          "-e", "dhcp.hw.mac_addr", "-e", "dhcp.option.request_list_item"],
                         capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    fields = out.stdout.strip().split("\t")
    assert fields == ["1", "02:00:00:00:00:11", "3,1"]


def test_dnsmasq_model_answers_the_captured_requests_with_the_captured_replies() -> None:
    """The real client's DISCOVER and REQUEST (unicast capture) sent to netsim's
    dnsmasq: its OFFER and ACK are the real dnsmasq's, byte for byte (DHCP
    message), with its IP header (TOS CS6, no DF, TTL 64) and destination."""
    from netsim import World
    from netsim.apps import dnsmasq

    disc, offer, req, ack, _ = frames("unicast")
    w = World(seed=1)
    w.netns_add("srv")
    w.netns_add("cl")
    w.add_veth("eth0", "c", netns="srv", peer_netns="cl", peer_address="02:00:00:00:00:11")
    w.addr_add("10.22.0.1/24", dev="eth0", netns="srv")
    w.link_set("eth0", netns="srv", up=True)
    w.link_set("c", netns="cl", up=True)
    w.sh("mkdir -p /var/lib/misc")
    args = ["--conf-file=/dev/null", "--port=0", "--pid-file=", "--interface=eth0",
            "--dhcp-range=10.22.0.10,10.22.0.50,255.255.255.0,2m"]  # fmt: skip
    assert w._shell is not None
    dnsmasq.start(w, "srv", args, w._shell.fs)
    with w.capture("c", netns="cl") as cap:
        w.send(Ethernet.decode(disc), dev="c", netns="cl")
        w.sleep(3.5)  # dnsmasq pings 10.22.0.35 first and waits 3 s
        w.send(Ethernet.decode(req), dev="c", netns="cl")
        w.sleep(0.1)
    replies = [f for _, _, d, f in cap.records if d == "in" and isinstance(f.payload, IPv4)
               and isinstance(f.payload.payload, UDP)]  # fmt: skip
    assert len(replies) == 2
    for got, want in zip(replies, (offer, ack), strict=True):
        real = Ethernet.decode(want)
        assert got.payload.payload.payload.encode() == real.payload.payload.payload.encode()
        g, r = got.payload, real.payload
        assert (g.src, g.dst, g.tos, g.flags, g.ttl) == (r.src, r.dst, r.tos, r.flags, r.ttl)
        assert got.dst == real.dst  # unicast to the client's MAC (SIOCSARP)
