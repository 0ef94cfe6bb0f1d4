"""macvlan on the real kernel and in netsim: the same ``ip`` script prints the
same (stdout, stderr folded in, exit statuses), MAC addresses and round-trip
times aside.

Covers creation errors, ``ip -d link show`` / ``ip -j -d link show``, carrier
and operstate following the lower device, the lower's promiscuity, traffic in
bridge, private and vepa modes (vepa through a hairpin bridge port outside),
passthru (the lower's MAC, promiscuity, only one), the lower's MTU and
deletion.  The ``-d`` tail the model does not produce (``addrgenmode``,
queue counts, GSO/TSO sizes) is cut from both outputs.
"""

from __future__ import annotations

import re

import pytest

from netsim import World
from tests.differential import sandbox
from tests.differential.test_scenarios import KERNEL_PRELUDE, normalise

pytestmark = pytest.mark.kernel

SCRIPT = r"""
for n in host a b c d; do ip netns add $n; ip -n $n link set lo up; done
ip -n host link add eth0 address 02:00:00:00:00:e0 type veth \
  peer name peer0 address 02:00:00:00:00:e1
ip -n host link add m0 link eth0 type macvlan 2>&1; echo "rc $?"
ip -n host link add m1 link m0 address 02:00:00:00:00:0b type macvlan mode private 2>&1
echo "rc $?"
ip -n host link add m2 link eth0 type macvlan nopromisc 2>&1; echo "rc $?"
ip -n host link add m2 link eth0 type macvlan flag bogus 2>&1; echo "rc $?"
ip -n host link add m2 link eth0 type macvlan bcqueuelen x 2>&1; echo "rc $?"
ip -n host link add m2 link eth0 type macvlan mode bridge macaddr add 02:00:00:00:00:99 2>&1
echo "rc $?"
ip -n host link add m2 link eth0 type macvlan mode source \
  macaddr set 02:00:00:00:00:01 02:00:00:00:00:02 2>&1
echo "rc $?"
ip -n host link add m2 link eth0 type macvlan mode passthru 2>&1; echo "rc $?"
ip -n host link add m0 link eth0 type macvlan 2>&1; echo "rc $?"
ip -n host link add m3 link nope type macvlan 2>&1; echo "rc $?"
ip -n host -d link show
ip -n host -j -d link show m2
ip -n host link set m1 mtu 1600 2>&1; echo "rc $?"
ip -n host link set m1 mtu 1400 2>&1; echo "rc $?"
ip -n host link set eth0 mtu 1300
ip -n host link show m1
ip -n host link set m0 up
ip -n host link show m0
ip -n host link set eth0 up
sleep 1.2
ip -n host link show m0
ip -n host link set peer0 up
sleep 1.2
ip -n host link show
ip -n host -j -d link show eth0
ip -n host link set m0 down
ip -n host -j -d link show eth0
ip -n host link del m0
ip -n host link del m1
ip -n host link del m2
ip -n host link show
echo "== vepa siblings meet through a hairpin port outside"
ip -n host link set eth0 mtu 1500
ip -n host link set peer0 netns d
ip -n d link add br0 type bridge
ip -n d link set peer0 master br0
ip -n d link set br0 up
ip -n d link set peer0 up
sleep 2.5
ip -n host link add va link eth0 type macvlan mode vepa
ip -n host link add vb link eth0 type macvlan
ip -n host link set va netns a
ip -n host link set vb netns b
ip -n a addr add 10.1.0.1/24 dev va
ip -n b addr add 10.1.0.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
sleep 1.2
ip -n a link show
ip netns exec a ping -c1 -W1 10.1.0.2 2>&1; echo "rc $?"
bridge -n d link set dev peer0 hairpin on
ip netns exec a ping -c1 -W1 10.1.0.2 2>&1; echo "rc $?"
ip -n b neigh
echo "== passthru takes the lower's MAC and gives it back"
ip -n host link add pt link eth0 type macvlan mode passthru 2>&1; echo "rc $?"
ip -n host link del eth0
ip -n a link show
ip -n host link add e2 address 02:00:00:00:00:f0 type veth peer name e3
ip -n host link add pt link e2 type macvlan mode passthru 2>&1; echo "rc $?"
ip -n host link add pu link e2 type macvlan mode passthru 2>&1; echo "rc $?"
ip -n host link add pv link e2 type macvlan mode bridge 2>&1; echo "rc $?"
ip -n host link set pt up
ip -n host -d link show
ip -n host link set pt address 02:00:00:00:00:f7
ip -n host link show
ip -n host link del pt
ip -n host link show e2
"""

_DETAIL_TAIL = re.compile(r"addrgenmode \S+ numtxqueues .*gro_max_size \d+ ")
_JSON_TAIL = re.compile(r',"inet6_addr_gen_mode":"[^"]*","num_tx_queues".*?"gro_max_size":\d+')


def _cut(text: str) -> str:
    return _JSON_TAIL.sub("", _DETAIL_TAIL.sub("", text))


def test_macvlan_matches_the_kernel() -> None:
    pinned = set(re.findall(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b", SCRIPT))
    kernel = _cut(sandbox.run(KERNEL_PRELUDE + SCRIPT))
    sim = World(seed=1).sh(SCRIPT)
    assert sim.stderr == ""
    want, got = normalise(kernel, pinned), normalise(_cut(sim.stdout), pinned)
    assert got.splitlines() == want.splitlines()
