"""The FIB lookup cache (``kernel/ipv4/state.py``) gives the answers an uncached
lookup gives: it forgets what it knew on every route, address, table and
next-hop change (the kernel looks up per packet; the cache is ours)."""

from __future__ import annotations

import errno

from netsim import World
from netsim.addr import ip4
from netsim.kernel.ipv4.consts import RTN_LOCAL, RTN_UNICAST


def _world() -> World:
    w = World(seed=3)
    for ns in ("a", "b"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    for dev in ("eth0", "eth1"):
        w.add_veth(dev, dev, netns="a", peer_netns="b")
        w.link_set(dev, netns="a", up=True)
        w.link_set(dev, netns="b", up=True)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.addr_add("10.2.0.1/24", dev="eth1", netns="a")
    return w


def _via(w: World, dst: str, oif: str | None = None) -> str | int:
    """The output device of ``dst``'s route (cached or not), else the errno."""
    ns = w.netns("a")
    r = ns.ipv4.resolve(ip4(dst), oif=ns.dev(oif) if oif else None)
    if isinstance(r, int):
        return r
    assert r.nh is not None and r.nh.dev is not None
    return r.nh.dev.ifname


def test_route_add_replace_del_are_seen_at_once() -> None:
    w = _world()
    assert _via(w, "10.9.0.1") == errno.ENETUNREACH
    w.route_add("10.9.0.0/16", via="10.1.0.2", netns="a")
    assert _via(w, "10.9.0.1") == "eth0"
    w.route_add("10.9.0.0/16", via="10.2.0.2", netns="a", mode="replace")
    assert _via(w, "10.9.0.1") == "eth1"
    w.route_add("10.9.1.0/24", via="10.1.0.2", netns="a")
    assert _via(w, "10.9.1.1") == "eth0"
    w.route_del("10.9.0.0/16", netns="a")
    assert _via(w, "10.9.0.1") == errno.ENETUNREACH
    assert _via(w, "10.9.1.1") == "eth0"
    w.route_add("default", type="blackhole", netns="a")
    assert _via(w, "10.9.0.1") == errno.EINVAL


def test_addresses_change_the_local_table_answers() -> None:
    w = _world()
    stack, addr = w.netns("a").inet, ip4("10.1.0.7")
    assert stack.addr_type(addr) == RTN_UNICAST
    w.addr_add("10.1.0.7/24", dev="eth0", netns="a")
    assert stack.addr_type(addr) == RTN_LOCAL
    w.addr_del("10.1.0.7/24", dev="eth0", netns="a")
    assert stack.addr_type(addr) == RTN_UNICAST


def test_a_dead_next_hop_and_its_return() -> None:
    """``fib_sync_down_dev`` marks the eth1 hop of a multipath route dead (the route
    stays, by eth0); ``fib_sync_up`` brings it back: an ``oif eth1`` lookup follows."""
    w = _world()
    w.route_add("10.70.0.0/16", nexthops=[("10.1.0.2", None, 1), ("10.2.0.2", None, 1)],
                netns="a")  # fmt: skip
    assert _via(w, "10.70.0.1", oif="eth1") == "eth1"
    w.link_set("eth1", netns="a", up=False)
    assert _via(w, "10.70.0.1", oif="eth1") != "eth1"
    assert _via(w, "10.70.0.1") == "eth0"
    w.link_set("eth1", netns="a", up=True)
    assert _via(w, "10.70.0.1", oif="eth1") == "eth1"


def test_sysctl_writes_are_seen_by_the_next_packet() -> None:
    """The receive-side sysctls are remembered per sysctl generation."""
    w = _world()
    stack, dev = w.netns("a").inet, w.netns("a").dev("eth0")
    assert stack.rx_conf(dev) == (False, 0, False)
    w.netns("a").sysctl.set("net.ipv4.conf.eth0.rp_filter", "2")
    w.netns("a").sysctl.set("net.ipv4.ip_forward", "1")
    assert stack.rx_conf(dev) == (False, 2, True)
    assert stack.sysctl_int("net.ipv4.icmp_echo_ignore_all") == 0
    w.netns("a").sysctl.set("net.ipv4.icmp_echo_ignore_all", "1")
    assert stack.sysctl_int("net.ipv4.icmp_echo_ignore_all") == 1
