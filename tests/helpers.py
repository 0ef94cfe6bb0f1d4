"""Helpers shared by the tests: topologies and frames as the kernel transcripts use them."""

from __future__ import annotations

from netsim import MacAddr, World
from netsim.packet import ARP, ETH_P_ARP, Ethernet

BCAST = MacAddr("ff:ff:ff:ff:ff:ff")


def host_mac(i: int) -> MacAddr:
    return MacAddr(f"02:00:00:00:00:{i:02x}")


def port_mac(i: int) -> MacAddr:
    return MacAddr(f"02:00:00:00:01:{i:02x}")


def build_bridge_topology(w: World, n: int = 3, *, up: bool = True) -> None:
    """``topo_bridge.sh`` (reference/kernel.md): hosts h1..hN on ports vh1..vhN of br0."""
    w.netns_add("br")
    w.add_bridge("br0", netns="br")
    for i in range(1, n + 1):
        w.netns_add(f"h{i}")
        w.add_veth(
            "eth0",
            f"vh{i}",
            netns=f"h{i}",
            peer_netns="br",
            address=host_mac(i),
            peer_address=port_mac(i),
        )
        w.link_set(f"vh{i}", netns="br", master="br0", up=up)
        w.link_set("eth0", netns=f"h{i}", up=up)
    w.link_set("br0", netns="br", up=up)


def arp_request(src: int, dst: int) -> Ethernet:
    m = host_mac(src)
    return Ethernet(BCAST, m, ETH_P_ARP, ARP.request(m, f"10.30.0.{src}", f"10.30.0.{dst}"))


def arp_reply(src: int, dst: int) -> Ethernet:
    s, d = host_mac(src), host_mac(dst)
    return Ethernet(d, s, ETH_P_ARP, ARP.reply(s, f"10.30.0.{src}", d, f"10.30.0.{dst}"))


def frame(src: MacAddr, dst: MacAddr) -> Ethernet:
    """A minimal frame (ethertype 0x88b5, the IEEE local experimental type)."""
    return Ethernet(dst, src, 0x88B5, b"netsim-test")


def build_router_topology(w: World, *, forwarding: bool = False) -> None:
    """``topo_router.sh``: a (10.1.0.1/24) -- r (10.1.0.254 | 10.2.0.254) -- c (10.2.0.1/24)."""
    for n in ("a", "r", "c"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_veth("eth0", "ra", netns="a", peer_netns="r", address="02:00:00:00:0a:01",
               peer_address="02:00:00:00:0a:fe")  # fmt: skip
    w.add_veth("eth0", "rc", netns="c", peer_netns="r", address="02:00:00:00:0c:01",
               peer_address="02:00:00:00:0c:fe")  # fmt: skip
    for ns, dev, addr in (("a", "eth0", "10.1.0.1/24"), ("c", "eth0", "10.2.0.1/24"),
                          ("r", "ra", "10.1.0.254/24"), ("r", "rc", "10.2.0.254/24")):  # fmt: skip
        w.addr_add(addr, dev=dev, netns=ns)
        w.link_set(dev, netns=ns, up=True)
    w.route_add("default", via="10.1.0.254", netns="a")
    w.route_add("default", via="10.2.0.254", netns="c")
    if forwarding:
        w.netns("r").sysctl.set("net.ipv4.ip_forward", "1")
    w.sleep(1.2)
