"""The ptp plugin (netsim.cni.plugins.main.ptp) on SimHost (cni.md T4)."""

from __future__ import annotations

from netsim.cni.errors import CniError
from netsim.cni.plugins.main import ptp
from netsim.host.ops import AddrAdd, RouteAdd, RouteDel
from tests.unit.test_cni_bridge import args, setup

CONF = {"cniVersion": "1.0.0", "name": "ptpnet", "type": "ptp", "mtu": 1400,
        "ipam": {"type": "host-local", "subnet": "10.40.0.0/30", "dataDir": "/run/ipam",
                 "routes": [{"dst": "0.0.0.0/0"}]}}  # fmt: skip


def test_add_check_del_and_exhaustion() -> None:
    w, host, drive = setup()
    w.netns_add("pod2")
    out = drive(ptp.cmd_add, args(CONF))
    veth = out["interfaces"][0]["name"]
    assert out["ips"] == [{"interface": 1, "address": "10.40.0.2/30", "gateway": "10.40.0.1"}]
    assert out["routes"] == [{"dst": "0.0.0.0/0"}] and out["dns"] == {}
    assert AddrAdd(netns="node", ifname=veth, address="10.40.0.1/32") in host.ops
    assert RouteAdd(netns="node", dst="10.40.0.2/32", dev=veth, scope="host") in host.ops
    assert RouteDel(netns="pod1", dst="10.40.0.0/30", dev="eth0") in host.ops
    assert w.dev(veth, netns="node").mtu == 1400
    drive(ptp.cmd_check, args({**CONF, "prevResult": out}))
    n = len(host.ops)
    try:
        drive(ptp.cmd_add, args(CONF, "/var/run/netns/pod2"))
    except CniError as e:
        assert e.msg.startswith("failed to allocate for range 0: ")
    assert len(host.ops) == n  # IPAM first: nothing yielded
    drive(ptp.cmd_del, args(CONF))
    assert sorted(d.ifname for d in w.netns("node")) == ["lo"]
