"""The default demo: the seed notes' bridge walk-through, run in the simulator.

Each step prints the command a user would type on a real host, then what the
real tools would print, rendered from the model's iproute2-shaped dumps.
"""

from __future__ import annotations

from typing import TextIO

from netsim.addr import MacAddr
from netsim.backends.sim.dump import bridge_link_records, fdb_records, link_records
from netsim.backends.sim.dump_l3 import neigh_records, route_records
from netsim.iproute import (
    bridge_fdb_show,
    bridge_link_show,
    ip_link_show,
    ip_link_show_brief,
    ip_neigh_show,
    ip_route_show,
)
from netsim.kernel import Netns
from netsim.packet import Ethernet
from netsim.world import World

__all__ = ["run_demo"]

BCAST = MacAddr("ff:ff:ff:ff:ff:ff")


class _Demo:
    def __init__(self, out: TextIO, seed: int):
        self.out = out
        self.w = World(seed)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def cmd(self, line: str) -> None:
        self.say(f"$ {line}")

    def show(self, text: str) -> None:
        self.out.write(text)

    def send(self, frame: Ethernet, dev: str, netns: str = "init_net") -> None:
        flow = self.w.send(frame, dev=dev, netns=netns)
        self.w.sleep(0.001)
        for t in self.w.traces(flow):
            self.say(str(t))


def _names(ns: Netns) -> dict[int, str]:
    """Namespace ids that ``ip`` can name (those under /run/netns: not init_net)."""
    return {nsid: o.name for o, nsid in ns.netns_ids.items() if o is not ns.kernel.init_net}


def _host_bridge(d: _Demo) -> None:
    """The seed's walk-through: once veth0 is a bridge port, what reaches veth0 goes
    up br0's stack, not veth0's; the address belongs on br0."""
    w = d.w
    d.say("## The seed's bridge walk-through: an address on a bridge port, then on the bridge")
    for ns in ("host", "peer"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    d.cmd("ip -n host link add name br0 type bridge && ip -n host link set br0 up")
    w.add_bridge("br0", netns="host")
    w.link_set("br0", netns="host", up=True)
    d.cmd("ip -n host link add veth0 type veth peer name veth1 netns peer")
    w.add_veth("veth0", "veth1", netns="host", peer_netns="peer")
    d.cmd("ip -n host addr add 1.2.3.101/24 dev veth0 && ip -n host link set veth0 up")
    w.addr_add("1.2.3.101/24", dev="veth0", netns="host")
    w.link_set("veth0", netns="host", up=True)
    d.cmd("ip -n peer addr add 1.2.3.102/24 dev veth1 && ip -n peer link set veth1 up")
    w.addr_add("1.2.3.102/24", dev="veth1", netns="peer")
    w.link_set("veth1", netns="peer", up=True)
    d.cmd("sleep 1")
    w.sleep(1)
    d.cmd("ip netns exec peer ping -c1 1.2.3.101")
    d.show(w.ping("1.2.3.101", netns="peer").output)
    d.cmd("ip -n host link set dev veth0 master br0")
    w.link_set("veth0", netns="host", master="br0")
    d.cmd("ip -n host neigh flush all && ip -n peer neigh flush all && sleep 1")
    w.neigh_flush(netns="host")
    w.neigh_flush(netns="peer")
    w.sleep(1)
    d.cmd("bridge -n host link")
    d.show(bridge_link_show(bridge_link_records(w.netns("host"))))
    d.cmd("ip netns exec peer ping -c1 -W1 1.2.3.101")
    d.show(w.ping("1.2.3.101", netns="peer", timeout=1).output)
    d.say("# the echo request came up br0; the reply leaves by veth0 (its connected route) and")
    d.say("# ARPs there, but the ARP reply entering veth0 goes up br0 too: veth0 never learns")
    d.cmd("ip -n host neigh show")
    d.show(ip_neigh_show(neigh_records(w.netns("host"))))
    d.cmd("ip -n host addr del 1.2.3.101/24 dev veth0 && ip -n host addr add 1.2.3.101/24 dev br0")
    w.addr_del("1.2.3.101/24", dev="veth0", netns="host")
    w.addr_add("1.2.3.101/24", dev="br0", netns="host")
    d.cmd("ip netns exec peer ping -c1 1.2.3.101")
    d.show(w.ping("1.2.3.101", netns="peer").output)
    d.cmd("ip -n host route")
    d.show(ip_route_show(route_records(w.netns("host"))))
    w.sleep(5)  # let veth0's unanswered ARP probes run out before the next part
    d.say()


def _pods(d: _Demo) -> None:
    w = d.w
    d.say("## Pods on a node's bridge: veth pairs whose other end lives in a pod netns")
    d.cmd("ip link add name br0 type bridge && ip link set br0 up")
    w.add_bridge("br0")
    w.link_set("br0", up=True)
    for i in (1, 2):
        pod, mac, host_mac = f"pod{i}", f"02:00:00:00:00:0{i}", f"02:00:00:00:01:0{i}"
        d.cmd(f"ip netns add {pod}")
        w.netns_add(pod)
        d.cmd(
            f"ip -n {pod} link add eth0 address {mac} type veth peer name veth{pod} "
            f"netns 1 address {host_mac}"
        )
        w.add_veth("eth0", f"veth{pod}", netns=pod, peer_netns="init_net", address=mac,
                   peer_address=host_mac)  # fmt: skip
        d.cmd(f"ip link set veth{pod} master br0 up")
        w.link_set(f"veth{pod}", master="br0", up=True)
        d.cmd(f"ip -n {pod} link set eth0 up")
        w.link_set("eth0", netns=pod, up=True)
    d.cmd("sleep 1")
    w.sleep(1)
    d.cmd("ip -br link")
    d.show(ip_link_show_brief(link_records(w.netns())))
    d.cmd("ip -n pod1 link show eth0")
    pod1 = w.netns("pod1")
    d.show(ip_link_show(link_records(pod1, "eth0"), netns_names=_names(pod1)))
    d.say()
    d.say("## Which host veth is pod1's eth0?  (the seed's iflink -> ifindex lookup)")
    iflink = w.dev("eth0", netns="pod1").iflink()
    d.cmd("ip netns exec pod1 cat /sys/class/net/eth0/iflink")
    d.say(str(iflink))
    d.cmd(
        f"for i in /sys/class/net/veth*; do [ $(cat $i/ifindex) = {iflink} ] && basename $i; done"
    )
    d.say(next(dev.ifname for dev in w.netns() if dev.ifindex == iflink))
    d.say()


def _traffic(d: _Demo) -> None:
    w = d.w
    d.say("## pod1 pings pod2 across br0: ARP floods, the replies are known unicast")
    for i in (1, 2):
        d.cmd(f"ip -n pod{i} addr add 10.244.0.{i + 1}/24 dev eth0")
        w.addr_add(f"10.244.0.{i + 1}/24", dev="eth0", netns=f"pod{i}")
    w.trace.clear()
    d.cmd("ip netns exec pod1 ping -c1 10.244.0.3")
    d.show(w.ping("10.244.0.3", netns="pod1").output)
    d.say("# every copy of every frame, traced:")
    for t in w.traces():
        d.say(str(t))
    d.cmd("bridge fdb show br br0")
    d.show(bridge_fdb_show(fdb_records(w.netns(), br="br0")))
    d.say()
    d.say("## Learned entries age out after ageing_time (300 s) without traffic")
    d.say("# (the last frames were the neighbour probes a few seconds after the ping)")
    d.cmd("sleep 310")
    w.sleep(310)
    d.cmd("bridge fdb show br br0")
    d.show(bridge_fdb_show(fdb_records(w.netns(), br="br0")))


def run_demo(out: TextIO, *, seed: int = 1) -> None:
    """Print the walk-through to ``out``."""
    d = _Demo(out, seed)
    d.say("# netsim demo: the seed notes' bridge walk-through, on a simulated kernel")
    d.say(f"# (world seed {seed}; simulated time starts at 0 s)\n")
    _host_bridge(d)
    _pods(d)
    _traffic(d)
    d.say(f"\n# simulated time now {d.w.now:.6f} s; {len(d.w.trace)} frame copies traced")
