"""DEL after ADD leaves nothing behind but what the reference plugins also leave
(hypothesis): any interleaving of ADD, DEL and repeated DEL of pods on a node,
through the libcni runtime with bridge (gateway, ipMasq) or ptp (ipMasq) +
host-local, ends -- once every pod is deleted -- in the state the node had
before its first ADD, except for what the real plugins keep (cni.md T1, T4):
the bridge ``cni0``, its gateway address and the routes that address makes,
``ip_forward=1``, the per-device sysctls of what remains, and host-local's
``last_reserved_ip.0`` and ``lock``.  While pods exist, no two hold one address.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.runtime import Runtime, RuntimeConf
from netsim.observe import snapshot
from netsim.observe.snapshot import Snapshot
from netsim.shell.fs import MemFs

BRIDGE = (
    '{"cniVersion":"1.0.0","name":"pnet","plugins":[{"type":"bridge","bridge":"cni0",'
    '"isDefaultGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.60.0.0/28"}}]}'
)
PTP = (
    '{"cniVersion":"1.0.0","name":"pnet","plugins":[{"type":"ptp","ipMasq":true,'
    '"ipam":{"type":"host-local","subnet":"10.61.0.0/28","routes":[{"dst":"0.0.0.0/0"}]}}]}'
)
PODS = [f"pod{i}" for i in range(5)]


def files(fs: MemFs, top: str = "/var/lib/cni") -> list[str]:
    """Every file under ``top``."""
    if not fs.is_dir(top):
        return []
    out: list[str] = []
    for name in fs.listdir(top):
        path = f"{top}/{name}"
        out += files(fs, path) if fs.is_dir(path) else [path]
    return sorted(out)


def node_state(snap: Snapshot, fs: MemFs) -> dict[str, Any]:
    """The node (init_net) as a comparable value: devices, addresses, routes,
    iptables rules and user chains, and the plugins' files."""
    ns = snap.namespaces["init_net"]
    return {
        "links": sorted(r["ifname"] for r in ns.links),
        "addrs": sorted((r["ifname"], a["local"]) for r in ns.addrs for a in r["addr_info"]),
        "routes": sorted(str(r.get("dst")) + " " + str(r.get("dev")) for r in ns.routes),
        "iptables": [r for r in ns.iptables if "rule" in r or "policy" not in r],
        "files": files(fs),
    }


class CleanupMachine(RuleBasedStateMachine):
    @initialize(conflist=st.sampled_from([BRIDGE, PTP]))
    def setup(self, conflist: str) -> None:
        self.world = World(seed=1)
        self.host = SimHost(self.world)
        for pod in PODS:
            self.world.netns_add(pod)
        self.rt = Runtime(self.host)
        self.net = self.rt.network(conflist)
        self.bridge = conflist is BRIDGE
        self.before = node_state(snapshot(self.host), self.rt.fs)
        self.added: dict[str, str] = {}
        self.ever = False

    def conf(self, pod: str) -> RuntimeConf:
        return RuntimeConf(pod, "eth0", f"/var/run/netns/{pod}")

    @rule(pod=st.sampled_from(PODS))
    def add(self, pod: str) -> None:
        if pod in self.added:
            return  # a runtime never ADDs an attachment twice without a DEL
        result = self.rt.add_network_list(self.net, self.conf(pod))
        self.added[pod] = str(result["ips"][0]["address"])
        self.ever = True

    @rule(pod=st.sampled_from(PODS))
    def delete(self, pod: str) -> None:
        self.rt.del_network_list(self.net, self.conf(pod))  # twice is fine too
        self.added.pop(pod, None)

    @invariant()
    def distinct_addresses(self) -> None:
        assert len(set(self.added.values())) == len(self.added)

    @invariant()
    def nothing_left_but_what_the_plugins_keep(self) -> None:
        if self.added or not self.ever:
            return
        now = node_state(snapshot(self.host), self.rt.fs)
        want = dict(self.before)
        if self.bridge:
            want["links"] = sorted([*want["links"], "cni0"])
            want["addrs"] = sorted([*want["addrs"], ("cni0", "10.60.0.1")])
            kept = {"10.60.0.0/28 cni0", "10.60.0.1 cni0", "10.60.0.15 cni0"}
            assert {r for r in now["routes"] if r not in want["routes"]} <= kept
            now["routes"] = want["routes"]
        network = "/var/lib/cni/networks/pnet/{}".format
        want["files"] = sorted([*want["files"], network("last_reserved_ip.0"), network("lock")])
        assert now == want
        for pod in PODS:  # and the pods hold nothing but lo
            links = self.world.netns(pod)
            assert [d.ifname for d in links] == ["lo"]


CleanupMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestCleanup = CleanupMachine.TestCase
