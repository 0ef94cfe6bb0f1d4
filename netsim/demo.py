"""The default demo: the seed notes' bridge walk-through, run in the simulator.

Each step prints the command a user would type on a real host, then what the
real tools would print, rendered from the model's iproute2-shaped dumps.
"""

from __future__ import annotations

from typing import TextIO

from netsim.addr import MacAddr
from netsim.backends.sim.dump import bridge_link_records, fdb_records, link_records
from netsim.iproute import bridge_fdb_show, bridge_link_show, ip_link_show, ip_link_show_brief
from netsim.kernel import Netns
from netsim.packet import ARP, ETH_P_ARP, Ethernet
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
    w = d.w
    d.say("## A bridge and a veth pair in the host namespace")
    d.cmd("ip link add name br0 type bridge")
    w.add_bridge("br0")
    d.cmd("ip link set br0 up")
    w.link_set("br0", up=True)
    d.cmd("ip link add veth0 type veth peer name veth1")
    w.add_veth("veth0", "veth1")
    d.cmd("ip link set veth0 up")
    w.link_set("veth0", up=True)
    d.cmd("ip link set veth1 up")
    w.link_set("veth1", up=True)
    d.cmd("ip link set dev veth0 master br0")
    w.link_set("veth0", master="br0")
    d.cmd("sleep 1")
    w.sleep(1)
    d.cmd("bridge link")
    d.show(bridge_link_show(bridge_link_records(w.netns())))
    d.cmd("ip link show")
    d.show(ip_link_show(link_records(w.netns())))
    d.say()
    d.say("## Frames entering veth0 now belong to br0, not to veth0's own stack")
    mac = w.dev("veth1").address
    d.say("# an ARP request sent out of veth1 (a packet socket), traced:")
    d.send(Ethernet(BCAST, mac, ETH_P_ARP, ARP.request(mac, "1.2.3.102", "1.2.3.101")), "veth1")
    d.say()


def _pods(d: _Demo) -> None:
    w = d.w
    d.say("## Pods on the bridge: veth pairs whose other end lives in a pod netns")
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
    d.say("## pod1 asks for pod2 (broadcast), pod2 answers (unicast)")
    p1, p2 = MacAddr("02:00:00:00:00:01"), MacAddr("02:00:00:00:00:02")
    d.send(
        Ethernet(BCAST, p1, ETH_P_ARP, ARP.request(p1, "10.244.0.2", "10.244.0.3")), "eth0", "pod1"
    )
    d.send(
        Ethernet(p1, p2, ETH_P_ARP, ARP.reply(p2, "10.244.0.3", p1, "10.244.0.2")), "eth0", "pod2"
    )
    d.cmd("bridge fdb show br br0")
    d.show(bridge_fdb_show(fdb_records(w.netns(), br="br0")))
    d.say()
    d.say("## Learned entries age out after ageing_time (300 s by default)")
    d.cmd("sleep 301")
    w.sleep(301)
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
