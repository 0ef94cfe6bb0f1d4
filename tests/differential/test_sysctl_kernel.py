"""The sysctl model and the real kernel, after the same writes and device changes, agree.

Each sequence runs in its own namespace ``sN`` of one sandbox (``unshare
-Urnm``).  Per ``sysctl -w`` the printed line
(the echo or the error) must match the model's, and at the end every
``net.ipv4``/``net.ipv6``/``net.core``/``net.bridge`` value ``sysctl -a``
shows in ``sN`` must equal the model's dump, in the same order.  A device
moved away goes to a namespace of its own.  Not
compared: ``ping_group_range`` (reads 65534 for the sandbox's unmapped gid
1), ``stable_secret``, ``rps_default_mask`` (not modelled).
"""

from __future__ import annotations

import random
import re
import shlex
from collections.abc import Sequence

import pytest

from netsim.kernel.sysctl import SysctlError, Sysctls
from netsim.kernel.sysctl.build import BUILDS, DEFAULT_BUILD, KernelBuild
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

#: ("w", key, value) | ("veth", name, peer) | ("del", name) | ("rename", old, new)
#: | ("move", name) | ("mtu", name, mtu)
Op = tuple[str, ...]
SKIP = re.compile(r"ping_group_range|stable_secret|rps_default_mask")
SUBTREES = ("net.ipv4.", "net.ipv6.", "net.core.", "net.bridge.")

SCENARIOS: dict[str, list[Op]] = {
    "brief": [
        ("w", "net.ipv4.ip_forward", "1"),
        ("w", "net.ipv4.conf.default.rp_filter", "2"),
        ("veth", "veth0", "veth1"),
        ("w", "net.ipv4.conf.all.proxy_arp", "1"),
        ("w", "net.ipv4.conf.veth0.arp_ignore", "1"),
        ("w", "net.ipv4.conf.default.arp_ignore", "2"),
        ("w", "net.ipv4.conf.all.forwarding", "0"),
        ("w", "net.ipv4.conf.veth1.forwarding", "1"),
        ("w", "net.ipv4.conf.default.rp_filter", "1"),
        ("rename", "veth1", "v.b"),
        ("w", "net.ipv4.conf.v/b.accept_local", "1"),
        ("veth", "x0", "x1"),
        ("move", "x1"),
        ("mtu", "x0", "1000"),
        ("w", "net.ipv4.neigh.veth0.retrans_time_ms", "333"),
        ("w", "net.ipv4.neigh.veth0.base_reachable_time", "10"),
        ("w", "net.ipv4.neigh.veth0.unres_qlen", "5"),
        ("w", "net.ipv4.ip_local_port_range", "40000 50000"),
        ("w", "net.ipv4.ip_unprivileged_port_start", "45000"),
        ("w", "net.ipv4.tcp_rmem", "4096 87380 6291456"),
        ("w", "net.ipv6.conf.all.forwarding", "1"),
        ("w", "net.ipv6.conf.default.disable_ipv6", "1"),
        ("veth", "y0", "y1"),
        ("w", "net.ipv4.conf.all.mc_forwarding", "1"),
        ("w", "net.ipv4.nosuch", "1"),
        ("w", "net.ipv4.ip_local_port_range", "50000 40000"),
        ("w", "net.ipv4.conf.y0", "1"),
        ("rename", "y0", "all"),
        ("del", "y1"),
    ],
}

CONF4 = [
    *("forwarding", "rp_filter", "arp_ignore", "arp_announce", "arp_accept", "arp_notify"),
    *("proxy_arp", "accept_redirects", "accept_local", "route_localnet", "disable_policy"),
    *("mc_forwarding", "bc_forwarding"),
]
CONF6 = [
    *("forwarding", "disable_ipv6", "accept_ra", "autoconf", "force_forwarding", "mtu"),
    *("addr_gen_mode", "router_solicitation_interval", "mldv1_unsolicited_report_interval"),
    "ignore_routes_with_linkdown",
]
NEIGH = [
    *("base_reachable_time_ms", "base_reachable_time", "retrans_time_ms", "retrans_time"),
    *("unres_qlen", "unres_qlen_bytes", "locktime", "ucast_solicit", "interval_probe_time_ms"),
]
SCALARS = [
    "net.ipv4.ip_forward",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_default_ttl",
    "net.ipv4.tcp_rmem",
    "net.ipv4.icmp_ratelimit",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_congestion_control",
    "net.ipv4.ipfrag_low_thresh",
    "net.core.somaxconn",
    "net.bridge.bridge-nf-call-iptables",
    "net.ipv6.icmp.ratemask",
]
VALUES = [
    *("0", "1", "2", "-1", "3", "0x10", "010", "1 2", " 4", "abc", "", "+1"),
    *("255", "256", "333", "1000", "1279", "1280", "1400", "1500", "9000", "65536"),
    *("40000 50000", "50000 40000", "1-3,5", "reno", "cubic", "2147483647", "2147483648"),
]
NAMES = ["eth0", "v", "v-a", "v.b", "v_c", "ALL", "aaa", "p1", "p2", "q.1"]
N_RANDOM = 12
SEED = 20261129


def sequences() -> dict[str, list[Op]]:
    rng = random.Random(SEED)
    seqs = dict(SCENARIOS)
    for i in range(N_RANDOM):
        seqs[f"random-{i}"] = random_sequence(rng)
    return seqs


def random_sequence(rng: random.Random, n: int = 80) -> list[Op]:
    """Writes of valid and invalid values to keys with side effects, and device changes."""
    devs = ["lo"]
    peers: dict[str, str] = {}
    ops: list[Op] = []
    for _ in range(n):
        r = rng.random()
        free = [x for x in NAMES if x not in devs]
        movable = [d for d in devs if d != "lo"]
        if r < 0.12 and len(free) >= 2:
            a, b = rng.sample(free, 2)
            ops.append(("veth", a, b))
            devs += [a, b]
            peers[a], peers[b] = b, a
        elif r < 0.16 and movable:
            d = rng.choice(movable)
            ops.append(("del", d))
            for x in (d, peers.pop(d, "")):
                if x in devs:
                    devs.remove(x)
                peers.pop(x, None)
        elif r < 0.20 and movable and free:
            old, new = rng.choice(movable), rng.choice(free)
            ops.append(("rename", old, new))
            devs[devs.index(old)] = new
            if old in peers:
                peers[new] = peers.pop(old)
                peers[peers[new]] = new
        elif r < 0.23 and movable:
            d = rng.choice(movable)
            ops.append(("move", d))
            devs.remove(d)
            if d in peers:  # its peer stays; deleting that deletes d where it went
                del peers[peers.pop(d)]
        elif r < 0.27 and movable:
            ops.append(("mtu", rng.choice(movable), rng.choice(["1000", "1280", "1500", "9000"])))
        else:
            kind = rng.random()
            dev = rng.choice(["all", "default", *devs, "nosuch"])
            if kind < 0.45:
                key = f"net.ipv4.conf.{dev}.{rng.choice(CONF4)}"
            elif kind < 0.7:
                key = f"net.ipv6.conf.{dev}.{rng.choice(CONF6)}"
            elif kind < 0.8:
                fam, dev = rng.choice(["ipv4", "ipv6"]), rng.choice(devs)
                key = f"net.{fam}.neigh.{dev}.{rng.choice(NEIGH)}"
            else:
                key = rng.choice(SCALARS)
            ops.append(
                ("w", key.replace(f".{dev}.", f".{dev.replace('.', '/')}."), rng.choice(VALUES))
            )
    return ops


def to_shell(op: Op, ns: str, away: str) -> str:
    """The command for ``op`` in namespace ``ns``; ``away`` is a new namespace for a move."""
    kind = op[0]
    if kind == "w":
        return f"ip netns exec {ns} sysctl -w {shlex.quote(op[1] + '=' + op[2])}"
    if kind == "veth":
        return f"ip -n {ns} link add {op[1]} type veth peer name {op[2]}"
    if kind == "del":
        return f"ip -n {ns} link del {op[1]}"
    if kind == "rename":
        return f"ip -n {ns} link set {op[1]} name {op[2]}"
    if kind == "move":
        return f"ip netns add {away} && ip -n {ns} link set {op[1]} netns {away}"
    assert kind == "mtu"
    return f"ip -n {ns} link set {op[1]} mtu {op[2]}"


def model_run(
    seq: Sequence[Op], build: KernelBuild = DEFAULT_BUILD
) -> tuple[list[str], dict[str, str]]:
    """Apply ``seq`` to a model of ``build``; the line each op prints, and the final dump."""
    s = Sysctls(build=build)
    s.add_device("lo", loopback=True)
    peers: dict[str, str] = {}
    out: list[str] = []
    for op in seq:
        line = ""
        if op[0] == "w":
            try:
                line = s.write(op[1], op[2])
            except SysctlError as e:
                line = e.message
        elif op[0] == "veth":
            s.add_device(op[2])  # veth registers the peer first
            s.add_device(op[1])
            peers[op[1]], peers[op[2]] = op[2], op[1]
        elif op[0] == "del":
            for d in (op[1], peers.pop(op[1], "")):
                if d in s.devices:
                    s.remove_device(d)
                peers.pop(d, None)
        elif op[0] == "rename":
            if op[2] in ("all", "default"):
                line = "RTNETLINK answers: Invalid argument"
            else:
                s.rename_device(op[1], op[2])
                if op[1] in peers:
                    peers[op[2]] = peers.pop(op[1])
                    peers[peers[op[2]]] = op[2]
        elif op[0] == "move":
            s.remove_device(op[1])
            if op[1] in peers:
                del peers[peers.pop(op[1])]
        else:
            s.set_mtu(op[1], int(op[2]))
        out.append(line)
    dump = {k: v for k, v in s.dump().items() if k.startswith(SUBTREES) and not SKIP.search(k)}
    return out, dump


@pytest.fixture(scope="module")
def kernel() -> dict[str, tuple[list[str], dict[str, str]]]:
    sandbox.require_kernel()
    script = []
    for i, (name, seq) in enumerate(sequences().items()):
        ns = f"s{i}"
        script += [f"ip netns add {ns}", f"echo '@@@ {name}'"]
        for j, op in enumerate(seq):
            script += ["echo '@@ op'", f"{to_shell(op, ns, f'x{i}-{j}')} 2>&1 || true"]
        script += ["echo '@@ dump'", f"ip netns exec {ns} sysctl -a 2>/dev/null || true"]
    text = sandbox.run("\n".join(script), timeout=300)
    results: dict[str, tuple[list[str], dict[str, str]]] = {"": ([sandbox.run("uname -r")], {})}
    for block in text.split("@@@ ")[1:]:
        name, _, body = block.partition("\n")
        *ops, dump = body.split("@@ dump\n")[0].split("@@ op\n"), body.split("@@ dump\n")[1]
        lines = [o.strip("\n") for o in ops[0][1:]]
        values = {}
        for row in dump.splitlines():
            key, _, value = row.partition(" = ")
            if key.startswith(SUBTREES) and not SKIP.search(key):
                values[key] = value
        results[name] = (lines, values)
    return results


def test_kernel_ran_every_sequence(kernel: dict[str, tuple[list[str], dict[str, str]]]) -> None:
    assert set(kernel) == {"", *sequences()}


def build_of(kernel: dict[str, tuple[list[str], dict[str, str]]]) -> KernelBuild:
    """The model of the sandbox's kernel build (the default one for a build not seen yet)."""
    return BUILDS.get(kernel[""][0][0].strip(), DEFAULT_BUILD)


@pytest.mark.parametrize("name", list(sequences()))
def test_same_lines_and_same_tree(
    kernel: dict[str, tuple[list[str], dict[str, str]]], name: str
) -> None:
    seq = sequences()[name]
    k_lines, k_dump = kernel[name]
    m_lines, m_dump = model_run(seq, build_of(kernel))
    assert len(k_lines) == len(seq)
    for op, want, got in zip(seq, k_lines, m_lines, strict=True):
        assert got == want, f"{name}: `{to_shell(op, 'NS', 'X')}`: kernel {want!r}, model {got!r}"
    diff = {k: (k_dump.get(k), m_dump.get(k)) for k in k_dump.keys() | m_dump.keys()}
    diff = {k: v for k, v in diff.items() if v[0] != v[1]}
    assert not diff, f"{name}: (kernel, model) differ:\n" + "\n".join(
        f"  {k}: {v}" for k, v in sorted(diff.items())
    )
    assert list(m_dump) == list(k_dump)  # the order sysctl -a lists them in
