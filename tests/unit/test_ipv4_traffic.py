"""IPv4 traffic: ARP and the neighbour states, ICMP, UDP, TCP's RST, ping's output."""

from __future__ import annotations

import errno

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import neigh_records
from netsim.packet import ARP, TCP, IPv4, ipv4_addr
from tests.helpers import build_router_topology


@pytest.fixture
def routed() -> World:
    w = World(seed=3)
    build_router_topology(w, forwarding=True)
    return w


def states(w: World, ns: str) -> dict[str, str]:
    return {r["dst"]: r["state"][0] for r in neigh_records(w.netns(ns))}


def arp_requests(w: World, ns: str) -> list[tuple[float, str]]:
    """(time, target) of every ARP request ``ns`` sent."""
    out = []
    for t in w.traces():
        if isinstance(t.frame, object) and getattr(t.frame, "payload", None).__class__ is ARP:
            arp = t.frame.payload
            if t.hops[0].node == ns and arp.op == 1:
                out.append((round(t.steps[0].time, 6), str(arp.tpa)))
    return sorted(set(out))


def test_ping_through_a_router(routed: World) -> None:
    """T09: TTL 63 on the far side, the reply's source is the address pinged."""
    res = routed.ping("10.2.0.1", netns="a")
    assert res.exit_code == 0 and res.received == 1
    assert res.lines[1].startswith("64 bytes from 10.2.0.1: icmp_seq=1 ttl=63 time=")


def test_forwarding_off_drops_silently_but_local_addresses_answer() -> None:
    """T09: with ip_forward 0 the router drops transit packets without ICMP;
    its far-side address still answers (weak host model)."""
    w = World(1)
    build_router_topology(w)
    res = w.ping("10.2.0.1", netns="a", count=2, timeout=1)
    assert (res.transmitted, res.received, res.errors) == (2, 0, 0)
    assert res.lines[-2] == "2 packets transmitted, 0 received, 100% packet loss, time 1000ms"
    assert w.ping("10.2.0.254", netns="a").received == 1


def test_ttl_exceeded_and_net_unreachable_come_from_the_router(routed: World) -> None:
    assert routed.ping("10.2.0.1", netns="a", ttl=1, timeout=1).lines[1] == (
        "From 10.1.0.254 icmp_seq=1 Time to live exceeded"
    )
    assert routed.ping("10.3.0.1", netns="a", timeout=1).lines[1] == (
        "From 10.1.0.254 icmp_seq=1 Destination Net Unreachable"
    )


def test_arp_failure_timing(routed: World) -> None:
    """T06/T07: 3 broadcast requests 1 s apart, FAILED at 3 s, host unreachable from our own
    address, the queued packets dropped; the next packet starts over."""
    t0 = routed.now
    res = routed.ping("10.1.0.99", netns="a", timeout=5)
    assert res.lines[1] == "From 10.1.0.1 icmp_seq=1 Destination Host Unreachable"
    asked = [t - t0 for t, target in arp_requests(routed, "a") if target == "10.1.0.99"]
    assert asked == pytest.approx([0.0, 1.0, 2.0])
    assert states(routed, "a")["10.1.0.99"] == "FAILED"


def test_neigh_sysctls_drive_resolution(routed: World) -> None:
    """``net.ipv4.neigh.DEV.*`` take effect at once: one request (mcast_solicit 1) and
    FAILED after retrans_time_ms 200 (the kernel: one request, FAILED at ~0.2 s)."""
    sysctl = routed.netns("a").sysctl
    sysctl.set("net.ipv4.neigh.eth0.mcast_solicit", "1")
    sysctl.set("net.ipv4.neigh.eth0.retrans_time_ms", "200")
    t0 = routed.now
    res = routed.ping("10.1.0.99", netns="a", timeout=1)
    assert res.lines[1] == "From 10.1.0.1 icmp_seq=1 Destination Host Unreachable"
    asked = [t - t0 for t, target in arp_requests(routed, "a") if target == "10.1.0.99"]
    assert asked == pytest.approx([0.0])
    dropped = [t for t in routed.traces() if t.disposition == "DROPPED"]
    assert [t.reason for t in dropped] == ["neighbour unreachable (ARP failed)"]
    assert dropped[0].steps[-1].time - t0 == pytest.approx(0.2)
    assert states(routed, "a")["10.1.0.99"] == "FAILED"


def test_base_reachable_time_shortens_reachable(routed: World) -> None:
    """``base_reachable_time_ms`` re-draws reachable_time in [½, 1½) x base: 3.5 s after
    the ping the entry has left REACHABLE (for DELAY, as it was used within
    delay_first_probe_time); with the default 30 s base it is still REACHABLE."""
    routed.netns("a").sysctl.set("net.ipv4.neigh.eth0.base_reachable_time_ms", "2000")
    routed.ping("10.1.0.254", netns="a")
    assert states(routed, "a")["10.1.0.254"] == "REACHABLE"
    routed.sleep(3.5)
    assert states(routed, "a")["10.1.0.254"] == "DELAY"


def test_responder_learns_the_asker_stale_then_delay(routed: World) -> None:
    """T05: the request makes a STALE entry on the responder, the echo reply moves it to
    DELAY; 5 s later it probes (unicast) and becomes REACHABLE; the asker is REACHABLE."""
    routed.ping("10.1.0.254", netns="a")
    assert states(routed, "a")["10.1.0.254"] == "REACHABLE"
    assert states(routed, "r")["10.1.0.1"] == "DELAY"
    routed.sleep(6)
    assert states(routed, "r")["10.1.0.1"] == "REACHABLE"


def test_reachable_goes_stale_when_idle(routed: World) -> None:
    routed.ping("10.1.0.254", netns="a")
    routed.sleep(46)  # reachable_time is random in [15, 45) s
    assert states(routed, "a")["10.1.0.254"] == "STALE"


def test_device_down_flushes_its_neighbours(routed: World) -> None:
    routed.ping("10.1.0.254", netns="a")
    routed.link_set("eth0", netns="a", up=False)
    assert states(routed, "a") == {}


def test_udp_to_a_closed_port_is_refused(routed: World) -> None:
    """T39: ICMP port unreachable from the probed address; the socket sees ECONNREFUSED."""
    sock = routed.udp_socket(netns="a", addr="10.1.0.1")
    sock.sendto(b"hello", int(ipv4_addr("10.2.0.1")), 9999)
    routed.sleep(0.01)
    (ev,) = sock.events
    assert (ev.kind, ev.errno, ev.icmp_type, ev.icmp_code) == ("error", errno.ECONNREFUSED, 3, 3)
    assert ev.src == int(ipv4_addr("10.2.0.1"))


def test_udp_delivery_to_a_bound_socket(routed: World) -> None:
    server = routed.udp_socket(netns="c", port=5000)
    client = routed.udp_socket(netns="a")
    client.sendto(b"ping", int(ipv4_addr("10.2.0.1")), 5000)
    routed.sleep(0.01)
    (ev,) = server.events
    assert (ev.kind, ev.data, ev.ttl, ev.src) == ("data", b"ping", 63, int(ipv4_addr("10.1.0.1")))


def test_tcp_syn_to_a_closed_port_gets_rst_ack(routed: World) -> None:
    """T07: RST|ACK, seq 0, ack = ISN + 1, window 0."""
    stack = routed.netns("a").inet
    syn = IPv4(ipv4_addr("10.1.0.1"), ipv4_addr("10.2.0.1"), 6,
               TCP(40000, 80, seq=1000, flags=0x02, window=64240), flags=0b010)  # fmt: skip
    stack.output(syn)
    routed.sleep(0.01)
    rsts = [t for t in routed.traces() if isinstance(getattr(t.frame, "payload", None), TCP)
            and t.frame.payload.flags & 0x04]  # fmt: skip
    assert rsts, "no RST was sent"
    rst = rsts[0].frame.payload
    assert (rst.seq, rst.ack, rst.window, rst.flags) == (0, 1001, 0, 0x14)


def test_route_errors_at_connect(routed: World) -> None:
    """T10: a blackhole route refuses at connect() with EINVAL; no route: ENETUNREACH."""
    routed.route_add("10.4.1.0/24", type="blackhole", netns="a")
    assert routed.ping("10.4.1.1", netns="a").lines == ["ping: connect: Invalid argument"]
    routed.route_del("default", netns="a")
    res = routed.ping("10.9.9.9", netns="a")
    assert (res.lines, res.exit_code) == (["ping: connect: Network is unreachable"], 2)


def test_loopback_pings(routed: World) -> None:
    """T13: all of 127/8 is local; a ping to our own address is answered by it."""
    assert routed.ping("127.0.0.5", netns="a").lines[1].startswith("64 bytes from 127.0.0.5:")
    assert routed.ping("10.1.0.1", netns="a").received == 1


def test_broadcast_ping_is_ignored(routed: World) -> None:
    """T13: icmp_echo_ignore_broadcasts=1."""
    routed.route_add("10.1.0.255", dev="eth0", netns="a", scope="link", mode="replace")
    res = routed.ping("10.1.0.255", netns="a", timeout=1)
    assert res.received == 0


def test_arp_ignore_1_only_answers_for_the_incoming_interface(routed: World) -> None:
    """arp_ignore=1: r does not answer a's request for its rc address (10.2.0.254) on ra."""
    routed.netns("r").sysctl.set("net.ipv4.conf.all.arp_ignore", "1")
    routed.route_add("10.2.0.254", dev="eth0", netns="a", scope="link")
    res = routed.ping("10.2.0.254", netns="a", timeout=5)
    assert res.lines[1] == "From 10.1.0.1 icmp_seq=1 Destination Host Unreachable"
    routed.netns("r").sysctl.set("net.ipv4.conf.all.arp_ignore", "0")
    assert routed.ping("10.2.0.254", netns="a").received == 1


def test_ping_statistics_format(routed: World) -> None:
    res = routed.ping("10.2.0.1", netns="a", count=3, interval=0.5)
    assert res.lines[0] == "PING 10.2.0.1 (10.2.0.1) 56(84) bytes of data."
    assert res.lines[-3] == "--- 10.2.0.1 ping statistics ---"
    assert res.lines[-2] == "3 packets transmitted, 3 received, 0% packet loss, time 1000ms"
    assert res.lines[-1].startswith("rtt min/avg/max/mdev = ")


def test_icmp_rate_limits(routed: World) -> None:
    """T11: 30 pings 0.1 s apart with TTL 1 get 8 time-exceeded (6 of burst, then one a
    second; the real run's pings drifted to 0.103 s apart and got 9); towards an
    unroutable address only 2 net-unreachables (route errors pay twice); 30 UDP probes
    to closed ports get 8 port-unreachables."""
    res = routed.ping("10.2.0.1", netns="a", count=30, interval=0.1, ttl=1, timeout=1)
    assert res.errors == 8
    routed.sleep(10)
    drifted = routed.ping("10.2.0.1", netns="a", count=30, interval=0.1035, ttl=1, timeout=1)
    assert drifted.errors == 9
    routed.sleep(10)
    res = routed.ping("10.5.0.1", netns="a", count=30, interval=0.1, timeout=1)
    assert [line for line in res.lines if "Unreachable" in line] == [
        "From 10.1.0.254 icmp_seq=1 Destination Net Unreachable",
        "From 10.1.0.254 icmp_seq=2 Destination Net Unreachable",
    ]
    routed.sleep(10)
    sock = routed.udp_socket(netns="a")
    for i in range(30):
        sock.sendto(b"x", int(ipv4_addr("10.2.0.1")), 33434 + i)
        routed.sleep(0.1)
    routed.sleep(1)
    assert sum(ev.kind == "error" for ev in sock.events) == 8


def test_rp_filter_strict_drops_asymmetric_traffic(routed: World) -> None:
    """rp_filter=1 on c: a packet from 10.9.0.1 (routed back via a static route out of
    another device) is dropped; rp_filter=2 (loose) takes it; 0 takes it too."""
    c = routed.netns("c")
    routed.add_veth("x0", "x1", netns="c")
    routed.addr_add("10.8.0.1/24", dev="x0", netns="c")
    routed.link_set("x0", netns="c", up=True)
    routed.route_add("10.9.0.0/16", via="10.8.0.2", dev="x0", onlink=True, netns="c")
    routed.addr_add("10.9.0.1/32", dev="eth0", netns="a")
    routed.route_add("10.9.0.0/16", via="10.1.0.1", netns="r")
    for mode, expected in (("1", 0), ("2", 1), ("0", 1)):
        c.sysctl.set("net.ipv4.conf.all.rp_filter", mode)
        sock = routed.udp_socket(netns="a", addr="10.9.0.1")
        server = routed.udp_socket(netns="c", port=7000 + int(mode))
        sock.sendto(b"x", int(ipv4_addr("10.2.0.1")), 7000 + int(mode))
        routed.sleep(0.01)
        assert len(server.events) == expected, mode


def test_fragmentation_and_path_mtu(routed: World) -> None:
    """T12: DF and too big for the router's next link: *frag needed*; the sender learns the
    path MTU and fragments from then on; -M do then fails locally; without DF the router
    fragments and the far end reassembles."""
    routed.link_set("rc", netns="r", mtu=1000)
    routed.link_set("eth0", netns="c", mtu=1000)
    first = routed.ping("10.2.0.1", netns="a", size=1400, timeout=1)
    assert first.lines[1] == "From 10.1.0.254 icmp_seq=1 Frag needed and DF set (mtu = 1000)"
    again = routed.ping("10.2.0.1", netns="a", size=1400, timeout=1)
    assert again.lines[1].startswith("1408 bytes from 10.2.0.1: icmp_seq=1 ttl=63")
    strict = routed.ping("10.2.0.1", netns="a", size=1400, timeout=1, pmtudisc="do")
    assert strict.lines[1] == "ping: local error: message too long, mtu=1000"
    big = routed.ping("10.2.0.1", netns="a", size=3000, timeout=1)
    assert big.received == 1


BCAST_QUESTION = (
    "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules"
)


@pytest.mark.parametrize(
    ("rtype", "forwarded", "local"),
    [
        (
            "prohibit",
            "From 10.1.0.254 icmp_seq=1 Packet filtered",
            BCAST_QUESTION,
        ),
        (
            "unreachable",
            "From 10.1.0.254 icmp_seq=1 Destination Host Unreachable",
            "ping: connect: No route to host",
        ),
        ("blackhole", "", "ping: connect: Invalid argument"),
    ],
)
def test_reject_route_types(routed: World, rtype: str, forwarded: str, local: str) -> None:
    """A forwarded packet hitting prohibit/unreachable gets ICMP admin-prohibited/host
    unreachable from the router, blackhole drops it silently; on the router itself the
    connect fails with EACCES (which iputils reports as its broadcast question),
    EHOSTUNREACH, EINVAL."""
    routed.route_add("10.9.0.0/16", netns="r", type=rtype)
    assert routed.ping("10.9.0.1", netns="a", timeout=1).lines[1] == forwarded
    assert routed.ping("10.9.0.1", netns="r", timeout=1).lines == [local]


def test_broadcast_ping_needs_b_and_loops_back(routed: World) -> None:
    """Without ``-b`` connect() to a broadcast fails (EACCES, exit 2); with it the
    router answers from its own address, and once the sender answers too (its copy
    comes back to it first, ``ip_mc_output``) the router's reply is a duplicate that
    ``-b`` does not mark; ping stops when every request has one reply."""
    res = routed.ping("10.1.0.255", netns="a", timeout=1)
    assert (res.lines, res.exit_code) == ([BCAST_QUESTION], 2)
    res = routed.ping("10.1.0.255", netns="a", timeout=1, broadcast=True)
    assert res.lines[0] == "WARNING: pinging broadcast address" and res.received == 0
    routed.netns("r").sysctl.set("net.ipv4.icmp_echo_ignore_broadcasts", "0")
    routed.netns("a").sysctl.set("net.ipv4.icmp_echo_ignore_broadcasts", "0")
    res = routed.ping("10.1.0.255", netns="a", count=2, timeout=1, broadcast=True)
    replies = [line.split(" ttl=")[0] for line in res.lines[2:5]]
    assert replies == [
        "64 bytes from 10.1.0.1: icmp_seq=1",
        "64 bytes from 10.1.0.254: icmp_seq=1",
        "64 bytes from 10.1.0.1: icmp_seq=2",
    ]
    assert (res.received, res.duplicates) == (2, 1)
    assert res.lines[-2] == (
        "2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 1000ms"
    )
