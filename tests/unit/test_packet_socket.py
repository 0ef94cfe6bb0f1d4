"""Packet sockets (``AF_PACKET``/``SOCK_DGRAM`` bound to a device and ETH_P_IP),
as ``net/packet/af_packet.c`` behaves: what a DHCP client sees and sends
before its interface has an address."""

from __future__ import annotations

import errno

import pytest
from netaddr import IPAddress

from netsim import World
from netsim.addr import BROADCAST
from netsim.errors import KernelError
from netsim.kernel.packet_sock import packet_socket
from netsim.packet import UDP, IPv4
from netsim.packet.ipv4 import ETH_P_IP


def pair() -> World:
    w = World(seed=1)
    w.netns_add("a")
    w.netns_add("b")
    w.add_veth("v0", "v1", netns="a", peer_netns="b")
    w.addr_add("10.0.0.1/24", dev="v1", netns="b")
    w.link_set("v1", netns="b", up=True)
    return w


def bcast(payload: bytes = b"hi") -> IPv4:
    return IPv4(IPAddress(0, 4), IPAddress(0xFFFFFFFF, 4), 17, UDP(68, 67, payload, checksum=0),
                ttl=16)  # fmt: skip


def test_bound_while_down_the_first_send_reports_enetdown() -> None:
    w = pair()
    ns = w.netns("a")
    sock = packet_socket(ns, w.dev("v0", netns="a").ifindex, ETH_P_IP)
    w.link_set("v0", netns="a", up=True)
    with pytest.raises(KernelError) as e:  # packet_do_bind() left sk_err = ENETDOWN
        sock.sendto(bcast(), BROADCAST)
    assert e.value.errno == errno.ENETDOWN
    sock.sendto(bcast(), BROADCAST)  # reported once, then it works
    assert sock.recv() is None


def test_an_unaddressed_interface_sends_from_0_0_0_0_and_reads_every_ip_packet() -> None:
    w = pair()
    w.link_set("v0", netns="a", up=True)
    server = w.netns("b").inet.sockets.udp_socket(0, 67)
    sock = packet_socket(w.netns("a"), w.dev("v0", netns="a").ifindex, ETH_P_IP)
    sock.sendto(bcast(), BROADCAST)
    w.sleep(0.01)
    (ev,) = server.events  # a limited broadcast from 0.0.0.0 reaches a socket on 0.0.0.0:67
    assert (ev.src, ev.dst, ev.data, ev.ifindex) == (
        0,
        0xFFFFFFFF,
        b"hi",
        w.dev("v1", netns="b").ifindex,
    )
    # a unicast to an address v0 does not have: the stack drops it, the socket reads it
    w.neigh_add("10.0.0.9", lladdr=str(w.dev("v0", netns="a").address), dev="v1", netns="b")
    server.sendto(b"offer", 0x0A000009, 68)
    w.sleep(0.01)
    got = sock.recv()
    assert isinstance(got, IPv4) and got.payload.payload == b"offer"


def test_down_and_unregister() -> None:
    w = pair()
    w.link_set("v0", netns="a", up=True)
    sock = packet_socket(w.netns("a"), w.dev("v0", netns="a").ifindex, ETH_P_IP)
    w.link_set("v0", netns="a", up=False)
    with pytest.raises(KernelError) as e:
        sock.recv()
    assert e.value.errno == errno.ENETDOWN
    w.link_del("v0", netns="a")
    with pytest.raises(KernelError) as e:
        sock.recv()
    assert e.value.errno == errno.ENODEV
    with pytest.raises(KernelError) as e:
        sock.sendto(bcast(), BROADCAST)
    assert e.value.errno == errno.ENXIO
    with pytest.raises(KernelError) as e:
        packet_socket(w.netns("a"), 99, ETH_P_IP)
    assert e.value.errno == errno.ENODEV
