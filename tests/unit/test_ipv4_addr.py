"""IPv4 addresses (devinet.c) and the routes the kernel keeps for them (fib_frontend.c),
as ``ip addr show`` and ``ip route show table all`` print them (reference/kernel.md §1,
transcripts T02, T03, T14, T15)."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import addr_records
from tests.l3view import error, routes

LO_ROUTES = [
    "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1",
    "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1",
    "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1",
]


# --- helpers -------------------------------------------------------------------------------------


def addrs(w: World, dev: str = "eth0", netns: str = "a") -> list[str]:
    """The ``inet`` lines of ``ip -n NETNS addr show dev DEV``."""
    out = []
    for a in addr_records(w.netns(netns), dev)[0]["addr_info"]:
        words = ["inet", f"{a['local']}/{a['prefixlen']}"]
        if "broadcast" in a:
            words += ["brd", a["broadcast"]]
        words += ["scope", a["scope"]]
        words += [flag for flag in ("secondary", "noprefixroute") if a.get(flag)]
        out.append(" ".join([*words, a["label"]]))
    return out


@pytest.fixture
def w() -> World:
    """T02: netns a and b, lo up in both, veth a/eth0 <-> b/eth0, both ends still down."""
    w = World(seed=7)
    for ns in ("a", "b"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    w.add_veth("eth0", "eth0", netns="a", peer_netns="b")
    return w


def up(w: World) -> None:
    """Both ends of the veth up: carrier on a/eth0."""
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)


# --- lo ------------------------------------------------------------------------------------------


def test_fresh_netns_has_no_address_and_no_route() -> None:
    """T01: a fresh namespace has only lo, down, with no address and no route."""
    w = World(seed=7)
    w.netns_add("a")
    assert addrs(w, "lo") == []
    assert routes(w) == []


def test_lo_up_gives_127_0_0_1_and_its_three_routes() -> None:
    """T02: ``ip link set lo up`` adds 127.0.0.1/8 scope host and local/local/broadcast routes."""
    w = World(seed=7)
    w.netns_add("a")
    w.link_set("lo", netns="a", up=True)
    assert addrs(w, "lo") == ["inet 127.0.0.1/8 scope host lo"]
    assert routes(w) == LO_ROUTES


def test_lo_down_and_up_again_keeps_one_address(w: World) -> None:
    """inetdev_event(NETDEV_UP): 127.0.0.1 is added only when lo has no address yet."""
    w.link_set("lo", netns="a", up=False)
    assert routes(w) == LO_ROUTES[:2]  # the host-scope routes survive a device going down
    w.link_set("lo", netns="a", up=True)
    assert addrs(w, "lo") == ["inet 127.0.0.1/8 scope host lo"]
    assert routes(w) == LO_ROUTES


# --- the kernel's routes for an address ----------------------------------------------------------


def test_address_on_a_down_link_gets_only_its_local_route(w: World) -> None:
    """T02: with the device down, only ``local A`` (table local, scope host) appears."""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    assert addrs(w) == ["inet 10.1.0.1/24 scope global eth0"]
    assert routes(w) == [
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        *LO_ROUTES,
    ]


def test_link_up_adds_the_prefix_and_broadcast_routes(w: World) -> None:
    """T02: link up adds ``proto kernel scope link src`` prefix route and the broadcast route."""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    up(w)
    assert routes(w) == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1",
        *LO_ROUTES,
    ]


def test_address_added_to_an_up_link_gets_all_three_routes_at_once(w: World) -> None:
    """fib_add_ifaddr(): on an up device, the address brings its three routes immediately."""
    up(w)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    assert routes(w, "main") == ["10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1"]
    assert "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1" in (
        routes(w, "local")
    )


def test_slash_32_gets_only_a_local_route(w: World) -> None:
    """fib_add_ifaddr(): a /32 has no subnet, hence no prefix and no broadcast route."""
    up(w)
    w.addr_add("10.1.0.1/32", dev="eth0", netns="a")
    assert routes(w) == [
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        *LO_ROUTES,
    ]


def test_slash_31_gets_a_prefix_route_but_no_broadcast(w: World) -> None:
    """fib_add_ifaddr(): a /31 (RFC 3021) has a prefix route and no broadcast route."""
    up(w)
    w.addr_add("10.2.0.1/31", dev="eth0", netns="a")
    assert routes(w) == [
        "10.2.0.0/31 dev eth0 proto kernel scope link src 10.2.0.1",
        "local 10.2.0.1 dev eth0 table local proto kernel scope host src 10.2.0.1",
        *LO_ROUTES,
    ]


def test_brd_plus_sets_the_broadcast_address(w: World) -> None:
    """``brd +``: ip computes the subnet's last address; the broadcast route is not doubled."""
    up(w)
    w.addr_add("10.3.0.1/24", dev="eth0", netns="a", broadcast="+")
    assert addrs(w) == ["inet 10.3.0.1/24 brd 10.3.0.255 scope global eth0"]
    assert routes(w, "local")[:2] == [
        "local 10.3.0.1 dev eth0 table local proto kernel scope host src 10.3.0.1",
        "broadcast 10.3.0.255 dev eth0 table local proto kernel scope link src 10.3.0.1",
    ]


def test_explicit_brd_gets_its_own_broadcast_route(w: World) -> None:
    """fib_add_ifaddr(): an explicit ``brd`` other than the subnet's adds a broadcast route."""
    up(w)
    w.addr_add("10.3.0.1/24", dev="eth0", netns="a", broadcast="10.3.0.7")
    assert routes(w, "local")[:3] == [
        "local 10.3.0.1 dev eth0 table local proto kernel scope host src 10.3.0.1",
        "broadcast 10.3.0.7 dev eth0 table local proto kernel scope link src 10.3.0.1",
        "broadcast 10.3.0.255 dev eth0 table local proto kernel scope link src 10.3.0.1",
    ]


def test_noprefixroute_keeps_the_broadcast_route_only(w: World) -> None:
    """fib_add_ifaddr(): ``noprefixroute`` drops the prefix route, not the broadcast one."""
    up(w)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a", noprefixroute=True)
    assert addrs(w) == ["inet 10.1.0.1/24 scope global noprefixroute eth0"]
    assert routes(w, "main") == []
    assert routes(w, "local")[:2] == [
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1",
    ]


def test_address_metric_goes_on_the_prefix_route(w: World) -> None:
    """fib_add_ifaddr(): ``metric M`` (IFA_RT_PRIORITY) is the prefix route's metric."""
    up(w)
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a", metric=77)
    assert routes(w, "main") == [
        "10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.1 metric 77"
    ]


def test_address_metric_is_not_on_the_local_and_broadcast_routes(w: World) -> None:
    """fib_add_ifaddr(): local and broadcast routes are added with metric 0 (kernel run)."""
    up(w)
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a", metric=77)
    assert routes(w, "local")[:2] == [
        "local 10.2.0.1 dev eth0 table local proto kernel scope host src 10.2.0.1",
        "broadcast 10.2.0.255 dev eth0 table local proto kernel scope link src 10.2.0.1",
    ]


def test_address_metric_is_shown_by_ip_addr(w: World) -> None:
    """``ip -j addr show``: IFA_RT_PRIORITY is printed as ``metric`` (kernel run)."""
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a", metric=77)
    (info,) = addr_records(w.netns("a"), "eth0")[0]["addr_info"]
    assert info["metric"] == 77
    assert list(info)[:4] == ["family", "local", "prefixlen", "metric"]


# --- primaries and secondaries -------------------------------------------------------------------


def test_second_address_in_the_subnet_is_secondary_with_the_primary_as_src(w: World) -> None:
    """T14: 10.1.0.50/24 next to 10.1.0.1/24 is ``secondary``; its local route has src 10.1.0.1."""
    up(w)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.1.0.50/24", dev="eth0", netns="a")
    assert addrs(w) == [
        "inet 10.1.0.1/24 scope global eth0",
        "inet 10.1.0.50/24 scope global secondary eth0",
    ]
    assert routes(w) == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        "local 10.1.0.50 dev eth0 table local proto kernel scope host src 10.1.0.1",
        "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1",
        *LO_ROUTES,
    ]


def test_same_ip_with_another_length_is_a_new_primary(w: World) -> None:
    """__inet_insert_ifa(): subnets are compared with equal masks, so /16 next to /24 is primary."""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.1.0.1/16", dev="eth0", netns="a")
    assert addrs(w) == ["inet 10.1.0.1/24 scope global eth0", "inet 10.1.0.1/16 scope global eth0"]


def test_primaries_are_listed_before_secondaries_and_by_scope(w: World) -> None:
    """__inet_insert_ifa(): secondaries at the end; a link-scope primary before global ones."""
    w.addr_add("10.3.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.3.0.2/24", dev="eth0", netns="a")
    w.addr_add("10.1.0.1/32", dev="eth0", netns="a")
    w.addr_add("10.4.0.1/24", dev="eth0", netns="a", scope="link")
    w.addr_add("10.4.0.8/24", dev="eth0", netns="a", scope="link", label="eth0:x")
    assert addrs(w) == [
        "inet 10.4.0.1/24 scope link eth0",
        "inet 10.3.0.1/24 scope global eth0",
        "inet 10.1.0.1/32 scope global eth0",
        "inet 10.3.0.2/24 scope global secondary eth0",
        "inet 10.4.0.8/24 scope link secondary eth0:x",
    ]


def test_duplicate_address_is_refused(w: World) -> None:
    """__inet_insert_ifa(): the same address twice is ``ipv4: Address already assigned``."""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    msg = error(w.addr_add, "10.1.0.1/24", dev="eth0", netns="a")
    assert msg == "Error: ipv4: Address already assigned."
    assert addrs(w) == ["inet 10.1.0.1/24 scope global eth0"]


def test_deleting_a_missing_address_is_refused(w: World) -> None:
    """inet_rtm_deladdr(): ``Error: ipv4: Address not found.``"""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    assert error(w.addr_del, "10.1.0.99/24", dev="eth0", netns="a") == (
        "Error: ipv4: Address not found."
    )
    assert error(w.addr_del, "10.1.0.1/16", dev="eth0", netns="a") == (
        "Error: ipv4: Address not found."
    )


def test_same_subnet_with_another_scope_is_refused(w: World) -> None:
    """__inet_insert_ifa(): a secondary must have its primary's scope."""
    w.addr_add("10.4.0.1/24", dev="eth0", netns="a", scope="link")
    msg = error(w.addr_add, "10.4.0.7/24", dev="eth0", netns="a")
    assert msg == "Error: ipv4: Invalid scope value."
    assert addrs(w) == ["inet 10.4.0.1/24 scope link eth0"]


def test_deleting_a_secondary_removes_its_local_route_and_routes_with_its_src(w: World) -> None:
    """fib_del_ifaddr() + fib_sync_down_addr(): routes with src = the secondary go, others stay."""
    up(w)
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.2.0.9/24", dev="eth0", netns="a")
    w.route_add("10.9.0.0/16", via="10.2.0.254", src="10.2.0.9", netns="a")
    w.route_add("10.10.0.0/16", via="10.2.0.254", netns="a")
    w.addr_del("10.2.0.9/24", dev="eth0", netns="a")
    assert addrs(w) == ["inet 10.2.0.1/24 scope global eth0"]
    assert routes(w) == [
        "10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.1",
        "10.10.0.0/16 via 10.2.0.254 dev eth0",
        "local 10.2.0.1 dev eth0 table local proto kernel scope host src 10.2.0.1",
        "broadcast 10.2.0.255 dev eth0 table local proto kernel scope link src 10.2.0.1",
        *LO_ROUTES,
    ]


def test_deleting_a_primary_removes_its_secondaries_and_their_routes(w: World) -> None:
    """T14: promote_secondaries=0: the primary's secondaries go too; other subnets stay."""
    up(w)
    for a in ("10.1.0.1/24", "10.1.0.50/24", "10.1.0.51/24", "10.2.0.1/24"):
        w.addr_add(a, dev="eth0", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    w.route_add("10.17.0.0/16", via="10.2.0.2", src="10.1.0.1", netns="a")
    w.addr_del("10.1.0.1/24", dev="eth0", netns="a")
    assert addrs(w) == ["inet 10.2.0.1/24 scope global eth0"]
    assert routes(w) == [
        "10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.1",
        "10.9.0.0/16 via 10.1.0.2 dev eth0",
        "local 10.2.0.1 dev eth0 table local proto kernel scope host src 10.2.0.1",
        "broadcast 10.2.0.255 dev eth0 table local proto kernel scope link src 10.2.0.1",
        *LO_ROUTES,
    ]


def test_deleting_a_primary_removes_routes_with_a_secondarys_src(w: World) -> None:
    """__inet_del_ifa() (kernel run): routes with src = a removed secondary go as well."""
    up(w)
    for a in ("10.1.0.1/24", "10.1.0.50/24", "10.2.0.1/24"):
        w.addr_add(a, dev="eth0", netns="a")
    w.route_add("10.16.0.0/16", via="10.1.0.2", src="10.1.0.50", netns="a")
    w.addr_del("10.1.0.1/24", dev="eth0", netns="a")
    assert routes(w, "main") == ["10.2.0.0/24 dev eth0 proto kernel scope link src 10.2.0.1"]


def test_deleting_the_last_address_flushes_every_route_through_the_device(w: World) -> None:
    """T14: after the last address goes, static routes through the device go too."""
    up(w)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.route_add("default", via="10.1.0.254", netns="a")
    w.route_add("10.18.0.0/16", dev="eth0", netns="a")
    w.route_add("10.19.0.0/16", dev="eth0", table=100, netns="a")
    w.addr_del("10.1.0.1/24", dev="eth0", netns="a")
    assert addrs(w) == []
    assert routes(w) == LO_ROUTES


def test_addr_flush_removes_every_address_and_route(w: World) -> None:
    """``ip addr flush dev eth0``: no address, no route through eth0 left."""
    up(w)
    for a in ("10.1.0.1/24", "10.1.0.2/24", "10.2.0.1/24"):
        w.addr_add(a, dev="eth0", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.254", netns="a")
    w.addr_flush(dev="eth0", netns="a")
    assert addrs(w) == []
    assert routes(w) == LO_ROUTES


# --- labels --------------------------------------------------------------------------------------


def test_label_is_shown_instead_of_the_device_name(w: World) -> None:
    """``ip addr add ... label eth0:1``: the label ends the ``inet`` line; default is the device."""
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.1.0.9/24", dev="eth0", netns="a", label="eth0:1")
    assert addrs(w) == [
        "inet 10.1.0.1/24 scope global eth0",
        "inet 10.1.0.9/24 scope global secondary eth0:1",
    ]


def test_any_label_is_accepted(w: World) -> None:
    """iproute2 6.1 + kernel: ``label foo`` and ``label eth0foo`` are accepted (kernel run)."""
    w.addr_add("10.3.0.1/24", dev="eth0", netns="a", label="foo")
    w.addr_add("10.4.0.1/24", dev="eth0", netns="a", label="eth0foo")
    assert addrs(w) == [
        "inet 10.3.0.1/24 scope global foo",
        "inet 10.4.0.1/24 scope global eth0foo",
    ]


# --- devices moving ------------------------------------------------------------------------------


def test_moving_a_device_to_another_netns_drops_its_addresses_and_routes(w: World) -> None:
    """NETDEV_UNREGISTER on the move: the device arrives in c with no address; a keeps no route."""
    w.netns_add("c")
    up(w)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.254", netns="a")
    w.link_set("eth0", netns="a", to_netns="c")
    assert addrs(w, netns="c") == []
    assert routes(w, netns="c") == []
    assert routes(w) == LO_ROUTES
