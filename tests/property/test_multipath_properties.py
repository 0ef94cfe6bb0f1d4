"""Properties of multipath (ECMP) routes (hypothesis): ``fib_select_multipath``
gives each alive hop a share of the hash space proportional to its weight, a
flow always takes the same hop, dead hops are never chosen, and what ``ip route
get`` reports is the hop that local output and forwarding use."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import World
from netsim.addr import Prefix, ip4, ip4_str
from netsim.kernel.ipv4.consts import RT_SCOPE_UNIVERSE, RTN_UNICAST, RTPROT_BOOT
from netsim.kernel.ipv4.fib import NextHop, Route, fib_select_multipath
from netsim.kernel.ipv4.multipath import fib_multipath_hash, fib_select_path

weights = st.lists(st.integers(1, 256), min_size=2, max_size=6)


def _route(ws: list[int], dead: set[int] | None = None) -> Route:
    hops = [NextHop(gw=0x0A000002 + i, weight=w, dead=i in (dead or ())) for i, w in enumerate(ws)]
    return Route(Prefix(0x0A460000, 16), RTN_UNICAST, 254, RTPROT_BOOT, RT_SCOPE_UNIVERSE,
                 nexthops=hops)  # fmt: skip


@given(weights, st.integers(0, 2**31 - 1))
def test_the_hash_space_is_shared_by_weight(ws: list[int], mp_hash: int) -> None:
    """The hop for a hash is the one whose cumulative-weight slice holds it."""
    route = _route(ws)
    nh = route.nexthops.index(fib_select_multipath(route, mp_hash))
    total = sum(ws)
    lower = sum(ws[:nh]) * 2**31 / total
    upper = sum(ws[: nh + 1]) * 2**31 / total
    assert lower - 1 <= mp_hash <= upper


@given(weights, st.data())
def test_dead_hops_are_never_chosen(ws: list[int], data: st.DataObject) -> None:
    dead = set(data.draw(st.sets(st.integers(0, len(ws) - 1), max_size=len(ws) - 1)))
    route = _route(ws, dead)
    for mp_hash in (0, 1, 2**30, 2**31 - 1, data.draw(st.integers(0, 2**31 - 1))):
        assert route.nexthops.index(fib_select_multipath(route, mp_hash)) not in dead


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_the_hash_is_31_bits_and_stable(saddr: int, daddr: int) -> None:
    w = World(seed=1)
    ns = w.netns()
    h = fib_multipath_hash(ns, saddr, daddr)
    assert 0 <= h < 2**31
    assert h == fib_multipath_hash(World(seed=2).netns(), saddr, daddr)


def test_flows_spread_in_proportion_to_weights() -> None:
    w = World(seed=1)
    ns = w.netns()
    route = _route([1, 3])
    picks = [
        route.nexthops.index(fib_select_path(ns, route, 0, 0x0A460000 + i).nexthops[0])
        for i in range(4000)
    ]
    share = picks.count(0) / len(picks)
    assert 0.2 < share < 0.3


def _two_paths() -> World:
    w = World(seed=1)
    w.sh(
        "ip link add v0 type veth peer name v1\n"
        "ip link add w0 type veth peer name w1\n"
        "ip addr add 10.0.0.1/24 dev v0\nip addr add 10.1.0.1/24 dev w0\n"
        "for d in v0 v1 w0 w1; do ip link set $d up; done\n"
        "ip route add 10.70.0.0/16 nexthop via 10.0.0.2 weight 2 nexthop via 10.1.0.2\n"
    )
    return w


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 0xFFFF))
def test_local_output_uses_the_hop_route_get_reports(low: int) -> None:
    """A packet sent to the destination goes out (ARPs) where ``ip route get`` says."""
    w = _two_paths()
    dst = ip4_str(ip4("10.70.0.0") + low)
    got = w.route_get(dst)
    sock = w.udp_socket()
    sock.sendto(b"x", ip4(dst), 9)
    w.sleep(0.1)
    used = {n.dev.ifname: ip4_str(n.ip) for n in w.netns().inet.neigh}
    assert used == {got.dev.ifname: ip4_str(got.gateway)}
    assert w.route_get(dst).gateway == got.gateway  # stable per flow


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 0xFFFF))
def test_forwarding_uses_the_hop_of_the_flow(low: int) -> None:
    """A router forwards a flow by the L3 hash of its source and destination."""
    w = World(seed=1)
    w.sh(
        "ip netns add h\nip netns add r\n"
        "ip -n h link add eth0 type veth peer name a0 netns r\n"
        "ip -n r link add b0 type veth peer name b1\nip -n r link add c0 type veth peer name c1\n"
        "ip -n h addr add 10.9.0.1/24 dev eth0\nip -n h link set eth0 up\n"
        "ip -n h route add default via 10.9.0.254\n"
        "ip -n r addr add 10.9.0.254/24 dev a0\nip -n r addr add 10.0.0.1/24 dev b0\n"
        "ip -n r addr add 10.1.0.1/24 dev c0\n"
        "for d in a0 b0 b1 c0 c1; do ip -n r link set $d up; done\n"
        "ip netns exec r sysctl -qw net.ipv4.ip_forward=1\n"
        "ip -n r route add 10.70.0.0/16 nexthop via 10.0.0.2 nexthop via 10.1.0.2\n"
    )
    dst = ip4("10.70.0.0") + low
    r = w.netns("r")
    route = r.ipv4.lookup(dst)
    want = fib_select_path(r, route, ip4("10.9.0.1"), dst).nexthops[0]
    w.udp_socket(netns="h").sendto(b"x", dst, 9)
    w.sleep(0.5)
    used = {ip4_str(n.ip) for n in r.inet.neigh if n.dev.ifname in ("b0", "c0")}
    assert used == {ip4_str(want.gw)}
