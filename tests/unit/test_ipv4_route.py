"""IPv4 routes (fib_semantics.c, fib_trie.c, route.c): ``ip route add|replace|append|del``,
what links going down and up do to them, and ``ip route get`` (reference/kernel.md §1-2,
transcripts T03, T10, T14)."""

from __future__ import annotations

import errno

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import route_get_record, route_records
from tests.l3view import error, get, get_errno, routes

LO_ROUTES = [
    "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1",
    "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1",
    "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1",
]
ETH0_ROUTES = [  # 10.1.0.1/24 on eth0, up
    "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
    "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
    "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1",
]


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def w() -> World:
    """T14's host: netns a with eth0 10.1.0.1/24 (veth to b/eth0), lo and both ends up."""
    w = World(seed=7)
    for ns in ("a", "b"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    w.add_veth("eth0", "eth0", netns="a", peer_netns="b")
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    return w


def add_eth1(w: World, addr: str | None = None) -> None:
    """A second veth, a/eth1 <-> b/eth1, both ends up, with ``addr`` on a/eth1."""
    w.add_veth("eth1", "eth1", netns="a", peer_netns="b")
    w.link_set("eth1", netns="a", up=True)
    w.link_set("eth1", netns="b", up=True)
    if addr:
        w.addr_add(addr, dev="eth1", netns="a")


# --- link events (T03) ---------------------------------------------------------------------------


def test_admin_down_keeps_only_local_routes(w: World) -> None:
    """T03: ``link set down`` drops prefix, broadcast and static routes; ``local`` stays."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    w.route_add("10.8.0.0/16", dev="eth0", netns="a")
    w.route_add("10.7.0.0/16", dev="eth0", table=100, netns="a")
    assert routes(w, "main") == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
        "10.8.0.0/16 dev eth0 scope link",
        "10.9.0.0/16 via 10.1.0.2 dev eth0",
    ]
    w.link_set("eth0", netns="a", up=False)
    assert routes(w) == [
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        *LO_ROUTES,
    ]


def test_admin_down_subnet_is_unreachable_but_own_address_is_local(w: World) -> None:
    """T03: with eth0 down, ``route get 10.1.0.2`` is ENETUNREACH, 10.1.0.1 is still local."""
    w.link_set("eth0", netns="a", up=False)
    assert error(w.route_get, "10.1.0.2", netns="a") == "RTNETLINK answers: Network is unreachable"
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo src 10.1.0.1"


def test_up_again_restores_only_the_kernel_routes(w: World) -> None:
    """T03: after down/up the prefix and broadcast routes are back, static routes are not."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    w.route_add("10.8.0.0/16", dev="eth0", netns="a")
    w.link_set("eth0", netns="a", up=False)
    w.link_set("eth0", netns="a", up=True)
    assert routes(w) == [*ETH0_ROUTES, *LO_ROUTES]


def test_carrier_loss_flags_routes_linkdown_and_they_keep_working(w: World) -> None:
    """T03: peer down flags routes (not local ones) ``linkdown``; route get still uses them."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    w.link_set("eth0", netns="b", up=False)
    assert routes(w)[:4] == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1 linkdown",
        "10.9.0.0/16 via 10.1.0.2 dev eth0 linkdown",
        "local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1",
        "broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1 linkdown",
    ]
    assert get(w, "10.9.1.1") == "10.9.1.1 via 10.1.0.2 dev eth0 src 10.1.0.1"
    w.link_set("eth0", netns="b", up=True)
    assert routes(w, "main") == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
        "10.9.0.0/16 via 10.1.0.2 dev eth0",
    ]


def test_routes_can_be_added_through_a_device_without_carrier(w: World) -> None:
    """T03: a device that is up without carrier takes new routes, flagged ``linkdown``."""
    w.link_set("eth0", netns="b", up=False)
    w.route_add("10.8.0.0/16", dev="eth0", netns="a")
    assert "10.8.0.0/16 dev eth0 scope link linkdown" in routes(w, "main")


# --- adding and deleting (T14) -------------------------------------------------------------------


def test_dev_route_is_scope_link_and_gateway_route_is_global(w: World) -> None:
    """T14: a ``dev`` route is ``scope link``, a ``via`` route universe; both ``proto boot``."""
    w.route_add("10.15.0.0/16", dev="eth0", netns="a")
    w.route_add("default", via="10.1.0.254", netns="a")
    recs = {r["dst"]: r for r in route_records(w.netns("a"), 254)}
    assert recs["10.15.0.0/16"] == {"dst": "10.15.0.0/16", "dev": "eth0", "scope": "link",
                                    "flags": []}  # fmt: skip
    assert recs["default"] == {"dst": "default", "gateway": "10.1.0.254", "dev": "eth0",
                               "flags": []}  # fmt: skip
    assert get(w, "10.15.3.3") == "10.15.3.3 dev eth0 src 10.1.0.1"


def test_longest_prefix_wins(w: World) -> None:
    """T14: /16, /24 and /32 for 10.13/16: each destination takes its longest match."""
    w.route_add("10.13.0.0/16", via="10.1.0.254", netns="a")
    w.route_add("10.13.5.0/24", via="10.1.0.253", netns="a")
    w.route_add("10.13.5.7/32", via="10.1.0.252", netns="a")
    assert get(w, "10.13.1.1") == "10.13.1.1 via 10.1.0.254 dev eth0 src 10.1.0.1"
    assert get(w, "10.13.5.1") == "10.13.5.1 via 10.1.0.253 dev eth0 src 10.1.0.1"
    assert get(w, "10.13.5.7") == "10.13.5.7 via 10.1.0.252 dev eth0 src 10.1.0.1"


def test_lowest_metric_wins_and_del_without_metric_removes_it(w: World) -> None:
    """T14: metric 50 is listed and used before metric 100; ``route del P`` deletes it."""
    w.route_add("10.12.0.0/16", via="10.1.0.254", metric=100, netns="a")
    w.route_add("10.12.0.0/16", via="10.1.0.253", metric=50, netns="a")
    assert routes(w, "main")[1:] == [
        "10.12.0.0/16 via 10.1.0.253 dev eth0 metric 50",
        "10.12.0.0/16 via 10.1.0.254 dev eth0 metric 100",
    ]
    assert get(w, "10.12.0.1") == "10.12.0.1 via 10.1.0.253 dev eth0 src 10.1.0.1"
    w.route_del("10.12.0.0/16", netns="a")
    assert routes(w, "main")[1:] == ["10.12.0.0/16 via 10.1.0.254 dev eth0 metric 100"]
    assert get(w, "10.12.0.1") == "10.12.0.1 via 10.1.0.254 dev eth0 src 10.1.0.1"


def test_duplicate_route_is_refused(w: World) -> None:
    """T14: ``route add`` of an existing prefix and metric: ``File exists``, even via another gw."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    assert error(w.route_add, "10.9.0.0/16", via="10.1.0.254", netns="a") == (
        "RTNETLINK answers: File exists"
    )
    assert error(w.route_add, "10.9.0.0/16", via="10.1.0.2", netns="a") == (
        "RTNETLINK answers: File exists"
    )


def test_deleting_a_missing_route_is_refused(w: World) -> None:
    """T14: ``route del 10.99.0.0/16``: ``No such process``; so is a non-matching via or metric."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    for kwargs in ({}, {"via": "10.1.0.99"}, {"metric": 7}, {"type": "blackhole"}):
        dst = "10.99.0.0/16" if not kwargs else "10.9.0.0/16"
        assert error(w.route_del, dst, netns="a", **kwargs) == "RTNETLINK answers: No such process"
    assert routes(w, "main")[1:] == ["10.9.0.0/16 via 10.1.0.2 dev eth0"]


def test_delete_by_gateway_or_metric(w: World) -> None:
    """fib_table_delete(): the first route matching every attribute given goes."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", metric=100, mode="append", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.5", metric=200, netns="a")
    w.route_del("10.9.0.0/16", metric=200, netns="a")
    w.route_del("10.9.0.0/16", via="10.1.0.3", netns="a")
    assert routes(w, "main")[1:] == ["10.9.0.0/16 via 10.1.0.2 dev eth0 metric 100"]


def test_non_normalised_prefix_is_refused(w: World) -> None:
    """T14: ``route add 10.14.1.1/16``: ``Invalid prefix for given prefix length``."""
    assert error(w.route_add, "10.14.1.1/16", via="10.1.0.254", netns="a") == (
        "Error: Invalid prefix for given prefix length."
    )


def test_deleting_from_a_table_that_never_existed(w: World) -> None:
    """inet_rtm_delroute(): no such table is ``FIB table does not exist``."""
    assert error(w.route_del, "10.0.0.0/8", table=77, netns="a") == (
        "Error: FIB table does not exist."
    )


def test_a_refused_add_still_creates_its_table(w: World) -> None:
    """inet_rtm_newroute() calls fib_new_table() first: the next del says ``No such process``."""
    assert error(w.route_add, "10.0.0.0/8", via="10.77.0.1", table=78, netns="a") == (
        "Error: Nexthop has invalid gateway."
    )
    assert error(w.route_del, "10.0.0.0/8", table=78, netns="a") == (
        "RTNETLINK answers: No such process"
    )


def test_route_in_another_table(w: World) -> None:
    """``route add ... table 100``: listed with ``table 100``; not used without a rule."""
    w.route_add("10.30.0.0/16", via="10.1.0.254", table=100, netns="a")
    assert routes(w, "100") == ["10.30.0.0/16 via 10.1.0.254 dev eth0 table 100"]
    assert error(w.route_get, "10.30.0.1", netns="a") == (
        "RTNETLINK answers: Network is unreachable"
    )


# --- next hop and source validation (T14) --------------------------------------------------------


def test_gateway_outside_every_connected_subnet_is_refused(w: World) -> None:
    """T14: ``via 10.77.0.1`` (with or without ``dev eth0``): ``Nexthop has invalid gateway``."""
    for dev in (None, "eth0"):
        assert error(w.route_add, "10.9.0.0/16", via="10.77.0.1", dev=dev, netns="a") == (
            "Error: Nexthop has invalid gateway."
        )
    assert routes(w, "main") == [ETH0_ROUTES[0]]


def test_gateway_reachable_only_through_another_gateway_is_refused(w: World) -> None:
    """T14: no recursive resolution: 10.2.0.1 via the default route is not a valid gateway."""
    w.route_add("default", via="10.1.0.254", netns="a")
    w.route_add("10.20.0.0/16", via="10.1.0.254", netns="a")
    for gw in ("10.2.0.1", "10.20.0.1"):
        assert error(w.route_add, "10.10.0.0/16", via=gw, netns="a") == (
            "Error: Nexthop has invalid gateway."
        )


def test_gateway_on_a_dev_route_is_accepted(w: World) -> None:
    """fib_check_nh_v4_gw(): a ``dev`` route (scope link) covers a gateway like a subnet does."""
    w.route_add("10.50.0.0/16", dev="eth0", netns="a")
    w.route_add("10.51.0.0/16", via="10.50.0.1", netns="a")
    assert get(w, "10.51.0.9") == "10.51.0.9 via 10.50.0.1 dev eth0 src 10.1.0.1"


def test_onlink_skips_the_gateway_check(w: World) -> None:
    """T14: ``via 10.77.0.1 dev eth0 onlink`` is accepted, shown ``onlink``, and used."""
    w.route_add("10.9.0.0/16", via="10.77.0.1", dev="eth0", onlink=True, netns="a")
    assert routes(w, "main")[1:] == ["10.9.0.0/16 via 10.77.0.1 dev eth0 onlink"]
    assert get(w, "10.9.1.1") == "10.9.1.1 via 10.77.0.1 dev eth0 src 10.1.0.1"


def test_onlink_needs_the_device_up(w: World) -> None:
    """fib_check_nh_v4_gw(): ``onlink`` through a down device: ``Nexthop device is not up``."""
    w.link_set("eth0", netns="a", up=False)
    assert error(w.route_add, "10.7.0.0/16", via="10.1.0.2", dev="eth0", onlink=True,
                 netns="a") == "Error: Nexthop device is not up."  # fmt: skip


def test_gateway_equal_to_a_local_address_is_accepted(w: World) -> None:
    """T14: ``route add 10.11.0.0/16 via 10.1.0.1`` (our own address) is accepted."""
    w.route_add("10.11.0.0/16", via="10.1.0.1", netns="a")
    assert routes(w, "main")[1:] == ["10.11.0.0/16 via 10.1.0.1 dev eth0"]


def test_gateway_equal_to_a_local_address_is_not_used_as_gateway(w: World) -> None:
    """rt_set_nexthop() (kernel run): a host-scope next hop is no gateway: no ``via``."""
    w.route_add("10.25.0.0/16", via="10.1.0.1", netns="a")
    assert get(w, "10.25.0.1") == "10.25.0.1 dev eth0 src 10.1.0.1"


def test_src_must_be_a_local_address(w: World) -> None:
    """T14: ``src 10.99.0.1`` is ``Invalid prefsrc address``; a secondary's address is fine."""
    assert error(w.route_add, "10.17.0.0/16", via="10.1.0.254", src="10.99.0.1", netns="a") == (
        "Error: Invalid prefsrc address."
    )
    w.addr_add("10.1.0.50/24", dev="eth0", netns="a")
    w.route_add("10.16.0.0/16", via="10.1.0.254", src="10.1.0.50", netns="a")
    assert routes(w, "main")[1:] == ["10.16.0.0/16 via 10.1.0.254 dev eth0 src 10.1.0.50"]


def test_dev_route_needs_the_device_up(w: World) -> None:
    """fib_check_nh_nongw(): ``route add 10.7.0.0/16 dev eth0`` on a down eth0."""
    w.link_set("eth0", netns="a", up=False)
    assert error(w.route_add, "10.7.0.0/16", dev="eth0", netns="a") == (
        "Error: Device for nexthop is not up."
    )


# --- replace and append --------------------------------------------------------------------------


def test_replace_creates_a_missing_route(w: World) -> None:
    """T14: ``route replace`` of a route that is not there adds it."""
    w.route_add("10.10.0.0/16", via="10.1.0.7", mode="replace", netns="a")
    assert routes(w, "main")[1:] == ["10.10.0.0/16 via 10.1.0.7 dev eth0"]


def test_replace_swaps_the_first_route_of_the_same_metric(w: World) -> None:
    """fib_table_insert() (kernel run): replace takes the first same-metric route's place."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", metric=100, mode="append", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.7", metric=100, mode="replace", netns="a")
    w.route_add("10.9.0.0/16", dev="eth0", metric=300, mode="replace", netns="a")
    assert routes(w, "main")[1:] == [
        "10.9.0.0/16 via 10.1.0.7 dev eth0 metric 100",
        "10.9.0.0/16 via 10.1.0.3 dev eth0 metric 100",
        "10.9.0.0/16 dev eth0 scope link metric 300",
    ]


def test_replace_with_the_first_routes_twin_changes_nothing(w: World) -> None:
    """fib_table_insert() (kernel run): replacing a route by itself succeeds and keeps order."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", metric=100, mode="append", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, mode="replace", netns="a")
    assert routes(w, "main")[1:] == [
        "10.9.0.0/16 via 10.1.0.2 dev eth0 metric 100",
        "10.9.0.0/16 via 10.1.0.3 dev eth0 metric 100",
    ]


def test_replace_with_a_later_routes_twin_is_refused(w: World) -> None:
    """fib_table_insert() (kernel run): replace by a later route's twin is ``File exists``."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", metric=100, mode="append", netns="a")
    assert error(w.route_add, "10.9.0.0/16", via="10.1.0.3", metric=100, mode="replace",
                 netns="a") == "RTNETLINK answers: File exists"  # fmt: skip
    assert routes(w, "main")[1:] == [
        "10.9.0.0/16 via 10.1.0.2 dev eth0 metric 100",
        "10.9.0.0/16 via 10.1.0.3 dev eth0 metric 100",
    ]


def test_append_orders_by_metric_then_arrival(w: World) -> None:
    """fib_table_insert() (kernel run): append goes last of its metric; twins are refused."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", metric=100, netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", metric=100, mode="append", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.4", metric=50, mode="append", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.5", metric=200, netns="a")
    assert error(w.route_add, "10.9.0.0/16", via="10.1.0.2", metric=100, mode="append",
                 netns="a") == "RTNETLINK answers: File exists"  # fmt: skip
    assert error(w.route_add, "10.9.0.0/16", via="10.1.0.6", metric=100, netns="a") == (
        "RTNETLINK answers: File exists"
    )
    assert routes(w, "main")[1:] == [
        "10.9.0.0/16 via 10.1.0.4 dev eth0 metric 50",
        "10.9.0.0/16 via 10.1.0.2 dev eth0 metric 100",
        "10.9.0.0/16 via 10.1.0.3 dev eth0 metric 100",
        "10.9.0.0/16 via 10.1.0.5 dev eth0 metric 200",
    ]
    assert get(w, "10.9.0.1") == "10.9.0.1 via 10.1.0.4 dev eth0 src 10.1.0.1"


def test_of_two_equal_metric_routes_the_first_is_used(w: World) -> None:
    """fib_table_lookup(): the first usable alias of the longest prefix wins."""
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    w.route_add("10.9.0.0/16", via="10.1.0.3", mode="append", netns="a")
    assert get(w, "10.9.0.1") == "10.9.0.1 via 10.1.0.2 dev eth0 src 10.1.0.1"
    w.route_del("10.9.0.0/16", via="10.1.0.2", netns="a")
    assert get(w, "10.9.0.1") == "10.9.0.1 via 10.1.0.3 dev eth0 src 10.1.0.1"


# --- route types (T10) ---------------------------------------------------------------------------


def test_route_types_are_listed_without_device(w: World) -> None:
    """T10: blackhole, unreachable, prohibit and throw routes as ``route show`` lists them."""
    for rtype, dst in (("blackhole", "10.4.1.0/24"), ("unreachable", "10.4.2.0/24"),
                       ("prohibit", "10.4.3.0/24"), ("throw", "10.4.4.0/24")):  # fmt: skip
        w.route_add(dst, type=rtype, netns="a")
    assert routes(w, "main") == [
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
        "blackhole 10.4.1.0/24",
        "unreachable 10.4.2.0/24",
        "prohibit 10.4.3.0/24",
        "throw 10.4.4.0/24",
    ]


@pytest.mark.parametrize(
    ("rtype", "err", "message"),
    [
        ("blackhole", errno.EINVAL, "RTNETLINK answers: Invalid argument"),
        ("unreachable", errno.EHOSTUNREACH, "RTNETLINK answers: No route to host"),
        ("prohibit", errno.EACCES, "RTNETLINK answers: Permission denied"),
        ("throw", errno.ENETUNREACH, "RTNETLINK answers: Network is unreachable"),
    ],
)
def test_route_get_through_an_error_route(w: World, rtype: str, err: int, message: str) -> None:
    """T10 / fib_props[]: each route type's errno, even under a covering unicast route."""
    w.route_add("10.4.0.0/16", via="10.1.0.254", netns="a")
    w.route_add("10.4.1.0/24", type=rtype, netns="a")
    assert error(w.route_get, "10.4.1.1", netns="a") == message
    assert get_errno(w, "10.4.1.1") == err
    assert get(w, "10.4.5.1") == "10.4.5.1 via 10.1.0.254 dev eth0 src 10.1.0.1"


def test_no_route_at_all_is_enetunreach(w: World) -> None:
    """T10: ``route get 10.5.0.1`` without any route: ``Network is unreachable``."""
    assert get_errno(w, "10.5.0.1") == errno.ENETUNREACH


def test_error_route_types_take_no_next_hop(w: World) -> None:
    """fib_create_info() (kernel run): no dev/via on a blackhole route; src is not checked."""
    for kwargs in ({"dev": "eth0"}, {"via": "10.1.0.254"}):
        assert error(w.route_add, "10.4.1.0/24", type="blackhole", netns="a", **kwargs) == (
            "Error: Gateway, device and multipath can not be specified for this route type."
        )
    w.route_add("10.4.8.0/24", type="blackhole", src="10.99.0.1", netns="a")
    assert routes(w, "main")[1:] == ["blackhole 10.4.8.0/24 src 10.99.0.1"]


# --- route get: the source address ---------------------------------------------------------------


def test_source_is_the_primary_in_the_gateways_subnet(w: World) -> None:
    """inet_select_addr() (kernel run): the primary in the gateway's subnet is the source."""
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a")
    w.route_add("10.20.0.0/16", via="10.2.0.254", netns="a")
    assert get(w, "10.20.0.1") == "10.20.0.1 via 10.2.0.254 dev eth0 src 10.2.0.1"


def test_route_src_wins(w: World) -> None:
    """T14: ``src 10.1.0.50`` (a secondary) is the source, not the primary."""
    w.addr_add("10.1.0.50/24", dev="eth0", netns="a")
    w.route_add("10.16.0.0/16", via="10.1.0.254", src="10.1.0.50", netns="a")
    assert get(w, "10.16.0.1") == "10.16.0.1 via 10.1.0.254 dev eth0 src 10.1.0.50"


def test_source_falls_back_to_the_first_primary(w: World) -> None:
    """T14: an onlink gateway outside every subnet: the device's first primary, 10.1.0.1."""
    w.addr_add("10.2.0.1/24", dev="eth0", netns="a")
    w.route_add("10.9.0.0/16", via="10.77.0.1", dev="eth0", onlink=True, netns="a")
    assert get(w, "10.9.1.1") == "10.9.1.1 via 10.77.0.1 dev eth0 src 10.1.0.1"


def test_source_scope_must_fit_the_route(w: World) -> None:
    """inet_select_addr() (kernel run): a link-scope address serves dev routes, not via ones."""
    w.addr_add("10.3.0.1/24", dev="eth0", netns="a", scope="link")  # listed first
    w.route_add("10.41.0.0/16", via="10.3.0.254", netns="a")
    w.route_add("10.42.0.0/16", dev="eth0", netns="a")
    assert get(w, "10.41.0.1") == "10.41.0.1 via 10.3.0.254 dev eth0 src 10.1.0.1"
    assert get(w, "10.42.0.1") == "10.42.0.1 dev eth0 src 10.3.0.1"


def test_source_from_another_device(w: World) -> None:
    """inet_select_addr() (kernel run): eth1 has no address: a global one of another device."""
    add_eth1(w)
    w.route_add("10.40.0.0/16", dev="eth1", netns="a")
    assert get(w, "10.40.0.1") == "10.40.0.1 dev eth1 src 10.1.0.1"


def test_no_source_at_all_prints_no_src(w: World) -> None:
    """Kernel run: with no usable address anywhere, ``ip -j route get`` has no ``prefsrc``."""
    add_eth1(w)
    w.addr_flush(dev="eth0", netns="a")
    w.route_add("10.40.0.0/16", dev="eth1", netns="a")
    rec = route_get_record(w.route_get("10.40.0.1", netns="a"))
    assert rec == {"dst": "10.40.0.1", "dev": "eth1", "flags": [], "uid": 0, "cache": []}


def test_from_a_local_address_is_shown_instead_of_src(w: World) -> None:
    """T14: ``route get 10.2.0.1 from 10.1.0.50`` prints ``from`` and no ``src``."""
    w.addr_add("10.1.0.50/24", dev="eth0", netns="a")
    w.route_add("default", via="10.1.0.254", netns="a")
    assert get(w, "10.2.0.1", src="10.1.0.50") == "10.2.0.1 from 10.1.0.50 via 10.1.0.254 dev eth0"
    assert route_get_record(w.route_get("10.2.0.1", src="10.1.0.50", netns="a")) == {
        "dst": "10.2.0.1", "from": "10.1.0.50", "gateway": "10.1.0.254", "dev": "eth0",
        "flags": [], "uid": 0, "cache": [],
    }  # fmt: skip


def test_from_a_non_local_address_is_unreachable(w: World) -> None:
    """T15: ``route get X from <not ours>``: ENETUNREACH, even with a default route."""
    w.route_add("default", via="10.1.0.254", netns="a")
    assert error(w.route_get, "8.8.8.8", src="10.1.0.99", netns="a") == (
        "RTNETLINK answers: Network is unreachable"
    )


# --- route get: local, broadcast, oif ------------------------------------------------------------


def test_local_destinations_leave_by_lo(w: World) -> None:
    """T03/T13 (kernel run): own addresses, a secondary (src = its primary) and all of 127/8."""
    w.addr_add("10.1.0.50/24", dev="eth0", netns="a")
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo src 10.1.0.1"
    assert get(w, "10.1.0.50") == "local 10.1.0.50 dev lo src 10.1.0.1"
    assert get(w, "127.0.0.5") == "local 127.0.0.5 dev lo src 127.0.0.1"
    assert route_get_record(w.route_get("10.1.0.1", netns="a")) == {
        "type": "local", "dst": "10.1.0.1", "dev": "lo", "prefsrc": "10.1.0.1", "flags": [],
        "uid": 0, "cache": ["local"],
    }  # fmt: skip


def test_own_address_beats_a_host_route_in_main(w: World) -> None:
    """T15: table local is looked up first, so ``10.1.0.1/32 via ...`` in main is ignored."""
    w.route_add("10.1.0.1/32", via="10.1.0.254", netns="a")
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo src 10.1.0.1"


def test_subnet_broadcast_destination(w: World) -> None:
    """Kernel run: ``route get 10.1.0.255`` is ``broadcast ... dev eth0``, cache <local,brd>."""
    assert route_get_record(w.route_get("10.1.0.255", netns="a")) == {
        "type": "broadcast", "dst": "10.1.0.255", "dev": "eth0", "prefsrc": "10.1.0.1",
        "flags": [], "uid": 0, "cache": ["local", "brd"],
    }  # fmt: skip


def test_limited_broadcast_without_a_default_route_is_unreachable(w: World) -> None:
    """Kernel run: ``route get 255.255.255.255`` with no default route: ENETUNREACH."""
    assert get_errno(w, "255.255.255.255") == errno.ENETUNREACH


def test_limited_broadcast_through_the_default_route(w: World) -> None:
    """__mkroute_output() (kernel run): ``broadcast 255.255.255.255 dev eth0 src 10.1.0.1``."""
    w.route_add("default", via="10.1.0.254", netns="a")
    assert get(w, "255.255.255.255") == "broadcast 255.255.255.255 dev eth0 src 10.1.0.1"


def test_oif_picks_the_route_through_that_device(w: World) -> None:
    """fib_lookup_good_nhc() (kernel run): ``oif eth1`` skips the better default via eth0."""
    add_eth1(w, "10.2.0.1/24")
    w.route_add("default", via="10.1.0.254", metric=10, netns="a")
    w.route_add("default", via="10.2.0.254", metric=20, netns="a")
    assert get(w, "8.8.8.8") == "8.8.8.8 via 10.1.0.254 dev eth0 src 10.1.0.1"
    assert get(w, "8.8.8.8", oif="eth1") == "8.8.8.8 via 10.2.0.254 dev eth1 src 10.2.0.1"


def test_oif_without_a_route_assumes_the_destination_is_on_link(w: World) -> None:
    """ip_route_output_key_hash_rcu() (kernel run): oif with no route: assume on-link."""
    add_eth1(w, "10.2.0.1/24")
    assert get(w, "10.40.0.1", oif="eth1") == "10.40.0.1 dev eth1 src 10.2.0.1"


# --- dumps ---------------------------------------------------------------------------------------


def test_table_all_lists_tables_by_id_modulo_256(w: World) -> None:
    """inet_dump_fib() walks the 256 table hash buckets: 100 and 254 (main) before 255."""
    w.route_add("10.7.0.0/16", via="10.1.0.254", table=100, netns="a")
    w.route_add("10.5.0.0/16", via="10.1.0.254", table=44, netns="a")
    assert routes(w)[:3] == [
        "10.5.0.0/16 via 10.1.0.254 dev eth0 table 44",
        "10.7.0.0/16 via 10.1.0.254 dev eth0 table 100",
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1",
    ]


def test_tables_in_one_hash_bucket_are_listed_newest_first(w: World) -> None:
    """fib_new_table() + inet_dump_fib() (kernel run): 300 then 44 created gives 44 first."""
    w.route_add("10.6.0.0/16", via="10.1.0.254", table=300, netns="a")
    w.route_add("10.5.0.0/16", via="10.1.0.254", table=44, netns="a")
    w.route_add("10.4.0.0/16", via="10.1.0.254", table=556, netns="a")
    assert routes(w)[:3] == [
        "10.4.0.0/16 via 10.1.0.254 dev eth0 table 556",
        "10.5.0.0/16 via 10.1.0.254 dev eth0 table 44",
        "10.6.0.0/16 via 10.1.0.254 dev eth0 table 300",
    ]


def test_show_one_table_omits_the_table_key(w: World) -> None:
    """iproute2 print_route() (kernel run): ``ip -j route show table local`` has no ``table``."""
    assert all("table" not in r for r in route_records(w.netns("a"), 255))
