"""The runtime against the real plugins: the same chains run through
:class:`~netsim.cni.runtime.Runtime` with the real binaries (``/usr/lib/cni``,
containernetworking-plugins 1.1.1) on a KernelHost and with netsim's plugins on
a SimHost, and with netsim's plugins on the KernelHost; every result, error,
cache file, IPAM file and the state of ``lo`` and of the devices macvlan and
host-device make or move must be the same.

The sandbox runs as real root on this machine; it has a fresh tmpfs over
``/var/lib`` in its own mount namespace (``/var/lib/cni`` is the plugins'
default data directory), which the tests check: nothing reaches the machine's
disk.  ``/run`` stays, since the sandbox keeps its namespaces there."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.runtime import LibcniError, Runtime, RuntimeConf
from netsim.host.ops import INIT_NET, Dump, Iptables, LinkAdd, LinkSet, NetnsAdd, Op
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

_MAC = re.compile(r"\b(?!00:00:00:00:00:00)[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b")
_VETH = re.compile(r"\bveth[0-9a-f]{8}\b")
FILES = """for d in "$@"; do for f in $(ls $d 2>/dev/null); do
  echo "$d/$f: $(tr '\\r' '#' < $d/$f)"; done; done"""


class Side:
    """One way of running the chains: a runtime and how to look at its files."""

    def __init__(self, rt: Runtime, script: Callable[[str, tuple[str, ...]], str]):
        self.rt = rt
        self.script = script
        self.log: list[Any] = []

    def netns(self, name: str) -> None:
        self.rt.host.apply(NetnsAdd(name=name))

    def files(self, *dirs: str) -> None:
        self.log.append(self.script(FILES, dirs).splitlines())

    def apply(self, *ops: Op) -> None:
        for op in ops:
            self.rt.host.apply(op)

    def links(self, netns: str) -> None:
        """Each device's name, kind, flags, state, MTU, alias and lower's namespace id."""
        recs = self.rt.host.apply(Dump(netns=netns, what="link"))
        assert isinstance(recs, list)
        self.log.append([(r["ifname"], r.get("linkinfo", {}).get("info_kind"), r["flags"],
                          r["operstate"], r["mtu"], r.get("ifalias"), r.get("link_netnsid"))
                         for r in recs])  # fmt: skip

    def lo(self, netns: str) -> None:
        links = self.rt.host.apply(Dump(netns=netns, what="link"))
        assert isinstance(links, list)
        self.log.append(("lo", "UP" in links[0]["flags"]))

    def routes(self, netns: str) -> None:
        """The namespace's IPv4 routes and addresses, as ``ip -j route``/``addr``
        list them (the kernel side runs with IPv6 on, which the model has not)."""
        routes = self.rt.host.apply(Dump(netns=netns, what="route"))
        addrs = self.rt.host.apply(Dump(netns=netns, what="addr"))
        assert isinstance(routes, list) and isinstance(addrs, list)
        keep = ("dst", "gateway", "dev", "protocol", "scope", "prefsrc", "table", "type")
        v4 = [r for r in routes if ":" not in r.get("dst", "")]
        self.log.append([{k: r[k] for k in keep if k in r} for r in v4])
        self.log.append([(a["ifname"], [(i["local"], i["prefixlen"]) for i in a["addr_info"]
                                        if i.get("family") == "inet"]) for a in addrs])  # fmt: skip

    def nat(self) -> None:
        """The host namespace's nat table (``iptables -t nat -S``)."""
        self.log.append(self.rt.host.apply(Iptables(netns=INIT_NET, args=("-t", "nat", "-S"))))

    def iptables(self, *args: str, ipv6: bool = False) -> None:
        """What ``iptables ARGS`` (``ip6tables``) prints in the host namespace."""
        self.log.append(self.rt.host.apply(Iptables(args=args, ipv6=ipv6)))

    def qdiscs(self, netns: str) -> None:
        """``tc qdisc show`` of ``netns`` (no counters: the kernel's IPv6 sends some)."""
        records = self.rt.host.apply(Dump(netns=netns, what="qdisc"))
        assert isinstance(records, list)
        keep = ("kind", "handle", "root", "parent", "refcnt", "options")
        veth = re.compile(r"^veth[0-9a-f]{8}$")
        self.log.append([{k: r[k] for k in keep if k in r} | {"dev": veth.sub("veth", r["dev"])}
                         for r in records])  # fmt: skip
        links = self.rt.host.apply(Dump(netns=netns, what="link"))
        assert isinstance(links, list)
        self.log.append(sorted(str(r["ifname"]) for r in links if not veth.match(r["ifname"])))

    def link(self, netns: str, ifname: str) -> None:
        links = self.rt.host.apply(Dump(netns=netns, what="link"))
        assert isinstance(links, list)
        r = next(r for r in links if r["ifname"] == ifname)
        self.log.append((r["address"], r["mtu"], r["flags"], r["promiscuity"]))

    def cache(self, net: str, cid: str, ifname: str) -> None:
        path = f"/var/lib/cni/results/{net}-{cid}-{ifname}"
        self.log.append(self.rt.fs.read(path) if self.rt.fs.exists(path) else "no cache")

    def do(self, what: str, net: Any, conf: RuntimeConf) -> None:
        """Run ``what`` (add/check/del/gc/cached) and log what came back."""
        rt = self.rt
        try:
            if what == "add":
                out: Any = rt.add_network_list(net, conf)
            elif what == "check":
                out = rt.check_network_list(net, conf)
            elif what == "del":
                out = rt.del_network_list(net, conf)
            else:
                out = rt.get_network_list_cached_result(net, conf)
        except LibcniError as e:
            code = e.cause.code if e.cause is not None else None
            out = ("error", e.message, code)
        self.log.append((what, conf.container_id, out))


@contextmanager
def kernel_side(plugins: str) -> Iterator[Side]:
    sandbox.require_kernel()
    if not Path("/usr/lib/cni/loopback").exists():
        pytest.skip("CNI plugins not installed (Debian package containernetworking-plugins)")
    pytest.importorskip("pyroute2")
    from netsim.backends.linux.host import KernelHost

    with KernelHost() as host:
        r = host.script("findmnt -n -o FSTYPE --target /var/lib")  # the sandbox's own
        assert r.stdout.strip() == "tmpfs", f"no tmpfs over /var/lib in the sandbox: {r}"
        rt = Runtime(host, plugins="real" if plugins == "real" else "ours")

        def script(text: str, args: tuple[str, ...]) -> str:
            if plugins == "real":
                return host.sandbox.script(text, args=args).stdout
            return ours_files(rt, args)

        yield Side(rt, script)


def ours_files(rt: Runtime, dirs: tuple[str, ...]) -> str:
    """What :data:`FILES` prints, read from the runtime's in-memory filesystem."""
    lines = []
    for d in dirs:
        if not rt.fs.is_dir(d):
            continue
        for f in sorted(rt.fs.listdir(d)):
            lines.append(f"{d}/{f}: {rt.fs.read(f'{d}/{f}').replace(chr(13), '#')}")
    return "".join(f"{line}\n" for line in lines)


@contextmanager
def sim_side() -> Iterator[Side]:
    world = World(seed=1, possible_cpus=sandbox.possible_cpus())
    rt = Runtime(SimHost(world))
    yield Side(rt, lambda text, args: world.sh(text, args=args).stdout)


def masked(log: list[Any]) -> str:
    """The log with random MACs and host veth names masked (in the cache's base64
    too: a cached result is compared decoded)."""
    text = _MAC.sub("<mac>", repr(log))
    return re.sub(r"\bveth[0-9a-f]{8}\b", "vethXXXXXXXX", text)


def loopback(s: Side) -> None:
    s.netns("pod1")
    net = s.rt.network({"cniVersion": "1.0.0", "name": "lo", "plugins": [{"type": "loopback"}]})
    pod = RuntimeConf("ctr1", "lo", "/var/run/netns/pod1")
    s.do("check", net, pod)
    s.do("add", net, pod)
    s.lo("pod1")
    s.cache("lo", "ctr1", "lo")
    s.do("check", net, pod)
    s.do("del", net, pod)
    s.lo("pod1")
    s.cache("lo", "ctr1", "lo")
    s.do("check", net, pod)
    gone = RuntimeConf("ctr2", "lo", "/var/run/netns/gone")
    s.do("add", net, gone)
    s.do("del", net, gone)
    old = s.rt.network({"cniVersion": "0.3.1", "name": "lo", "type": "loopback"})
    s.do("add", net, RuntimeConf("ctr3", "eth0", "/run/netns/pod1"))
    s.do("add", old, RuntimeConf("ctr4", "eth0", "/run/netns/pod1"))
    s.do("check", old, RuntimeConf("ctr4", "eth0", "/run/netns/pod1"))
    s.do("cached", old, RuntimeConf("ctr4", "eth0", "/run/netns/pod1"))


HL = '{"type":"host-local","subnet":"10.22.0.0/29","routes":[{"dst":"0.0.0.0/0"}]}'
IPAM_CHAIN = (
    '{"cniVersion":"1.0.0","name":"mynet","plugins":[{"type":"host-local","ipam":' + HL + "},"
    '{"type":"loopback","capabilities":{"portMappings":true}}]}'
)


def host_local_chain(s: Side) -> None:
    s.netns("pod1")
    net = s.rt.network(IPAM_CHAIN)
    caps = {"portMappings": [{"hostPort": 80, "containerPort": 8080, "protocol": "tcp"}]}
    args = (("IgnoreUnknown", "1"), ("K8S_POD_NAME", "p"))
    pods = [
        RuntimeConf(f"c{i}", "eth0", "/var/run/netns/pod1", args=args, capability_args=caps)
        for i in range(7)
    ]
    for pod in pods:
        s.do("add", net, pod)
    s.files("/var/lib/cni/networks/mynet")
    s.cache("mynet", "c0", "eth0")
    s.do("check", net, pods[1])
    s.do("del", net, pods[2])
    s.do("add", net, pods[2])
    s.do("del", net, pods[2])
    s.do("del", net, pods[2])
    s.do("check", net, pods[2])
    s.do("cached", net, pods[2])
    s.files("/var/lib/cni/networks/mynet")
    gone = RuntimeConf("cx", "eth0", "/var/run/netns/gone")
    s.do("add", net, gone)
    s.files("/var/lib/cni/networks/mynet")
    s.do("del", net, gone)
    s.lo("pod1")


def static_chain(s: Side) -> None:
    s.netns("pod1")
    text = (
        '{"cniVersion":"0.4.0","name":"st","plugins":[{"type":"static","capabilities":{"ips":true},'
        '"ipam":{"type":"static","addresses":[{"address":"10.5.0.2/24","gateway":"10.5.0.1"}],'
        '"dns":{"nameservers":["10.5.0.1"]}}},{"type":"loopback"}]}'
    )
    net = s.rt.network(text)
    s.do("add", net, RuntimeConf("s1", "eth0", "/run/netns/pod1"))
    s.cache("st", "s1", "eth0")
    s.do("check", net, RuntimeConf("s1", "eth0", "/run/netns/pod1"))
    ips = RuntimeConf("s2", "eth0", "/run/netns/pod1", capability_args={"ips": ["10.6.0.9/16"]})
    s.do("add", net, ips)
    s.do("check", net, ips)
    s.cache("st", "s2", "eth0")
    s.do("add", net, RuntimeConf("s3", "eth0", "/run/netns/pod1", args=(("IP", "10.7.0.3/24"),)))
    s.do("add", net, RuntimeConf("s4", "eth0", "/run/netns/pod1", args=(("X", "1"),)))
    s.do("add", net, RuntimeConf("s5", "e/0", "/run/netns/pod1"))
    s.do("del", net, RuntimeConf("s2", "eth0", "/run/netns/pod1"))
    missing = s.rt.network('{"cniVersion":"1.0.0","name":"m","plugins":[{"type":"nope"}]}')
    s.do("add", missing, RuntimeConf("s6", "eth0", "/run/netns/pod1"))
    s.do("del", missing, RuntimeConf("s6", "eth0", "/run/netns/pod1"))
    newer = s.rt.network('{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"loopback"}]}')
    s.do("add", newer, RuntimeConf("s7", "eth0", "/run/netns/pod1"))


def bridge_chain(s: Side) -> None:
    """bridge (gateway, default route, ipMasq) + host-local + loopback: two pods,
    CHECK, a pod whose netns is gone, DEL, what the host keeps."""
    for ns in ("pod1", "pod2"):
        s.netns(ns)
    net = s.rt.network(
        '{"cniVersion":"1.0.0","name":"br","plugins":[{"type":"bridge","bridge":"cni0",'
        '"isDefaultGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local",'
        '"subnet":"10.23.0.0/24"}},{"type":"loopback"}]}'
    )
    pods = [RuntimeConf(f"b{i}", "eth0", f"/var/run/netns/pod{i}") for i in (1, 2)]
    for pod in pods:
        s.do("add", net, pod)
    s.routes("pod1")
    s.routes(INIT_NET)
    s.nat()
    s.do("check", net, pods[0])
    s.files("/var/lib/cni/networks/br")
    s.do("add", net, RuntimeConf("b3", "eth0", "/var/run/netns/gone"))
    s.do("del", net, pods[1])
    s.do("del", net, pods[1])
    s.nat()
    s.routes(INIT_NET)
    s.files("/var/lib/cni/networks/br")


def ptp_chain(s: Side) -> None:
    """ptp with ipMasq and an MTU, then exhaustion of its /30 and DEL (cni.md T4)."""
    for ns in ("pod1", "pod2"):
        s.netns(ns)
    net = s.rt.network(
        '{"cniVersion":"0.4.0","name":"pt","plugins":[{"type":"ptp","ipMasq":true,"mtu":1400,'
        '"ipam":{"type":"host-local","subnet":"10.41.0.0/30","routes":[{"dst":"0.0.0.0/0"}]}}]}'
    )
    pods = [RuntimeConf(f"p{i}", "eth0", f"/var/run/netns/pod{i}") for i in (1, 2)]
    for pod in pods:
        s.do("add", net, pod)
    s.routes("pod1")
    s.routes(INIT_NET)
    s.nat()
    s.do("check", net, pods[0])
    s.do("del", net, pods[0])
    s.nat()
    s.routes(INIT_NET)


def macvlan_chain(s: Side) -> None:
    """macvlan: made in the container, renamed; L3 through host-local; CHECK; DEL;
    the master missing (on DEL too); a name clash; the link left by a failed IPAM."""
    s.netns("pod1")
    s.netns("pod2")
    s.apply(LinkAdd(ifname="m0", kind="veth", data={"peer": "m0p"}),
            LinkSet(ifname="m0", up=True), LinkSet(ifname="m0p", up=True))  # fmt: skip
    ipam = '"ipam":{"type":"host-local","subnet":"10.63.0.0/30"}'
    net = s.rt.network('{"cniVersion":"1.0.0","name":"mv","plugins":[{"type":"macvlan",'
                       f'"master":"m0","mode":"private",{ipam}}}]}}')  # fmt: skip
    pod = RuntimeConf("c1", "eth1", "/var/run/netns/pod1")
    s.do("add", net, pod)
    s.links("pod1")
    s.cache("mv", "c1", "eth1")
    s.do("check", net, pod)
    s.do("add", net, RuntimeConf("c2", "eth1", "/var/run/netns/pod1"))
    s.do("add", net, RuntimeConf("c3", "eth1", "/var/run/netns/pod2"))
    s.links("pod2")
    s.files("/var/lib/cni/networks/mv")
    s.do("del", net, pod)
    s.do("del", net, pod)
    s.links("pod1")
    bad = s.rt.network('{"cniVersion":"1.0.0","name":"mv","plugins":[{"type":"macvlan",'
                       '"master":"nope"}]}')  # fmt: skip
    s.do("add", bad, pod)
    s.do("del", bad, pod)


def host_device_chain(s: Side) -> None:
    """host-device: moved in with its alias, IPAM, CHECK, moved back; DEL again."""
    s.netns("pod1")
    s.apply(LinkAdd(ifname="hd0", kind="veth", data={"peer": "hd0p"}),
            LinkSet(ifname="hd0", up=True))  # fmt: skip
    net = s.rt.network('{"cniVersion":"0.4.0","name":"hd","plugins":[{"type":"host-device",'
                       '"device":"hd0","ipam":{"type":"host-local","subnet":"10.73.0.0/24"}}]}')  # fmt: skip  # noqa: E501
    pod = RuntimeConf("c1", "net1", "/var/run/netns/pod1")
    s.do("add", net, pod)
    s.links("pod1")
    s.do("check", net, pod)
    s.do("del", net, pod)
    s.links("init_net")
    s.do("del", net, pod)
    s.do("add", net, RuntimeConf("c2", "net1", "/var/run/netns/gone"))


META_CHAIN = (
    '{"cniVersion":"1.0.0","name":"chainnet","plugins":['
    '{"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","subnet":"10.50.0.0/24",'
    '"routes":[{"dst":"0.0.0.0/0"}]}},'
    '{"type":"portmap","capabilities":{"portMappings":true}},'
    '{"type":"firewall","backend":"iptables"}]}'
)


TUNING_CHAIN = (
    '{"cniVersion":"1.0.0","name":"chainnet","plugins":['
    '{"type":"ptp","ipam":{"type":"host-local","subnet":"10.50.0.0/24",'
    '"routes":[{"dst":"0.0.0.0/0"}]}},'
    '{"type":"tuning","dataDir":"/var/lib/cni/tuning","mtu":1300,"promisc":true,'
    '"sysctl":{"net.ipv4.conf.IFNAME.rp_filter":"2"},"capabilities":{"mac":true}},'
    '{"type":"bandwidth","capabilities":{"bandwidth":true}}]}'
)


def meta_chain(s: Side) -> None:
    """cni.md T5 without tuning and bandwidth: ptp -> portmap -> firewall, with the
    runtime injecting ``portMappings`` and caching the result for CHECK and DEL."""
    s.netns("pod1")
    net = s.rt.network(META_CHAIN)
    maps = [
        {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
        {"hostPort": 5353, "containerPort": 53, "protocol": "udp", "hostIP": "10.50.0.1"},
    ]
    pod = RuntimeConf("c1", "eth0", "/var/run/netns/pod1",
                      capability_args={"portMappings": maps})  # fmt: skip
    s.do("add", net, pod)
    s.iptables("-t", "nat", "-S")
    s.iptables("-S")
    s.iptables("-t", "nat", "-S", ipv6=True)
    s.do("check", net, pod)
    s.do("del", net, pod)
    s.do("del", net, pod)
    s.iptables("-t", "nat", "-S")
    s.iptables("-S")


def tuning_chain(s: Side) -> None:
    """cni.md T5's chain without portmap and firewall: ptp, tuning, bandwidth."""
    s.netns("pod1")
    net = s.rt.network(TUNING_CHAIN)
    caps = {"mac": "02:11:22:33:44:55",
            "bandwidth": {"ingressRate": 1_000_000, "ingressBurst": 100_000,
                          "egressRate": 2_000_000, "egressBurst": 200_000}}  # fmt: skip
    pod = RuntimeConf("c1", "eth0", "/var/run/netns/pod1", capability_args=caps)
    s.do("add", net, pod)
    s.cache("chainnet", "c1", "eth0")
    s.files("/var/lib/cni/tuning")
    s.link("pod1", "eth0")
    s.qdiscs("init_net")
    s.do("check", net, pod)
    s.do("del", net, pod)
    s.files("/var/lib/cni/tuning")
    s.qdiscs("init_net")
    s.do("del", net, pod)
    plain = RuntimeConf("c2", "eth0", "/var/run/netns/pod1")
    s.do("add", net, plain)
    s.do("check", net, plain)
    s.do("del", net, plain)


T5_CHAIN = (
    '{"cniVersion":"1.0.0","name":"chainnet","plugins":['
    '{"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","subnet":"10.50.0.0/24",'
    '"routes":[{"dst":"0.0.0.0/0"}]}},'
    '{"type":"tuning","dataDir":"/var/lib/cni/tuning","mtu":1300,"promisc":true,'
    '"sysctl":{"net.ipv4.conf.IFNAME.rp_filter":"2"},"capabilities":{"mac":true}},'
    '{"type":"portmap","capabilities":{"portMappings":true}},'
    '{"type":"bandwidth","capabilities":{"bandwidth":true}},'
    '{"type":"firewall","backend":"iptables"}]}'
)


def t5_chain(s: Side) -> None:
    """cni.md T5 whole: ptp -> tuning -> portmap -> bandwidth -> firewall with the
    mac, portMappings and bandwidth capabilities; CHECK; DEL in reverse, twice."""
    s.netns("pod1")
    net = s.rt.network(T5_CHAIN)
    caps = {"mac": "02:11:22:33:44:55",
            "portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
                             {"hostPort": 5353, "containerPort": 53, "protocol": "udp",
                              "hostIP": "10.50.0.1"}],
            "bandwidth": {"ingressRate": 1_000_000, "ingressBurst": 100_000,
                          "egressRate": 2_000_000, "egressBurst": 200_000}}  # fmt: skip
    pod = RuntimeConf("c1", "eth0", "/var/run/netns/pod1", capability_args=caps)
    s.do("add", net, pod)
    s.iptables("-t", "nat", "-S")
    s.iptables("-S")
    s.qdiscs("init_net")
    s.link("pod1", "eth0")
    s.files("/var/lib/cni/tuning")
    s.do("check", net, pod)
    s.do("del", net, pod)
    s.iptables("-t", "nat", "-S")
    s.qdiscs("init_net")
    s.do("del", net, pod)


SCENARIOS: dict[str, Callable[[Side], None]] = {
    "t5-chain": t5_chain,
    "tuning-chain": tuning_chain,
    "loopback": loopback,
    "macvlan-chain": macvlan_chain,
    "host-device-chain": host_device_chain,
    "meta-chain": meta_chain,
    "host-local-chain": host_local_chain,
    "static-chain": static_chain,
    "bridge-chain": bridge_chain,
    "ptp-chain": ptp_chain,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_runtime_with_our_plugins_matches_the_real_binaries(name: str) -> None:
    with kernel_side("real") as real:
        SCENARIOS[name](real)
    with sim_side() as sim:
        SCENARIOS[name](sim)
    assert masked(sim.log) == masked(real.log)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_our_plugins_on_the_real_kernel_match_the_real_binaries(name: str) -> None:
    with kernel_side("real") as real:
        SCENARIOS[name](real)
    with kernel_side("ours") as ours:
        SCENARIOS[name](ours)
    assert masked(ours.log) == masked(real.log)


SUBNET_ENV = "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"  # noqa: E501
#: The seed's 10-flannel.conflist, without portmap.
FLANNEL_LIST = (
    '{"name":"cbr0","cniVersion":"0.3.1","plugins":[{"type":"flannel",'
    '"delegate":{"hairpinMode":true,"isDefaultGateway":true}}]}'
)


def flannel_chain(s: Side) -> None:
    """flannel delegating to bridge + host-local: the saved delegate config, the
    bridge flannel's subnet.env asks for, DEL from the saved config."""
    for ns in ("pod1", "pod2"):
        s.netns(ns)
    net = s.rt.network(FLANNEL_LIST)
    pods = [RuntimeConf(f"f{i}", "eth0", f"/var/run/netns/pod{i}") for i in (1, 2)]
    s.do("add", net, pods[0])  # no subnet.env yet
    s.rt.fs.mkdir("/run/flannel", parents=True)
    s.rt.fs.write("/run/flannel/subnet.env", SUBNET_ENV)
    for pod in pods:
        s.do("add", net, pod)
    s.log.append(s.rt.fs.read("/var/lib/cni/flannel/f1"))
    s.routes("pod1")
    s.routes(INIT_NET)
    s.nat()
    s.do("del", net, pods[0])
    s.do("del", net, pods[0])
    s.log.append(s.rt.fs.exists("/var/lib/cni/flannel/f1"))
    s.routes(INIT_NET)


def test_flannel_on_the_real_kernel_matches_the_simulator() -> None:
    """No flannel binary ships with Debian's plugins: ours runs on both backends
    (delegating to our bridge and host-local), and must leave the same state."""
    with kernel_side("ours") as ours:
        flannel_chain(ours)
    with sim_side() as sim:
        flannel_chain(sim)
    assert masked(sim.log) == masked(ours.log)
    assert "10.244.1.2/24" in masked(sim.log)
