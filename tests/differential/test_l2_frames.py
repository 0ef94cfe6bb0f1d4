"""Frames through a bridge: the simulator delivers each one where the real kernel does.

The topology is ``topo_bridge.sh`` from reference/kernel.md (hosts h1..h3 on
ports vh1..vh3 of br0).  The same frames are sent from the same hosts on both
sides; on the kernel, raw sockets in every host (and on br0) record what
arrived.  Afterwards the bridges' learned FDB entries must agree too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netsim import Disposition, MacAddr, World
from netsim.kernel import Bridge
from netsim.packet import Ethernet
from tests.differential import sandbox
from tests.helpers import arp_reply, arp_request, build_bridge_topology, host_mac, port_mac

pytestmark = pytest.mark.kernel

HERE = Path(__file__).parent


def tagged(src: MacAddr, dst: MacAddr, tag: int) -> Ethernet:
    return Ethernet(dst, src, 0x88B5, b"netsim-%04d" % tag)


# (sending host, frame); every frame is distinct so that it can be told apart.
PLAN: list[tuple[int, Ethernet]] = [
    (1, arp_request(1, 2)),  # broadcast: floods, goes up br0
    (2, arp_reply(2, 1)),  # unicast to a learned MAC
    (1, tagged(host_mac(1), host_mac(2), 1)),  # known unicast
    (1, tagged(host_mac(1), MacAddr("02:00:00:00:00:99"), 2)),  # unknown unicast
    (3, tagged(host_mac(3), port_mac(1), 3)),  # to the bridge's own MAC
    (3, tagged(host_mac(3), port_mac(2), 4)),  # to another port's MAC (local entry)
    (2, tagged(host_mac(2), MacAddr("01:80:c2:00:00:00"), 5)),  # STP group, STP off
    (2, tagged(host_mac(2), MacAddr("01:80:c2:00:00:0e"), 6)),  # LLDP group
    (1, tagged(host_mac(1), MacAddr("01:00:5e:00:00:fb"), 7)),  # IPv4 multicast
    (3, tagged(MacAddr("01:00:00:00:00:33"), host_mac(1), 8)),  # multicast source
    (3, tagged(host_mac(1), host_mac(2), 9)),  # h1's MAC moves to vh3
    (2, tagged(host_mac(2), host_mac(1), 10)),  # ... so this goes to h3
    (1, tagged(host_mac(1), host_mac(1), 11)),  # to a MAC learned on vh3
]

LISTEN = [("h1", "eth0"), ("h2", "eth0"), ("h3", "eth0"), ("br", "br0")]


# Port settings for the second run: (port, flag, on).
PORT_FLAGS = [("vh1", "hairpin", True), ("vh2", "flood", False), ("vh3", "learning", False)]

PLAN_FLAGS: list[tuple[int, Ethernet]] = [
    (1, arp_request(1, 2)),  # hairpin: h1 gets its own broadcast back
    (3, tagged(host_mac(3), MacAddr("02:00:00:00:00:98"), 20)),  # unknown unicast, vh2 flood off
    (3, tagged(host_mac(3), host_mac(1), 21)),  # vh3 learns nothing
    (2, tagged(host_mac(2), host_mac(3), 22)),  # h3 unknown: floods (not to vh2)
    (1, tagged(host_mac(1), host_mac(1), 23)),  # to a MAC behind vh1, hairpin on: back to h1
]


def kernel_topology(flags: list[tuple[str, str, bool]] | None = None) -> str:
    lines = [
        "ip netns add br; ip -n br link set lo up",
        "ip netns exec br sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
        "net.ipv6.conf.default.disable_ipv6=1",
        "ip -n br link add br0 type bridge",
    ]
    for i in (1, 2, 3):
        lines += [
            f"ip netns add h{i}; ip netns exec h{i} sysctl -qw "
            "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
            f"ip -n h{i} link add eth0 address {host_mac(i)} type veth peer name vh{i} "
            f"netns br address {port_mac(i)}",
            f"ip -n br link set vh{i} master br0; ip -n br link set vh{i} up",
            f"ip -n h{i} link set eth0 up",
        ]
    lines += ["ip -n br link set br0 up"]
    for port, flag, on in flags or []:
        lines.append(f"bridge -n br link set dev {port} {flag} {'on' if on else 'off'}")
    lines.append("sleep 1.2")
    return "\n".join(lines)


def kernel_run(
    frames: list[tuple[int, Ethernet]] = PLAN, flags: list[tuple[str, str, bool]] | None = None
) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    plan = {
        "listen": LISTEN,
        "send": [[f"h{h}", "eth0", f.encode().hex()] for h, f in frames],
    }
    script = (
        kernel_topology(flags)
        + f"\ncat > /tmp/plan.json <<'EOF'\n{json.dumps(plan)}\nEOF\n"
        + f"python3 {HERE / 'packet_io.py'} < /tmp/plan.json\necho\n"
        + "bridge -n br -j fdb show br br0 dynamic\n"
    )
    out = sandbox.run(script).strip().split("\n")
    return json.loads(out[0]), json.loads(out[1] or "[]")


def sim_run(
    frames: list[tuple[int, Ethernet]] = PLAN, flags: list[tuple[str, str, bool]] | None = None
) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    w = World(1)
    build_bridge_topology(w)
    for port, flag, on in flags or []:
        w.bridge_link_set(port, netns="br", **{flag: on})
    w.sleep(1.2)
    seen: dict[str, list[str]] = {f"{ns}/{dev}": [] for ns, dev in LISTEN}
    for h, f in frames:
        flow = w.send(f, dev="eth0", netns=f"h{h}")
        w.sleep(0.05)
        for t in w.traces(flow):
            key = "/".join(t.end)
            arrived = t.disposition == Disposition.DELIVERED or "otherhost" in t.reason
            if key in seen and arrived:
                seen[key].append(f.encode().hex())
    br = w.dev("br0", netns="br")
    assert isinstance(br, Bridge)
    fdb = [
        {"mac": str(e.mac), "ifname": e.dst.dev.ifname, "flags": [], "master": "br0", "state": ""}
        for e in br.fdb
        if not e.is_static and e.dst is not None
    ]
    return seen, fdb


@pytest.mark.parametrize(
    ("frames", "flags"), [(PLAN, None), (PLAN_FLAGS, PORT_FLAGS)], ids=["defaults", "port-flags"]
)
def test_frames_arrive_where_the_kernel_delivers_them(
    frames: list[tuple[int, Ethernet]], flags: list[tuple[str, str, bool]] | None
) -> None:
    sandbox.require_kernel()
    k_seen, k_fdb = kernel_run(frames, flags)
    s_seen, s_fdb = sim_run(frames, flags)
    names = {f.encode().hex(): f"#{i} from h{h}" for i, (h, f) in enumerate(frames)}
    for point in s_seen:
        got = [names.get(x, x) for x in s_seen[point]]
        want = [names.get(x, x) for x in k_seen[point]]
        assert got == want, f"frames seen on {point}: simulator {got}, kernel {want}"
    assert sorted(s_fdb, key=str) == sorted(k_fdb, key=str)
