"""dummy devices.  The sandbox kernel has no dummy module, so these follow
Linux 6.18 drivers/net/dummy.c (``dummy_setup``: ether_setup, IFF_NOARP on,
IFF_MULTICAST off, IFF_NO_QUEUE, random MAC, min/max MTU 0; ``dummy_xmit``
frees what it is given) and reference/kernel.md T16 (a taken name is EEXIST)."""

from __future__ import annotations

import json

from netsim import World
from netsim.kernel.links.dummy import Dummy


def test_a_noarp_device_that_is_always_on() -> None:
    w = World(seed=1)
    d = w.add_dummy("d0")
    assert isinstance(d, Dummy) and d.address.is_valid_ether
    out = w.sh("ip link show d0").stdout
    assert out.startswith("2: d0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT")
    w.link_set("d0", up=True)
    out = w.sh("ip -d link show d0").stdout
    assert out.startswith(
        "2: d0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT"
    )
    assert "minmtu 0 maxmtu 0 \n    dummy " in out
    rec = json.loads(w.sh("ip -j -d link show d0").stdout)[0]
    assert rec["linkinfo"] == {"info_kind": "dummy"}


def test_any_mtu_and_a_template_name() -> None:
    w = World(seed=1)
    assert w.add_dummy().ifname == "dummy0"
    w.link_set("dummy0", mtu=9000)
    w.link_set("dummy0", mtu=70000)
    assert w.dev("dummy0").mtu == 70000


def test_name_taken_and_options_ignored() -> None:
    """T16: ``ip link add p1 type dummy`` when p1 exists; iproute2 has no
    parser for dummy and sends what follows unread."""
    w = World(seed=1)
    assert w.sh("ip link add d0 type dummy whatever").status == 0
    res = w.sh("ip link add d0 type dummy")
    assert (res.status, res.stderr) == (2, "RTNETLINK answers: File exists\n")


def test_what_is_routed_out_disappears() -> None:
    """Neighbours on a NOARP device need no resolution (arp_constructor); the
    frame is sent and consumed by dummy_xmit."""
    w = World(seed=1)
    d = w.add_dummy("d0")
    w.link_set("d0", up=True)
    w.addr_add("192.0.2.1/24", dev="d0")
    assert w.ping("192.0.2.5", timeout=1).received == 0
    assert d.tx_packets == 1
    t = w.traces()[-1]
    assert (t.steps[-1].device, t.reason) == ("d0", "dummy_xmit: consumed")
    neigh = w.sh("ip neigh show nud noarp").stdout
    assert neigh.startswith(f"192.0.2.5 dev d0 lladdr {d.address} NOARP")
