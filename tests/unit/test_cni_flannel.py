"""The flannel CNI plugin (flannel-io/cni-plugin): the delegate config it saves
and passes to bridge, subnet.env parsing and its errors, DEL from the saved config."""

from __future__ import annotations

import json

import pytest

from netsim import World

ENV = "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"  # noqa: E501
CONF = {"cniVersion": "0.3.1", "name": "cbr0", "type": "flannel",
        "delegate": {"hairpinMode": True, "isDefaultGateway": True}}  # fmt: skip


def run(w: World, command: str, conf: dict[str, object], cid: str = "c1") -> tuple[int, str]:
    w.fs.write("/tmp/conf.json", json.dumps(conf))
    r = w.sh(
        f"env CNI_COMMAND={command} CNI_CONTAINERID={cid} CNI_NETNS=/var/run/netns/pod1 "
        "CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin /opt/cni/bin/flannel < /tmp/conf.json"
    )
    assert r.stderr == ""
    return r.status, r.stdout


@pytest.fixture
def w() -> World:
    world = World(seed=1)
    world.netns_add("pod1")
    world.fs.mkdir("/run/flannel", parents=True)
    world.fs.write("/run/flannel/subnet.env", ENV)
    return world


def test_add_saves_the_delegate_config_and_returns_the_bridges_result(w: World) -> None:
    status, out = run(w, "ADD", CONF)
    assert status == 0
    result = json.loads(out)
    assert result["ips"] == [{"version": "4", "interface": 2, "address": "10.244.1.2/24",
                              "gateway": "10.244.1.1"}]  # fmt: skip
    assert result["routes"] == [{"dst": "10.244.0.0/16"}, {"dst": "0.0.0.0/0", "gw": "10.244.1.1"}]
    # json.Marshal of the delegate map: keys sorted, ipMasq = !FLANNEL_IPMASQ
    assert w.fs.read("/var/lib/cni/flannel/c1") == (
        '{"cniVersion":"0.3.1","hairpinMode":true,"ipMasq":false,"ipam":{"ranges":'
        '[[{"subnet":"10.244.1.0/24"}]],"routes":[{"dst":"10.244.0.0/16"}],"type":"host-local"},'
        '"isDefaultGateway":true,"isGateway":true,"mtu":1450,"name":"cbr0","type":"bridge"}'
    )
    assert w.dev("cni0").mtu == 1450  # FLANNEL_MTU, given at creation
    assert w.sh("ip -n pod1 -br addr show eth0").stdout.split()[2] == "10.244.1.2/24"
    assert run(w, "DEL", CONF) == (0, "")
    assert not w.fs.exists("/var/lib/cni/flannel/c1")
    assert w.sh("ip -n pod1 link show eth0").status == 1
    assert run(w, "DEL", CONF) == (0, "")  # nothing saved: success without a delegate


def test_ipmasq_false_in_subnet_env_makes_the_bridge_masquerade(w: World) -> None:
    w.fs.write("/run/flannel/subnet.env", ENV.replace("IPMASQ=true", "IPMASQ=false"))
    assert run(w, "ADD", CONF)[0] == 0
    assert '"ipMasq":true' in w.fs.read("/var/lib/cni/flannel/c1")
    assert "-j CNI-" in w.sh("iptables -t nat -S POSTROUTING").stdout


def error(w: World, conf: dict[str, object]) -> str:
    status, out = run(w, "ADD", conf)
    assert status == 1
    return str(json.loads(out)["msg"])


def test_errors(w: World) -> None:
    assert error(w, {**CONF, "delegate": {"name": "x"}}) == (
        "'delegate' dictionary must not have 'name' field, it'll be set by flannel"
    )
    assert error(w, {**CONF, "delegate": {"ipam": {}}}) == (
        "'delegate' dictionary must not have 'ipam' field, it'll be set by flannel"
    )
    assert error(w, {**CONF, "delegate": {"type": 5}}) == (
        "'delegate' dictionary, if present, must have (string) 'type' field"
    )
    assert error(w, {**CONF, "delegate": {"type": "nosuch"}}) == (
        'failed to delegate add: failed to find plugin "nosuch" in path [/opt/cni/bin]'
    )
    w.fs.write("/run/flannel/subnet.env", "FLANNEL_NETWORK=10.244.0.0/16\n")
    assert error(w, CONF) == (
        "failed to load flannel 'subnet.env' file: /run/flannel/subnet.env is missing "
        "FLANNEL_SUBNET, FLANNEL_IPV6_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ. "
        "Check the flannel pod log for this node."
    )
    w.fs.remove("/run/flannel/subnet.env")
    assert error(w, CONF) == (
        "failed to load flannel 'subnet.env' file: open /run/flannel/subnet.env: no such file "
        "or directory. Check the flannel pod log for this node."
    )
