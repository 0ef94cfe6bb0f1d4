"""The seed notes' bridge walk-through, on the real kernel and on the simulator.

``../shared/seed/k8s-network-notes.md``: once ``veth0`` is enslaved to ``br0``,
what arrives on ``veth0`` goes up ``br0``'s stack, so an address left on
``veth0`` stops working; moving it to ``br0`` fixes that.  Both sides run the
same commands; ping outputs (round-trip times aside) and neighbour tables must
be the same.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import neigh_records, route_records
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

MAC0, MAC1 = "02:00:00:00:00:a0", "02:00:00:00:00:a1"

KERNEL = f"""
V6OFF="net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
for n in host peer; do ip netns add $n; ip -n $n link set lo up
  ip netns exec $n sysctl -qw $V6OFF; done
ip -n host link add br0 type bridge; ip -n host link set br0 up
ip -n host link add veth0 address {MAC0} type veth peer name veth1 netns peer address {MAC1}
ip -n host addr add 1.2.3.101/24 dev veth0; ip -n peer addr add 1.2.3.102/24 dev veth1
ip -n host link set veth0 up; ip -n peer link set veth1 up
sleep 1.2
echo @@; ip netns exec peer ping -c1 -W1 1.2.3.101 || true
ip -n host link set veth0 master br0; sleep 1.2
ip -n peer neigh flush all; ip -n host neigh flush all
echo @@; ip netns exec peer ping -c1 -W1 1.2.3.101 || true
echo @@; ip -n host -j neigh show
echo @@; ip -n peer -j neigh show
ip -n host addr del 1.2.3.101/24 dev veth0; ip -n host addr add 1.2.3.101/24 dev br0
ip -n peer neigh flush all
echo @@; ip netns exec peer ping -c1 -W1 1.2.3.101 || true
echo @@; ip -n host -j route show
"""


def _sim() -> list[str]:
    w = World(1)
    for n in ("host", "peer"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_bridge("br0", netns="host")
    w.link_set("br0", netns="host", up=True)
    w.add_veth("veth0", "veth1", netns="host", peer_netns="peer", address=MAC0, peer_address=MAC1)
    w.addr_add("1.2.3.101/24", dev="veth0", netns="host")
    w.addr_add("1.2.3.102/24", dev="veth1", netns="peer")
    w.link_set("veth0", netns="host", up=True)
    w.link_set("veth1", netns="peer", up=True)
    w.sleep(1.2)
    out = [w.ping("1.2.3.101", netns="peer", timeout=1).output]
    w.link_set("veth0", netns="host", master="br0")
    w.sleep(1.2)
    w.neigh_flush(netns="peer")
    w.neigh_flush(netns="host")
    out.append(w.ping("1.2.3.101", netns="peer", timeout=1).output)
    out += [json.dumps(neigh_records(w.netns(n))) for n in ("host", "peer")]
    w.addr_del("1.2.3.101/24", dev="veth0", netns="host")
    w.addr_add("1.2.3.101/24", dev="br0", netns="host")
    w.neigh_flush(netns="peer")
    out.append(w.ping("1.2.3.101", netns="peer", timeout=1).output)
    out.append(json.dumps(route_records(w.netns("host"))))
    return out


def _norm(text: str) -> object:
    text = text.strip()
    if text.startswith("["):
        return sorted(json.loads(text), key=lambda r: json.dumps(r, sort_keys=True))
    text = re.sub(r"time=[0-9.]+ ms", "time=X ms", text)
    return re.sub(r"rtt min/avg/max/mdev = [0-9./]+ ms", "rtt X ms", text)


def test_seed_bridge_walkthrough_matches_the_kernel() -> None:
    sandbox.require_kernel()
    if shutil.which("ping") is None:
        pytest.skip("ping (Debian iputils-ping) is not installed")
    kernel = sandbox.run(KERNEL).split("@@\n")[1:]
    sim = _sim()
    assert "0 received" in sim[1] and "1 received" in sim[4]  # the seed's point
    for i, (got, want) in enumerate(zip(sim, kernel, strict=True)):
        assert _norm(got) == _norm(want), f"output {i}:\nsim:\n{got}\nkernel:\n{want}"
