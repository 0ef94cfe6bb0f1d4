"""Traffic through a router: ping output, neighbour tables and errors match the kernel.

The topology is ``topo_router.sh`` from reference/kernel.md: kx-a (10.1.0.1/24)
— kx-r (10.1.0.254/24 | 10.2.0.254/24) — kx-c (10.2.0.1/24), default routes on
the hosts.  Steps run one after another on the real kernel (with the real
``ping``) and on the simulator; each step's output must match after
normalising the round-trip times, which only the real machine's speed sets.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import neigh_records
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

MACS = {"a": "02:00:00:00:0a:01", "ra": "02:00:00:00:0a:fe", "rc": "02:00:00:00:0c:fe",
        "c": "02:00:00:00:0c:01"}  # fmt: skip

Step = tuple[Any, ...]

# ("ping", ns, "args"), ("sysctl", ns, "key", "value"), ("neigh", ns), ("sleep", seconds),
# ("mtu", ns, dev, mtu), ("route", ns, type, prefix)
STEPS: dict[str, list[Step]] = {
    "T09-forwarding": [
        ("ping", "a", "-c2 -W1 10.2.0.1"),
        ("ping", "a", "-c1 -W1 10.2.0.254"),
        ("sysctl", "r", "net.ipv4.ip_forward", "1"),
        ("ping", "a", "-c1 -W1 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -t1 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -t2 10.2.0.1"),
        ("ping", "a", "-c1 -W1 10.3.0.1"),
        ("neigh", "a"),
        ("neigh", "r"),
        ("neigh", "c"),
    ],
    "T06-arp-failure": [
        ("ping", "a", "-c1 -W5 10.1.0.99"),
        ("neigh", "a"),
        ("ping", "a", "-c3 -i1 10.1.0.98"),
        ("neigh", "a"),
    ],
    "T05-neigh-states": [
        ("ping", "a", "-c1 10.1.0.254"),
        ("neigh", "a"),
        ("neigh", "r"),
        ("sleep", 6),
        ("neigh", "r"),
    ],
    "T12-pmtu": [
        ("mtu", "r", "rc", 1000),
        ("mtu", "c", "eth0", 1000),
        ("sysctl", "r", "net.ipv4.ip_forward", "1"),
        ("ping", "a", "-c1 -W1 -s 1400 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -s 1400 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -s 1400 -M do 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -s 2000 10.2.0.1"),
        ("ping", "a", "-c1 -W1 -s 2000 -M do 10.2.0.1"),
    ],
    "reject-routes": [
        ("sysctl", "r", "net.ipv4.ip_forward", "1"),
        ("route", "r", "prohibit", "10.7.0.0/16"),
        ("route", "r", "unreachable", "10.8.0.0/16"),
        ("route", "r", "blackhole", "10.9.0.0/16"),
        ("ping", "a", "-c1 -W1 10.7.0.1"),
        ("ping", "a", "-c1 -W1 10.8.0.1"),
        ("ping", "a", "-c1 -W1 10.9.0.1"),
        ("ping", "r", "-c1 -W1 10.7.0.1"),
        ("ping", "r", "-c1 -W1 10.8.0.1"),
        ("ping", "r", "-c1 -W1 10.9.0.1"),
    ],
    "broadcast": [
        ("ping", "a", "-c1 -W1 10.1.0.255"),
        ("ping", "a", "-b -c1 -W1 10.1.0.255"),
        ("sysctl", "r", "net.ipv4.icmp_echo_ignore_broadcasts", "0"),
        ("ping", "a", "-b -c2 -W1 10.1.0.255"),
        ("ping", "a", "-b -c1 -W1 255.255.255.255"),
        ("sysctl", "a", "net.ipv4.icmp_echo_ignore_broadcasts", "0"),
        ("ping", "a", "-b -c2 -W1 10.1.0.255"),
        ("neigh", "r"),
    ],
    "local": [
        ("ping", "a", "-c1 10.1.0.1"),
        ("ping", "a", "-c1 127.0.0.5"),
        ("ping", "c", "-c1 -W1 10.1.0.1"),
    ],
}


def _kernel_script(steps: list[Step]) -> str:
    lines = []
    v6off = "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
    for n in ("a", "r", "c"):
        lines.append(
            f"ip netns add {n}; ip -n {n} link set lo up; ip netns exec {n} sysctl -qw {v6off}"
        )
    veth = "ip -n {h} link add eth0 address {m} type veth peer name {p} netns r address {pm}"
    lines += [
        veth.format(h="a", m=MACS["a"], p="ra", pm=MACS["ra"]),
        veth.format(h="c", m=MACS["c"], p="rc", pm=MACS["rc"]),
        "ip -n a addr add 10.1.0.1/24 dev eth0; ip -n a link set eth0 up",
        "ip -n c addr add 10.2.0.1/24 dev eth0; ip -n c link set eth0 up",
        "ip -n r addr add 10.1.0.254/24 dev ra; ip -n r link set ra up",
        "ip -n r addr add 10.2.0.254/24 dev rc; ip -n r link set rc up",
        "ip -n a route add default via 10.1.0.254",
        "ip -n c route add default via 10.2.0.254",
        "sleep 1.2",
    ]
    for i, step in enumerate(steps):
        lines.append(f"echo '@@{i}'")
        kind = step[0]
        if kind == "ping":
            lines.append(f"ip netns exec {step[1]} ping {step[2]} 2>&1 || true")
        elif kind == "sysctl":
            lines.append(f"ip netns exec {step[1]} sysctl -qw {step[2]}={step[3]}")
        elif kind == "neigh":
            lines.append(f"ip -n {step[1]} -j neigh show")
        elif kind == "sleep":
            lines.append(f"sleep {step[1]}")
        elif kind == "mtu":
            lines.append(f"ip -n {step[1]} link set {step[2]} mtu {step[3]}")
        elif kind == "route":
            lines.append(f"ip -n {step[1]} route add {step[2]} {step[3]}")
    return "\n".join(lines) + "\n"


def _sim(steps: list[Step]) -> list[str]:
    w = World(1)
    for n in ("a", "r", "c"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_veth("eth0", "ra", netns="a", peer_netns="r", address=MACS["a"], peer_address=MACS["ra"])
    w.add_veth("eth0", "rc", netns="c", peer_netns="r", address=MACS["c"], peer_address=MACS["rc"])
    for ns, dev, addr in (("a", "eth0", "10.1.0.1/24"), ("c", "eth0", "10.2.0.1/24"),
                          ("r", "ra", "10.1.0.254/24"), ("r", "rc", "10.2.0.254/24")):  # fmt: skip
        w.addr_add(addr, dev=dev, netns=ns)
        w.link_set(dev, netns=ns, up=True)
    w.route_add("default", via="10.1.0.254", netns="a")
    w.route_add("default", via="10.2.0.254", netns="c")
    w.sleep(1.2)
    out = []
    for step in steps:
        kind = step[0]
        if kind == "ping":
            out.append(w.ping(step[2].split()[-1], netns=step[1], **_ping_args(step[2])).output)
        elif kind == "sysctl":
            w.netns(step[1]).sysctl.set(step[2], step[3])
            out.append("")
        elif kind == "neigh":
            out.append(json.dumps(neigh_records(w.netns(step[1])), separators=(",", ":")))
        elif kind == "sleep":
            w.sleep(step[1])
            out.append("")
        elif kind == "mtu":
            w.link_set(step[2], netns=step[1], mtu=step[3])
            out.append("")
        elif kind == "route":
            w.route_add(step[3], netns=step[1], type=step[2])
            out.append("")
    return out


def _ping_args(text: str) -> dict[str, Any]:
    opts = dict(re.findall(r"(-[a-zA-Z])\s*([^\s-]\S*)", " ".join(text.split()[:-1])))
    names = {"-c": ("count", int), "-W": ("timeout", float), "-t": ("ttl", int),
             "-i": ("interval", float), "-w": ("deadline", float), "-s": ("size", int),
             "-M": ("pmtudisc", str)}  # fmt: skip
    args: dict[str, Any] = {names[k][0]: names[k][1](v) for k, v in opts.items()}
    if "-b" in text.split():
        args["broadcast"] = True
    return args


def _normalise(text: str) -> str:
    text = re.sub(r"time=[0-9.]+ ms", "time=X ms", text)
    text = re.sub(r"rtt min/avg/max/mdev = [0-9./]+ ms", "rtt X ms", text)
    text = re.sub(r"time (\d+)ms", lambda m: f"time {round(int(m.group(1)) / 1000)}s", text)
    if text.startswith("["):  # neighbour dumps: order is the kernel's hash order
        text = json.dumps(sorted(json.loads(text), key=lambda r: (r["dev"], r["dst"])))
    return text.strip()


@pytest.fixture(scope="module")
def kernel_outputs() -> dict[str, list[str]]:
    sandbox.require_kernel()
    if shutil.which("ping") is None:
        if __import__("os").environ.get("NETSIM_REQUIRE_KERNEL") == "1":
            pytest.fail("ping (Debian iputils-ping) is not installed")
        pytest.skip("ping (Debian iputils-ping) is not installed")
    results = {}
    for name, steps in STEPS.items():
        out = sandbox.run(_kernel_script(steps))
        parts = re.split(r"@@\d+\n", out)[1:]
        results[name] = parts
    return results


@pytest.mark.parametrize("name", list(STEPS))
def test_traffic_matches_the_kernel(kernel_outputs: dict[str, list[str]], name: str) -> None:
    steps = STEPS[name]
    sim = _sim(steps)
    for step, got, want in zip(steps, sim, kernel_outputs[name], strict=True):
        assert _normalise(got) == _normalise(want), (
            f"{name}: step {step}\nsim:\n{got}\nkernel:\n{want}"
        )
