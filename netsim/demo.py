"""The default demo: the seed notes' bridge walk-through, run in the simulator.

Each step prints the command a user would type on a real host, then what the
real tools would print, rendered from the model's iproute2-shaped dumps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from netsim.addr import MacAddr
from netsim.backends.sim.dump import bridge_link_records, fdb_records, link_records
from netsim.iproute import bridge_fdb_show, bridge_link_show, ip_link_show, ip_link_show_brief
from netsim.kernel import Netns
from netsim.packet import ARP, ETH_P_ARP, Ethernet
from netsim.world import World

__all__ = ["run_demo"]


def _names(ns: Netns) -> dict[int, str]:
    """Namespace ids that ``ip`` can name (those under /run/netns: not init_net)."""
    return {nsid: o.name for o, nsid in ns.netns_ids.items() if o is not ns.kernel.init_net}


def run_demo(out: TextIO, *, seed: int = 1) -> None:
    """Print the walk-through to ``out``."""
    w = World(seed)

    def say(text: str) -> None:
        print(text, file=out)

    def cmd(line: str, action: Callable[[], object] | None = None) -> None:
        say(f"$ {line}")
        if action is not None:
            action()

    def show(text: str) -> None:
        out.write(text)

    say("# netsim demo: the seed notes' bridge walk-through, on a simulated kernel")
    say(f"# (world seed {seed}; simulated time starts at 0 s)\n")

    say("## A bridge and a veth pair in the host namespace")
    cmd("ip link add name br0 type bridge", lambda: w.add_bridge("br0"))
    cmd("ip link set br0 up", lambda: w.link_set("br0", up=True))
    cmd("ip link add veth0 type veth peer name veth1", lambda: w.add_veth("veth0", "veth1"))
    cmd("ip link set veth0 up", lambda: w.link_set("veth0", up=True))
    cmd("ip link set veth1 up", lambda: w.link_set("veth1", up=True))
    cmd("ip link set dev veth0 master br0", lambda: w.link_set("veth0", master="br0"))
    cmd("sleep 1", lambda: w.sleep(1))
    cmd("bridge link")
    show(bridge_link_show(bridge_link_records(w.netns())))
    cmd("ip link show")
    show(ip_link_show(link_records(w.netns())))
    say("")

    say("## Frames entering veth0 now belong to br0, not to veth0's own stack")
    veth1 = w.dev("veth1")
    req = Ethernet(
        MacAddr("ff:ff:ff:ff:ff:ff"),
        veth1.address,
        ETH_P_ARP,
        ARP.request(veth1.address, "1.2.3.102", "1.2.3.101"),
    )
    flow = w.send(req, dev="veth1")
    w.sleep(0.001)
    say("# an ARP request sent out of veth1 (a packet socket), traced:")
    for t in w.traces(flow):
        say(str(t))
    say("")

    say("## Pods on the bridge: veth pairs whose other end lives in a pod netns")
    for i in (1, 2):
        pod = f"pod{i}"
        mac, host_mac = f"02:00:00:00:00:0{i}", f"02:00:00:00:01:0{i}"
        cmd(f"ip netns add {pod}", lambda p=pod: w.netns_add(p))
        cmd(
            f"ip -n {pod} link add eth0 address {mac} type veth peer name veth{pod} "
            f"netns 1 address {host_mac}",
            lambda p=pod, m=mac, h=host_mac: w.add_veth(
                "eth0", f"veth{p}", netns=p, peer_netns="init_net", address=m, peer_address=h
            ),
        )
        cmd(
            f"ip link set veth{pod} master br0 up",
            lambda p=pod: w.link_set(f"veth{p}", master="br0", up=True),
        )
        cmd(f"ip -n {pod} link set eth0 up", lambda p=pod: w.link_set("eth0", netns=p, up=True))
    cmd("sleep 1", lambda: w.sleep(1))
    cmd("ip -br link")
    show(ip_link_show_brief(link_records(w.netns())))
    cmd("ip -n pod1 link show eth0")
    pod1 = w.netns("pod1")
    show(ip_link_show(link_records(pod1, "eth0"), netns_names=_names(pod1)))
    say("")

    say("## Which host veth is pod1's eth0?  (the seed's iflink -> ifindex lookup)")
    iflink = w.dev("eth0", netns="pod1").iflink()
    cmd("ip netns exec pod1 cat /sys/class/net/eth0/iflink")
    say(str(iflink))
    cmd("for i in /sys/class/net/veth*; do [ $(cat $i/ifindex) = " + str(iflink) + " ] && basename $i; done")
    say(next(d.ifname for d in w.netns() if d.ifindex == iflink))
    say("")

    say("## pod1 asks for pod2 (broadcast), pod2 answers (unicast)")
    p1, p2 = MacAddr("02:00:00:00:00:01"), MacAddr("02:00:00:00:00:02")
    ask = Ethernet(MacAddr("ff:ff:ff:ff:ff:ff"), p1, ETH_P_ARP, ARP.request(p1, "10.244.0.2", "10.244.0.3"))
    answer = Ethernet(p1, p2, ETH_P_ARP, ARP.reply(p2, "10.244.0.3", p1, "10.244.0.2"))
    for sender, frame in (("pod1", ask), ("pod2", answer)):
        flow = w.send(frame, dev="eth0", netns=sender)
        w.sleep(0.001)
        for t in w.traces(flow):
            say(str(t))
    cmd("bridge fdb show br br0")
    show(bridge_fdb_show(fdb_records(w.netns(), br="br0")))
    say("")

    say("## Learned entries age out after ageing_time (300 s by default)")
    cmd("sleep 301", lambda: w.sleep(301))
    cmd("bridge fdb show br br0")
    show(bridge_fdb_show(fdb_records(w.netns(), br="br0")))
    say(f"\n# simulated time now {w.now:.6f} s; {len(w.trace)} frame copies traced")
