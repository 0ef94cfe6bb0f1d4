"""Node IPAM as kube-controller-manager's range allocator hands out podCIDRs."""

from __future__ import annotations

import pytest

from netsim.k8s.nodeipam import NO_CIDRS_REMAINING, CidrSet, NodeIpam, NodeIpamError


def test_blocks_in_order_from_the_first() -> None:
    ipam = NodeIpam(("10.244.0.0/16",))
    assert [ipam.allocate(f"n{i}") for i in range(3)] == [
        ("10.244.0.0/24",), ("10.244.1.0/24",), ("10.244.2.0/24",)]  # fmt: skip


def test_a_released_block_comes_back_only_when_the_scan_wraps() -> None:
    ipam = NodeIpam(("10.0.0.0/22",), (24,), service_cidr=None)
    for i in range(3):
        ipam.allocate(f"n{i}")
    ipam.release("n1")
    assert ipam.allocate("n3") == ("10.0.3.0/24",)  # nextCandidate is past 10.0.2.0
    assert ipam.allocate("n4") == ("10.0.1.0/24",)  # wrapped: the released one


def test_full_then_released_the_waiting_node_gets_a_block() -> None:
    ipam = NodeIpam(("10.0.0.0/23",), (24,), service_cidr=None)
    ipam.allocate("a"), ipam.allocate("b")
    assert ipam.allocate("c") is None
    assert [(e.node, e.reason, e.message) for e in ipam.events] == [
        ("c", "CIDRNotAvailable", "Node c status is now: CIDRNotAvailable")]  # fmt: skip
    assert ipam.release("a") == [("c", ("10.0.0.0/24",))]
    assert ipam.pending == []


def test_service_range_inside_the_cluster_cidr_is_never_handed_out() -> None:
    ipam = NodeIpam(("10.0.0.0/22",), (24,), service_cidr="10.0.1.0/24")
    assert [ipam.allocate(n) for n in "abc"] == [
        ("10.0.0.0/24",), ("10.0.2.0/24",), ("10.0.3.0/24",)]  # fmt: skip
    assert ipam.allocate("d") is None


def test_existing_pod_cidrs_are_occupied() -> None:
    ipam = NodeIpam(("10.244.0.0/16",))
    assert ipam.allocate("old", ("10.244.0.0/24",)) == ("10.244.0.0/24",)
    assert ipam.allocate("new") == ("10.244.1.0/24",)


def test_dual_stack_and_the_sets_errors() -> None:
    ipam = NodeIpam(("10.244.0.0/16", "fd00:10:244::/56"), service_cidr=None)
    assert ipam.allocate("n") == ("10.244.0.0/24", "fd00:10:244::/64")
    with pytest.raises(NodeIpamError, match="the node CIDR size is too big"):
        CidrSet(__import__("ipaddress").ip_network("fd00::/40"), 64)
    s = CidrSet(__import__("ipaddress").ip_network("10.0.0.0/24"), 24)
    s.allocate_next()
    with pytest.raises(NodeIpamError) as info:
        s.allocate_next()
    assert str(info.value) == NO_CIDRS_REMAINING
