"""Namespaces: the fresh state, device names, ifindexes and the errors iproute2 prints."""

from __future__ import annotations

import pytest

from netsim import KernelError, NetsimError, NoSuchDevice, World
from netsim.backends.sim.dump import link_records
from netsim.kernel import Netns


def test_fresh_netns_holds_only_lo_down(world: World) -> None:
    """T01: ``ip -d link show`` in a new namespace."""
    ns = world.netns_add("a")
    assert link_records(ns) == [
        {
            "ifindex": 1,
            "ifname": "lo",
            "flags": ["LOOPBACK"],
            "mtu": 65536,
            "qdisc": "noop",
            "operstate": "DOWN",
            "linkmode": "DEFAULT",
            "group": "default",
            "txqlen": 1000,
            "link_type": "loopback",
            "address": "00:00:00:00:00:00",
            "broadcast": "00:00:00:00:00:00",
        }
    ]


def test_lo_up_is_unknown_with_lower_up(world: World) -> None:
    """T02: lo never sees a carrier event, so it reports UNKNOWN."""
    world.netns_add("a")
    world.link_set("lo", netns="a", up=True)
    (rec,) = link_records(world.netns("a"))
    assert rec["flags"] == ["LOOPBACK", "UP", "LOWER_UP"]
    assert rec["operstate"] == "UNKNOWN" and rec["qdisc"] == "noqueue"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1234567890123456", "Error: Attribute failed policy validation."),
        ("a b", "RTNETLINK answers: Invalid argument"),
        (".", "RTNETLINK answers: Invalid argument"),
        ("..", "RTNETLINK answers: Invalid argument"),
        ("a:b", "RTNETLINK answers: Invalid argument"),
        ("lo", "RTNETLINK answers: File exists"),
    ],
)
def test_bad_device_names_get_the_kernels_errors(world: World, name: str, message: str) -> None:
    with pytest.raises(KernelError) as exc:
        world.add_bridge(name)
    assert exc.value.message == message
    assert [d.ifname for d in world.netns()] == ["lo"]


def test_fifteen_byte_name_is_fine_and_template_takes_lowest_free(world: World) -> None:
    world.add_bridge("123456789012345")
    assert world.add_bridge().ifname == "bridge0"
    assert world.add_bridge("bridge%d").ifname == "bridge1"


def test_ifindexes_are_cyclic_not_reused(world: World) -> None:
    """A freed ifindex is not handed out again (xa_alloc_cyclic)."""
    world.add_bridge("b1")
    world.add_bridge("b2")
    world.link_del("b2")
    assert world.add_bridge("b3").ifindex == 4


def test_missing_device(world: World) -> None:
    with pytest.raises(NoSuchDevice) as exc:
        world.link_del("nosuch")
    assert exc.value.message == 'Cannot find device "nosuch"'


def test_lo_cannot_be_deleted_or_moved(world: World) -> None:
    world.netns_add("b")
    with pytest.raises(KernelError) as exc:
        world.link_del("lo")
    assert exc.value.message == "RTNETLINK answers: Operation not supported"
    with pytest.raises(KernelError) as exc:
        world.link_set("lo", to_netns="b")
    assert exc.value.message == "Error: The interface netns is immutable."


def test_rename_clash_and_rename_while_up(world: World) -> None:
    """6.18 renames a running device (checked on the real kernel)."""
    world.add_veth("v1", "v2")
    with pytest.raises(KernelError, match="File exists"):
        world.link_set("v1", name="v2")
    world.link_set("v1", up=True)
    world.link_set("v1", name="v9")
    assert [d.ifname for d in world.netns()] == ["lo", "v2", "v9"]
    assert world.dev("v2").iflink() == world.dev("v9").ifindex


def test_netns_add_twice_and_del_missing(world: World) -> None:
    world.netns_add("a")
    with pytest.raises(KernelError) as exc:
        world.netns_add("a")
    assert exc.value.message == 'Cannot create namespace file "/run/netns/a": File exists'
    with pytest.raises(KernelError) as exc:
        world.netns_del("zz")
    assert "No such file or directory" in exc.value.message
    with pytest.raises(NetsimError):
        world.netns("zz")


def ids(ns: Netns) -> dict[str, int]:
    return {o.name: i for o, i in ns.netns_ids.items()}


def test_netns_ids_are_allocated_where_the_kernel_allocates_them() -> None:
    """6.18 (sandbox transcript): creating a veth pair across namespaces gives the
    requesting namespace an id for the peer's; moving a device gives the source an
    id for the target and the target one for the veth peer's namespace; ids are
    the lowest free (``idr_alloc``), so a deleted namespace's id is reused."""
    w = World(seed=1)
    a, b = w.netns_add("a"), w.netns_add("b")
    w.add_veth("v0", "v1", netns="a", peer_netns="b")
    assert (ids(a), ids(b), ids(w.netns())) == ({"b": 0}, {}, {})
    w.add_veth("x", "y")
    w.link_set("y", to_netns="a")
    assert ids(w.netns()) == {"a": 0}
    assert ids(a) == {"b": 0, "init_net": 1}
    w.add_veth("p", "q", netns="a")
    w.link_set("q", netns="a", to_netns="b")
    assert ids(b) == {"a": 0}
    w.netns_del("b")
    w.netns_add("c")
    w.add_veth("r", "s", netns="a", peer_netns="c")
    assert ids(a) == {"init_net": 1, "c": 0}
